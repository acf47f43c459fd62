// One suite for every inference backend (onnxruntime-node on the CPU, its WebGPU and CUDA providers
// with states kept in device memory, onnxruntime-web's wasm): streams of real speech that join and
// leave between calls must give the log-probabilities and greedy tokens each stream gets when it
// runs alone on the CPU backend.
import { deepStrictEqual, ok, rejects, throws } from "node:assert/strict";
import { type Backend, type BackendName, createBackend, createRowRunner } from "../src/engine/backend.ts";
import { paddedBatch } from "../src/engine/device_state_pool.ts";
import { computeFbank } from "../src/engine/fbank.ts";
import { loadModelDir, type ModelInfo } from "../src/engine/model_dir.ts";
import { decodePcm16 } from "../src/engine/pcm.ts";
import { greedySearch, TransducerHypothesis } from "../src/engine/transducer_greedy.ts";
import { fixture } from "./helpers/wav.ts";

const model = await loadModelDir(new URL("../models/en-default", import.meta.url).pathname);
const s = model.streaming;
const WINDOW = 80 * s.window_size;
const VOCAB = s.vocab_size + 1;

/** A stream in the scenario: which audio, from which call it is open, and until which call. */
interface Part {
  audio: Float32Array[];
  from: number;
  until: number;
  /** Calls it sits out while open (its state must wait unchanged). */
  skips?: number[];
}

const weather = computeFbank(decodePcm16(fixture("weather.wav").data));
const order = computeFbank(decodePcm16(fixture("order.wav").data));
const CALLS = 8;
// Four streams: one throughout, one that leaves after call 3 (its slot is then reused by the
// fourth, which joins at call 5), one that joins at call 2 and sits out call 4.
const SCENARIO: Part[] = [
  { audio: weather, from: 0, until: CALLS },
  { audio: order, from: 0, until: 3 },
  { audio: order.slice(37), from: 2, until: CALLS, skips: [4] },
  { audio: weather.slice(53), from: 5, until: CALLS },
];

function window(frames: Float32Array[], index: number, dst: Float32Array, offset: number): void {
  for (let t = 0; t < s.window_size; t++) {
    const frame = frames[index * s.chunk_shift + t];
    for (let m = 0; m < 80; m++) dst[offset + m * s.window_size + t] = frame[m];
  }
}

/** Runs the scenario; returns each stream's log-probabilities, window after window. */
async function runScenario(backend: Backend, parts: Part[]): Promise<Float32Array[][]> {
  const slots = new Map<number, number>();
  const windowsDone = parts.map(() => 0);
  const outputs: Float32Array[][] = parts.map(() => []);
  for (let call = 0; call < CALLS; call++) {
    parts.forEach((p, i) => {
      if (call === p.until && slots.has(i)) (backend.closeSlot(slots.get(i)!), slots.delete(i));
    });
    parts.forEach((p, i) => {
      if (call === p.from) slots.set(i, backend.openSlot());
    });
    const batch = [...slots.keys()].filter((i) => !parts[i].skips?.includes(call));
    if (!batch.length) continue;
    const features = new Float32Array(batch.length * WINDOW);
    batch.forEach((i, j) => window(parts[i].audio, windowsDone[i]++, features, j * WINDOW));
    const out = await backend.run(batch.map((i) => slots.get(i)!), features);
    const perStream = out.frames * VOCAB;
    batch.forEach((i, j) => outputs[i].push(out.logProbs.slice(j * perStream, (j + 1) * perStream)));
  }
  return outputs;
}

/** Window `call` of each stream's frames, side by side, as the model takes them ([80, W] or [W, 80]). */
function windowsOf(m: ModelInfo, streams: Float32Array[][], call: number): Float32Array {
  const { window_size: w, chunk_shift: shift } = m.streaming;
  const size = 80 * w;
  const features = new Float32Array(streams.length * size);
  streams.forEach((frames, i) => {
    for (let t = 0; t < w; t++) {
      const frame = frames[call * shift + t];
      if (m.layout.featureAxes === "time-feature") features.set(frame, i * size + t * 80);
      else for (let k = 0; k < 80; k++) features[i * size + k * w + t] = frame[k];
    }
  });
  return features;
}

/**
 * A model's log-probabilities for `calls` calls of weather and order batched together, on each
 * backend that runs here, must match each stream run alone on node (within 2e-3).
 */
async function batchedMatchesAlone(
  m: ModelInfo,
  calls: number,
  names: readonly BackendName[],
): Promise<void> {
  const run = async (name: BackendName, streams: Float32Array[][]): Promise<Float32Array[][]> => {
    const backend = await createBackend(name, m, { maxStreams: 2 });
    try {
      const slots = streams.map(() => backend.openSlot());
      const outputs: Float32Array[][] = streams.map(() => []);
      for (let call = 0; call < calls; call++) {
        const out = await backend.run(slots, windowsOf(m, streams, call));
        const per = out.frames * (m.streaming.vocab_size + 1);
        streams.forEach((_, i) => outputs[i].push(out.logProbs.slice(i * per, (i + 1) * per)));
      }
      return outputs;
    } finally {
      await backend.release();
    }
  };
  const alone = [(await run("node", [weather]))[0], (await run("node", [order]))[0]];
  for (const name of names) {
    if (await unavailable(name)) continue;
    const both = await run(name, [weather, order]);
    both.forEach((stream, i) => {
      let maxDiff = 0;
      stream.forEach((o, k) =>
        o.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - alone[i][k][j]))))
      );
      ok(maxDiff < 2e-3, `${name}, stream ${i}: max |Δ log p| = ${maxDiff}`);
    });
  }
}

function greedy(logProbs: Float32Array[]): number[] {
  const tokens: number[] = [];
  for (const chunk of logProbs) {
    for (let f = 0; f < chunk.length / VOCAB; f++) {
      const row = chunk.subarray(f * VOCAB, (f + 1) * VOCAB);
      tokens.push(row.indexOf(Math.max(...row)));
    }
  }
  return tokens;
}

/** Each stream run alone on the CPU backend: what every backend must reproduce. */
async function reference(): Promise<Float32Array[][]> {
  const cpu = await createBackend("node", model);
  try {
    const alone: Float32Array[][] = [];
    for (const p of SCENARIO) {
      const calls = p.until - p.from - (p.skips?.length ?? 0);
      const [out] = await runScenario(cpu, [{ audio: p.audio, from: 0, until: calls }]);
      alone.push(out.slice(0, calls));
    }
    return alone;
  } finally {
    await cpu.release();
  }
}

/** Why a backend cannot start here, or undefined when it can. */
async function unavailable(name: BackendName): Promise<string | undefined> {
  try {
    await (await createBackend(name, model, { maxStreams: 4 })).release();
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const expected = await reference();

for (const name of ["node", "wasm", "webgpu", "cuda"] as const) {
  const why = await unavailable(name);
  if (why) console.log(`backend ${name} is skipped here: ${why}`);
  Deno.test({
    name: `backend ${name}: streams joining and leaving match each stream run alone on the CPU`,
    ignore: why !== undefined,
    sanitizeResources: false,
    sanitizeOps: false,
    async fn() {
      // the fewest slots the scenario needs: the fourth stream must reuse the second's
      const backend = await createBackend(name, model, { maxStreams: 3 });
      try {
        const outputs = await runScenario(backend, SCENARIO);
        outputs.forEach((stream, i) => {
          deepStrictEqual(stream.length, expected[i].length, `stream ${i}: windows`);
          let maxDiff = 0;
          stream.forEach((o, k) =>
            o.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - expected[i][k][j]))))
          );
          // log-probabilities: float32 kernels differ in summation order, not in results
          ok(maxDiff < 2e-3, `${name}, stream ${i}: max |Δ log p| = ${maxDiff}`);
          deepStrictEqual(greedy(stream), greedy(expected[i]), `${name}, stream ${i}: greedy tokens`);
        });
        ok(greedy(outputs[0]).some((t) => t !== s.vocab_size), "the speech gives tokens, not only blanks");
      } finally {
        await backend.release();
      }
    },
  });
}

Deno.test({
  name: "backend webgpu: holds at most maxStreams streams and says so",
  ignore: (await unavailable("webgpu")) !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const backend = await createBackend("webgpu", model, { maxStreams: 2 });
  try {
    backend.openSlot();
    const second = backend.openSlot();
    throws(() => backend.openSlot(), /all 2 stream state slots are in use/);
    backend.closeSlot(second);
    backend.openSlot(); // a closed slot is free again
  } finally {
    await backend.release();
  }
});

Deno.test({
  name: "backend webgpu: a state pool that grows on the device keeps the states it holds",
  ignore: (await unavailable("webgpu")) !== undefined,
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  // rows 0 and 150: the pool starts with 64 rows and grows when the second stream joins
  const pool = await createRowRunner("webgpu", model, { maxStreams: 200 });
  try {
    const first = SCENARIO[0].audio;
    const second = SCENARIO[3].audio;
    const outputs: Float32Array[][] = [[], []];
    for (let call = 0; call < 5; call++) {
      const joined = call >= 2;
      const features = new Float32Array((joined ? 2 : 1) * WINDOW);
      window(first, call, features, 0);
      if (joined) window(second, call - 2, features, WINDOW);
      const out = await pool.run(
        joined ? [0, 150] : [0],
        joined ? [call === 0, call === 2] : [call === 0],
        features,
      );
      const perStream = out.frames * VOCAB;
      outputs[0].push(out.logProbs.slice(0, perStream));
      if (joined) outputs[1].push(out.logProbs.slice(perStream, 2 * perStream));
    }
    deepStrictEqual(greedy(outputs[0]), greedy(expected[0].slice(0, 5)));
    deepStrictEqual(greedy(outputs[1]), greedy(expected[3]));
    let maxDiff = 0;
    outputs[0].forEach((o, k) =>
      o.forEach((v, j) => (maxDiff = Math.max(maxDiff, Math.abs(v - expected[0][k][j]))))
    );
    ok(maxDiff < 2e-3, `max |Δ log p| = ${maxDiff}`);
  } finally {
    await pool.release();
  }
});

Deno.test({
  name: "backends on a NeMo export as the sherpa-onnx zoo ships it: batched streams match each alone",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  // 8x subsampling, 17-frame windows advancing by 8, `logprobs` (make_nemo_ctc_fixture.py)
  const nemo = await loadModelDir(
    new URL("../src/engine/testdata/nemo-streaming-ctc-80ms-fixture", import.meta.url).pathname,
  );
  await batchedMatchesAlone(nemo, 6, ["node", "wasm", "webgpu"]);
});

Deno.test({
  name:
    "backends on an icefall streaming Zipformer CTC model: batched streams match each alone; webgpu refuses it",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  // x [N, 45, 80] (time first), 32-frame shift, attention caches batched on axis 1
  // (make_zipformer_ctc_fixture.py)
  const zip = await loadModelDir(
    new URL("../src/engine/testdata/zipformer-ctc-fixture", import.meta.url).pathname,
  );
  await batchedMatchesAlone(zip, 4, ["node", "wasm"]);
  // refused before any provider starts: the device pool keeps batch-first rows
  await rejects(
    () => createBackend("webgpu", zip),
    /ASR_BACKEND=webgpu cannot serve model zipformer-ctc-fixture \(zipformer2-ctc\): .*batch on another axis/,
  );
});

Deno.test({
  name:
    "backends on an icefall streaming Zipformer transducer: node and wasm search to the same tokens; webgpu refuses it",
  sanitizeResources: false,
  sanitizeOps: false,
}, async () => {
  const model = await loadModelDir(
    new URL("../src/engine/testdata/zipformer-transducer-fixture", import.meta.url).pathname,
  );
  const tokens = async (name: BackendName): Promise<number[][]> => {
    const backend = await createBackend(name, model, { maxStreams: 2 });
    try {
      const nets = backend.transducer!;
      const slots = [backend.openSlot(), backend.openSlot()];
      const hyps = slots.map(() => new TransducerHypothesis());
      for (let call = 0; call < 6; call++) {
        const out = await backend.run(slots, windowsOf(model, [weather, order], call));
        await greedySearch(nets, hyps, out.logProbs, out.frames, { blank: 0, unk: model.transducer!.unk });
      }
      return hyps.map((h) => h.tokens().map((t) => t.id));
    } finally {
      await backend.release();
    }
  };
  const node = await tokens("node");
  ok(node.every((ids) => ids.length > 5), JSON.stringify(node));
  if (!(await unavailable("wasm"))) deepStrictEqual(await tokens("wasm"), node);
  await rejects(
    () => createBackend("webgpu", model),
    /ASR_BACKEND=webgpu cannot serve model zipformer-transducer-fixture \(zipformer2-transducer\)/,
  );
  const nemo = await loadModelDir(
    new URL("../src/engine/testdata/nemo-streaming-transducer-80ms-fixture", import.meta.url).pathname,
  );
  await rejects(
    () => createBackend("webgpu", nemo),
    /ASR_BACKEND=webgpu cannot serve model nemo-streaming-transducer-80ms-fixture .*decoder and joiner/,
  );
});

Deno.test("device batches are padded to few sizes", () => {
  deepStrictEqual([1, 2, 3, 5, 64, 65, 128, 130].map(paddedBatch), [1, 2, 4, 8, 64, 128, 128, 192]);
});

Deno.test({
  name: "backend cuda: without its GPU libraries it refuses clearly instead of running on the CPU",
  ignore: (await unavailable("cuda")) === undefined,
  async fn() {
    await rejects(() => createBackend("cuda", model), /ASR_BACKEND=cuda: .*use ASR_BACKEND=node for the CPU/);
  },
});
