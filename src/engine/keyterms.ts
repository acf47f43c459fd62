// Keyterm boosting: keyterm strings to word-piece ids, and the context graph that scores them.
import { isSpecialPiece, type TokenTable, WORD_START } from "./tokens.ts";

/** Lowercases and keeps only letters (accents too), apostrophes and spaces; returns the words. */
export function normalizeKeyterm(term: string): string[] {
  return term.normalize("NFC").toLowerCase().replace(/\s+/g, " ").replace(/[^\p{Ll}' ]/gu, "").split(" ")
    .filter((word) => word);
}

/** The word with its accents stripped: how a model without accented pieces spells it ("café" -> "cafe"). */
export function foldAccents(word: string): string {
  return word.normalize("NFD").replace(/\p{M}/gu, "");
}

/** A keyterm's words as the model may spell them: as written and, where that differs, accents stripped. */
export function keytermWords(terms: readonly string[]): string[] {
  return terms.flatMap(normalizeKeyterm).flatMap((word) => {
    const folded = foldAccents(word);
    return folded === word ? [word] : [word, folded];
  });
}

/** Pieces a keyterm may be spelled with: every symbol except <unk>, <blk> and other <...> specials. */
export interface PieceIndex {
  ids: ReadonlyMap<string, number>;
  maxLength: number;
}

// Decoders for many streams share one table; build its index once.
const indexCache = new WeakMap<TokenTable, PieceIndex>();

export function pieceIndex(table: TokenTable): PieceIndex {
  let index = indexCache.get(table);
  if (index) return index;
  const ids = new Map<string, number>();
  let maxLength = 0;
  table.symbols.forEach((symbol, id) => {
    if (id === 0 || id === table.blank || isSpecialPiece(symbol) || ids.has(symbol)) return;
    ids.set(symbol, id);
    maxLength = Math.max(maxLength, symbol.length);
  });
  index = { ids, maxLength };
  indexCache.set(table, index);
  return index;
}

/** Splits "▁"+word into the fewest pieces (ties: longer first piece); undefined when impossible. */
export function segmentWord(word: string, index: PieceIndex): number[] | undefined {
  const text = WORD_START + word;
  const n = text.length;
  // fewest[i]: fewest pieces spelling text[i..]; pieceLength[i]: length of the first of them.
  const fewest = new Array<number>(n + 1).fill(Infinity);
  const pieceLength = new Array<number>(n + 1).fill(0);
  fewest[n] = 0;
  for (let i = n - 1; i >= 0; i--) {
    for (let length = Math.min(index.maxLength, n - i); length >= 1; length--) {
      if (fewest[i + length] + 1 >= fewest[i] || !index.ids.has(text.slice(i, i + length))) continue;
      fewest[i] = fewest[i + length] + 1;
      pieceLength[i] = length;
    }
  }
  if (fewest[0] === Infinity) return undefined;
  const pieces: number[] = [];
  for (let i = 0; i < n; i += pieceLength[i]) pieces.push(index.ids.get(text.slice(i, i + pieceLength[i]))!);
  return pieces;
}

/** Piece-id sequences of the keyterms; terms that are empty or cannot be spelled are skipped, duplicates dropped. */
export function keytermsToPieces(terms: readonly string[], table: TokenTable): number[][] {
  const index = pieceIndex(table);
  const seen = new Set<string>();
  const result: number[][] = [];
  for (const term of terms) {
    const words = normalizeKeyterm(term);
    const pieces: number[] = [];
    let spelled = words.length > 0;
    for (const word of words) {
      // A model without accented pieces (en-default) spells "café" as "cafe".
      const wordPieces = segmentWord(word, index) ?? segmentWord(foldAccents(word), index);
      if (!wordPieces) {
        spelled = false;
        break;
      }
      pieces.push(...wordPieces);
    }
    const key = pieces.join(",");
    if (!spelled || seen.has(key)) continue;
    seen.add(key);
    result.push(pieces);
  }
  return result;
}

export interface ContextStep {
  state: number;
  bonus: number;
}

const STAY_AT_ROOT: ContextStep = Object.freeze({ state: 0, bonus: 0 });

/**
 * Aho-Corasick trie over keyterm piece sequences (contextual biasing as in icefall / sherpa-onnx).
 * Every matched piece earns `bonusPerPiece`. A node's `unconfirmed` bonus is what it earned since the
 * last completed term on its path: it is taken back when the match breaks, while completed terms keep theirs.
 * So a hypothesis' total boost is always (confirmed bonus) + unconfirmed(state).
 */
export class ContextGraph {
  readonly root = 0;
  private readonly next: Map<number, number>[] = [new Map()];
  private readonly parent: number[] = [0];
  private readonly fail: number[] = [0];
  private readonly isEnd: boolean[] = [false];
  private readonly unconfirmed: number[] = [0];

  constructor(terms: readonly (readonly number[])[], readonly bonusPerPiece = 1.5) {
    for (const term of terms) this.insert(term);
    this.link();
  }

  /** Number of nodes, root included. */
  get size(): number {
    return this.next.length;
  }

  /** Moves along `pieceId`; the bonus is the change of the hypothesis' boost (negative when a match breaks). */
  step(state: number, pieceId: number): ContextStep {
    let node = state;
    let target = this.next[node].get(pieceId);
    // On a mismatch, fall back to the longest suffix that is still a prefix of some term.
    while (target === undefined && node !== this.root) {
      node = this.fail[node];
      target = this.next[node].get(pieceId);
    }
    if (target === undefined) {
      return state === this.root ? STAY_AT_ROOT : { state: this.root, bonus: 0 - this.unconfirmed[state] };
    }
    // The new match earns its parent's unconfirmed bonus plus this piece; the old one is taken back.
    const earned = this.unconfirmed[this.parent[target]] + this.bonusPerPiece;
    return { state: target, bonus: earned - this.unconfirmed[state] };
  }

  /** The pieces that continue a match from `state` (a term's next piece, or any term's first). */
  *expected(state: number): Iterable<number> {
    yield* this.next[state].keys();
    if (state !== this.root) yield* this.next[this.root].keys();
  }

  /** Score correction (≤ 0) to add when a hypothesis ends in `state`: takes back an unfinished match. */
  finalize(state: number): number {
    return 0 - this.unconfirmed[state]; // never -0
  }

  private insert(term: readonly number[]): void {
    if (term.length === 0) return;
    let node = this.root;
    for (const piece of term) {
      let child = this.next[node].get(piece);
      if (child === undefined) {
        child = this.next.length;
        this.next.push(new Map());
        this.parent.push(node);
        this.fail.push(this.root);
        this.isEnd.push(false);
        this.unconfirmed.push(0);
        this.next[node].set(piece, child);
      }
      node = child;
    }
    this.isEnd[node] = true;
  }

  /** Breadth-first: fail links and unconfirmed bonuses (parents are done before children). */
  private link(): void {
    const queue: number[] = [this.root];
    for (let head = 0; head < queue.length; head++) {
      const node = queue[head];
      for (const [piece, child] of this.next[node]) {
        this.unconfirmed[child] = this.isEnd[child] ? 0 : this.unconfirmed[node] + this.bonusPerPiece;
        if (node !== this.root) {
          let fallback = this.fail[node];
          while (fallback !== this.root && !this.next[fallback].has(piece)) fallback = this.fail[fallback];
          this.fail[child] = this.next[fallback].get(piece) ?? this.root;
        }
        queue.push(child);
      }
    }
  }
}
