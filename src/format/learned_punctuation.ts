// Casing and punctuation from the learned model (./punctuation_model.ts), for English turns: commas
// and sentence ends inside the turn, a capital at each sentence start, and the model's casing for
// the other words. The casing rules still apply on top ("I", days, months), and the turn's last
// mark is "?" when its last sentence opens like a question (./punctuation.ts).

import { applyCasing, capitaliseFirstLetter } from "./casing.ts";
import type { Piece } from "./pieces.ts";
import type { Casing, PunctuationModel } from "./punctuation_model.ts";
import { addTerminalPunctuation, isQuestion } from "./punctuation.ts";
import { wordKey } from "./word_keys.ts";

export function punctuateWithModel(pieces: readonly Piece[], model: PunctuationModel): Piece[] {
  const predictions = model.predict(pieces.map((piece) => piece.text));
  const out = [...pieces];
  const sentenceStarts = new Set([0]);
  let sentenceStart = 0;
  for (let i = 0; i < out.length; i++) {
    const piece = out[i];
    // The model was not trained on sentence starts: they are capitalised below.
    if (!piece.fixed && piece.verbatim && i !== sentenceStart) {
      out[i] = { ...piece, text: withCasing(piece.text, predictions[i].casing) };
    }
    const mark = predictions[i].mark;
    if (i === out.length - 1 || !mark || piece.joinedToNext || /[.,;:?!]$/.test(out[i].text)) continue;
    out[i] = { ...out[i], text: out[i].text + mark };
    if (mark !== ",") sentenceStarts.add(sentenceStart = i + 1);
  }
  const cased = applyCasing(out).map((piece, i) =>
    sentenceStarts.has(i) && !piece.fixed ? { ...piece, text: capitaliseFirstLetter(piece.text) } : piece
  );
  // Only the last sentence's opener counts. Also reading its last clause ("thanks for calling, how can
  // I help you") lost more than it won on held-out text (last mark right 92.9% -> 91.6%): "When X, Y."
  return addTerminalPunctuation(
    cased,
    isQuestion(pieces.slice(sentenceStart).map((piece) => wordKey(piece.text))),
  );
}

function withCasing(text: string, casing: Casing): string {
  if (casing === "upper") return text.toUpperCase();
  return casing === "capitalized" ? capitaliseFirstLetter(text) : text;
}
