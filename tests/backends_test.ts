// One suite for every inference backend (onnxruntime-node, onnxruntime-web wasm and WebGPU):
// the same model and inputs must give the same outputs within tolerance, streamed over several calls.
import { ok, rejects } from "node:assert/strict";
import { type Backend, type BackendName, createBackend } from "../src/engine/backend.ts";
import { computeFbank } from "../src/engine/fbank.ts";
import { loadModelDir, type ModelInfo } from "../src/engine/model_dir.ts";
import { decodePcm16 } from "../src/engine/pcm.ts";
import { fixture } from "./helpers/wav.ts";

const MODEL = new URL("../models/en-default", import.meta.url).pathname;
const BATCH = 3;
const CALLS = 6;

/** Runs CALLS windows of BATCH streams (different offsets into the fixture), carrying caches. */
async function run(backend: Backend, model: ModelInfo): Promise<Float32Array[]> {
  const s = model.streaming;
  const frames = computeFbank(decodePcm16(fixture("weather.wav").data));
  let cacheChannel: Float32Array = new Float32Array(
    BATCH * s.cache_last_channel_dim1 * s.cache_last_channel_dim2 * s.cache_last_channel_dim3,
  );
  let cacheTime: Float32Array = new Float32Array(
    BATCH * s.cache_last_time_dim1 * s.cache_last_time_dim2 * s.cache_last_time_dim3,
  );
  let cacheLen: BigInt64Array = new BigInt64Array(BATCH);
  const outputs: Float32Array[] = [];
  for (let call = 0; call < CALLS; call++) {
    const features = new Float32Array(BATCH * 80 * s.window_size);
    for (let b = 0; b < BATCH; b++) {
      for (let t = 0; t < s.window_size; t++) {
        const frame = frames[b * 37 + call * s.chunk_shift + t];
        for (let m = 0; m < 80; m++) features[b * 80 * s.window_size + m * s.window_size + t] = frame[m];
      }
    }
    const out = await backend.run({ batch: BATCH, features, cacheChannel, cacheTime, cacheLen });
    outputs.push(out.logProbs.slice());
    ({ cacheChannel, cacheTime, cacheLen } = out);
  }
  return outputs;
}

/** Whether onnxruntime-node's CUDA provider starts here (its libraries are not installed by default). */
async function cudaStarts(): Promise<boolean> {
  try {
    await (await createBackend("cuda", model)).release();
    return true;
  } catch {
    return false;
  }
}

const model = await loadModelDir(MODEL);

async function available(name: BackendName): Promise<boolean> {
  if (name === "cuda") return await cudaStarts();
  if (name !== "webgpu") return true;
  const gpu = (navigator as { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  return !!(gpu && await gpu.requestAdapter().catch(() => null));
}

let reference: Float32Array[] | undefined;

for (const name of ["node", "wasm", "webgpu", "cuda"] as const) {
  Deno.test({
    name: `backend ${name}: batched streaming outputs match onnxruntime-node`,
    ignore: !(await available(name)),
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      const backend = await createBackend(name, model);
      try {
        const outputs = await run(backend, model);
        reference ??= outputs;
        let maxDiff = 0;
        outputs.forEach((o, i) =>
          o.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - reference![i][j]))))
        );
        // log-probabilities: float32 kernels differ in summation order, not in results
        ok(maxDiff < 2e-3, `${name}: max |Δ log p| = ${maxDiff}`);
        ok(outputs.every((o) => o.every(Number.isFinite)));
      } finally {
        await backend.release();
      }
    },
  });
}

Deno.test({
  name: "backend cuda: without its GPU libraries it refuses clearly instead of running on the CPU",
  ignore: await cudaStarts(),
  async fn() {
    await rejects(() => createBackend("cuda", model), /ASR_BACKEND=cuda: .*use ASR_BACKEND=node for the CPU/);
  },
});
