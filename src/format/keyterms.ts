// User keyterms: wherever the words spell a keyterm (ignoring case, spaces and punctuation), the
// keyterm's own spelling replaces them and is marked fixed so no later casing rule touches it.
// "assemblyai" and "assembly ai" both become "AssemblyAI"; "iphone" becomes "iPhone".

import type { Piece } from "./pieces.ts";
import { compactForm } from "./word_keys.ts";

/** Longest run of pieces one keyterm may absorb; bounds the work per word. */
const MAX_PIECES_PER_KEYTERM = 6;

interface Keyterm {
  text: string;
  compact: string;
  /** The keyterm's own words with their compact forms, for word-by-word recasing. */
  words: { text: string; compact: string }[];
}

export function applyKeyterms(pieces: readonly Piece[], keyterms: readonly string[]): Piece[] {
  const prepared = prepareKeyterms(keyterms);
  if (prepared.length === 0) return [...pieces];
  const result: Piece[] = [];
  let at = 0;
  while (at < pieces.length) {
    const match = pieces[at].fixed ? undefined : longestKeytermAt(pieces, at, prepared);
    if (match) {
      result.push(...replaceWithKeyterm(pieces.slice(at, at + match.count), match.keyterm));
      at += match.count;
    } else {
      result.push(pieces[at]);
      at++;
    }
  }
  return result;
}

function prepareKeyterms(keyterms: readonly string[]): Keyterm[] {
  const seen = new Set<string>();
  const prepared: Keyterm[] = [];
  for (const raw of keyterms) {
    if (typeof raw !== "string") continue;
    const text = raw.trim().replace(/\s+/g, " ");
    const compact = compactForm(text);
    if (compact === "" || seen.has(compact)) continue;
    seen.add(compact);
    const words = text.split(" ").map((word) => ({ text: word, compact: compactForm(word) }));
    prepared.push({ text, compact, words });
  }
  // Longer keyterms first so "New York City" wins over "New York".
  return prepared.sort((a, b) => b.compact.length - a.compact.length);
}

function longestKeytermAt(
  pieces: readonly Piece[],
  at: number,
  keyterms: readonly Keyterm[],
): { keyterm: Keyterm; count: number } | undefined {
  for (const keyterm of keyterms) {
    let joined = "";
    for (let count = 1; count <= MAX_PIECES_PER_KEYTERM && at + count <= pieces.length; count++) {
      const piece = pieces[at + count - 1];
      if (piece.fixed) break;
      joined += compactForm(piece.text);
      if (joined === keyterm.compact) return { keyterm, count };
      if (!keyterm.compact.startsWith(joined)) break;
    }
  }
  return undefined;
}

/** One piece per keyterm word when they line up; otherwise one merged piece. */
function replaceWithKeyterm(matched: readonly Piece[], keyterm: Keyterm): Piece[] {
  const linesUp = matched.length === keyterm.words.length &&
    matched.every((piece, i) => compactForm(piece.text) === keyterm.words[i].compact);
  if (linesUp) {
    return matched.map((piece, i) => ({
      text: keyterm.words[i].text,
      from: piece.from,
      to: piece.to,
      fixed: true,
    }));
  }
  return [{ text: keyterm.text, from: matched[0].from, to: matched[matched.length - 1].to, fixed: true }];
}
