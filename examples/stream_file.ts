// Streams a WAV file to an Earshot (or any v3) server at real time in 50 ms chunks, prints partial
// and final turns, then sends Terminate and prints Termination.
//
//   deno run --allow-net --allow-read --allow-env examples/stream_file.ts tests/fixtures/weather.wav
//   options: --url ws://host:8080/v3/ws  --api-key KEY (or EARSHOT_API_KEY)  --speech-model NAME  --no-format
import { readWav } from "../src/client/wav.ts";
import { clientOptions } from "./options.ts";
import { connect } from "./session.ts";
import { TurnPrinter } from "./turn_printer.ts";

const CHUNK_MS = 50;
const USAGE = "usage: stream_file.ts [--url ws://localhost:8080/v3/ws] [--api-key KEY] " +
  "[--speech-model NAME] [--no-format] file.wav";

const opts = clientOptions(Deno.args, USAGE);
const path = opts.positionals[0];
if (!path) {
  console.error(USAGE);
  Deno.exit(2);
}
const wav = readWav(await Deno.readFile(path));
const printer = new TurnPrinter(opts.formatTurns);
const { session, begin } = await connect(
  opts,
  { sample_rate: wav.sampleRate, encoding: wav.encoding },
  printer,
);
printer.info(`Begin: session ${begin.id}`);

// Paced against the clock, not by sleeping a fixed time per chunk, so the stream does not drift
// slower than real time (the server refuses audio faster than real time).
const step = Math.round(wav.bytesPerMs * CHUNK_MS);
const started = performance.now();
for (let i = 0, at = 0; at < wav.data.length && session.isOpen; i++, at += step) {
  session.send(wav.data.subarray(at, at + step));
  const wait = started + (i + 1) * CHUNK_MS - performance.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
}

const termination = await session.terminate();
printer.info(termination ? `Termination: ${JSON.stringify(termination)}` : "closed without Termination");
Deno.exit(termination ? 0 : 1);
