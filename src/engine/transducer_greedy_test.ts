import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { greedySearch, TransducerHypothesis, type TransducerNets } from "./transducer_greedy.ts";

/**
 * A toy transducer: the decoder output is its context (two symbols), an encoder frame is one number
 * `x`; the joiner's best symbol is x, unless the context already ends in x (then blank): a symbol
 * is never repeated back to back, so what a stream emits shows that contexts are kept right.
 */
function toyNets(vocab = 6) {
  const calls = { decode: [] as number[], join: 0 };
  const nets: TransducerNets = {
    contextSize: 2,
    decoderDim: 2,
    encoderDim: 1,
    vocab,
    decode(contexts, batch) {
      calls.decode.push(batch);
      return Promise.resolve(Float32Array.from(contexts, Number));
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
  const h = new TransducerHypothesis(2, 0);
  await greedySearch(nets, [h], Float32Array.of(3, 3, 0, 4), 4, { blank: 0 });
  await greedySearch(nets, [h], Float32Array.of(4, 2, 2, 5), 4, { blank: 0 });
  deepStrictEqual(ids(h), [3, 4, 2, 5], "a repeat of the context's last symbol is blank, also across calls");
  deepStrictEqual(frames(h), [0, 3, 5, 7], "frames count on across calls");
  deepStrictEqual(h.context, [2, 5]);
});

Deno.test("transducer greedy: a batch gives each stream what it gives alone; the decoder runs only for emitters", async () => {
  const streams = [Float32Array.of(1, 1, 2, 0), Float32Array.of(0, 0, 0, 3), Float32Array.of(5, 4, 4, 4)];
  const alone = [];
  for (const enc of streams) {
    const h = new TransducerHypothesis(2, 0);
    await greedySearch(toyNets().nets, [h], enc, 4, { blank: 0 });
    alone.push(ids(h));
  }
  const { nets, calls } = toyNets();
  const hyps = streams.map(() => new TransducerHypothesis(2, 0));
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
  const h = new TransducerHypothesis(2, 0);
  await greedySearch(nets, [h], Float32Array.of(1, 5, 2), 3, { blank: 0, unk: 5 });
  deepStrictEqual(ids(h), [1, 2]);
  h.reset();
  await greedySearch(nets, [h], Float32Array.of(2, 3), 2, { blank: 0, unk: 5 });
  deepStrictEqual(ids(h), [3], "2 was the context's last symbol before the reset too");
});
