// Inverse text normalisation: spoken forms → written forms ("twenty three dollars" → "$23").
// Rules are tried in order at each word; the first match wins and the scan resumes after it.

import { matchStreetAddress } from "./itn_address.ts";
import { matchDayOfMonth, matchMonthDate } from "./itn_date.ts";
import { matchNumber } from "./itn_numbers.ts";
import { matchQuantity } from "./itn_quantity.ts";
import type { ItnContext, ItnRule } from "./itn_rule.ts";
import { matchTime } from "./itn_time.ts";
import { type Piece, verbatimPiece } from "./pieces.ts";
import { wordKey } from "./word_keys.ts";

/**
 * Most specific first: an address, date or time contains numbers that the later rules would take
 * alone ("at one twenty three main street" is not the time 1:23).
 */
const RULES: readonly ItnRule[] = [
  matchStreetAddress,
  matchMonthDate,
  matchDayOfMonth,
  matchTime,
  matchQuantity,
  matchNumber,
];

/** Pieces covering every word of `texts` in order; words no rule takes pass through verbatim. */
export function inverseNormalize(texts: readonly string[]): Piece[] {
  const context: ItnContext = { texts, keys: texts.map(wordKey) };
  const pieces: Piece[] = [];
  let at = 0;
  while (at < texts.length) {
    const matched = firstMatch(context, at);
    if (matched) {
      pieces.push(
        ...matched.map((piece, i) => i < matched.length - 1 ? { ...piece, joinedToNext: true } : piece),
      );
      at = matched[matched.length - 1].to;
    } else {
      pieces.push(verbatimPiece(texts, at));
      at++;
    }
  }
  return pieces;
}

function firstMatch(context: ItnContext, at: number): Piece[] | undefined {
  for (const rule of RULES) {
    const pieces = rule(context, at);
    if (pieces && coversFrom(pieces, at, context.texts.length)) return pieces;
  }
  return undefined;
}

/** Guards the scan: a rule's pieces must start at `at`, be contiguous and each cover a word. */
function coversFrom(pieces: readonly Piece[], at: number, wordCount: number): boolean {
  let next = at;
  for (const piece of pieces) {
    if (piece.from !== next || piece.to <= piece.from || piece.to > wordCount) return false;
    next = piece.to;
  }
  return pieces.length > 0;
}
