import assert from "node:assert/strict";
import { normalizeTerms, parsePythonList, parseQueryTerms } from "./keyterms.ts";

Deno.test("keyterms: Python list repr forms", () => {
  assert.deepEqual(parsePythonList("['a', 'b']"), ["a", "b"]);
  assert.deepEqual(parsePythonList("[]"), []);
  assert.deepEqual(parsePythonList(`["it's", 'x\\'y', 'tab\\there', 'caf\\xe9', 'a,b',]`), [
    "it's",
    "x'y",
    "tab\there",
    "café",
    "a,b",
  ]);
  assert.equal(parsePythonList("['a' 'b']"), undefined);
  assert.equal(parsePythonList("['a'"), undefined);
  assert.equal(parsePythonList("['a'] x"), undefined);
  assert.equal(parsePythonList("[1, 2]"), undefined);
});

Deno.test("keyterms: query values — JSON, Python repr, plain, repeated", () => {
  assert.deepEqual(parseQueryTerms(['["a","b"]', "['c']", "d", " "]), {
    ok: true,
    terms: ["a", "b", "c", "d"],
  });
  assert.deepEqual(parseQueryTerms(["[oops"]), { ok: false, error: "must be a JSON array of strings" });
});

Deno.test("keyterms: limits — trim, dedupe, >100 refused, >50 code points dropped", () => {
  assert.deepEqual(normalizeTerms([" a ", "a", "", "b"]), { ok: true, terms: ["a", "b"] });
  const emoji50 = "😀".repeat(50); // 100 UTF-16 units, 50 characters: kept
  assert.deepEqual(normalizeTerms([emoji50, "x".repeat(51)]), { ok: true, terms: [emoji50] });
  assert.equal(normalizeTerms(Array.from({ length: 100 }, (_, i) => `${i}`)).ok, true);
  assert.deepEqual(normalizeTerms(Array.from({ length: 101 }, (_, i) => `${i}`)), {
    ok: false,
    error: "must have at most 100 terms (got 101)",
  });
});
