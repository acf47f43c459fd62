// `deno task bench cpuside`: what a model worker does beside the forward pass (which a GPU takes
// over), per part, in ms of one core per stream-second of audio: audio in (PCM decode, fbank),
// Silero VAD (batched as the scheduler batches it), packing windows, and decoding with turn logic
// (greedy and the default beam decoder). Streams of the bench clip run through the engine's own
// StreamPipeline; the model's log-probabilities are computed once beforehand on the CPU, not timed.
import { createBackend } from "../src/engine/backend.ts";
import { type DecoderChoice, makeDecoder } from "../src/engine/decoders.ts";
import { loadModelDir, type ModelInfo } from "../src/engine/model_dir.ts";
import { StreamPipeline } from "../src/engine/stream.ts";
import { UNIVERSAL_TURN_SETTINGS, universalStream } from "../src/engine/turns.ts";
import { SileroVad, VadTrack } from "../src/engine/vad.ts";
import { benchClip, CHUNK_BYTES } from "./audio.ts";
import type { Flags } from "./flags.ts";

const MODEL = new URL("../models/en-default", import.meta.url).pathname;
const OPEN = universalStream("bench");

export function cpuSideOptions(flags: Flags): { streams: number } {
  return { streams: flags.number("streams", 64) };
}

/** The clip's log-probabilities, window by window, from one stream on the CPU backend. */
async function clipLogProbs(model: ModelInfo, chunks: Uint8Array[]): Promise<Float32Array[]> {
  const backend = await createBackend("node", model);
  const slot = backend.openSlot();
  const stream = new StreamPipeline(
    "lp",
    model,
    OPEN,
    makeDecoder(model, { choice: "greedy" }, []),
    () => {},
  );
  const out: Float32Array[] = [];
  const featSize = 80 * model.streaming.window_size;
  for (const chunk of chunks) {
    stream.acceptAudio(chunk);
    while (stream.isReady()) {
      const features = new Float32Array(featSize);
      stream.writeFeatures(features, 0);
      const { logProbs, frames } = await backend.run([slot], features);
      out.push(logProbs.slice());
      stream.acceptOutput(logProbs, 0, frames, model.streaming.vocab_size + 1);
    }
  }
  await backend.release();
  return out;
}

async function timeParts(
  model: ModelInfo,
  chunks: Uint8Array[],
  logProbs: Float32Array[],
  streams: number,
  choice: DecoderChoice,
  vad: SileroVad,
): Promise<Record<string, number>> {
  const vocab = model.streaming.vocab_size + 1;
  const frames = logProbs[0].length / vocab;
  const pipelines = Array.from({ length: streams }, (_, i) =>
    new StreamPipeline(
      `s${i}`,
      model,
      OPEN,
      makeDecoder(model, { choice }, []),
      () => {},
      new VadTrack(UNIVERSAL_TURN_SETTINGS.vad_threshold),
    ));
  const windows = pipelines.map(() => 0);
  const ms = { audio_in: 0, vad: 0, windows: 0, decode_and_turns: 0 };
  const featSize = 80 * model.streaming.window_size;
  for (const chunk of chunks) {
    let t = performance.now();
    for (const p of pipelines) p.acceptAudio(chunk);
    ms.audio_in += performance.now() - t;
    for (
      let ready = pipelines.filter((p) => p.isReady());
      ready.length;
      ready = ready.filter((p) => p.isReady())
    ) {
      t = performance.now();
      await vad.run(ready.map((p) => p.vad!));
      ms.vad += performance.now() - t;
      t = performance.now();
      const features = new Float32Array(ready.length * featSize);
      ready.forEach((p, i) => p.writeFeatures(features, i * featSize));
      ms.windows += performance.now() - t;
      t = performance.now();
      for (const p of ready) {
        const i = pipelines.indexOf(p);
        p.acceptOutput(logProbs[Math.min(windows[i]++, logProbs.length - 1)], 0, frames, vocab);
      }
      ms.decode_and_turns += performance.now() - t;
    }
  }
  const audioSeconds = streams * chunks.length * CHUNK_BYTES / 32000;
  return Object.fromEntries(Object.entries(ms).map(([k, v]) => [k, v / audioSeconds]));
}

export async function benchCpuSide(o: { streams: number }): Promise<Record<string, unknown>> {
  const model = await loadModelDir(MODEL);
  const clip = benchClip();
  const chunks: Uint8Array[] = [];
  for (let i = 0; i + CHUNK_BYTES <= clip.length; i += CHUNK_BYTES) {
    chunks.push(clip.slice(i, i + CHUNK_BYTES));
  }
  const logProbs = await clipLogProbs(model, chunks);
  const vad = await SileroVad.load();
  console.log(`the CPU side of serving, ${o.streams} streams of the bench clip, one thread`);
  console.log(
    "decoder | ms of one core per stream-second: audio in | VAD | windows | decode + turns | total | streams/core",
  );
  const rows: Record<string, unknown> = {};
  for (const choice of ["greedy", "auto"] as const) {
    const parts = await timeParts(model, chunks, logProbs, o.streams, choice, vad);
    const total = Object.values(parts).reduce((a, b) => a + b, 0);
    console.log(
      `${choice} | ${parts.audio_in.toFixed(2)} | ${parts.vad.toFixed(2)} | ${parts.windows.toFixed(2)} | ` +
        `${parts.decode_and_turns.toFixed(2)} | ${total.toFixed(2)} | ${(1000 / total).toFixed(0)}`,
    );
    rows[choice] = { ...parts, total, streams_per_core: 1000 / total };
  }
  await vad.release();
  return rows;
}
