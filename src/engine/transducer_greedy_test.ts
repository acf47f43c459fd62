import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { greedySearch, TransducerHypothesis, type TransducerNets } from "./transducer_greedy.ts";

/**
 * A toy transducer: the decoder output is its context (two symbols), an encoder frame is one number
 * `x`; the joiner's best symbol is x, unless the context already ends in x (then blank): a symbol
 * is never repeated back to back, so what a stream emits shows that contexts are kept right.
 */
function toyNets(vocab = 6, maxSymbolsPerFrame = 1) {
  const calls = { decode: [] as number[], join: 0 };
  const nets: TransducerNets = {
    decoderDim: 2,
    encoderDim: 1,
    vocab,
    maxSymbolsPerFrame,
    initialState: (blank) => [blank, blank],
    decode(states, symbols) {
      calls.decode.push(states.length);
      const next = states.map((s, i) => [(s as number[])[1], symbols[i]]);
      return Promise.resolve({ out: Float32Array.from(next.flat()), states: next });
    },
    join(frames, decoderOut, batch) {
      calls.join++;
      const logits = new Float32Array(batch * vocab);
      for (let i = 0; i < batch; i++) {
        const x = frames[i];
        const last = decoderOut[i * 2 + 1];
        logits[i * vocab + (x === last ? 0 : x)] = 5;
      }
      return Promise.resolve(logits);
    },
  };
  return { nets, calls };
}

const ids = (h: TransducerHypothesis) => h.tokens().map((t) => t.id);
const frames = (h: TransducerHypothesis) => h.tokens().map((t) => t.frame);

Deno.test("transducer greedy: at most one symbol per frame, contexts carried across calls", async () => {
  const { nets } = toyNets();
  const h = new TransducerHypothesis();
  await greedySearch(nets, [h], Float32Array.of(3, 3, 0, 4), 4, { blank: 0 });
  await greedySearch(nets, [h], Float32Array.of(4, 2, 2, 5), 4, { blank: 0 });
  deepStrictEqual(ids(h), [3, 4, 2, 5], "a repeat of the context's last symbol is blank, also across calls");
  deepStrictEqual(frames(h), [0, 3, 5, 7], "frames count on across calls");
  deepStrictEqual(h.decoderState, [2, 5]);
});

Deno.test("transducer greedy: a batch gives each stream what it gives alone; the decoder runs only for emitters", async () => {
  const streams = [Float32Array.of(1, 1, 2, 0), Float32Array.of(0, 0, 0, 3), Float32Array.of(5, 4, 4, 4)];
  const alone = [];
  for (const enc of streams) {
    const h = new TransducerHypothesis();
    await greedySearch(toyNets().nets, [h], enc, 4, { blank: 0 });
    alone.push(ids(h));
  }
  const { nets, calls } = toyNets();
  const hyps = streams.map(() => new TransducerHypothesis());
  const batch = new Float32Array(12);
  streams.forEach((s, i) => batch.set(s, i * 4));
  await greedySearch(nets, hyps, batch, 4, { blank: 0 });
  deepStrictEqual(hyps.map(ids), alone);
  strictEqual(calls.join, 4, "one joiner call per frame for the whole batch");
  // first the three start contexts, then frame 0: streams 0 and 2 emitted; 1: stream 2; 2: 0; 3: 1
  deepStrictEqual(calls.decode, [3, 2, 1, 1, 1]);
});

Deno.test("transducer greedy: the unknown piece counts as blank; a reset turn keeps the context", async () => {
  const { nets } = toyNets();
  const h = new TransducerHypothesis();
  await greedySearch(nets, [h], Float32Array.of(1, 5, 2), 3, { blank: 0, unk: 5 });
  deepStrictEqual(ids(h), [1, 2]);
  h.reset();
  await greedySearch(nets, [h], Float32Array.of(2, 3), 2, { blank: 0, unk: 5 });
  deepStrictEqual(ids(h), [3], "2 was the context's last symbol before the reset too");
});

Deno.test("transducer greedy: a stateful decoder takes up to maxSymbolsPerFrame symbols a frame, the joiner rerun after each", async () => {
  // the toy joiner emits x again and again while the context's last symbol differs: here it stops
  // after one (x, then x is the last symbol), so a frame of 3 then 4 gives 3 and 4, one each; with
  // an encoder frame equal to the last symbol nothing comes. A joiner that always emits shows the cap.
  const { nets, calls } = toyNets(6, 3);
  const h = new TransducerHypothesis();
  await greedySearch(nets, [h], Float32Array.of(3, 4, 4), 3, { blank: 0 });
  deepStrictEqual(ids(h), [3, 4]);
  strictEqual(calls.join, 5, "frame 0: emit, then blank; frame 1: emit, then blank; frame 2: blank");
  const greedyJoiner: TransducerNets = {
    ...nets,
    join: (_f, _d, batch) =>
      Promise.resolve(new Float32Array(batch * 6).fill(1).map((v, i) => i % 6 === 2 ? 9 : v)),
  };
  const capped = new TransducerHypothesis();
  await greedySearch(greedyJoiner, [capped], Float32Array.of(1, 1), 2, { blank: 0 });
  deepStrictEqual(ids(capped), [2, 2, 2, 2, 2, 2], "three a frame at most");
  deepStrictEqual(frames(capped), [0, 0, 0, 1, 1, 1]);
});
