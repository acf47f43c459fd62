// Spoken-language identification from a multilingual model's language-tag pieces.
//
// ml-default is trained to emit a tag piece (`<es>`, `<fr>`, …) at the end of each utterance.
// Rather than trust the one frame where a tag wins, the evidence for each tag is summed over the
// turn's frames (log-sum-exp of its log-probabilities), so a tag that never wins outright still
// counts; the turn's language is the tag with the most evidence.
import type { TokenTable } from "./tokens.ts";

const TAG = /^<([a-z]{2})>$/;

/** Token ids of the language tags in a token table, with their language codes. */
export function languageTags(table: TokenTable): Map<number, string> {
  const tags = new Map<number, string>();
  table.symbols.forEach((symbol, id) => {
    const m = TAG.exec(symbol);
    if (m) tags.set(id, m[1]);
  });
  return tags;
}

export interface LanguageGuess {
  code: string;
  /** Share of the evidence that went to code, 0-1. */
  confidence: number;
}

export class LanguageEvidence {
  private readonly ids: number[];
  private readonly codes: string[];
  private readonly scores: Float64Array;

  constructor(tags: ReadonlyMap<number, string>) {
    this.ids = [...tags.keys()];
    this.codes = [...tags.values()];
    this.scores = new Float64Array(this.ids.length).fill(-Infinity);
  }

  /** logProbs holds `frames` rows of `vocab` values starting at `offset`. */
  accept(logProbs: Float32Array, offset: number, frames: number, vocab: number): void {
    for (let t = 0; t < frames; t++) {
      const row = offset + t * vocab;
      for (let i = 0; i < this.ids.length; i++) {
        this.scores[i] = logAddExp(this.scores[i], logProbs[row + this.ids[i]]);
      }
    }
  }

  /**
   * The language heard since the last reset, among `allowed` when the session named some (its
   * confidence is then the share among them); undefined before any frame.
   */
  best(allowed: readonly string[] = []): LanguageGuess | undefined {
    const candidates = this.codes.map((_, i) => i).filter((i) =>
      !allowed.length || allowed.includes(this.codes[i])
    );
    if (!candidates.length) return undefined;
    const top = candidates.reduce((a, b) => (this.scores[b] > this.scores[a] ? b : a));
    const max = this.scores[top];
    if (!Number.isFinite(max)) return undefined;
    let total = 0;
    for (const i of candidates) total += Math.exp(this.scores[i] - max);
    return { code: this.codes[top], confidence: 1 / total };
  }

  reset(): void {
    this.scores.fill(-Infinity);
  }
}

function logAddExp(a: number, b: number): number {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
