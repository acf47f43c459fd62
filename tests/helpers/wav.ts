// Minimal WAV reader for test fixtures: returns the raw data bytes and the format.
export interface Wav {
  sampleRate: number;
  /** 1 = PCM, 7 = mu-law */
  format: number;
  bitsPerSample: number;
  data: Uint8Array;
}

export function readWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (o: number) => String.fromCharCode(...bytes.subarray(o, o + 4));
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a WAV file");
  let offset = 12;
  let fmt: Omit<Wav, "data"> | undefined;
  while (offset + 8 <= bytes.length) {
    const id = tag(offset);
    const size = view.getUint32(offset + 4, true);
    const body = offset + 8;
    if (id === "fmt ") {
      fmt = {
        format: view.getUint16(body, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (id === "data") {
      if (!fmt) throw new Error("WAV data before fmt");
      return { ...fmt, data: bytes.subarray(body, body + size) };
    }
    offset = body + size + (size & 1);
  }
  throw new Error("WAV without data");
}

export function fixture(name: string): Wav {
  return readWav(Deno.readFileSync(new URL(`../fixtures/${name}`, import.meta.url)));
}

/** Splits audio bytes into chunks of `ms` milliseconds. */
export function chunks(wav: Wav, ms: number): Uint8Array[] {
  const size = (wav.sampleRate * ms / 1000) * (wav.bitsPerSample / 8);
  const out: Uint8Array[] = [];
  for (let i = 0; i < wav.data.length; i += size) out.push(wav.data.slice(i, i + size));
  return out;
}
