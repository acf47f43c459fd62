// `deno task eval-format [HELDOUT.jsonl] [--model DIR]`: formats held-out written English (made by
// models/recipe/punctuation.py: one turn per line, {"text", "words": [[key, casing, mark], ...]})
// from its spoken form, with the rules alone and with the learned punctuation model, and prints
// casing and punctuation scores for each side by side.
import { formatWords } from "../format/format_turn.ts";
import { PunctuationModel } from "../format/punctuation_model.ts";
import { FormatScore, type ReferenceWord } from "./format_score.ts";

const args = [...Deno.args];
const modelIndex = args.indexOf("--model");
const modelDir = modelIndex >= 0
  ? args.splice(modelIndex, 2)[1]
  : new URL("../../models/en-punctuation", import.meta.url).pathname;
const file = args[0] ?? `${modelDir}/heldout.jsonl`;
const model = PunctuationModel.load(modelDir);

const turns = Deno.readTextFileSync(file).split("\n").filter((line) => line.trim()).map((line) =>
  JSON.parse(line) as { text: string; words: ReferenceWord[] }
);
const sides = [
  { name: "rules", options: {}, score: new FormatScore(), elapsedMs: 0 },
  { name: "model", options: { punctuation: model }, score: new FormatScore(), elapsedMs: 0 },
];
for (const { words } of turns) {
  // Word i spans [10i, 10i + 5] ms, so each output word's times give back the words it covers.
  const spoken = words.map(([key], i) => ({ text: key, start: 10 * i, end: 10 * i + 5, confidence: 1 }));
  for (const side of sides) {
    const started = performance.now();
    const out = formatWords(spoken, side.options);
    side.elapsedMs += performance.now() - started;
    side.score.add(
      words,
      out.words.map((w) => w.text),
      out.words.map((w) => [w.start / 10, (w.end - 5) / 10 + 1]),
    );
  }
}
const words = turns.reduce((n, t) => n + t.words.length, 0);
console.log(
  `${turns.length} held-out turns (${(words / turns.length).toFixed(1)} words on average) from ${file}`,
);
for (const { name, score, elapsedMs } of sides) {
  console.log(`${name}: ${score.summary()}; ${(elapsedMs / turns.length).toFixed(2)} ms per turn`);
}
