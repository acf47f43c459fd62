import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Lexicon } from "./lexicon.ts";
import type { TokenTable } from "./tokens.ts";
import { WordScorer, type WordState } from "./word_scorer.ts";

const symbols = [
  "<it>",
  "▁l'",
  "▁l",
  "'",
  "inter",
  "no",
  "▁dell'",
  "▁qu",
  "ando",
  "▁",
  "è",
  "▁città",
  "zo",
  "na",
  "<blk>",
];
const table: TokenTable = { symbols, blank: symbols.length - 1 };
const id = (piece: string) => symbols.indexOf(piece);

/** Spells `pieces` from the start of a turn; returns the total charged, the word's ending cost included. */
function charged(scorer: WordScorer, pieces: string[]): number {
  let state: WordState = scorer.start();
  let total = 0;
  for (const piece of pieces) {
    state = scorer.step(state, id(piece));
    total += state.cost;
  }
  return total + scorer.endingCost(state);
}

const elisions = Lexicon.parse("l'\ndell'\ninterno\nquando\ncittà\n");

Deno.test("an elided prefix and a listed word after it make a listed word, whatever the pieces", () => {
  const scorer = new WordScorer(table, elisions, 6);
  assertEquals(charged(scorer, ["▁l'", "inter", "no"]), 0);
  assertEquals(charged(scorer, ["▁l", "'", "inter", "no"]), 0);
  assertEquals(charged(scorer, ["▁dell'", "inter", "no"]), 0);
  assertEquals(charged(scorer, ["<it>", "▁città"]), 0);
});

Deno.test("an unlisted word after an elided prefix, or an unlisted prefix, is charged once", () => {
  const scorer = new WordScorer(table, elisions, 6);
  assertEquals(charged(scorer, ["▁l'", "inter"]), 6); // "inter" is not a word
  assertEquals(charged(scorer, ["▁l'", "no", "no"]), 6); // no listed word starts "nono"
  assertEquals(charged(scorer, ["▁qu", "'", "inter", "no"]), 6); // "qu'" is not listed here
  assertEquals(charged(scorer, ["▁l'", "inter", "no", "▁l'", "inter"]), 6);
});

Deno.test("without elided prefixes in the list, an apostrophe joins nothing", () => {
  const scorer = new WordScorer(table, Lexicon.parse("interno\nquando\n"), 6);
  assertEquals(charged(scorer, ["▁l'", "inter", "no"]), 6);
  assertEquals(charged(scorer, ["▁qu", "ando"]), 0);
});

Deno.test("keyterms relocate a word after an elision into the new list", () => {
  const scorer = new WordScorer(table, Lexicon.parse("l'\n"), 6);
  let state = scorer.step(scorer.start(), id("▁l'"));
  scorer.setKeyterms(["zona"]); // sorts after "l'": a range into the old list would miss it
  state = scorer.relocate(state);
  for (const piece of ["zo", "na"]) state = scorer.step(state, id(piece));
  assertEquals(state.charged, false);
  assertEquals(scorer.endingCost(state), 0);
});
