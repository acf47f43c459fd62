// Spoken English numbers → values. Every parser takes the turn's words and a start index and
// returns the longest run of words that reads as one number (a span), or undefined. Parsers only
// read numbers; deciding how to print them (words or digits, "$", "%") is the ITN rules' job.

import { wordKey } from "./word_keys.ts";

export type NumberKind = "cardinal" | "ordinal" | "decimal" | "digits" | "year";

export interface NumberSpan {
  kind: NumberKind;
  /** Index of the first word of the span. */
  start: number;
  /** One past the last word of the span. */
  end: number;
  value: number;
  /** The value in plain digits: "23", "0.5", "1984"; digit strings keep leading zeros ("0555"). */
  digits: string;
  /** Set for "five million" / "two point five billion", which read better as "5 million". */
  largeScale?: { mantissa: string; word: string };
}

type Role = "zero" | "unit" | "teen" | "tens" | "hundred" | "scale";

export interface NumberWord {
  role: Role;
  value: number;
  ordinal: boolean;
}

const UNITS = ["one", "two", "three", "four", "five", "six", "seven", "eight", "nine"];
const TEENS = [
  "ten",
  "eleven",
  "twelve",
  "thirteen",
  "fourteen",
  "fifteen",
  "sixteen",
  "seventeen",
  "eighteen",
  "nineteen",
];
const TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];
const ORDINAL_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth"];
const ORDINAL_TEENS = [
  "tenth",
  "eleventh",
  "twelfth",
  "thirteenth",
  "fourteenth",
  "fifteenth",
  "sixteenth",
  "seventeenth",
  "eighteenth",
  "nineteenth",
];
const ORDINAL_TENS = [
  "twentieth",
  "thirtieth",
  "fortieth",
  "fiftieth",
  "sixtieth",
  "seventieth",
  "eightieth",
  "ninetieth",
];
const SCALES: Record<string, number> = { thousand: 1e3, million: 1e6, billion: 1e9, trillion: 1e12 };
const ORDINAL_SCALES: Record<string, number> = {
  thousandth: 1e3,
  millionth: 1e6,
  billionth: 1e9,
  trillionth: 1e12,
};
/** Scales that print as words after the digits ("5 million") instead of as zeros. */
const WORD_SCALE_MIN = 1e6;

const LEXICON: ReadonlyMap<string, NumberWord> = buildLexicon();

function buildLexicon(): Map<string, NumberWord> {
  const lexicon = new Map<string, NumberWord>();
  const add = (words: readonly string[], role: Role, valueOf: (i: number) => number, ordinal: boolean) =>
    words.forEach((word, i) => lexicon.set(word, { role, value: valueOf(i), ordinal }));
  add(UNITS, "unit", (i) => i + 1, false);
  add(ORDINAL_UNITS, "unit", (i) => i + 1, true);
  add(TEENS, "teen", (i) => i + 10, false);
  add(ORDINAL_TEENS, "teen", (i) => i + 10, true);
  add(TENS, "tens", (i) => (i + 2) * 10, false);
  add(ORDINAL_TENS, "tens", (i) => (i + 2) * 10, true);
  lexicon.set("zero", { role: "zero", value: 0, ordinal: false });
  lexicon.set("hundred", { role: "hundred", value: 100, ordinal: false });
  lexicon.set("hundredth", { role: "hundred", value: 100, ordinal: true });
  for (const [word, value] of Object.entries(SCALES)) {
    lexicon.set(word, { role: "scale", value, ordinal: false });
  }
  for (const [word, value] of Object.entries(ORDINAL_SCALES)) {
    lexicon.set(word, { role: "scale", value, ordinal: true });
  }
  return lexicon;
}

/** The number meaning of one word ("twenty" → tens 20, "third" → ordinal unit 3), if any. */
export function numberWord(word: string | undefined): NumberWord | undefined {
  return word === undefined ? undefined : LEXICON.get(wordKey(word));
}

/** The digit a word stands for in a digit string: zero..nine, and "oh" when `allowOh`. */
export function digitOf(word: string | undefined, allowOh: boolean): string | undefined {
  if (word === undefined) return undefined;
  const key = wordKey(word);
  if (key === "zero" || (allowOh && (key === "oh" || key === "o"))) return "0";
  const unit = LEXICON.get(key);
  return unit && unit.role === "unit" && !unit.ordinal ? String(unit.value) : undefined;
}

/**
 * Accumulates a cardinal word by word and refuses any word that cannot continue it, which is
 * what splits "twenty three forty" into 23 and 40 and keeps "three twenty" from becoming 23.
 */
class CardinalBuilder {
  #total = 0;
  #hundreds = 0;
  #belowHundred = 0;
  /** What the below-hundred slot holds: nothing, a bare tens word (may take a unit), or done. */
  #slot: "empty" | "tens" | "done" = "empty";
  #hasHundred = false;
  #lastScale = Infinity;
  #groups = 0;
  #isZero = false;
  #accepted = 0;
  #lastRole: Role | undefined;

  get isEmpty(): boolean {
    return this.#accepted === 0;
  }

  /** "and" is only part of a number between a hundred/scale and the rest: "one hundred and five". */
  canTakeAnd(): boolean {
    return !this.#isZero && this.#slot === "empty" && (this.#hasHundred || this.#total > 0);
  }

  accept(word: NumberWord): boolean {
    if (this.#isZero) return false;
    const ok = this.#apply(word);
    if (ok) {
      this.#accepted++;
      this.#lastRole = word.role;
    }
    return ok;
  }

  #apply(word: NumberWord): boolean {
    switch (word.role) {
      case "zero":
        this.#isZero = this.isEmpty;
        return this.#isZero;
      case "unit":
        if (this.#slot === "done") return false;
        this.#belowHundred += word.value;
        this.#slot = "done";
        return true;
      case "teen":
      case "tens":
        if (this.#slot !== "empty") return false;
        this.#belowHundred = word.value;
        this.#slot = word.role === "tens" ? "tens" : "done";
        return true;
      case "hundred":
        return this.#applyHundred(word);
      case "scale":
        return this.#applyScale(word);
    }
  }

  #applyHundred(word: NumberWord): boolean {
    // A bare "hundredth" ("the hundredth time") means one hundredth.
    if (this.isEmpty && word.ordinal) this.#belowHundred = 1;
    else if (this.#hasHundred || this.#slot === "empty") return false;
    // "twelve hundred" and "twenty five hundred" only lead a number, never follow a scale.
    if (this.#belowHundred >= 10 && this.#total > 0) return false;
    this.#hundreds = this.#belowHundred * 100;
    this.#belowHundred = 0;
    this.#slot = "empty";
    this.#hasHundred = true;
    return true;
  }

  #applyScale(word: NumberWord): boolean {
    if (this.isEmpty && word.ordinal) this.#belowHundred = 1;
    const group = this.#hundreds + this.#belowHundred;
    if (group === 0 || group >= 1000 || word.value >= this.#lastScale) return false;
    this.#total += group * word.value;
    this.#hundreds = 0;
    this.#belowHundred = 0;
    this.#slot = "empty";
    this.#hasHundred = false;
    this.#lastScale = word.value;
    this.#groups++;
    return true;
  }

  value(): number {
    return this.#total + this.#hundreds + this.#belowHundred;
  }

  /** "five million" (one group ending on a large scale) → mantissa "5", word "million". */
  largeScale(lastWord: string): { mantissa: string; word: string } | undefined {
    if (this.#lastRole !== "scale" || this.#groups !== 1 || this.#lastScale < WORD_SCALE_MIN) {
      return undefined;
    }
    return { mantissa: String(this.#total / this.#lastScale), word: lastWord };
  }
}

interface CardinalParse {
  end: number;
  value: number;
  ordinal: boolean;
  largeScale?: { mantissa: string; word: string };
}

function parseCardinalWords(
  words: readonly string[],
  start: number,
  allowOrdinal: boolean,
): CardinalParse | undefined {
  const builder = new CardinalBuilder();
  const canFollowAnd = (word: string | undefined): boolean => {
    const next = numberWord(word);
    return next !== undefined && (next.role === "unit" || next.role === "teen" || next.role === "tens") &&
      (allowOrdinal || !next.ordinal);
  };
  let i = start;
  let ordinal = false;
  while (i < words.length) {
    const key = wordKey(words[i]);
    if (key === "and" && builder.canTakeAnd() && canFollowAnd(words[i + 1])) {
      i++;
      continue;
    }
    // "a hundred", "a million": the article stands for one only right before a multiplier.
    const multiplier = numberWord(words[i + 1]);
    if (key === "a" && builder.isEmpty && multiplier && !multiplier.ordinal) {
      if (multiplier.role === "hundred" || multiplier.role === "scale") {
        builder.accept({ role: "unit", value: 1, ordinal: false });
        i++;
        continue;
      }
    }
    const word = LEXICON.get(key);
    if (!word || (word.ordinal && !allowOrdinal) || !builder.accept(word)) break;
    i++;
    if (word.ordinal) {
      ordinal = true;
      break;
    }
  }
  if (builder.isEmpty) return undefined;
  const largeScale = ordinal ? undefined : builder.largeScale(wordKey(words[i - 1]));
  return { end: i, value: builder.value(), ordinal, ...(largeScale ? { largeScale } : {}) };
}

/** "twenty three", "one hundred and five", "a thousand", "three million two hundred thousand". */
export function parseCardinal(words: readonly string[], start: number): NumberSpan | undefined {
  const parsed = parseCardinalWords(words, start, false);
  if (!parsed) return undefined;
  const span: NumberSpan = {
    kind: "cardinal",
    start,
    end: parsed.end,
    value: parsed.value,
    digits: String(parsed.value),
  };
  if (parsed.largeScale) span.largeScale = parsed.largeScale;
  return span;
}

/** "first", "twenty first", "one hundredth"; "one third" is not one (a unit cannot precede "third"). */
export function parseOrdinal(words: readonly string[], start: number): NumberSpan | undefined {
  const parsed = parseCardinalWords(words, start, true);
  if (!parsed || !parsed.ordinal) return undefined;
  return { kind: "ordinal", start, end: parsed.end, value: parsed.value, digits: String(parsed.value) };
}

/** "zero point five", "three point one four", "two point five million". Needs a whole part. */
export function parseDecimal(words: readonly string[], start: number): NumberSpan | undefined {
  const whole = parseCardinal(words, start);
  if (!whole || whole.largeScale || wordKey(words[whole.end] ?? "") !== "point") return undefined;
  let i = whole.end + 1;
  let fraction = "";
  for (let digit = digitOf(words[i], true); digit !== undefined; digit = digitOf(words[++i], true)) {
    fraction += digit;
  }
  if (fraction === "") return undefined;
  const digits = `${whole.value}.${fraction}`;
  const scale = numberWord(words[i]);
  if (scale && scale.role === "scale" && !scale.ordinal && scale.value >= WORD_SCALE_MIN) {
    return {
      kind: "decimal",
      start,
      end: i + 1,
      value: Number(digits) * scale.value,
      digits,
      largeScale: { mantissa: digits, word: wordKey(words[i]) },
    };
  }
  return { kind: "decimal", start, end: i, value: Number(digits), digits };
}

/**
 * Two or more single digits read one by one: "five five five one two three four" → "5551234",
 * "one oh one" → "101". "oh" counts only after a digit so "oh five" stays an exclamation.
 */
export function parseDigitSequence(words: readonly string[], start: number): NumberSpan | undefined {
  let digits = "";
  let i = start;
  for (
    let digit = digitOf(words[i], false);
    digit !== undefined;
    digit = digitOf(words[++i], digits.length > 0)
  ) {
    digits += digit;
  }
  // "two three hundred": the last digit belongs to the cardinal that follows, not to the string.
  const next = numberWord(words[i]);
  const nextIsPoint = wordKey(words[i] ?? "") === "point" && digitOf(words[i + 1], true) !== undefined;
  if (digits.length > 0 && (next?.role === "hundred" || next?.role === "scale" || nextIsPoint)) {
    digits = digits.slice(0, -1);
    i--;
  }
  if (digits.length < 2) return undefined;
  return { kind: "digits", start, end: i, value: Number(digits), digits };
}

/**
 * Years said in pairs: "nineteen eighty four", "twenty twenty four", "nineteen oh five". The first
 * half must be thirteen..twenty, so hour-minute pairs like "eleven fifty" are not taken as years.
 * "two thousand and five" is a plain cardinal (2005) and handled by parseCardinal.
 */
export function parseYear(words: readonly string[], start: number): NumberSpan | undefined {
  const century = numberWord(words[start]);
  if (!century || century.ordinal) return undefined;
  const isCentury = (century.role === "teen" && century.value >= 13) ||
    (century.role === "tens" && century.value === 20);
  if (!isCentury) return undefined;
  const pair = parseTwoDigitPair(words, start + 1);
  if (!pair || pair.value === 0) return undefined;
  const value = century.value * 100 + pair.value;
  return { kind: "year", start, end: pair.end, value, digits: String(value) };
}

/** The second half of a year or the minutes of a time: "oh five", "fifteen", "forty", "forty five". */
export function parseTwoDigitPair(
  words: readonly string[],
  start: number,
): { value: number; end: number } | undefined {
  const first = numberWord(words[start]);
  const key = wordKey(words[start] ?? "");
  if (key === "oh" || key === "o") {
    const unit = numberWord(words[start + 1]);
    return unit && unit.role === "unit" && !unit.ordinal ? { value: unit.value, end: start + 2 } : undefined;
  }
  if (!first || first.ordinal) return undefined;
  if (first.role === "teen") return { value: first.value, end: start + 1 };
  if (first.role !== "tens") return undefined;
  const unit = numberWord(words[start + 1]);
  if (unit && unit.role === "unit" && !unit.ordinal) {
    return { value: first.value + unit.value, end: start + 2 };
  }
  return { value: first.value, end: start + 1 };
}

const PARSERS = [parseDecimal, parseOrdinal, parseCardinal, parseYear, parseDigitSequence];

/** The longest number starting at `start`; on a tie the earlier parser in PARSERS wins. */
export function parseNumberAt(words: readonly string[], start: number): NumberSpan | undefined {
  let best: NumberSpan | undefined;
  for (const parse of PARSERS) {
    const span = parse(words, start);
    if (span && (!best || span.end > best.end)) best = span;
  }
  return best;
}

/** All numbers in the words, left to right, never overlapping. */
export function findNumberSpans(words: readonly string[]): NumberSpan[] {
  const spans: NumberSpan[] = [];
  let i = 0;
  while (i < words.length) {
    const span = parseNumberAt(words, i);
    if (span) {
      spans.push(span);
      i = span.end;
    } else {
      i++;
    }
  }
  return spans;
}
