// A model's word list (words.txt, written by models/recipe/lexicon.py) for the beam search: a
// prefix that spells something no listed word starts with, or ends a word that is not listed,
// pays a penalty. A small CTC model spells rare words by sound ("altimately", "possim"); the list
// lets the search prefer the real word the audio also supports, and the penalty (not a ban) keeps
// names and new words possible.
//
// The words are kept sorted; a partial word is tracked as the range of words it starts, which
// each appended piece narrows with two binary searches.

export class LexiconFormatError extends Error {}

/** Words starting with a prefix: indices [lo, hi) into the sorted list. */
export interface WordRange {
  lo: number;
  hi: number;
}

export class Lexicon {
  private constructor(private readonly words: readonly string[]) {}

  /** One word per line, lowercase letters (of any alphabet: ml-default keeps accents) and apostrophes. */
  static parse(text: string): Lexicon {
    const words = new Set<string>();
    let line = 0;
    for (const raw of text.split("\n")) {
      line++;
      const word = raw.trim();
      if (!word) continue;
      if (!/^[\p{Ll}']+$/u.test(word)) {
        throw new LexiconFormatError(`line ${line}: "${word}" is not lowercase letters and apostrophes`);
      }
      words.add(word);
    }
    if (words.size === 0) throw new LexiconFormatError("no words");
    return new Lexicon(sortedCodeUnits(words));
  }

  get size(): number {
    return this.words.length;
  }

  /** This list plus `extra` words (a session's keyterms), as a new lexicon. */
  withWords(extra: Iterable<string>): Lexicon {
    const added = [...extra].map((w) => w.toLowerCase()).filter((w) => w && !this.has(w));
    if (added.length === 0) return this;
    return new Lexicon(sortedCodeUnits(new Set([...this.words, ...added])));
  }

  /** The range of all words: the range of the empty prefix. */
  all(): WordRange {
    return { lo: 0, hi: this.words.length };
  }

  /** Narrows `range` (the words starting with some prefix of `prefix`) to the words starting with `prefix`. */
  narrow(range: WordRange, prefix: string): WordRange {
    const lo = this.lowerBound(range.lo, range.hi, prefix);
    // "\uffff" sorts after every letter: the first word past all that start with `prefix`.
    const hi = this.lowerBound(lo, range.hi, prefix + "\uffff");
    return { lo, hi };
  }

  /** Whether `word`, whose range is `range`, is itself a listed word (it sorts first in its range). */
  isWord(range: WordRange, word: string): boolean {
    return range.lo < range.hi && this.words[range.lo] === word;
  }

  has(word: string): boolean {
    return this.isWord(this.narrow(this.all(), word), word);
  }

  private lowerBound(lo: number, hi: number, key: string): number {
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.words[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}

/** Sorted by UTF-16 code units, the order `<` compares in (localeCompare would not agree). */
function sortedCodeUnits(words: Iterable<string>): string[] {
  return [...words].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}
