import assert from "node:assert/strict";
import { caseOf, FormatScore, markOf, type ReferenceWord } from "./format_score.ts";

Deno.test("format score: casing and mark classes of a written word", () => {
  assert.deepEqual(["boston", "Boston,", "FBI.", "I'm", "$23?"].map(caseOf), [0, 1, 2, 1, 0]);
  assert.deepEqual(["boston", "Boston,", "FBI.", "why?", "I'm", "now!"].map(markOf), [0, 1, 2, 3, 0, 2]);
});

Deno.test("format score: words merged by number rendering are left unscored; the last mark is scored apart", () => {
  // Reference: "I paid twenty three dollars, Bob. Why?"
  const reference: ReferenceWord[] = [
    ["i", 1, 0],
    ["paid", 0, 0],
    ["twenty", 0, 0],
    ["three", 0, 0],
    ["dollars", 0, 1],
    ["bob", 1, 2],
    ["why", 1, 3],
  ];
  const score = new FormatScore();
  score.add(reference, ["I", "paid", "$23,", "bob", "Why."], [[0, 1], [1, 2], [2, 5], [5, 6], [6, 7]]);
  assert.equal(score.unscored, 3);
  assert.equal(score.casingScored, 3); // paid, bob, why (the first word is not scored)
  assert.equal(score.casingRight, 2);
  assert.equal(score.cased.actual, 2); // Bob, Why
  assert.equal(score.cased.truePositives, 1);
  assert.equal(score.sentenceEnds.actual, 1);
  assert.equal(score.sentenceEnds.predicted, 0);
  assert.equal(score.terminalRight, 0);
});
