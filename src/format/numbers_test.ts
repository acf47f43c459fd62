import assert from "node:assert/strict";
import {
  findNumberSpans,
  type NumberSpan,
  parseCardinal,
  parseDecimal,
  parseDigitSequence,
  parseNumberAt,
  parseOrdinal,
  parseYear,
} from "./numbers.ts";
import { digitStringText, groupThousands, moneyText, ordinalDigits, proseDigits } from "./number_text.ts";

const words = (text: string): string[] => text.split(" ");

/** The parsed value and how many words it took, or undefined. */
function read(
  parse: (words: readonly string[], start: number) => NumberSpan | undefined,
  text: string,
  start = 0,
): { value: number; words: number } | undefined {
  const span = parse(words(text), start);
  return span && { value: span.value, words: span.end - span.start };
}

Deno.test("parseCardinal reads units, teens, tens and compounds", () => {
  assert.deepEqual(read(parseCardinal, "seven"), { value: 7, words: 1 });
  assert.deepEqual(read(parseCardinal, "thirteen"), { value: 13, words: 1 });
  assert.deepEqual(read(parseCardinal, "forty"), { value: 40, words: 1 });
  assert.deepEqual(read(parseCardinal, "twenty three"), { value: 23, words: 2 });
  assert.deepEqual(read(parseCardinal, "ninety nine bottles"), { value: 99, words: 2 });
  assert.deepEqual(read(parseCardinal, "zero"), { value: 0, words: 1 });
});

Deno.test("parseCardinal reads hundreds and scales up to trillions", () => {
  assert.deepEqual(read(parseCardinal, "one hundred"), { value: 100, words: 2 });
  assert.deepEqual(read(parseCardinal, "one hundred and five"), { value: 105, words: 4 });
  assert.deepEqual(read(parseCardinal, "two hundred fifty thousand"), { value: 250_000, words: 4 });
  assert.deepEqual(read(parseCardinal, "two thousand and five"), { value: 2005, words: 4 });
  assert.deepEqual(read(parseCardinal, "twelve hundred"), { value: 1200, words: 2 });
  assert.deepEqual(read(parseCardinal, "twenty five hundred"), { value: 2500, words: 3 });
  assert.deepEqual(
    read(parseCardinal, "three million two hundred thousand and seven"),
    { value: 3_200_007, words: 7 },
  );
  assert.deepEqual(
    read(parseCardinal, "nine hundred ninety nine thousand nine hundred ninety nine"),
    { value: 999_999, words: 9 },
  );
  assert.deepEqual(read(parseCardinal, "four billion"), { value: 4e9, words: 2 });
  assert.deepEqual(read(parseCardinal, "two trillion"), { value: 2e12, words: 2 });
});

Deno.test("parseCardinal accepts 'a' only before a multiplier", () => {
  assert.deepEqual(read(parseCardinal, "a hundred and fifty"), { value: 150, words: 4 });
  assert.deepEqual(read(parseCardinal, "a thousand"), { value: 1000, words: 2 });
  assert.equal(parseCardinal(words("a cat"), 0), undefined);
  assert.equal(parseCardinal(words("a"), 0), undefined);
});

Deno.test("parseCardinal stops where the words stop forming one number", () => {
  // Each of these splits into separate numbers or leaves words behind.
  assert.deepEqual(read(parseCardinal, "twenty twenty four"), { value: 20, words: 1 });
  assert.deepEqual(read(parseCardinal, "three twenty"), { value: 3, words: 1 });
  assert.deepEqual(read(parseCardinal, "five five"), { value: 5, words: 1 });
  assert.deepEqual(read(parseCardinal, "two and three"), { value: 2, words: 1 });
  assert.deepEqual(read(parseCardinal, "one hundred and"), { value: 100, words: 2 });
  assert.deepEqual(read(parseCardinal, "one thousand thousand"), { value: 1000, words: 2 });
  assert.deepEqual(read(parseCardinal, "two thousand twelve hundred"), { value: 2012, words: 3 });
  assert.deepEqual(read(parseCardinal, "zero five"), { value: 0, words: 1 });
  assert.deepEqual(read(parseCardinal, "twenty first"), { value: 20, words: 1 });
  assert.equal(parseCardinal(words("hundred"), 0), undefined);
  assert.equal(parseCardinal(words("thousand"), 0), undefined);
  assert.equal(parseCardinal(words("oh"), 0), undefined);
  assert.equal(parseCardinal(words("hello"), 0), undefined);
  assert.equal(parseCardinal([], 0), undefined);
});

Deno.test("parseCardinal starts at the given index and ignores case and punctuation", () => {
  assert.deepEqual(read(parseCardinal, "i have twenty two cats", 2), { value: 22, words: 2 });
  assert.deepEqual(read(parseCardinal, "Twenty Three."), { value: 23, words: 2 });
  assert.equal(parseCardinal(words("twenty"), 5), undefined);
});

Deno.test("parseCardinal marks 'five million' for word-scale printing", () => {
  assert.deepEqual(parseCardinal(words("five million"), 0)?.largeScale, { mantissa: "5", word: "million" });
  assert.deepEqual(parseCardinal(words("twenty five billion"), 0)?.largeScale, {
    mantissa: "25",
    word: "billion",
  });
  assert.equal(parseCardinal(words("five million two hundred"), 0)?.largeScale, undefined);
  assert.equal(parseCardinal(words("five thousand"), 0)?.largeScale, undefined);
});

Deno.test("parseOrdinal reads simple and compound ordinals", () => {
  assert.deepEqual(read(parseOrdinal, "first"), { value: 1, words: 1 });
  assert.deepEqual(read(parseOrdinal, "third"), { value: 3, words: 1 });
  assert.deepEqual(read(parseOrdinal, "twelfth"), { value: 12, words: 1 });
  assert.deepEqual(read(parseOrdinal, "twentieth"), { value: 20, words: 1 });
  assert.deepEqual(read(parseOrdinal, "twenty first century"), { value: 21, words: 2 });
  assert.deepEqual(read(parseOrdinal, "one hundred and first"), { value: 101, words: 4 });
  assert.deepEqual(read(parseOrdinal, "one hundredth"), { value: 100, words: 2 });
  assert.deepEqual(read(parseOrdinal, "hundredth"), { value: 100, words: 1 });
  assert.deepEqual(read(parseOrdinal, "thousandth"), { value: 1000, words: 1 });
  assert.equal(parseOrdinal(words("twenty three"), 0), undefined);
  // A fraction, not an ordinal: a unit cannot precede "third".
  assert.equal(parseOrdinal(words("one third"), 0), undefined);
});

Deno.test("parseDecimal reads 'point' followed by digits", () => {
  const half = parseDecimal(words("zero point five"), 0);
  assert.equal(half?.digits, "0.5");
  assert.equal(half?.value, 0.5);
  assert.equal(half?.end, 3);
  assert.equal(parseDecimal(words("three point one four"), 0)?.digits, "3.14");
  assert.equal(parseDecimal(words("one point oh five"), 0)?.digits, "1.05");
  assert.equal(parseDecimal(words("twenty three point five percent"), 0)?.digits, "23.5");
  const scaled = parseDecimal(words("two point five million"), 0);
  assert.equal(scaled?.value, 2_500_000);
  assert.deepEqual(scaled?.largeScale, { mantissa: "2.5", word: "million" });
  assert.equal(parseDecimal(words("point five"), 0), undefined);
  assert.equal(parseDecimal(words("one point"), 0), undefined);
  assert.equal(parseDecimal(words("one point twenty"), 0), undefined);
});

Deno.test("parseDigitSequence reads digits said one by one", () => {
  assert.equal(parseDigitSequence(words("five five five one two three four"), 0)?.digits, "5551234");
  assert.equal(parseDigitSequence(words("one two three"), 0)?.digits, "123");
  assert.equal(parseDigitSequence(words("one oh one"), 0)?.digits, "101");
  assert.equal(parseDigitSequence(words("zero seven"), 0)?.digits, "07");
  assert.equal(parseDigitSequence(words("seven"), 0), undefined);
  // "oh" only counts after a digit, so "oh five" stays an exclamation.
  assert.equal(parseDigitSequence(words("oh five"), 0), undefined);
  // The last digit belongs to the hundred, scale or decimal that follows.
  assert.equal(parseDigitSequence(words("two three hundred"), 0), undefined);
  assert.deepEqual(read(parseDigitSequence, "one two three thousand"), { value: 12, words: 2 });
  assert.equal(parseDigitSequence(words("four one point five"), 0), undefined);
});

Deno.test("parseYear reads years said in pairs", () => {
  assert.deepEqual(read(parseYear, "nineteen eighty four"), { value: 1984, words: 3 });
  assert.deepEqual(read(parseYear, "twenty twenty four"), { value: 2024, words: 3 });
  assert.deepEqual(read(parseYear, "twenty twenty"), { value: 2020, words: 2 });
  assert.deepEqual(read(parseYear, "twenty ten"), { value: 2010, words: 2 });
  assert.deepEqual(read(parseYear, "nineteen oh five"), { value: 1905, words: 3 });
  assert.deepEqual(read(parseYear, "twenty oh five"), { value: 2005, words: 3 });
  assert.deepEqual(read(parseYear, "fifteen sixty six"), { value: 1566, words: 3 });
  // Hours 1..12 with minutes are not years, nor is an ordinary compound number.
  assert.equal(parseYear(words("twelve thirty"), 0), undefined);
  assert.equal(parseYear(words("twenty five"), 0), undefined);
  assert.equal(parseYear(words("nineteen"), 0), undefined);
  assert.equal(parseYear(words("thirty twenty"), 0), undefined);
});

Deno.test("parseNumberAt prefers the longest reading", () => {
  assert.equal(parseNumberAt(words("nineteen eighty four"), 0)?.kind, "year");
  assert.equal(parseNumberAt(words("twenty twenty four"), 0)?.kind, "year");
  assert.equal(parseNumberAt(words("twenty first century"), 0)?.kind, "ordinal");
  assert.equal(parseNumberAt(words("five five five"), 0)?.kind, "digits");
  assert.equal(parseNumberAt(words("zero point five"), 0)?.kind, "decimal");
  const year = parseNumberAt(words("two thousand and five"), 0);
  assert.equal(year?.kind, "cardinal");
  assert.equal(year?.value, 2005);
  assert.equal(parseNumberAt(words("nineteen hundred"), 0)?.value, 1900);
  assert.equal(parseNumberAt(words("the"), 0), undefined);
});

Deno.test("findNumberSpans lists every number left to right", () => {
  const spans = findNumberSpans(words("book a table for two at seven thirty pm"));
  assert.deepEqual(spans.map((s) => [s.start, s.end, s.value]), [[4, 5, 2], [6, 7, 7], [7, 8, 30]]);
  const mixed = findNumberSpans(words("twenty three forty five and one two three"));
  assert.deepEqual(mixed.map((s) => [s.kind, s.digits]), [["cardinal", "23"], ["cardinal", "45"], [
    "digits",
    "123",
  ]]);
  assert.deepEqual(findNumberSpans(words("no numbers here")), []);
  assert.deepEqual(findNumberSpans([]), []);
});

Deno.test("number_text prints grouped, ordinal, phone and money forms", () => {
  assert.equal(groupThousands("1234567"), "1,234,567");
  assert.equal(groupThousands("999"), "999");
  assert.equal(groupThousands("12345.678"), "12,345.678");
  assert.equal(proseDigits("2005"), "2005");
  assert.equal(proseDigits("5300"), "5,300");
  assert.equal(proseDigits("12500"), "12,500");
  assert.deepEqual([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112].map(ordinalDigits), [
    "1st",
    "2nd",
    "3rd",
    "4th",
    "11th",
    "12th",
    "13th",
    "21st",
    "22nd",
    "23rd",
    "101st",
    "111th",
    "112th",
  ]);
  assert.equal(digitStringText("5551234"), "555-1234");
  assert.equal(digitStringText("5551234567"), "555-123-4567");
  assert.equal(digitStringText("15551234567"), "1-555-123-4567");
  assert.equal(digitStringText("12345"), "12345");
  assert.equal(moneyText("$", "23"), "$23");
  assert.equal(moneyText("$", "23.5"), "$23.50");
  assert.equal(moneyText("€", "1500"), "€1,500");
});
