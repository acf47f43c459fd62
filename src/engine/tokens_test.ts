import { deepStrictEqual, throws } from "node:assert/strict";
import { parseTokens, tokensToWords } from "./tokens.ts";

const table = parseTokens("<unk> 0\n\u2581hel 1\nlo 2\n\u2581world 3\n<blk> 4\n");

Deno.test("tokens.txt: blank must be last and ids contiguous", () => {
  deepStrictEqual(table.blank, 4);
  throws(() => parseTokens("a 0\n<blk> 2\n"), /id 1 missing/);
  throws(() => parseTokens("<blk> 0\na 1\n"), /must be <blk>/);
});

Deno.test("word pieces join into words with times and mean confidence", () => {
  const words = tokensToWords(
    [
      { id: 1, frame: 2, lastFrame: 2, prob: 0.8 },
      { id: 2, frame: 4, lastFrame: 5, prob: 0.6 },
      { id: 0, frame: 6, lastFrame: 6, prob: 0.9 },
      { id: 3, frame: 9, lastFrame: 9, prob: 1 },
    ],
    table,
    40,
  );
  deepStrictEqual(words.map((w) => [w.text, w.startMs, w.endMs]), [["hello", 80, 240], ["world", 360, 400]]);
  deepStrictEqual(Math.round(words[0].confidence * 100), 70);
});
