// Numbers followed by what they count: money ("$23.50"), percentages ("50%") and units
// ("5 kilometers"). Any of these turns even a small number into digits.

import type { ItnContext } from "./itn_rule.ts";
import { quantityPieces } from "./itn_numbers.ts";
import { groupThousands, moneyText } from "./number_text.ts";
import { type NumberSpan, parseCardinal, parseNumberAt } from "./numbers.ts";
import { type Piece, renderedPiece } from "./pieces.ts";

const CURRENCY_SYMBOLS: ReadonlyMap<string, string> = new Map([
  ["dollar", "$"],
  ["dollars", "$"],
  ["euro", "€"],
  ["euros", "€"],
]);

/** Units kept as words after the digits. "pounds" is weight here: money in pounds is not handled. */
const UNIT_WORDS: ReadonlySet<string> = new Set(
  ("cent cents degree degrees mile miles mph kilometer kilometers kilometre kilometres km meter meters metre " +
    "metres centimeter centimeters centimetre centimetres millimeter millimeters millimetre millimetres foot feet " +
    "inch inches yard yards kilogram kilograms kilo kilos kg gram grams pound pounds lbs ounce ounces liter liters " +
    "litre litres milliliter milliliters millilitres gallon gallons byte bytes kilobytes megabytes gigabytes " +
    "terabytes kb mb gb tb volt volts watt watts kilowatts hertz kilohertz megahertz gigahertz calories")
    .split(" "),
);

export function matchQuantity(context: ItnContext, at: number): Piece[] | undefined {
  const amount = parseNumberAt(context.keys, at);
  if (!amount || (amount.kind !== "cardinal" && amount.kind !== "decimal")) return undefined;
  const next = context.keys[amount.end] ?? "";
  const symbol = CURRENCY_SYMBOLS.get(next);
  if (symbol) return moneyPieces(context, amount, symbol);
  const percentEnd = next === "percent"
    ? amount.end + 1
    : next === "per" && context.keys[amount.end + 1] === "cent"
    ? amount.end + 2
    : undefined;
  if (percentEnd !== undefined && !amount.largeScale) {
    return [renderedPiece(`${groupThousands(amount.digits)}%`, at, percentEnd)];
  }
  if (UNIT_WORDS.has(next)) return quantityPieces(amount);
  return undefined;
}

function moneyPieces(context: ItnContext, amount: NumberSpan, symbol: string): Piece[] {
  const currencyEnd = amount.end + 1;
  if (amount.largeScale) {
    // "five million dollars" → "$5 million": the currency word folds into the scale word.
    const scaleIndex = amount.end - 1;
    return [
      renderedPiece(`${symbol}${amount.largeScale.mantissa}`, amount.start, scaleIndex),
      renderedPiece(amount.largeScale.word, scaleIndex, currencyEnd),
    ];
  }
  const cents = amount.kind === "cardinal" ? centsAfter(context.keys, currencyEnd) : undefined;
  if (cents) {
    const amountText = `${amount.digits}.${String(cents.value).padStart(2, "0")}`;
    return [renderedPiece(moneyText(symbol, amountText), amount.start, cents.end)];
  }
  return [renderedPiece(moneyText(symbol, amount.digits), amount.start, currencyEnd)];
}

/** "[and] fifty cents" right after the currency word. Without "cents" the number is left alone. */
function centsAfter(keys: readonly string[], start: number): { value: number; end: number } | undefined {
  const from = keys[start] === "and" ? start + 1 : start;
  const cents = parseCardinal(keys, from);
  if (!cents || cents.value >= 100) return undefined;
  const unit = keys[cents.end];
  return unit === "cents" || unit === "cent" ? { value: cents.value, end: cents.end + 1 } : undefined;
}
