// A beam-search prefix: its tokens as a persistent list shared between prefixes, its scores and
// the states of what scores it (keyterm graph, LM, word list); and the list operations the
// search needs.
import type { PieceLm } from "./lm.ts";
import type { WordState } from "./word_scorer.ts";

/** An emitted token in a persistent list: prefixes sharing a history share its nodes. */
export interface TokenNode {
  readonly id: number;
  readonly frame: number;
  readonly lastFrame: number;
  readonly prob: number;
  readonly parent: TokenNode | null;
}

/** A prefix of the beam or a candidate for the next frame; pooled and reused so frames allocate little. */
export class Hypothesis {
  /** Last token of the prefix; its lastFrame is kept in `lastFrame` until a child freezes it. */
  tail: TokenNode | null = null;
  lastFrame = -1;
  /** Id of the last emitted symbol, kept across reset so a token spoken over a turn end is not repeated. */
  last = -1;
  length = 0;
  hash = 0;
  graphState = 0;
  lmState = 0;
  /** LM cost (weighted, <= 0) the current keyterm match was spared, charged only if it breaks off. */
  lmOwed = 0;
  /** The last word against the word list (null without one). */
  words: WordState | null = null;
  /** Log-probabilities of the prefix ending in blank / in its last token, context boosts included. */
  logBlank = -Infinity;
  logNonBlank = -Infinity;
  /** A candidate extends `tail` by this piece (>= 0); the node is only made if the candidate survives. */
  pendingId = -1;
  pendingFrame = 0;
  pendingProb = 0;

  get logTotal(): number {
    return logAdd(this.logBlank, this.logNonBlank);
  }

  /** Turns a surviving extension into a token node (and steps its LM state: survivors only). */
  materialize(lm?: PieceLm): void {
    if (this.pendingId < 0) return;
    if (lm) this.lmState = lm.next(this.lmState, this.pendingId);
    this.tail = tokenNode(this, this.pendingId, this.pendingFrame, this.pendingProb);
    this.lastFrame = this.pendingFrame;
    this.pendingId = -1;
  }
}

/** The node of a token emitted at `frame` after the prefix `from`. */
export function tokenNode(from: Hypothesis, id: number, frame: number, prob: number): TokenNode {
  // Other prefixes may share the parent node, so its final lastFrame goes into a copy.
  const parent = from.tail && from.tail.lastFrame !== from.lastFrame
    ? { ...from.tail, lastFrame: from.lastFrame }
    : from.tail;
  return { id, frame, lastFrame: frame, prob, parent };
}

export function logAdd(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}

/** Hash of a prefix extended by a piece; equal hashes are confirmed by comparing the lists. */
export function extendHash(hash: number, piece: number): number {
  let x = Math.imul(hash ^ (piece + 0x9e3779b9), 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  return x ^ (x >>> 16);
}

export function sameTokens(a: TokenNode | null, b: TokenNode | null): boolean {
  while (a !== b) {
    if (!a || !b || a.id !== b.id) return false;
    a = a.parent;
    b = b.parent;
  }
  return true;
}

/** Length of the prefix two hypotheses share. */
export function sharedLength(a: Hypothesis, b: Hypothesis): number {
  const n = Math.min(a.length, b.length);
  let x = a.tail;
  let y = b.tail;
  for (let k = a.length; k > n; k--) x = x!.parent;
  for (let k = b.length; k > n; k--) y = y!.parent;
  let shared = n;
  // Walking back together, the earliest position whose pieces differ bounds the shared prefix;
  // nodes that are the same object carry the same history.
  for (let i = n; x !== y && x && y; i--, x = x.parent, y = y.parent) {
    if (x.id !== y.id) shared = i - 1;
  }
  return shared;
}
