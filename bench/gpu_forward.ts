// The forward pass alone on one backend, per batch size: ms per call with every stream's state
// staying where the backend keeps it, and the real-time streams that rate would carry.
import { type BackendName, createBackend } from "../src/engine/backend.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";

export interface ForwardRow {
  batch: number;
  ms_per_call: number;
  realtime_streams: number;
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
  console.log(`forward pass only, ${backend}, ${model.name} (${chunkMs} ms chunks)`);
  console.log("batch | ms per call | real-time streams");
  for (const batch of batches) {
    const engine = await createBackend(backend, model, { maxStreams: batch });
    try {
      const slots = Array.from({ length: batch }, () => engine.openSlot());
      const features = new Float32Array(batch * 80 * model.streaming.window_size).map(() =>
        Math.random() - 0.5
      );
      for (let i = 0; i < 3; i++) await engine.run(slots, features); // compile and warm up
      const started = performance.now();
      for (let i = 0; i < calls; i++) await engine.run(slots, features);
      const ms = (performance.now() - started) / calls;
      const row = { batch, ms_per_call: ms, realtime_streams: Math.floor(batch * chunkMs / ms) };
      console.log(`${batch} | ${ms.toFixed(1)} | ${row.realtime_streams}`);
      rows.push(row);
    } finally {
      await engine.release();
    }
  }
  return rows;
}
