// Dates: "march third twenty twenty four" → "March 3, 2024", "the third of march" → "the 3rd of
// March", "june twenty twenty" → "June 2020". After a month the day prints as a bare number
// (US style, "March 3"); before "of <month>" it keeps its ordinal suffix ("3rd of March").

import { AMBIGUOUS_MONTHS, MONTHS } from "./calendar.ts";
import type { ItnContext } from "./itn_rule.ts";
import { ordinalDigits } from "./number_text.ts";
import { type NumberSpan, parseCardinal, parseNumberAt, parseOrdinal } from "./numbers.ts";
import { type Piece, renderedPiece, verbatimPiece } from "./pieces.ts";

const LAST_DAY_OF_MONTH = 31;

/** Month first: "<month> [the] <day> [<year>]" or "<month> <year>". */
export function matchMonthDate(context: ItnContext, at: number): Piece[] | undefined {
  const { keys } = context;
  const monthKey = keys[at] ?? "";
  const month = MONTHS.get(monthKey);
  if (!month) return undefined;
  const monthPiece = renderedPiece(month, at, at + 1);
  const monthYear = yearAt(keys, at + 1);
  if (monthYear) return [monthPiece, renderedPiece(monthYear.digits, monthYear.start, monthYear.end)];
  const hasThe = keys[at + 1] === "the";
  // "you may five…" is no date: the everyday-word months need an ordinal day ("may fifth").
  const ordinalOnly = hasThe || AMBIGUOUS_MONTHS.has(monthKey);
  const day = dayAt(keys, at + 1 + (hasThe ? 1 : 0), ordinalOnly);
  if (!day) return undefined;
  const year = yearAt(keys, day.end);
  const pieces = [monthPiece, renderedPiece(`${day.value}${year ? "," : ""}`, at + 1, day.end)];
  if (year) pieces.push(renderedPiece(year.digits, year.start, year.end));
  return pieces;
}

/** Day first: "<ordinal> of <month> [<year>]". */
export function matchDayOfMonth(context: ItnContext, at: number): Piece[] | undefined {
  const { keys } = context;
  const day = parseOrdinal(keys, at);
  if (!day || day.value > LAST_DAY_OF_MONTH || keys[day.end] !== "of") return undefined;
  const month = MONTHS.get(keys[day.end + 1] ?? "");
  if (!month) return undefined;
  const pieces = [
    renderedPiece(ordinalDigits(day.value), at, day.end),
    verbatimPiece(context.texts, day.end),
    renderedPiece(month, day.end + 1, day.end + 2),
  ];
  const year = yearAt(keys, day.end + 2);
  if (year) pieces.push(renderedPiece(year.digits, year.start, year.end));
  return pieces;
}

function dayAt(keys: readonly string[], at: number, ordinalOnly: boolean): NumberSpan | undefined {
  const day = parseOrdinal(keys, at) ?? (ordinalOnly ? undefined : parseCardinal(keys, at));
  return day && day.value >= 1 && day.value <= LAST_DAY_OF_MONTH && !day.largeScale ? day : undefined;
}

/** A year said in pairs, or a cardinal in a plausible range ("two thousand and five"). */
function yearAt(keys: readonly string[], at: number): NumberSpan | undefined {
  const span = parseNumberAt(keys, at);
  if (!span) return undefined;
  if (span.kind === "year") return span;
  const plausible = span.kind === "cardinal" && !span.largeScale && span.value >= 1000 && span.value <= 2099;
  return plausible ? span : undefined;
}
