import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { Lexicon, LexiconFormatError } from "./lexicon.ts";

const lexicon = Lexicon.parse("the\ncanoe\ncan\ncan't\ncandle\nkeel\n\n");

/** The words a prefix starts, found by narrowing one letter at a time as the decoder does. */
function wordsStarting(prefix: string, from = lexicon): { words: number; isWord: boolean } {
  let range = from.all();
  for (let i = 1; i <= prefix.length; i++) range = from.narrow(range, prefix.slice(0, i));
  return { words: range.hi - range.lo, isWord: from.isWord(range, prefix) };
}

Deno.test("a prefix narrows to the words it starts, and knows whether it is one", () => {
  assertEquals(lexicon.size, 6);
  assertEquals(wordsStarting(""), { words: 6, isWord: false });
  assertEquals(wordsStarting("can"), { words: 4, isWord: true });
  assertEquals(wordsStarting("cano"), { words: 1, isWord: false });
  assertEquals(wordsStarting("canoe"), { words: 1, isWord: true });
  assertEquals(wordsStarting("can'"), { words: 1, isWord: false });
  assertEquals(wordsStarting("canoes"), { words: 0, isWord: false });
  assertEquals(wordsStarting("k"), { words: 1, isWord: false });
  assertEquals(wordsStarting("x"), { words: 0, isWord: false });
});

Deno.test("narrowing by a whole piece at once equals narrowing letter by letter", () => {
  const byPiece = lexicon.narrow(lexicon.narrow(lexicon.all(), "ca"), "cand");
  assertEquals(byPiece, lexicon.narrow(lexicon.all(), "cand"));
  assertEquals(byPiece.hi - byPiece.lo, 1);
});

Deno.test("withWords adds a session's words and leaves the model's list as it was", () => {
  const session = lexicon.withWords(["keanu", "the"]);
  assertEquals(wordsStarting("keanu", session).isWord, true);
  assertEquals(wordsStarting("ke", session).words, 2);
  assertEquals(lexicon.has("keanu"), false);
  assertEquals(lexicon.withWords(["the", "Canoe"]), lexicon);
});

Deno.test("a word list with anything but lowercase letters (accents too) and apostrophes is refused by line", () => {
  assertThrows(() => Lexicon.parse("the\nCanoe\n"), LexiconFormatError);
  assertThrows(() => Lexicon.parse("the\ncan oe\n"), /line 2/);
  assertThrows(() => Lexicon.parse("\n\n"), /no words/);
  assertThrows(() => Lexicon.parse("città\nCittà\n"), /line 2/);
  assertEquals(Lexicon.parse("città\nl'\nstraße\n").has("città"), true);
});
