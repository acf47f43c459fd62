// The shape shared by the inverse text normalisation rules.

import type { Piece } from "./pieces.ts";

export interface ItnContext {
  /** Original word texts, printed when a word passes through unchanged. */
  readonly texts: readonly string[];
  /** Comparison keys of the same words (see wordKey). */
  readonly keys: readonly string[];
}

/**
 * A rule looks at word `at`. When it matches it returns pieces covering the words from `at`
 * onwards, in order and without gaps; words after the last piece are left for later rules.
 */
export type ItnRule = (context: ItnContext, at: number) => Piece[] | undefined;
