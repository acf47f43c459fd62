// Scores the words a beam-search prefix spells against a model's word list (lexicon.ts): a word
// that leaves every listed word's prefixes, or ends unlisted, costs the penalty once. States are
// immutable, so prefixes that share a history share them.
//
// Elision: once a word's spelling so far is a listed word ending in an apostrophe (French and
// Italian "l'", "qu'", "dell'"), the rest may also be a listed word of its own ("l'interno" is
// listed if "l'" and "interno" are), so a list need not hold every elided pair.
import { keytermWords } from "./keyterms.ts";
import type { Lexicon, WordRange } from "./lexicon.ts";
import { isSpecialPiece, type TokenTable, WORD_START } from "./tokens.ts";

export interface WordState {
  /** The word being spelled and the listed words it starts. */
  readonly word: string;
  readonly range: WordRange;
  /** The word after an elided prefix: where it starts in `word`, and the listed words it starts. */
  readonly tail: Tail | null;
  /** Whether this word was already charged as unlisted. */
  readonly charged: boolean;
  /** Penalty (log units) the step into this state charged. */
  readonly cost: number;
}

export interface Tail {
  readonly from: number;
  readonly range: WordRange;
}

export class WordScorer {
  private lexicon: Lexicon;
  /** Each piece's letters without the word-start mark. */
  private readonly letters: string[];
  /** 1: starts a word, 0: continues one, -1: a special (no letters). */
  private readonly kind: Int8Array;

  constructor(table: TokenTable, private readonly base: Lexicon, readonly penalty: number) {
    this.lexicon = base;
    this.letters = table.symbols.map((s) => (s.startsWith(WORD_START) ? s.slice(1) : s));
    this.kind = Int8Array.from(
      table.symbols,
      (s, id) => (id === table.blank || isSpecialPiece(s) ? -1 : s.startsWith(WORD_START) ? 1 : 0),
    );
  }

  /** The state at the start of a turn. */
  start(): WordState {
    return { word: "", range: this.lexicon.all(), tail: null, charged: false, cost: 0 };
  }

  /** A session's keyterms count as listed words; true if the list changed (relocate live states). */
  setKeyterms(terms: readonly string[]): boolean {
    const lexicon = this.base.withWords(keytermWords(terms));
    const changed = lexicon !== this.lexicon;
    this.lexicon = lexicon;
    return changed;
  }

  /** The same word looked up in the current list (ranges index the list they were made in). */
  relocate(state: WordState): WordState {
    const all = this.lexicon.all();
    const tail = state.tail && this.tailFrom(all, state.word, state.tail.from);
    return { ...state, range: this.lexicon.narrow(all, state.word), tail };
  }

  /** The state after `piece`; its `cost` is what the piece charged (a finished or an impossible word). */
  step(state: WordState, piece: number): WordState {
    const kind = this.kind[piece];
    if (kind < 0) return state.cost === 0 ? state : { ...state, cost: 0 };
    if (kind === 1) {
      // A new word: the one before it is finished.
      const word = this.letters[piece];
      return this.spelled(word, this.lexicon.all(), null, 0, this.endingCost(state));
    }
    const word = state.word + this.letters[piece];
    if (state.charged) return { ...state, word, cost: 0 };
    const tail = state.tail && this.tailFrom(state.tail.range, word, state.tail.from);
    return this.spelled(word, state.range, tail, word.length - this.letters[piece].length, 0);
  }

  /** The penalty still due if the state's word ended here: spelled, not listed, not yet charged. */
  endingCost(state: WordState): number {
    const { word, tail } = state;
    if (state.charged || word === "" || this.lexicon.isWord(state.range, word)) return 0;
    const listedTail = tail !== null && tail.from < word.length &&
      this.lexicon.isWord(tail.range, word.slice(tail.from));
    return listedTail ? 0 : this.penalty;
  }

  /**
   * The state for `word` (not yet charged), whose letters from `added` on are new: its range narrowed
   * from `range`, a tail begun at a new elision, and the penalty once neither is a listed word's start.
   */
  private spelled(word: string, range: WordRange, tail: Tail | null, added: number, cost: number): WordState {
    const narrowed = this.lexicon.narrow(range, word);
    const at = word.lastIndexOf("'");
    if (at >= added && this.lexicon.has(word.slice(0, at + 1))) {
      tail = this.tailFrom(this.lexicon.all(), word, at + 1);
    }
    const dead = narrowed.lo === narrowed.hi && (!tail || tail.range.lo === tail.range.hi);
    return { word, range: narrowed, tail, charged: dead, cost: dead ? cost + this.penalty : cost };
  }

  /** The tail of `word` from `from` on, its range narrowed from `range`. */
  private tailFrom(range: WordRange, word: string, from: number): Tail {
    return { from, range: this.lexicon.narrow(range, word.slice(from)) };
  }
}
