import { strictEqual } from "node:assert/strict";
import { normalizeForWer, WerCounter, wordErrors } from "./wer.ts";

Deno.test("word errors count substitutions, deletions and insertions", () => {
  const w = (s: string) => s.split(" ");
  strictEqual(wordErrors(w("a b c"), w("a b c")), 0);
  strictEqual(wordErrors(w("a b c"), w("a x c")), 1);
  strictEqual(wordErrors(w("a b c"), w("a c")), 1);
  strictEqual(wordErrors(w("a b c"), w("a b c d e")), 2);
  strictEqual(wordErrors([], w("a")), 1);
});

Deno.test("WER ignores case and punctuation, and aggregates over sentences", () => {
  strictEqual(normalizeForWer("Hello, World!").join(" "), "hello world");
  const c = new WerCounter();
  c.add("the cat sat", "The cat sat.");
  c.add("a dog", "a frog");
  strictEqual(c.wer, 1 / 5);
  strictEqual(c.exactSentences, 1);
});

Deno.test("WER keeps accented letters inside their words", () => {
  strictEqual(normalizeForWer("¿Está en la Cocina? Ça va.").join(" "), "está en la cocina ça va");
});
