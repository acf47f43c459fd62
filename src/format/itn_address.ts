// Street addresses: "one twenty three main street apartment four b" → "123 Main Street Apartment 4B".
// A number only becomes a house number when a street name and a street type follow it, so the
// pairs reading ("one twenty three" → 123), which would be wrong in prose, stays within addresses.

import type { ItnContext } from "./itn_rule.ts";
import { numberWord, parseNumberAt, parseTwoDigitPair } from "./numbers.ts";
import { capitaliseFirstLetter } from "./casing.ts";
import { type Piece, renderedPiece } from "./pieces.ts";

const STREET_TYPES: ReadonlyMap<string, string> = titled([
  "street",
  "avenue",
  "road",
  "drive",
  "lane",
  "boulevard",
  "way",
  "court",
  "place",
  "terrace",
  "parkway",
  "circle",
  "highway",
  "square",
  "trail",
]);
const UNIT_WORDS: ReadonlyMap<string, string> = titled(["apartment", "suite", "unit"]);
/** Street names are one or two words ("main", "martin luther" is too long and stays as spoken). */
const MAX_NAME_WORDS = 2;
/** A letter after a unit number ("four b" → "4B"); "i" is left out, it is usually the pronoun. */
const UNIT_LETTER = /^[a-h]$/;
/** After these a number counts things ("a two lane road", "the one way street"), never a house. */
const DETERMINERS: ReadonlySet<string> = new Set(["a", "an", "the", "this", "that", "each", "every"]);
/**
 * A house number of one word ("nine oak court") also needs the turn's start or one of these before
 * it: in prose "would one day place" and "only one inscribed square" read like addresses.
 */
const ONE_WORD_CUES: ReadonlySet<string> = new Set(
  ["at", "on", "to", "from", "is", "near", "off", "past", "by", "of", "address", "live", "lives"],
);
/** Words that cannot be part of a street's name: they join a name to the prose around it. */
const NOT_NAME: ReadonlySet<string> = new Set([
  "a",
  "an",
  "the",
  "and",
  "or",
  "on",
  "in",
  "at",
  "of",
  "to",
  "for",
  "from",
  "by",
  "with",
  "is",
  "was",
  "my",
  "your",
  "our",
]);

export function matchStreetAddress(context: ItnContext, at: number): Piece[] | undefined {
  const { keys, texts } = context;
  if (DETERMINERS.has(keys[at - 1] ?? "")) return undefined;
  const cued = at === 0 || ONE_WORD_CUES.has(keys[at - 1]);
  for (const house of houseNumbers(keys, at)) {
    if (house.end === at + 1 && !cued) continue;
    const street = streetAfter(keys, house.end);
    if (!street) continue;
    const pieces = [renderedPiece(house.digits, at, house.end)];
    for (let i = house.end; i < street.typeAt; i++) {
      pieces.push(renderedPiece(capitaliseFirstLetter(texts[i]), i, i + 1));
    }
    pieces.push(renderedPiece(street.type, street.typeAt, street.typeAt + 1));
    return [...pieces, ...unitAfter(keys, street.typeAt + 1)];
  }
  return undefined;
}

interface HouseNumber {
  digits: string;
  end: number;
}

/** Readings of a house number at `at`, longest first: said in pairs ("one twenty three", "twelve oh five") or as a number. */
function houseNumbers(keys: readonly string[], at: number): HouseNumber[] {
  const readings: HouseNumber[] = [];
  const pairs = pairsReading(keys, at);
  if (pairs) readings.push(pairs);
  const span = parseNumberAt(keys, at);
  if (
    span && (span.kind === "cardinal" || span.kind === "digits" || span.kind === "year") && !span.largeScale
  ) {
    readings.push({ digits: span.digits, end: span.end });
  }
  return readings.sort((a, b) => b.end - a.end);
}

/** "one twenty three" → 123, "forty five sixty" → 4560, "one oh five" → 105. */
function pairsReading(keys: readonly string[], at: number): HouseNumber | undefined {
  const first = numberWord(keys[at]);
  if (!first || first.ordinal || (first.role !== "unit" && first.role !== "teen" && first.role !== "tens")) {
    return undefined;
  }
  let lead = first.value;
  let end = at + 1;
  const unit = numberWord(keys[end]);
  if (first.role === "tens" && unit && unit.role === "unit" && !unit.ordinal) {
    lead += unit.value;
    end++;
  }
  const pair = parseTwoDigitPair(keys, end);
  if (!pair) return undefined;
  return { digits: `${lead}${String(pair.value).padStart(2, "0")}`, end: pair.end };
}

/** One or two name words and then a street type, starting at `at`. */
function streetAfter(keys: readonly string[], at: number): { typeAt: number; type: string } | undefined {
  for (let nameEnd = at; nameEnd < at + MAX_NAME_WORDS && isNameWord(keys[nameEnd]); nameEnd++) {
    const type = STREET_TYPES.get(keys[nameEnd + 1] ?? "");
    if (type) return { typeAt: nameEnd + 1, type };
  }
  return undefined;
}

function isNameWord(key: string | undefined): boolean {
  if (key === undefined || NOT_NAME.has(key) || STREET_TYPES.has(key) || UNIT_WORDS.has(key)) return false;
  const number = numberWord(key);
  return !number || number.ordinal; // "fifth avenue", but no cardinal: it belongs to the house number
}

/** "apartment four b" → "Apartment 4B", "suite two oh one" → "Suite 201"; nothing if no number follows. */
function unitAfter(keys: readonly string[], at: number): Piece[] {
  const word = UNIT_WORDS.get(keys[at] ?? "");
  const span = word ? parseNumberAt(keys, at + 1) : undefined;
  if (!word || !span || (span.kind !== "cardinal" && span.kind !== "digits") || span.largeScale) return [];
  const letter = UNIT_LETTER.test(keys[span.end] ?? "") ? keys[span.end] : "";
  const end = span.end + (letter ? 1 : 0);
  return [renderedPiece(word, at, at + 1), renderedPiece(span.digits + letter.toUpperCase(), at + 1, end)];
}

function titled(words: readonly string[]): Map<string, string> {
  return new Map(words.map((word) => [word, capitaliseFirstLetter(word)]));
}
