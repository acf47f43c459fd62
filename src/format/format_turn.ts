// Formats a finished turn (format_turns=true, and always on the pro route): casing, terminal
// punctuation and inverse text normalisation, with word timings carried through. The rules and
// the choices behind them are listed in ./README.md.

import { applyCasing } from "./casing.ts";
import { inverseNormalize } from "./itn.ts";
import { applyKeyterms } from "./keyterms.ts";
import { type Piece, shiftPiece, verbatimPiece } from "./pieces.ts";
import { punctuateWithModel } from "./learned_punctuation.ts";
import { addTerminalPunctuation, isQuestion } from "./punctuation.ts";
import type { PunctuationModel } from "./punctuation_model.ts";
import { wordKey } from "./word_keys.ts";

export interface TimedWord {
  text: string;
  /** ms from stream start */
  start: number;
  /** ms from stream start */
  end: number;
  confidence: number;
}

export interface FormatOptions {
  /** Spellings that win over every casing rule, e.g. "AssemblyAI", "iPhone". */
  keyterms?: readonly string[];
  /** Learned casing and punctuation for English turns; without it, the rules alone. */
  punctuation?: PunctuationModel;
}

export interface FormattedTurn {
  transcript: string;
  words: TimedWord[];
}

/**
 * The formatted transcript and words. A word made from several spoken words ("twenty" "three" →
 * "23") spans the first one's start to the last one's end with the lowest confidence among them;
 * punctuation is part of the word text ("table."). Never throws.
 */
export function formatWords(words: readonly TimedWord[], opts: FormatOptions = {}): FormattedTurn {
  const usable = usableWords(words);
  if (usable.length === 0) return { transcript: "", words: [] };
  try {
    const keyterms = Array.isArray(opts?.keyterms) ? opts.keyterms : [];
    return toTurn(formatPieces(usable.map((word) => word.text), keyterms, opts?.punctuation), usable);
  } catch {
    // A formatting bug must not cost the client its turn: send the words as spoken instead.
    return toTurn(usable.map((_, i) => verbatimPiece(usable.map((word) => word.text), i)), usable);
  }
}

function formatPieces(
  texts: readonly string[],
  keyterms: readonly string[],
  punctuation: PunctuationModel | undefined,
): Piece[] {
  // Keyterms go first so ITN cannot rewrite a word inside one, and again after ITN so keyterms
  // written with digits ("Windows 11") can match the rendered numbers.
  const spoken = applyKeyterms(texts.map((_, i) => verbatimPiece(texts, i)), keyterms);
  const normalized = applyKeyterms(normalizeOutsideKeyterms(spoken, texts), keyterms);
  if (punctuation) return punctuateWithModel(normalized, punctuation);
  return addTerminalPunctuation(applyCasing(normalized), isQuestion(texts.map(wordKey)));
}

/** Runs ITN over each stretch of words that no keyterm claimed. */
function normalizeOutsideKeyterms(pieces: readonly Piece[], texts: readonly string[]): Piece[] {
  const result: Piece[] = [];
  let at = 0;
  while (at < pieces.length) {
    if (pieces[at].fixed) {
      result.push(pieces[at++]);
      continue;
    }
    const runStart = at;
    while (at < pieces.length && !pieces[at].fixed) at++;
    const from = pieces[runStart].from;
    const to = pieces[at - 1].to;
    result.push(...inverseNormalize(texts.slice(from, to)).map((piece) => shiftPiece(piece, from)));
  }
  return result;
}

function toTurn(pieces: readonly Piece[], words: readonly TimedWord[]): FormattedTurn {
  const timed = pieces.map((piece) => timedWord(piece, words));
  return { transcript: timed.map((word) => word.text).join(" "), words: timed };
}

function timedWord(piece: Piece, words: readonly TimedWord[]): TimedWord {
  const covered = words.slice(piece.from, piece.to);
  return {
    text: piece.text,
    start: covered[0].start,
    end: covered[covered.length - 1].end,
    confidence: Math.min(...covered.map((word) => word.confidence)),
  };
}

/** Drops entries with no text (or no object at all) and trims the rest; keeps only the four fields. */
function usableWords(words: readonly TimedWord[]): TimedWord[] {
  if (!Array.isArray(words)) return [];
  return words
    .filter((word) => typeof word?.text === "string" && word.text.trim() !== "")
    .map((word) => ({
      text: word.text.trim(),
      start: word.start,
      end: word.end,
      confidence: word.confidence,
    }));
}
