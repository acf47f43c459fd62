import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { LanguageEvidence, languageTags } from "./language.ts";
import { parseTokens, tokensToWords } from "./tokens.ts";

const TABLE = parseTokens(["<unk> 0", "<en> 1", "<es> 2", "▁hola 3", "▁hello 4", "<blk> 5"].join("\n"));

/** One row of log-probabilities per frame: the listed ids get their probability, the rest share what is left. */
function rows(frames: Record<number, number>[]): Float32Array {
  const vocab = TABLE.symbols.length;
  const out = new Float32Array(frames.length * vocab);
  frames.forEach((probs, t) => {
    const rest = (1 - Object.values(probs).reduce((a, b) => a + b, 0)) / (vocab - Object.keys(probs).length);
    for (let v = 0; v < vocab; v++) out[t * vocab + v] = Math.log(probs[v] ?? rest);
  });
  return out;
}

Deno.test("languageTags finds the two-letter tags and nothing else", () => {
  deepStrictEqual([...languageTags(TABLE)], [[1, "en"], [2, "es"]]);
});

Deno.test("the tag with the most evidence over the turn wins, with its share as confidence", () => {
  const evidence = new LanguageEvidence(languageTags(TABLE));
  strictEqual(evidence.best(), undefined);
  // The <es> tag spikes once; <en> never wins a frame but has some mass throughout.
  evidence.accept(
    rows([{ 5: 0.9 }, { 2: 0.6, 1: 0.1 }, { 3: 0.8, 1: 0.05 }, { 5: 0.9 }]),
    0,
    4,
    TABLE.symbols.length,
  );
  const guess = evidence.best()!;
  strictEqual(guess.code, "es");
  ok(guess.confidence > 0.6 && guess.confidence < 0.9, `confidence ${guess.confidence}`);
});

Deno.test("a session's language_codes: the turn's language is chosen among them", () => {
  const evidence = new LanguageEvidence(languageTags(TABLE));
  evidence.accept(rows([{ 2: 0.6, 1: 0.1 }]), 0, 1, TABLE.symbols.length);
  strictEqual(evidence.best()!.code, "es");
  const onlyEnglish = evidence.best(["en"])!;
  deepStrictEqual([onlyEnglish.code, onlyEnglish.confidence], ["en", 1]);
  strictEqual(evidence.best(["fr"]), undefined, "no listed language the model knows");
});

Deno.test("reset forgets the previous turn's language", () => {
  const evidence = new LanguageEvidence(languageTags(TABLE));
  const vocab = TABLE.symbols.length;
  evidence.accept(rows([{ 2: 0.9 }]), 0, 1, vocab);
  evidence.reset();
  evidence.accept(rows([{ 1: 0.9 }, { 4: 0.9 }]), 0, 2, vocab);
  strictEqual(evidence.best()!.code, "en");
});

Deno.test("language tags never become words or join one", () => {
  const tokens = [2, 3, 1, 4].map((id, i) => ({ id, frame: i, lastFrame: i, prob: 1 }));
  deepStrictEqual(tokensToWords(tokens, TABLE, 40).map((w) => w.text), ["hola", "hello"]);
});
