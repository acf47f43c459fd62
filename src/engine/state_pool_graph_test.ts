// The pooled graph on onnxruntime-node's CPU provider (no GPU needed): the row it advances must
// equal the plain model's state, a new stream reads its state from the row it is told to (zeros),
// and rows not written stay as they were.
import { ok, strictEqual, throws } from "node:assert/strict";
import ort from "onnxruntime-node";
import { loadModelDir } from "./model_dir.ts";
import { elementsPerStream, nemoCtcLayout } from "./nemo_ctc_family.ts";
import {
  poolInput,
  poolOutput,
  READ_ROWS_INPUT,
  withStatePool,
  WRITE_ROWS_INPUT,
} from "./state_pool_graph.ts";

const model = await loadModelDir(new URL("../../models/en-default", import.meta.url).pathname);
const layout = nemoCtcLayout(model);
const pooled = layout.states.filter((s) => s.type === "float32");
const W = layout.windowSize;

function features(seed: number): Float32Array {
  return new Float32Array(80 * W).map((_, i) => Math.sin(i * 0.11 + seed));
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  a.forEach((v, i) => (m = Math.max(m, Math.abs(v - b[i]))));
  return m;
}

Deno.test("state pool graph: a row advanced in the pool equals the plain model's state", async () => {
  const plain = await ort.InferenceSession.create(model.onnxBytes);
  const pool = await ort.InferenceSession.create(withStatePool(model.onnxBytes, pooled));
  const ROWS = 3;
  // row 0: garbage no call may touch; row 1: zeros, where the new stream reads; row 2: the stream's
  let pools: ort.Tensor[] = pooled.map((s) =>
    new ort.Tensor(
      "float32",
      new Float32Array(ROWS * elementsPerStream(s)).fill(7).fill(
        0,
        elementsPerStream(s),
        2 * elementsPerStream(s),
      ),
      [ROWS, ...s.dims],
    )
  );
  const untouched = pools.map((p, i) => (p.data as Float32Array).slice(0, elementsPerStream(pooled[i])));
  let states: ort.Tensor[] = pooled.map((s) =>
    new ort.Tensor("float32", new Float32Array(elementsPerStream(s)), [1, ...s.dims])
  );
  let len: ort.Tensor = new ort.Tensor("int64", new BigInt64Array(1), [1]);
  for (let call = 0; call < 3; call++) {
    const common = {
      audio_signal: new ort.Tensor("float32", features(call), [1, 80, W]),
      length: new ort.Tensor("int64", BigInt64Array.from([BigInt(W)]), [1]),
      cache_last_channel_len: len,
    };
    const a = await plain.run({ ...common, cache_last_channel: states[0], cache_last_time: states[1] });
    const b = await pool.run({
      ...common,
      [READ_ROWS_INPUT]: new ort.Tensor("int64", BigInt64Array.from([call === 0 ? 1n : 2n]), [1]),
      [WRITE_ROWS_INPUT]: new ort.Tensor("int64", BigInt64Array.from([2n]), [1, 1]),
      [poolInput(pooled[0])]: pools[0],
      [poolInput(pooled[1])]: pools[1],
    });
    ok(maxDiff(a.log_probs.data as Float32Array, b.log_probs.data as Float32Array) < 1e-4, `call ${call}`);
    states = pooled.map((s) => a[s.output]);
    pools = pooled.map((s) => b[poolOutput(s)]);
    pooled.forEach((s, i) => {
      const n = elementsPerStream(s);
      const row = (pools[i].data as Float32Array).subarray(2 * n, 3 * n);
      ok(maxDiff(row, states[i].data as Float32Array) < 1e-4, `call ${call}: ${s.input} row`);
      // rows 0 and 1 were never written: still what they started with
      strictEqual(maxDiff((pools[i].data as Float32Array).subarray(0, n), untouched[i]), 0);
      ok((pools[i].data as Float32Array).subarray(n, 2 * n).every((v) => v === 0));
    });
    len = a.cache_last_channel_next_len;
    strictEqual((b.cache_last_channel_next_len.data as BigInt64Array)[0], (len.data as BigInt64Array)[0]);
  }
  await plain.release();
  await pool.release();
});

Deno.test("state pool graph: a state the model lacks is refused by name", () => {
  throws(
    () =>
      withStatePool(model.onnxBytes, [{ input: "no_such_cache", output: "cache_last_time_next", dims: [1] }]),
    /ONNX model has no input no_such_cache/,
  );
});
