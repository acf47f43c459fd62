// A piece is one output word: its text and the run of source words it replaces. Every stage of
// the formatter maps pieces to pieces, so timing can be recovered from `from`/`to` at the end.

export interface Piece {
  text: string;
  /** Index of the first source word this piece covers. */
  from: number;
  /** One past the last source word this piece covers. */
  to: number;
  /** The text is the source word unchanged, so word-level casing rules may touch it. */
  verbatim?: boolean;
  /** The text came from a user keyterm; no later stage may change its casing. */
  fixed?: boolean;
  /** The next piece is part of the same written form ("7:30" "PM", "123" "Main"): no mark between them. */
  joinedToNext?: boolean;
}

export function verbatimPiece(texts: readonly string[], index: number): Piece {
  return { text: texts[index] ?? "", from: index, to: index + 1, verbatim: true };
}

export function renderedPiece(text: string, from: number, to: number): Piece {
  return { text, from, to };
}

export function shiftPiece(piece: Piece, offset: number): Piece {
  return { ...piece, from: piece.from + offset, to: piece.to + offset };
}
