import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { modifiedBeamSearch, TransducerBeamHypotheses } from "./transducer_beam.ts";
import { greedySearch, TransducerHypothesis, type TransducerNets } from "./transducer_greedy.ts";
import type { TokenTable } from "./tokens.ts";

const TABLE: TokenTable = { symbols: ["<blk>", "<unk>", "▁a", "▁b", "▁c", "▁d"], blank: 0 };

/**
 * Random but fixed nets: the decoder output is a hash of the context, the joiner mixes it with the
 * encoder frame; both deterministic, so a search can be rerun and compared.
 */
function randomNets(seed = 7, vocab = TABLE.symbols.length): TransducerNets {
  const rand = (x: number) => {
    const s = Math.sin(x * 12.9898 + seed * 78.233) * 43758.5453;
    return s - Math.floor(s);
  };
  return {
    decoderDim: 3,
    encoderDim: 3,
    vocab,
    maxSymbolsPerFrame: 1,
    // a stateless decoder's state: its last two symbols
    initialState: (blank) => [blank, blank],
    decode(states, symbols) {
      const next = states.map((state, i) => [(state as number[])[1], symbols[i]]);
      const out = new Float32Array(states.length * 3);
      next.forEach(([a, b], i) => {
        for (let d = 0; d < 3; d++) out[3 * i + d] = rand((a * 7 + b) * 3 + d) * 2 - 1;
      });
      return Promise.resolve({ out, states: next });
    },
    join(enc, dec, batch) {
      const out = new Float32Array(batch * vocab);
      for (let i = 0; i < batch; i++) {
        for (let v = 0; v < vocab; v++) {
          let x = 0;
          for (let d = 0; d < 3; d++) x += (enc[3 * i + d] + dec[3 * i + d]) * (rand(v * 5 + d) * 4 - 2);
          out[i * vocab + v] = x + (v === 0 ? 0.8 : 0);
        }
      }
      return Promise.resolve(out);
    },
  };
}

function encoderFrames(streams: number, frames: number, seed: number): Float32Array {
  return Float32Array.from({ length: streams * frames * 3 }, (_, i) => Math.sin(i * 1.7 + seed) * 1.5);
}

const ids = (d: { tokens(): readonly { id: number }[] }) => d.tokens().map((t) => t.id);

Deno.test("transducer beam: with one hypothesis it is the greedy search, across calls and streams", async () => {
  const nets = randomNets();
  const beams = [0, 1, 2].map(() => new TransducerBeamHypotheses(2, 0, TABLE, { beam: 1 }));
  const greedy = [0, 1, 2].map(() => new TransducerHypothesis());
  for (let call = 0; call < 3; call++) {
    const enc = encoderFrames(3, 8, call);
    await modifiedBeamSearch(nets, beams, enc, 8, { blank: 0, unk: 1 });
    await greedySearch(nets, greedy, enc, 8, { blank: 0, unk: 1 });
  }
  deepStrictEqual(beams.map(ids), greedy.map(ids));
  ok(greedy.every((g) => g.tokens().length > 3), JSON.stringify(greedy.map(ids)));
  deepStrictEqual(beams[0].tokens().map((t) => t.frame), greedy[0].tokens().map((t) => t.frame));
});

Deno.test("transducer beam: a batch gives each stream what it gives alone; hypotheses that spell the same merge", async () => {
  const nets = randomNets(3);
  const enc = encoderFrames(2, 12, 5);
  const alone = [];
  for (let i = 0; i < 2; i++) {
    const s = new TransducerBeamHypotheses(2, 0, TABLE, { beam: 4 });
    await modifiedBeamSearch(nets, [s], enc.slice(i * 36, (i + 1) * 36), 12, { blank: 0 });
    alone.push(ids(s));
  }
  const both = [0, 1].map(() => new TransducerBeamHypotheses(2, 0, TABLE, { beam: 4 }));
  await modifiedBeamSearch(nets, both, enc, 12, { blank: 0 });
  deepStrictEqual(both.map(ids), alone);
  for (const s of both) {
    ok(s.hyps.length <= 4);
    strictEqual(new Set(s.hyps.map((h) => h.key)).size, s.hyps.length, "no two hypotheses spell the same");
    ok(s.stableTokens() <= s.tokens().length);
  }
});

Deno.test("transducer beam: a keyterm's pieces are boosted into the result; a reset turn keeps the context", async () => {
  const nets = randomNets(11);
  const enc = encoderFrames(1, 16, 2);
  const plain = new TransducerBeamHypotheses(2, 0, TABLE, { beam: 4 });
  await modifiedBeamSearch(nets, [plain], enc, 16, { blank: 0 });
  // the keyterm: a piece the plain search does not pick
  const missing = [2, 3, 4, 5].find((id) => !ids(plain).includes(id))!;
  ok(missing !== undefined, JSON.stringify(ids(plain)));
  const boosted = new TransducerBeamHypotheses(2, 0, TABLE, {
    beam: 4,
    keyterms: [TABLE.symbols[missing].slice(1)],
    bonusPerPiece: 8,
  });
  await modifiedBeamSearch(nets, [boosted], enc, 16, { blank: 0 });
  ok(ids(boosted).includes(missing), `${TABLE.symbols[missing]} in ${JSON.stringify(ids(boosted))}`);
  const best = boosted.hyps.find((h) => h.tokens === boosted.tokens())!;
  boosted.reset();
  strictEqual(boosted.tokens().length, 0);
  deepStrictEqual(
    boosted.hyps.map((h) => h.decoderState),
    [best.decoderState],
    "the best one's decoder state goes on",
  );
});
