// Scores the words a beam-search prefix spells against a model's word list (lexicon.ts): a word
// that leaves every listed word's prefixes, or ends unlisted, costs the penalty once. States are
// immutable, so prefixes that share a history share them.
import { normalizeKeyterm } from "./keyterms.ts";
import type { Lexicon, WordRange } from "./lexicon.ts";
import { isSpecialPiece, type TokenTable, WORD_START } from "./tokens.ts";

export interface WordState {
  /** The word being spelled and the listed words it starts. */
  readonly word: string;
  readonly range: WordRange;
  /** Whether this word was already charged as unlisted. */
  readonly charged: boolean;
  /** Penalty (log units) the step into this state charged. */
  readonly cost: number;
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
    return { word: "", range: this.lexicon.all(), charged: false, cost: 0 };
  }

  /** A session's keyterms count as listed words; true if the list changed (relocate live states). */
  setKeyterms(terms: readonly string[]): boolean {
    const lexicon = this.base.withWords(terms.flatMap(normalizeKeyterm));
    const changed = lexicon !== this.lexicon;
    this.lexicon = lexicon;
    return changed;
  }

  /** The same word looked up in the current list (ranges index the list they were made in). */
  relocate(state: WordState): WordState {
    return { ...state, range: this.lexicon.narrow(this.lexicon.all(), state.word) };
  }

  /** The state after `piece`; its `cost` is what the piece charged (a finished or an impossible word). */
  step(state: WordState, piece: number): WordState {
    const kind = this.kind[piece];
    if (kind < 0) return state.cost === 0 ? state : { ...state, cost: 0 };
    let cost = 0;
    let word: string;
    let range: WordRange;
    let charged = state.charged;
    if (kind === 1) {
      // A new word: the one before it is finished.
      cost = this.endingCost(state);
      word = this.letters[piece];
      range = this.lexicon.narrow(this.lexicon.all(), word);
      charged = false;
    } else {
      word = state.word + this.letters[piece];
      range = charged ? state.range : this.lexicon.narrow(state.range, word);
    }
    if (!charged && range.lo === range.hi) {
      cost += this.penalty;
      charged = true;
    }
    return { word, range, charged, cost };
  }

  /** The penalty still due if the state's word ended here: spelled, not listed, not yet charged. */
  endingCost(state: WordState): number {
    if (state.charged || state.word === "") return 0;
    return this.lexicon.isWord(state.range, state.word) ? 0 : this.penalty;
  }
}
