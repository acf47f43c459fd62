// Plain numbers in running text: which stay words and which become digits.

import type { ItnContext } from "./itn_rule.ts";
import { digitStringText, groupThousands, ordinalDigits, proseDigits } from "./number_text.ts";
import { type NumberSpan, parseCardinal, parseNumberAt } from "./numbers.ts";
import { type Piece, renderedPiece, verbatimPiece } from "./pieces.ts";

/** Cardinals and ordinals up to this stay words in prose ("two cats", "the first time"). */
export const LARGEST_NUMBER_KEPT_AS_WORDS = 10;

export function matchNumber(context: ItnContext, at: number): Piece[] | undefined {
  const span = parseNumberAt(context.keys, at);
  if (!span) return undefined;
  // "a thirty second clip" means 30 seconds; "the twenty second" is the ordinal 22nd.
  if (isCountOfSeconds(context, span)) {
    const seconds = parseCardinal(context.keys, at);
    return seconds ? numberPieces(context, seconds) : undefined;
  }
  return numberPieces(context, span);
}

function isCountOfSeconds(context: ItnContext, span: NumberSpan): boolean {
  return span.kind === "ordinal" && span.end - span.start > 1 && context.keys[span.end - 1] === "second" &&
    context.keys[span.start - 1] !== "the";
}

/** A number in prose: small cardinals and ordinals as the spoken words, the rest as digits. */
export function numberPieces(context: ItnContext, span: NumberSpan): Piece[] {
  switch (span.kind) {
    case "cardinal":
      if (span.largeScale) return quantityPieces(span);
      if (span.value <= LARGEST_NUMBER_KEPT_AS_WORDS) return verbatimRange(context, span);
      return [renderedPiece(proseDigits(span.digits), span.start, span.end)];
    case "ordinal":
      if (span.value <= LARGEST_NUMBER_KEPT_AS_WORDS) return verbatimRange(context, span);
      return [renderedPiece(ordinalDigits(span.value), span.start, span.end)];
    case "decimal":
      return quantityPieces(span);
    case "digits":
      return [renderedPiece(digitStringText(span.digits), span.start, span.end)];
    case "year":
      return [renderedPiece(span.digits, span.start, span.end)];
  }
}

/** A number that always prints as digits (before a unit, in a decimal): "5", "1,500", "2.5 million". */
export function quantityPieces(span: NumberSpan): Piece[] {
  if (!span.largeScale) return [renderedPiece(groupThousands(span.digits), span.start, span.end)];
  const scaleIndex = span.end - 1;
  return [
    renderedPiece(span.largeScale.mantissa, span.start, scaleIndex),
    renderedPiece(span.largeScale.word, scaleIndex, span.end),
  ];
}

function verbatimRange(context: ItnContext, span: NumberSpan): Piece[] {
  const pieces: Piece[] = [];
  for (let i = span.start; i < span.end; i++) pieces.push(verbatimPiece(context.texts, i));
  return pieces;
}
