// Capitalisation: the pronoun "I", a small list of proper nouns, and the first word of the turn.
// Only verbatim words are recased; rendered text ("PM", "March") is already in its final form
// and keyterms are never touched.

import { AMBIGUOUS_MONTHS, DAYS, MONTHS } from "./calendar.ts";
import type { Piece } from "./pieces.ts";
import { wordKey } from "./word_keys.ts";

const OTHER_PROPER_NOUNS = [
  "English",
  "Spanish",
  "French",
  "German",
  "Italian",
  "Portuguese",
  "Chinese",
  "Japanese",
  "Korean",
  "America",
  "American",
  "Canada",
  "Europe",
  "European",
  "Christmas",
];

const PROPER_NOUNS: ReadonlyMap<string, string> = new Map([
  ...DAYS,
  ...[...MONTHS].filter(([key]) => !AMBIGUOUS_MONTHS.has(key)),
  ...OTHER_PROPER_NOUNS.map((name): [string, string] => [name.toLowerCase(), name]),
]);

/** "i", "i'm", "i'll", "i've", "i'd". */
const PRONOUN_I = /^i('(m|ll|ve|d))?$/;

export function applyCasing(pieces: readonly Piece[]): Piece[] {
  const cased = pieces.map((piece) => (piece.verbatim && !piece.fixed ? caseWord(piece) : piece));
  const first = cased[0];
  if (first && !first.fixed) cased[0] = { ...first, text: capitaliseFirstLetter(first.text) };
  return cased;
}

function caseWord(piece: Piece): Piece {
  const key = wordKey(piece.text);
  const properNoun = PROPER_NOUNS.get(key);
  if (properNoun) return { ...piece, text: properNoun };
  if (PRONOUN_I.test(key)) return { ...piece, text: piece.text.replace(/^i/i, "I") };
  return piece;
}

/** Uppercases a leading letter, allowing leading quotes/apostrophes ("'cause" → "'Cause"). */
export function capitaliseFirstLetter(text: string): string {
  return text.replace(
    /^([^\p{L}\p{N}]*)(\p{L})/u,
    (_, lead: string, letter: string) => lead + letter.toUpperCase(),
  );
}
