import { deepStrictEqual } from "node:assert/strict";
import { GreedyCtcDecoder } from "./ctc.ts";

const VOCAB = 3; // ids 0 and 1, blank 2

/** Log-probabilities of frames where the given id wins. */
function frames(ids: number[]): Float32Array {
  const out = new Float32Array(ids.length * VOCAB).fill(Math.log(0.05));
  ids.forEach((id, t) => (out[t * VOCAB + id] = Math.log(0.9)));
  return out;
}

Deno.test("greedy CTC collapses repeats and drops blanks", () => {
  const d = new GreedyCtcDecoder(2);
  d.accept(frames([0, 0, 2, 0, 1, 1]), 0, 6, VOCAB, 0);
  deepStrictEqual(d.tokens().map((t) => [t.id, t.frame, t.lastFrame]), [[0, 0, 1], [0, 3, 3], [1, 4, 5]]);
});

Deno.test("a token running across a reset stays in the turn it started in", () => {
  // The turn ends while the model still emits a token (ml-default's language tag ends utterances).
  const d = new GreedyCtcDecoder(2);
  d.accept(frames([0, 1]), 0, 2, VOCAB, 0);
  d.reset();
  d.accept(frames([1, 1, 2, 0]), 0, 4, VOCAB, 2);
  deepStrictEqual(d.tokens().map((t) => [t.id, t.frame]), [[0, 5]]);
});
