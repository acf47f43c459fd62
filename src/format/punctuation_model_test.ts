import assert from "node:assert/strict";
import { formatWords, type TimedWord } from "./format_turn.ts";
import { PunctuationModel } from "./punctuation_model.ts";

const SHIPPED = new URL("../../models/en-punctuation", import.meta.url).pathname;
const model = PunctuationModel.load(SHIPPED);

function spoken(text: string): TimedWord[] {
  return text.split(" ").map((word, i) => ({
    text: word,
    start: 300 * i,
    end: 300 * i + 250,
    confidence: 0.9,
  }));
}

Deno.test("punctuation model: this implementation gives the recipe's logits on its check words", () => {
  const check = model.check;
  assert.ok(check, "the shipped model records a check");
  const logits = model.logits(check.words);
  assert.equal(logits.length, check.logits.length);
  logits.forEach((row, t) =>
    row.forEach((value, o) =>
      assert.ok(
        Math.abs(value - check.logits[t][o]) < 1e-3,
        `word ${t} (${check.words[t]}) output ${o}: ${value} here, ${check.logits[t][o]} in the recipe`,
      )
    )
  );
});

Deno.test("punctuation model: names and places are capitalised, clauses get commas, sentences end inside turns", () => {
  const turn = formatWords(spoken("my name is john smith and i live in boston"), { punctuation: model });
  assert.match(turn.transcript, /^My name is John Smith,? and I live in Boston\.$/);
  assert.equal(
    formatWords(spoken("well i think so but we should ask the team in new york first"), {
      punctuation: model,
    })
      .transcript,
    "Well, I think so, but we should ask the team in New York first.",
  );
  // A sentence end inside the turn: the next word is capitalised, the question rule reads the last sentence.
  assert.equal(
    formatWords(spoken("thanks for calling how can i help you"), { punctuation: model }).transcript,
    "Thanks for calling. How can I help you?",
  );
});

Deno.test("punctuation model: keyterms, numbers and timings survive; the last mark follows the question rule", () => {
  const turn = formatWords(spoken("can you send twenty three dollars to assembly ai"), {
    punctuation: model,
    keyterms: ["AssemblyAI"],
  });
  assert.equal(turn.transcript, "Can you send $23 to AssemblyAI?");
  assert.deepEqual(
    turn.words.map((w) => [w.start, w.end]),
    [[0, 250], [300, 550], [600, 850], [900, 1750], [1800, 2050], [2100, 2650]],
  );
});

Deno.test("punctuation model: no mark inside one written form (an address, a time)", () => {
  // The model, reading "Apartment" then "4B" (a word it never saw), ends a sentence between them.
  const address = formatWords(spoken("the address is one twenty three main street apartment four b"), {
    punctuation: model,
  });
  assert.equal(address.transcript, "The address is 123 Main Street Apartment 4B.");
});

Deno.test("punctuation model: a missing or foreign model file is refused with its reason", () => {
  const dir = Deno.makeTempDirSync();
  try {
    Deno.writeTextFileSync(`${dir}/punctuation.json`, JSON.stringify({ kind: "something-else" }));
    Deno.writeFileSync(`${dir}/punctuation.bin`, new Uint8Array(8));
    assert.throws(
      () => PunctuationModel.load(dir),
      /not a punctuation model this server runs: kind is something-else/,
    );
    const manifest = JSON.parse(Deno.readTextFileSync(`${SHIPPED}/punctuation.json`));
    Deno.writeTextFileSync(`${dir}/punctuation.json`, JSON.stringify(manifest));
    assert.throws(() => PunctuationModel.load(dir), /punctuation.bin is too short/);
  } finally {
    Deno.removeSync(dir, { recursive: true });
  }
});
