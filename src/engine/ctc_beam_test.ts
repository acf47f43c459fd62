import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { BeamCtcDecoder, type BeamCtcOptions } from "./ctc_beam.ts";
import { type CtcDecoder, GreedyCtcDecoder } from "./ctc.ts";
import { tokensToWords, type TokenTable } from "./tokens.ts";
import { lmBytes } from "./_lm_test_utils.ts";
import { Lexicon } from "./lexicon.ts";
import { PieceLm } from "./lm.ts";

const symbols = ["<unk>", "▁can", "oe", "▁ke", "anu", "▁the", "▁a", "s", "<blk>"];
const table: TokenTable = { symbols, blank: symbols.length - 1 };
const vocab = symbols.length;
const BLANK = table.blank;
const id = (piece: string) => symbols.indexOf(piece);

/** One frame per entry: the listed symbols get their probability, the rest share what is left. */
function logProbMatrix(frames: Record<number, number>[]): Float32Array {
  const out = new Float32Array(frames.length * vocab);
  frames.forEach((probs, t) => {
    const listed = Object.keys(probs).length;
    const rest = (1 - Object.values(probs).reduce((a, b) => a + b, 0)) / (vocab - listed);
    for (let v = 0; v < vocab; v++) out[t * vocab + v] = Math.log(probs[v] ?? rest);
  });
  return out;
}

/** A frame where one symbol has probability p. */
const peak = (symbol: number, p = 0.9): Record<number, number> => ({ [symbol]: p });

function decode(decoder: CtcDecoder, frames: Record<number, number>[], chunk = frames.length): CtcDecoder {
  const logProbs = logProbMatrix(frames);
  for (let start = 0; start < frames.length; start += chunk) {
    const count = Math.min(chunk, frames.length - start);
    decoder.accept(logProbs, start * vocab, count, vocab, start);
  }
  return decoder;
}

const text = (decoder: CtcDecoder) => tokensToWords(decoder.tokens(), table, 80).map((w) => w.text).join(" ");

/** "the" and a word whose first piece is ▁can (p=0.5) or ▁ke (0.4), second piece oe or anu. */
function ambiguousWord(second: Record<number, number>): Record<number, number>[] {
  return [
    peak(id("▁the")),
    peak(BLANK),
    { [id("▁can")]: 0.5, [id("▁ke")]: 0.4 },
    peak(BLANK),
    second,
    peak(BLANK),
  ];
}

Deno.test("beam search equals greedy on a peaky matrix, also when fed in chunks", () => {
  const frames = [
    peak(BLANK),
    peak(id("▁the")),
    peak(id("▁the"), 0.8),
    peak(BLANK),
    peak(id("▁ke")),
    peak(id("anu"), 0.7),
    peak(BLANK, 0.95),
    peak(id("▁a")),
    peak(id("s")),
    peak(id("s")),
    peak(BLANK),
  ];
  const greedy = decode(new GreedyCtcDecoder(BLANK), frames).tokens();
  assertEquals(greedy.length, 5);
  assertEquals(decode(new BeamCtcDecoder(table), frames).tokens(), greedy);
  assertEquals(decode(new BeamCtcDecoder(table, { beam: 1 }), frames).tokens(), greedy);
  assertEquals(decode(new BeamCtcDecoder(table, { beam: 4 }), frames, 3).tokens(), greedy);
  // A wide beam keeps prefixes that emitted a token early and faintly; times and probabilities
  // still follow the likelier alignment.
  assertEquals(decode(new BeamCtcDecoder(table, { beam: 16 }), frames).tokens(), greedy);
});

Deno.test("a keyterm lifts a slightly less likely rare word over a common one", () => {
  const frames = ambiguousWord({ [id("oe")]: 0.5, [id("anu")]: 0.45 });
  assertEquals(text(decode(new GreedyCtcDecoder(BLANK), frames)), "the canoe");
  assertEquals(text(decode(new BeamCtcDecoder(table), frames)), "the canoe");
  assertEquals(text(decode(new BeamCtcDecoder(table, { keyterms: ["Keanu"] }), frames)), "the keanu");
  const decoder = new BeamCtcDecoder(table);
  decoder.setKeyterms(["Keanu"]);
  assertEquals(text(decode(decoder, frames)), "the keanu");
  decoder.reset();
  decoder.setKeyterms([]);
  assertEquals(text(decode(decoder, frames)), "the canoe");
});

Deno.test("a keyterm match that breaks off gives its bonus back", () => {
  // ▁ke starts "keanu" and earns a bonus, but the word goes on as "oe": "keoe" must not win.
  const frames = ambiguousWord({ [id("oe")]: 0.9, [id("anu")]: 0.02 });
  // Kept, the bonus would make "keoe" (0.4 * 0.9 * e^1.5 = 1.6) beat "canoe" (0.5 * 0.9 = 0.45).
  // (Unflattened posteriors, so that the arithmetic above holds.)
  const decoder = new BeamCtcDecoder(table, { keyterms: ["Keanu"], keytermTemperature: 1 });
  assertEquals(text(decode(decoder, frames)), "the canoe");
});

Deno.test("a hypothesis that ends inside a keyterm is judged without its unconfirmed bonus", () => {
  const frames = ambiguousWord({}).slice(0, 4);
  const decoder = decode(new BeamCtcDecoder(table, { keyterms: ["Keanu"], keytermTemperature: 1 }), frames);
  assertEquals(text(decoder), "the can");
  // Once the rest of the keyterm arrives the boosted prefix wins.
  decoder.accept(logProbMatrix([{ [id("oe")]: 0.5, [id("anu")]: 0.45 }]), 0, 1, vocab, 4);
  assertEquals(text(decoder), "the keanu");
});

Deno.test("CTC merges repeats unless a blank separates them", () => {
  const s = id("s");
  const merged = decode(new BeamCtcDecoder(table), [peak(s), peak(s), peak(BLANK)]).tokens();
  assertEquals(merged.map((t) => [t.id, t.frame, t.lastFrame]), [[s, 0, 1]]);
  const twice = decode(new BeamCtcDecoder(table), [peak(s), peak(BLANK), peak(s), peak(BLANK)]).tokens();
  assertEquals(twice.map((t) => [t.id, t.frame, t.lastFrame]), [[s, 0, 0], [s, 2, 2]]);
  assertEquals(twice[0].prob, Math.exp(Math.fround(Math.log(0.9))));
});

Deno.test("reset starts an empty prefix but continues a token spoken across the turn end", () => {
  const a = id("▁a");
  const decoder = decode(new BeamCtcDecoder(table), [peak(id("▁the")), peak(BLANK), peak(a)]);
  assertEquals(text(decoder), "the a");
  decoder.reset();
  assertEquals(decoder.tokens(), []);
  // ▁a goes on for one more frame: still the same token, not a new one.
  decoder.accept(logProbMatrix([peak(a), peak(BLANK), peak(a), peak(BLANK)]), 0, 4, vocab, 3);
  assertEquals(decoder.tokens().map((t) => [t.id, t.frame]), [[a, 5]]);
});

Deno.test("alignments of the same prefix are summed, unlike greedy's single best path", () => {
  // "" has 0.65² = 0.42; "a" has 0.35·0.65 + 0.65·0.35 + 0.35² = 0.58, though no single path beats 0.42.
  const frames = [{ [id("▁a")]: 0.35, [BLANK]: 0.65 }, { [id("▁a")]: 0.35, [BLANK]: 0.65 }];
  assertEquals(text(decode(new GreedyCtcDecoder(BLANK), frames)), "");
  assertEquals(text(decode(new BeamCtcDecoder(table), frames)), "a");
});

/** An LM over this table where ▁ke is likely after "▁the" and ▁can is not; otherwise uniform. */
function keanuLm(): PieceLm {
  const pieces = symbols.length - 1; // the blank is not an LM piece
  const uniform = Math.log(1 / pieces);
  const all = (except: number[]) =>
    Array.from({ length: pieces }, (_, p) => p).filter((p) => !except.includes(p))
      .map((p): [number, number] => [p, uniform]);
  return PieceLm.parse(lmBytes(2, pieces, [
    { history: [], backoff: 0, entries: all([]) },
    { history: [id("▁the")], backoff: Math.log(0.2), entries: [[id("▁ke"), Math.log(0.8)]] },
  ]));
}

Deno.test("a language model picks the likelier word where the audio barely prefers another", () => {
  const frames = ambiguousWord({ [id("anu")]: 0.9 });
  const lm = { model: keanuLm(), weight: 1, bonus: 0 };
  assertEquals(text(decode(new BeamCtcDecoder(table), frames)), "the cananu");
  assertEquals(text(decode(new BeamCtcDecoder(table, { lm }), frames)), "the keanu");
  // Weight 0 leaves the audio alone.
  assertEquals(text(decode(new BeamCtcDecoder(table, { lm: { ...lm, weight: 0 } }), frames)), "the cananu");
  // Clear audio wins over the language model.
  const clear = [...frames];
  clear[2] = peak(id("▁can"), 0.98);
  assertEquals(text(decode(new BeamCtcDecoder(table, { lm }), clear)), "the cananu");
});

Deno.test("the language model starts each turn afresh", () => {
  const frames = ambiguousWord({ [id("anu")]: 0.9 });
  const decoder = decode(
    new BeamCtcDecoder(table, { lm: { model: keanuLm(), weight: 1, bonus: 0 } }),
    frames,
  );
  assertEquals(text(decoder), "the keanu");
  decoder.reset();
  // Without "▁the" before it, the turn has no reason to prefer ▁ke.
  decode(decoder, frames.slice(2));
  assertEquals(text(decoder), "cananu");
});

Deno.test("a keyterm is scored by its boost, not by a language model that has never seen it", () => {
  const pieces = symbols.length - 1;
  const uniform = Math.log(1 / pieces);
  // ▁ke and anu are all but impossible to this LM.
  const entries = Array.from({ length: pieces }, (_, p): [number, number] => [
    p,
    p === id("▁ke") || p === id("anu") ? Math.log(1e-6) : uniform,
  ]);
  const model = PieceLm.parse(lmBytes(1, pieces, [{ history: [], backoff: 0, entries }]));
  const lm = { model, weight: 1, bonus: -uniform }; // the bonus makes ordinary pieces cost nothing
  const frames = ambiguousWord({ [id("oe")]: 0.5, [id("anu")]: 0.45 });
  const options = { lm, keyterms: ["Keanu"], keytermTemperature: 1 };
  assertEquals(text(decode(new BeamCtcDecoder(table, options), frames)), "the keanu");
  // A match that breaks off pays the LM cost it was spared: the audio prefers "keoe", the LM does not.
  const broken = ambiguousWord({ [id("oe")]: 0.9, [id("anu")]: 0.02 });
  broken[2] = { [id("▁ke")]: 0.5, [id("▁can")]: 0.4 };
  assertEquals(
    text(decode(new BeamCtcDecoder(table, { keyterms: ["Keanu"], keytermTemperature: 1 }), broken)),
    "the keoe",
  );
  assertEquals(text(decode(new BeamCtcDecoder(table, options), broken)), "the canoe");
});

Deno.test("stable tokens: only the prefix every live hypothesis shares", () => {
  const decoder = new BeamCtcDecoder(table);
  // After the ambiguous frame both ▁can and ▁ke are alive: only "▁the" is settled.
  decode(decoder, ambiguousWord({}).slice(0, 3));
  assertEquals(decoder.tokens().length, 2);
  assertEquals(decoder.stableTokens(), 1);
  // The audio alone never decides between them; a long way behind, an alternative is dropped.
  const sure = 1 - 1e-5;
  const lopsided = [id("▁the"), BLANK, id("▁can"), BLANK, id("oe"), BLANK].map((s) => peak(s, sure));
  lopsided[2] = { [id("▁can")]: sure - 1e-5, [id("▁ke")]: 1e-5 };
  const settled = decode(new BeamCtcDecoder(table), lopsided);
  assertEquals(text(settled), "the canoe");
  assertEquals(settled.stableTokens(), settled.tokens().length);
});

Deno.test("a settle margin settles what the likely prefixes share, and what it settled stays", () => {
  // ▁ke is 3.8 log units behind ▁can: alive in the beam (threshold 6), outside a margin of 2.
  const frames = ambiguousWord({ [id("anu")]: 0.9 });
  frames[2] = { [id("▁can")]: 0.9, [id("▁ke")]: 0.02 };
  const lexicon = { lexicon: Lexicon.parse("the\ncan\ncanoe\nkeanu\n"), penalty: 20 };
  // Settled tokens after the ambiguous frame, and the decoder after the rest.
  const decodeAsked = (options: BeamCtcOptions) => {
    const decoder = new BeamCtcDecoder(table, { lexicon, ...options });
    decode(decoder, frames.slice(0, 3));
    const stable = decoder.stableTokens();
    decoder.accept(logProbMatrix(frames.slice(3)), 0, frames.length - 3, vocab, 3);
    return { stable, text: text(decoder) };
  };
  // Without a margin "can" waits for ▁ke to die, and the word list later brings "keanu" back on top.
  // (Even "the" waits: a prefix that heard only "can", 4.3 log units behind, is alive too.)
  assertEquals(decodeAsked({}), { stable: 0, text: "the keanu" });
  // With a margin of 2, "can" settles at once; ▁ke is dropped, so the words shown final never change.
  // The unlisted "cananu" costs more than leaving "anu" out: the settled word stays as shown.
  assertEquals(decodeAsked({ settleMargin: 2 }), { stable: 2, text: "the can" });
});

Deno.test("a word list lifts a listed word over a likelier spelling it does not list, but does not ban it", () => {
  const lexicon = Lexicon.parse("the\ncanoe\na\nas\n");
  // "cananu" (0.5 x 0.5) is likelier than "canoe" (0.5 x 0.45).
  const close = ambiguousWord({ [id("anu")]: 0.5, [id("oe")]: 0.45 });
  assertEquals(text(decode(new BeamCtcDecoder(table), close)), "the cananu");
  assertEquals(
    text(decode(new BeamCtcDecoder(table, { lexicon: { lexicon, penalty: 2 } }), close)),
    "the canoe",
  );
  // Far likelier audio outweighs the penalty: names and new words stay possible.
  const clear = ambiguousWord({ [id("anu")]: 0.9, [id("oe")]: 0.02 });
  assertEquals(
    text(decode(new BeamCtcDecoder(table, { lexicon: { lexicon, penalty: 2 } }), clear)),
    "the cananu",
  );
});

Deno.test("a word that ends a turn unlisted is charged, though it starts a listed word", () => {
  // "cananu" is never charged while spelled: "cananuxx" is listed.
  const lexicon = Lexicon.parse("the\ncanoe\ncananuxx\n");
  const close = ambiguousWord({ [id("anu")]: 0.5, [id("oe")]: 0.45 });
  assertEquals(
    text(decode(new BeamCtcDecoder(table, { lexicon: { lexicon, penalty: 2 } }), close)),
    "the canoe",
  );
});

Deno.test("a session's keyterms are never charged as unlisted words", () => {
  const lexicon = Lexicon.parse("the\ncanoe\n");
  const close = ambiguousWord({ [id("anu")]: 0.5, [id("oe")]: 0.45 });
  // The keyterm's boost (1.5 per piece) could not pay a penalty of 20; it is not asked to.
  const options = { lexicon: { lexicon, penalty: 20 } };
  assertEquals(text(decode(new BeamCtcDecoder(table, options), close)), "the canoe");
  assertEquals(
    text(decode(new BeamCtcDecoder(table, { ...options, keyterms: ["Cananu"] }), close)),
    "the cananu",
  );
  const decoder = new BeamCtcDecoder(table, options);
  decoder.setKeyterms(["cananu"]);
  assertEquals(text(decode(decoder, close)), "the cananu");
});

Deno.test("the LM may choose the words of a turn, not whether it has any", () => {
  const pieces = symbols.length - 1;
  // An LM that finds "▁a" very unlikely: with it, silence outscores the word.
  const entries = Array.from(
    { length: pieces },
    (_, p): [number, number] => [p, Math.log(p === id("▁a") ? 1e-2 : 0.1)],
  );
  const lm = {
    model: PieceLm.parse(lmBytes(1, pieces, [{ history: [], backoff: 0, entries }])),
    weight: 1,
    bonus: 0,
  };
  // The piece wins one frame, narrowly: greedy shows it, and so must the beam.
  const weak = [peak(BLANK), { [id("▁a")]: 0.5, [BLANK]: 0.45 }, peak(BLANK)];
  assertEquals(text(decode(new GreedyCtcDecoder(BLANK), weak)), "a");
  assertEquals(text(decode(new BeamCtcDecoder(table, { lm }), weak)), "a");
  // Where no frame has a piece above blank, an empty turn stays empty.
  const faint = [peak(BLANK), { [id("▁a")]: 0.3, [BLANK]: 0.65 }, peak(BLANK)];
  assertEquals(text(decode(new BeamCtcDecoder(table, { lm }), faint)), "");
  // After reset the next turn is judged on its own frames.
  const decoder = decode(new BeamCtcDecoder(table, { lm }), weak);
  decoder.reset();
  assertEquals(text(decode(decoder, faint)), "");
});

Deno.test("a turn's first word is scored in the LM's empty context unless sentence starts are asked for", () => {
  const pieces = symbols.length - 1;
  const uniform = Array.from({ length: pieces }, (_, p): [number, number] => [p, Math.log(1 / pieces)]);
  // After the turn-start context (id `pieces`), "▁the" is all but certain.
  const sentenceStart = {
    history: [pieces],
    backoff: 0,
    entries: [[id("▁the"), Math.log(0.99)]] as [number, number][],
  };
  const model = PieceLm.parse(
    lmBytes(2, pieces, [{ history: [], backoff: 0, entries: uniform }, sentenceStart]),
  );
  const frames = [peak(BLANK), { [id("▁a")]: 0.5, [id("▁the")]: 0.4 }, peak(BLANK)];
  const lm = { model, weight: 1, bonus: 0 };
  assertEquals(text(decode(new BeamCtcDecoder(table, { lm }), frames)), "a");
  assertEquals(
    text(decode(new BeamCtcDecoder(table, { lm: { ...lm, sentenceStart: true } }), frames)),
    "the",
  );
  // Also after a turn ends.
  const decoder = decode(new BeamCtcDecoder(table, { lm: { ...lm, sentenceStart: true } }), frames);
  decoder.reset();
  assertEquals(text(decode(decoder, frames)), "the");
});
