// Live captions from the microphone: records raw 16 kHz PCM16 with `arecord` (ALSA) or `sox -d`,
// sends 50 ms chunks, prints partial and final turns. Ctrl-C stops the recorder, sends Terminate
// and prints Termination.
//
//   deno run --allow-net --allow-run --allow-env examples/microphone.ts            # arecord
//   deno run --allow-net --allow-run --allow-env examples/microphone.ts --sox      # sox -d
//   options: --url ws://host:8080/v3/ws  --api-key KEY (or EARSHOT_API_KEY)  --speech-model NAME  --no-format
import { clientOptions } from "./options.ts";
import { connect } from "./session.ts";
import { TurnPrinter } from "./turn_printer.ts";

const SAMPLE_RATE = 16000;
const CHUNK_BYTES = SAMPLE_RATE * 2 * 50 / 1000; // 50 ms of 16-bit mono
const USAGE = "usage: microphone.ts [--sox] [--url ws://localhost:8080/v3/ws] [--api-key KEY] " +
  "[--speech-model NAME] [--no-format]";

const useSox = Deno.args.includes("--sox");
const opts = clientOptions(Deno.args.filter((a) => a !== "--sox"), USAGE);
// Both write headerless signed 16-bit little-endian mono at 16 kHz to stdout.
const recorder = useSox
  ? ["sox", "-q", "-d", "-t", "raw", "-r", "16000", "-e", "signed-integer", "-b", "16", "-c", "1", "-"]
  : ["arecord", "-q", "-f", "S16_LE", "-r", "16000", "-c", "1", "-t", "raw"];

const printer = new TurnPrinter(opts.formatTurns);
const { session, begin } = await connect(opts, { sample_rate: SAMPLE_RATE, encoding: "pcm_s16le" }, printer);
printer.info(`Begin: session ${begin.id} (recording with ${recorder[0]}; Ctrl-C to stop)`);

const child = new Deno.Command(recorder[0], { args: recorder.slice(1), stdout: "piped", stderr: "inherit" })
  .spawn();
Deno.addSignalListener("SIGINT", () => {
  try {
    child.kill("SIGTERM"); // ends its stdout, which ends the loop below
  } catch { /* already gone */ }
});

// The recorder's pipe delivers arbitrary sizes; re-cut them into 50 ms chunks.
const pending = new Uint8Array(CHUNK_BYTES);
let filled = 0;
for await (const bytes of child.stdout) {
  for (let at = 0; at < bytes.length;) {
    const n = Math.min(CHUNK_BYTES - filled, bytes.length - at);
    pending.set(bytes.subarray(at, at + n), filled);
    filled += n;
    at += n;
    if (filled === CHUNK_BYTES) {
      session.send(pending.slice());
      filled = 0;
    }
  }
  if (!session.isOpen) break;
}
if (filled) session.send(pending.slice(0, filled)); // a short last chunk is allowed before Terminate
try {
  child.kill("SIGTERM"); // when the server closed first, the recorder is still running
} catch { /* already gone */ }
await child.status;

const termination = await session.terminate();
printer.info(termination ? `Termination: ${JSON.stringify(termination)}` : "closed without Termination");
Deno.exit(termination ? 0 : 1);
