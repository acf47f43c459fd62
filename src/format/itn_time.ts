// Clock times: "seven thirty pm" → "7:30 PM", "seven pm" → "7 PM", "seven o'clock" → "7 o'clock".

import type { ItnContext } from "./itn_rule.ts";
import { numberWord, parseTwoDigitPair } from "./numbers.ts";
import { type Piece, renderedPiece } from "./pieces.ts";

/**
 * Without am/pm an hour-minute pair is only a time after one of these words; "at seven thirty"
 * is a time, a bare "seven thirty" could as well be two numbers and is left to the number rule.
 */
const TIME_CUES: ReadonlySet<string> = new Set(
  ["at", "by", "around", "until", "till", "til", "before", "after", "about", "from", "since"],
);

export function matchTime(context: ItnContext, at: number): Piece[] | undefined {
  const { keys } = context;
  const hour = hourAt(keys[at]);
  if (hour === undefined) return undefined;
  const pair = parseTwoDigitPair(keys, at + 1);
  const minutes = pair && pair.value <= 59 ? pair : undefined;
  const clockEnd = minutes ? minutes.end : at + 1;
  const clock = minutes ? `${hour}:${String(minutes.value).padStart(2, "0")}` : String(hour);
  const meridiem = meridiemAt(keys, clockEnd);
  if (meridiem) {
    return [renderedPiece(clock, at, clockEnd), renderedPiece(meridiem.text, clockEnd, meridiem.end)];
  }
  // "seven o'clock": the hour becomes digits and "o'clock" passes through unchanged.
  if (!minutes && (keys[clockEnd] === "o'clock" || keys[clockEnd] === "oclock")) {
    return [renderedPiece(clock, at, clockEnd)];
  }
  if (minutes && TIME_CUES.has(keys[at - 1] ?? "")) return [renderedPiece(clock, at, clockEnd)];
  return undefined;
}

function hourAt(key: string | undefined): number | undefined {
  const word = numberWord(key);
  if (!word || word.ordinal || (word.role !== "unit" && word.role !== "teen")) return undefined;
  return word.value <= 12 ? word.value : undefined;
}

/** "am", "pm", "a.m." (key "am") or the split "a m" / "p m". */
function meridiemAt(keys: readonly string[], at: number): { text: string; end: number } | undefined {
  const key = keys[at];
  if (key === "am" || key === "pm") return { text: key.toUpperCase(), end: at + 1 };
  if ((key === "a" || key === "p") && keys[at + 1] === "m") {
    return { text: `${key.toUpperCase()}M`, end: at + 2 };
  }
  return undefined;
}
