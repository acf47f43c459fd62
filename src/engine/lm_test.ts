import { deepStrictEqual as assertEquals, ok, throws } from "node:assert/strict";
import { lmBytes } from "./_lm_test_utils.ts";
import { LmFormatError, PieceLm } from "./lm.ts";
import { parseTokens } from "./tokens.ts";

// Three pieces; id 3 is the turn start. Order 3: contexts of up to two pieces.
const BOS = 3;
const tiny = () =>
  PieceLm.parse(lmBytes(3, 3, [
    { history: [], backoff: 0, entries: [[0, Math.log(0.5)], [1, Math.log(0.3)], [2, Math.log(0.2)]] },
    { history: [BOS], backoff: Math.log(0.5), entries: [[1, Math.log(0.8)]] },
    { history: [1], backoff: Math.log(0.25), entries: [[2, Math.log(0.9)], [0, Math.log(0.05)]] },
    { history: [BOS, 1], backoff: Math.log(0.1), entries: [[2, Math.log(0.95)]] },
  ]));

const close = (a: number, b: number) => ok(Math.abs(a - b) < 1e-6, `${a} != ${b}`);

Deno.test("lm: an entry of the context is its probability", () => {
  const lm = tiny();
  close(lm.logProb(lm.start, 1), Math.log(0.8));
});

Deno.test("lm: a piece the context lacks backs off to the shorter history", () => {
  const lm = tiny();
  // After [BOS 1], piece 0 is not listed: backoff(BOS 1) + P(0 | 1) = 0.1 * 0.05.
  const afterOne = lm.next(lm.start, 1);
  close(lm.logProb(afterOne, 0), Math.log(0.1 * 0.05));
  // After [BOS], piece 2: backoff(BOS) + unigram = 0.5 * 0.2.
  close(lm.logProb(lm.start, 2), Math.log(0.5 * 0.2));
});

Deno.test("lm: the state follows the longest history the model knows", () => {
  const lm = tiny();
  const afterOne = lm.next(lm.start, 1); // [BOS 1] exists
  close(lm.logProb(afterOne, 2), Math.log(0.95));
  const afterTwo = lm.next(afterOne, 2); // [1 2] and [2] do not exist: the empty context
  close(lm.logProb(afterTwo, 0), Math.log(0.5));
  const afterZeroOne = lm.next(lm.next(afterTwo, 0), 1); // [0 1] does not exist, [1] does
  close(lm.logProb(afterZeroOne, 2), Math.log(0.9));
});

Deno.test("lm: pieces outside the vocabulary are impossible", () => {
  assertEquals(tiny().logProb(0, 7), -Infinity);
});

Deno.test("lm: damaged files are refused with the reason", () => {
  const good = lmBytes(2, 2, [{ history: [], backoff: 0, entries: [[0, -0.7], [1, -0.7]] }]);
  throws(() => PieceLm.parse(good.slice(0, good.length - 2)), /bytes, the header implies/);
  const badMagic = good.slice();
  badMagic[0] = 0x58;
  throws(() => PieceLm.parse(badMagic), LmFormatError);
  throws(
    () => PieceLm.parse(lmBytes(2, 2, [{ history: [], backoff: 0, entries: [[0, -0.7]] }])),
    /empty context has 1 of 2 pieces/,
  );
});

Deno.test("lm: the shipped English model's distributions sum to one and prefer real sentences", async () => {
  const dir = new URL("../../models/en-default/", import.meta.url);
  const lm = PieceLm.parse(await Deno.readFile(new URL("lm.bin", dir)));
  const table = parseTokens(await Deno.readTextFile(new URL("tokens.txt", dir)));
  const encode = (words: string) =>
    words.split(" ").map((w) => {
      const id = table.symbols.indexOf(`▁${w}`);
      ok(id >= 0, `${w} is not one piece`);
      return id;
    });
  const score = (ids: number[]) => {
    let state = lm.start;
    let total = 0;
    for (const id of ids) {
      let sum = 0;
      for (let v = 0; v < lm.pieces; v++) sum += Math.exp(lm.logProb(state, v));
      ok(Math.abs(sum - 1) < 1e-3, `distribution sums to ${sum}`);
      total += lm.logProb(state, id);
      state = lm.next(state, id);
    }
    return total;
  };
  const sentence = encode("please transfer two hundred dollars");
  ok(score(sentence) > score([...sentence].reverse()) + 10);
});
