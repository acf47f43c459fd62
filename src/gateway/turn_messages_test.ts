import assert from "node:assert/strict";
import type { TurnUpdate } from "../asr/proto.ts";
import { PunctuationModel } from "../format/punctuation_model.ts";
import { turnMessages, type TurnOptions } from "./turn_messages.ts";

const punctuation = PunctuationModel.load(new URL("../../models/en-punctuation", import.meta.url).pathname);

function endOfTurn(text: string, language_code = ""): TurnUpdate {
  return {
    turn_order: 0,
    words: text.split(" ").map((w, i) => ({
      text: w,
      start_ms: 300 * i,
      end_ms: 300 * i + 250,
      confidence: 0.9,
      is_final: true,
    })),
    end_of_turn: true,
    end_of_turn_confidence: 0.9,
    utterance_end: false,
    language_code,
    language_confidence: language_code ? 0.9 : 0,
  };
}

const universal: TurnOptions = {
  pro: false,
  formatTurns: true,
  languageDetection: true,
  keyterms: [],
  punctuation,
};
const formattedText = (update: TurnUpdate, o: TurnOptions) =>
  turnMessages(update, o).find((m) => m.turn_is_formatted)?.transcript;

Deno.test("formatted turns: English turns use the punctuation model, others the rules", () => {
  const words = "my name is john smith and i live in boston";
  assert.match(formattedText(endOfTurn(words), universal)!, /John Smith,? and I live in Boston\.$/);
  assert.match(formattedText(endOfTurn(words, "en"), { ...universal, pro: true })!, /John Smith/);
  // A turn the multilingual model names as another language keeps to the rules (names stay as spoken).
  assert.equal(
    formattedText(endOfTurn(words, "es"), universal),
    "My name is john smith and I live in boston.",
  );
  assert.equal(
    formattedText(endOfTurn(words), { ...universal, punctuation: undefined }),
    "My name is john smith and I live in boston.",
  );
});
