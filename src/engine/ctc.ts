// Streaming CTC decoding: the decoder interface and greedy search.
import type { Token } from "./tokens.ts";

/** A stream's best hypothesis as its pipeline reads it, whatever decodes it (CTC or transducer search). */
export interface TokenDecoder {
  /** Tokens of the best hypothesis since the last reset. */
  tokens(): readonly Token[];
  /**
   * How many leading tokens of tokens() no later audio can change (a beam search may still switch
   * to another prefix; every prefix it can switch to shares these).
   */
  stableTokens(): number;
  /** Forgets the tokens so far (a turn ended); the next token starts a new word. */
  reset(): void;
  /** Replaces the boosted keyterms (no-op for decoders without boosting). */
  setKeyterms(terms: readonly string[]): void;
}

/** Consumes a stream's log-probabilities chunk by chunk and keeps the best hypothesis. */
export interface CtcDecoder extends TokenDecoder {
  /** logProbs holds `frames` rows of `vocab` values starting at `offset`; firstFrame is the stream frame index. */
  accept(logProbs: Float32Array, offset: number, frames: number, vocab: number, firstFrame: number): void;
}

export function isCtcDecoder(decoder: TokenDecoder): decoder is CtcDecoder {
  return typeof (decoder as Partial<CtcDecoder>).accept === "function";
}

export class GreedyCtcDecoder implements CtcDecoder {
  private out: Token[] = [];
  private prev: number;

  constructor(private blank: number) {
    this.prev = blank;
  }

  accept(logProbs: Float32Array, offset: number, frames: number, vocab: number, firstFrame: number): void {
    for (let t = 0; t < frames; t++) {
      const row = offset + t * vocab;
      let best = 0;
      let bestLp = logProbs[row];
      for (let v = 1; v < vocab; v++) {
        if (logProbs[row + v] > bestLp) {
          bestLp = logProbs[row + v];
          best = v;
        }
      }
      const frame = firstFrame + t;
      if (best !== this.blank) {
        if (best !== this.prev) this.out.push({ id: best, frame, lastFrame: frame, prob: Math.exp(bestLp) });
        // A token still running when the turn was reset belongs to the turn it started in.
        else if (this.out.length) this.out[this.out.length - 1].lastFrame = frame;
      }
      this.prev = best;
    }
  }

  tokens(): readonly Token[] {
    return this.out;
  }

  stableTokens(): number {
    return this.out.length;
  }

  reset(): void {
    this.out = [];
  }

  setKeyterms(): void {}
}
