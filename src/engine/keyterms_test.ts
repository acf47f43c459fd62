import { deepStrictEqual as assertEquals, ok } from "node:assert/strict";
import {
  ContextGraph,
  keytermsToPieces,
  keytermWords,
  normalizeKeyterm,
  pieceIndex,
  segmentWord,
} from "./keyterms.ts";
import type { TokenTable } from "./tokens.ts";

const symbols = [
  "<unk>",
  "▁ke",
  "anu",
  "▁re",
  "eves",
  "▁k",
  "e",
  "a",
  "n",
  "u",
  "▁r",
  "v",
  "s",
  "▁",
  "assembly",
  "ai",
  "▁ab",
  "c",
  "▁a",
  "bc",
  "▁don",
  "'t",
  "d",
  "<blk>",
];
const table: TokenTable = { symbols, blank: symbols.length - 1 };
const id = (piece: string) => symbols.indexOf(piece);
const ids = (...pieces: string[]) => pieces.map(id);

Deno.test("keyterms are lowercased and stripped to letters, apostrophes and spaces", () => {
  assertEquals(normalizeKeyterm("  Keanu\tREEVES! "), ["keanu", "reeves"]);
  assertEquals(normalizeKeyterm("Don't R2-D2"), ["don't", "rd"]);
  assertEquals(normalizeKeyterm("123 !!"), []);
  assertEquals(normalizeKeyterm("Città CAFE\u0301"), ["città", "café"]);
  assertEquals(keytermWords(["Città", "bar"]), ["città", "citta", "bar"]);
});

Deno.test("a keyterm with accents the pieces lack is spelled without them", () => {
  assertEquals(keytermsToPieces(["Kéanu"], table), [ids("▁ke", "anu")]);
  assertEquals(keytermsToPieces(["Keañu"], table), [ids("▁ke", "anu")]);
});

Deno.test("words are split into the fewest pieces, preferring a longer first piece on ties", () => {
  const index = pieceIndex(table);
  assertEquals(segmentWord("keanu", index), ids("▁ke", "anu"));
  assertEquals(segmentWord("reeves", index), ids("▁re", "eves"));
  // "▁ab c" and "▁a bc" both take two pieces.
  assertEquals(segmentWord("abc", index), ids("▁ab", "c"));
  assertEquals(segmentWord("don't", index), ids("▁don", "'t"));
  assertEquals(segmentWord("kz", index), undefined);
});

Deno.test("keyterms become piece sequences; unspellable, empty and duplicate terms are skipped", () => {
  assertEquals(keytermsToPieces(["Keanu Reeves", "AssemblyAI", "keanu  reeves", "Zed", "!!"], table), [
    ids("▁ke", "anu", "▁re", "eves"),
    ids("▁", "assembly", "ai"),
  ]);
});

Deno.test("the piece index leaves out <unk>, <blk> and other specials", () => {
  const special: TokenTable = { symbols: ["<unk>", "<sos/eos>", "▁a", "<blk>"], blank: 3 };
  assertEquals([...pieceIndex(special).ids.keys()], ["▁a"]);
});

Deno.test("context graph: each matched piece earns the bonus and a completed term keeps it", () => {
  const graph = new ContextGraph([[1, 2, 3]], 1.5);
  let state = graph.root;
  const bonuses: number[] = [];
  for (const piece of [1, 2, 3, 9]) {
    const move = graph.step(state, piece);
    bonuses.push(move.bonus);
    state = move.state;
  }
  assertEquals(bonuses, [1.5, 1.5, 1.5, 0]);
  assertEquals(state, graph.root);
  assertEquals(graph.finalize(state), 0);
});

Deno.test("context graph: a broken partial match gives its bonus back", () => {
  const graph = new ContextGraph([[1, 2, 3]], 2);
  const first = graph.step(graph.root, 1);
  const second = graph.step(first.state, 2);
  assertEquals(graph.finalize(second.state), -4);
  const broken = graph.step(second.state, 7);
  assertEquals(broken, { state: graph.root, bonus: -4 });
  assertEquals(first.bonus + second.bonus + broken.bonus, 0);
});

Deno.test("context graph: a broken match falls back to the longest suffix that starts another term", () => {
  const graph = new ContextGraph([[1, 2, 3], [2, 4]], 1);
  let state = graph.root;
  let total = 0;
  for (const piece of [1, 2, 4]) {
    const move = graph.step(state, piece);
    total += move.bonus;
    state = move.state;
  }
  // [1,2] is abandoned, [2,4] is complete: its two pieces keep their bonus.
  assertEquals(total, 2);
  assertEquals(graph.finalize(state), 0);
  // Falling back onto an unfinished suffix keeps only that suffix' bonus, which finalize takes back.
  const partial = [1, 2, 2].reduce((acc, piece) => {
    const move = graph.step(acc.state, piece);
    return { state: move.state, total: acc.total + move.bonus };
  }, { state: graph.root, total: 0 });
  assertEquals(partial.total, 1);
  assertEquals(partial.total + graph.finalize(partial.state), 0);
});

Deno.test("context graph: a term that is a prefix of a longer one keeps its bonus when the longer breaks", () => {
  const graph = new ContextGraph([[5], [5, 6, 7]], 1.5);
  let state = graph.root;
  let total = 0;
  for (const piece of [5, 6, 8]) {
    const move = graph.step(state, piece);
    total += move.bonus;
    state = move.state;
  }
  assertEquals(total, 1.5);
  ok(graph.size === 4);
});
