// The forward pass alone on a GPU backend, per batch size: ms per call with every stream's state
// kept in the device's state pool (what the service runs), and beside it, in the same run, the
// shipped model with its cache outputs fed straight back as the next call's inputs (states stay
// on the device but belong to one fixed batch: the fastest a call can be, the pool's cost shows).
import ort from "onnxruntime-node";
import { type BackendName, createBackend } from "../src/engine/backend.ts";
import { loadModelDir, type ModelInfo } from "../src/engine/model_dir.ts";
import { elementsPerStream, nemoCtcLayout } from "../src/engine/nemo_ctc_family.ts";

export interface ForwardRow {
  batch: number;
  ms_per_call: number;
  realtime_streams: number;
  fixed_batch_ms_per_call: number;
}

async function timeCalls(call: () => Promise<void>, calls: number): Promise<number> {
  for (let i = 0; i < 3; i++) await call(); // compile and warm up
  const started = performance.now();
  for (let i = 0; i < calls; i++) await call();
  return (performance.now() - started) / calls;
}

async function pooledMs(
  backend: BackendName,
  model: ModelInfo,
  batch: number,
  calls: number,
): Promise<number> {
  const engine = await createBackend(backend, model, { maxStreams: batch });
  try {
    const slots = Array.from({ length: batch }, () => engine.openSlot());
    const features = new Float32Array(batch * 80 * model.streaming.window_size).map(() =>
      Math.random() - 0.5
    );
    return await timeCalls(async () => void await engine.run(slots, features), calls);
  } finally {
    await engine.release();
  }
}

async function fixedBatchMs(
  backend: BackendName,
  model: ModelInfo,
  batch: number,
  calls: number,
): Promise<number> {
  const layout = nemoCtcLayout(model);
  const floats = layout.states.filter((s) => s.type === "float32");
  const session = await ort.InferenceSession.create(model.onnxBytes, {
    executionProviders: [backend],
    logSeverityLevel: 3,
    extra: { session: { disable_quant_qdq: "1" } },
    preferredOutputLocation: Object.fromEntries(floats.map((s) => [s.output, "gpu-buffer"])),
  });
  const w = layout.windowSize;
  const fixed = {
    [layout.featuresInput]: new ort.Tensor("float32", new Float32Array(batch * 80 * w).fill(0.1), [
      batch,
      80,
      w,
    ]),
    [layout.lengthInput]: new ort.Tensor("int64", new BigInt64Array(batch).fill(BigInt(w)), [batch]),
    cache_last_channel_len: new ort.Tensor("int64", new BigInt64Array(batch), [batch]),
  };
  let states: ort.Tensor[] = floats.map((s) =>
    new ort.Tensor("float32", new Float32Array(batch * elementsPerStream(s)), [batch, ...s.dims])
  );
  try {
    return await timeCalls(async () => {
      const out = await session.run({
        ...fixed,
        ...Object.fromEntries(floats.map((s, i) => [s.input, states[i]])),
      });
      const previous = states;
      states = floats.map((s) => out[s.output]);
      for (const t of previous) t.dispose();
    }, calls);
  } finally {
    await session.release();
  }
}

export async function benchForward(
  backend: BackendName,
  modelDir: string,
  batches: number[],
  calls = 10,
): Promise<ForwardRow[]> {
  const model = await loadModelDir(modelDir);
  const chunkMs = 10 * model.streaming.chunk_shift;
  const rows: ForwardRow[] = [];
  console.log(`forward pass only, ${backend}, ${model.name} (${chunkMs} ms chunks), ${calls} calls each`);
  console.log(
    "batch | state pool ms per call | real-time streams | fixed batch, states fed back: ms per call",
  );
  for (const batch of batches) {
    const ms = await pooledMs(backend, model, batch, calls);
    const fixed = await fixedBatchMs(backend, model, batch, calls);
    const row = {
      batch,
      ms_per_call: ms,
      realtime_streams: Math.floor(batch * chunkMs / ms),
      fixed_batch_ms_per_call: fixed,
    };
    console.log(`${batch} | ${ms.toFixed(1)} | ${row.realtime_streams} | ${fixed.toFixed(1)}`);
    rows.push(row);
  }
  return rows;
}
