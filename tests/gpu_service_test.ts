// The ASR service on a GPU backend (lavapipe in CI): model workers share one device worker and its
// state pool; the transcripts equal the CPU backend's, and a crashed model worker's replacement
// gets its rows of the pool back.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { ServerFrame } from "../src/asr/proto.ts";
import { AsrService } from "../src/asr/service.ts";
import { InProcessTransport } from "../src/asr/transport.ts";
import { type BackendName, createBackend } from "../src/engine/backend.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";
import { transcribe } from "./helpers/asr_stream.ts";

const MODEL = new URL("../models/en-default", import.meta.url).pathname;
const CLIPS = ["weather.wav", "order.wav", "numbers.wav"];

async function webgpuUnavailable(): Promise<string | undefined> {
  try {
    await (await createBackend("webgpu", await loadModelDir(MODEL), { maxStreams: 1 })).release();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

function service(backend: BackendName): AsrService {
  return new AsrService({
    models: { "en-default": MODEL },
    backend,
    workers: 2,
    threadsPerWorker: 1,
    maxOpenStreams: 4,
    maxBatch: 16,
    maxWaitMs: 5,
    decoder: { choice: "greedy" },
    log: () => {},
  });
}

/** Each clip's final words with their times, all clips streamed at once. */
async function finals(asr: AsrService): Promise<string[]> {
  const transport = new InProcessTransport(asr);
  const runs = CLIPS.map((clip) => transcribe(transport, "en-default", clip));
  for (const r of runs) r.finish();
  return (await Promise.all(runs.map((r) => r.done))).map((frames) => {
    strictEqual(frames.at(-1)?.kind, "finished", JSON.stringify(frames.at(-1)));
    return frames.flatMap((f: ServerFrame) =>
      f.kind === "turn" && f.turn.end_of_turn ? f.turn.words.map((w) => `${w.text}@${w.start_ms}`) : []
    ).join(" ");
  });
}

/** Retries while the model's workers restart (streams are refused until they are back). */
async function afterRestart<T>(attempt: () => Promise<T>, deadlineMs = 30_000): Promise<T> {
  const until = Date.now() + deadlineMs;
  for (;;) {
    try {
      return await attempt();
    } catch (error) {
      if (Date.now() > until) throw error;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}

const why = await webgpuUnavailable();
if (why) console.log(`the GPU service tests are skipped here: ${why}`);

Deno.test({
  name: "ASR service on webgpu: streams share the device worker and transcribe as on the CPU",
  ignore: why !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const cpu = service("node");
  await cpu.start();
  const expected = await finals(cpu);
  await cpu.stop();
  ok(expected.every((t) => t.length > 0));
  const gpu = service("webgpu");
  await gpu.start();
  try {
    deepStrictEqual(await finals(gpu), expected);
    // a crashed model worker fails only its streams; its replacement serves with the same rows
    gpu.crashWorker("en-default");
    await new Promise((r) => setTimeout(r, 2000));
    deepStrictEqual(await finals(gpu), expected);
    // a crashed device worker ends the streams in flight with a clear error; the model comes back
    const transport = new InProcessTransport(gpu);
    const inFlight = transcribe(transport, "en-default", "weather.wav");
    await new Promise((r) => setTimeout(r, 300));
    gpu.crashDevice("en-default");
    const last = (await inFlight.done).at(-1) as Extract<ServerFrame, { kind: "error" }>;
    strictEqual(last.kind, "error");
    strictEqual(last.error.kind, "WORKER_DIED");
    ok(last.error.message.includes("device worker failed"), last.error.message);
    deepStrictEqual(await afterRestart(() => finals(gpu)), expected);
  } finally {
    await gpu.stop();
  }
});
