// The test fixtures (tests/fixtures/*.wav) through the clients' WAV reader.
import { readWav, type Wav } from "../../src/client/wav.ts";

export { chunks, readWav, type Wav } from "../../src/client/wav.ts";

export function fixture(name: string): Wav {
  return readWav(Deno.readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
}
