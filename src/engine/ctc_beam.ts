// Streaming CTC prefix beam search with keyterm boosting through a context graph.
import type { CtcDecoder } from "./ctc.ts";
import { ContextGraph, keytermsToPieces } from "./keyterms.ts";
import type { Lexicon } from "./lexicon.ts";
import type { PieceLm } from "./lm.ts";
import type { Token, TokenTable } from "./tokens.ts";
import { WordScorer } from "./word_scorer.ts";
import {
  extendHash,
  Hypothesis,
  logAdd,
  sameTokens,
  sharedLength,
  type TokenNode,
  tokenNode,
} from "./beam_prefix.ts";

export interface BeamCtcOptions {
  /** Prefixes kept per frame (default 8; the server's choice is decoders.ts's DEFAULT_BEAM). */
  beam?: number;
  /** Boost per matched keyterm piece, in log-probability units (default 1.5). */
  bonusPerPiece?: number;
  keyterms?: readonly string[];
  /** Pieces more than this far (log units) below the frame's best symbol are not tried (default 8). */
  pruneLogProb?: number;
  /** Prefixes more than this far (log units) behind the best are dropped from the beam (default 6). */
  beamThreshold?: number;
  /**
   * Settling: the tokens that every prefix within this margin (log units) of the best shares are
   * settled, and prefixes that disagree with them are dropped (default: no margin; every live prefix
   * must agree). A wide beam keeps far-behind prefixes alive for long; they rarely win, but while
   * they live no word before them can be shown as final.
   */
  settleMargin?: number;
  /**
   * While keyterms are set, log-probabilities are divided by this (default 2): a CTC model's
   * posteriors are so peaky that a rare word's pieces sit 10-20 log units down, out of reach of
   * any sane bonus; flattened, the bonus can lift a keyterm that the audio supports.
   */
  keytermTemperature?: number;
  /** A piece n-gram model fused into every extension: weight * log P_lm(piece) + bonus. */
  lm?: LmFusion;
  /** A word list: spelling outside it costs `penalty` once per word. */
  lexicon?: LexiconScoring;
}

export interface LexiconScoring {
  lexicon: Lexicon;
  /** Log units charged once per word, when it leaves every listed word's prefixes or ends unlisted. */
  penalty: number;
}

export interface LmFusion {
  model: PieceLm;
  /** Scale of the LM's log-probability against the acoustic one. */
  weight: number;
  /** Added per emitted piece, so that the LM's cost does not favour dropping words. */
  bonus: number;
  /**
   * Score a turn's first words as a sentence's first words (the LM's turn-start context); else in
   * its empty context. A turn is often not a sentence's start (a pause split it, or it is a one-word
   * answer): for en-default the sentence-start prior pulled "zero" to "the" and put an "a" before
   * first words, and its manifest turns this off (model.json lm.sentence_start, picked on dev).
   */
  sentenceStart?: boolean;
}

export class BeamCtcDecoder implements CtcDecoder {
  private readonly beamWidth: number;
  private readonly bonusPerPiece: number;
  private readonly pruneLogProb: number;
  private readonly beamThreshold: number;
  private readonly settleMargin: number;
  private readonly keytermTemperature: number;
  /** 1, or 1/keytermTemperature while keyterms are set. */
  private scale = 1;
  /** Whether a frame of this turn had a piece more likely than blank (greedy decoding would show words). */
  private pieceWon = false;
  private graph: ContextGraph | null = null;
  private readonly lm: LmFusion | undefined;
  private readonly words: WordScorer | undefined;
  /** beam[0..beamSize) are the live prefixes; candidates is scratch space for the next frame. */
  private beam: Hypothesis[];
  private beamSize = 1;
  private candidates: Hypothesis[];
  private readonly chosen: Int32Array;
  private readonly topIds: Int32Array;
  private readonly topLogProbs: Float64Array;
  private cachedTail: TokenNode | null = null;
  private cachedLastFrame = -1;
  private cachedTokens: Token[] = [];

  constructor(private readonly table: TokenTable, options: BeamCtcOptions = {}) {
    this.beamWidth = Math.max(1, Math.floor(options.beam ?? 8));
    this.bonusPerPiece = options.bonusPerPiece ?? 1.5;
    this.pruneLogProb = options.pruneLogProb ?? 8;
    this.beamThreshold = options.beamThreshold ?? 6;
    this.settleMargin = options.settleMargin ?? Infinity;
    this.keytermTemperature = options.keytermTemperature ?? 2;
    const topK = this.beamWidth + 2;
    this.beam = Array.from({ length: this.beamWidth }, () => new Hypothesis());
    this.candidates = Array.from({ length: this.beamWidth * (topK + 1) }, () => new Hypothesis());
    this.chosen = new Int32Array(this.beamWidth);
    this.topIds = new Int32Array(topK);
    this.topLogProbs = new Float64Array(topK);
    this.lm = options.lm;
    this.words = options.lexicon && new WordScorer(table, options.lexicon.lexicon, options.lexicon.penalty);
    this.beam[0].words = this.words?.start() ?? null;
    this.beam[0].logBlank = 0;
    this.beam[0].lmState = this.lmTurnStart();
    this.setKeyterms(options.keyterms ?? []);
  }

  accept(logProbs: Float32Array, offset: number, frames: number, vocab: number, firstFrame: number): void {
    for (let t = 0; t < frames; t++) this.step(logProbs, offset + t * vocab, vocab, firstFrame + t);
  }

  tokens(): readonly Token[] {
    const best = this.bestForOutput();
    if (best.tail !== this.cachedTail || best.lastFrame !== this.cachedLastFrame) {
      const out: Token[] = [];
      let lastFrame = best.lastFrame;
      for (let node = best.tail; node; node = node.parent) {
        out.push({ id: node.id, frame: node.frame, lastFrame, prob: node.prob });
        lastFrame = node.parent?.lastFrame ?? -1;
      }
      this.cachedTokens = out.reverse();
      this.cachedTail = best.tail;
      this.cachedLastFrame = best.lastFrame;
    }
    return this.cachedTokens;
  }

  stableTokens(): number {
    // Every future prefix extends one of the live ones, so what they all share is settled.
    const best = this.bestForOutput();
    const floor = best.logTotal - this.settleMargin;
    let shared = best.length;
    for (let i = 0; i < this.beamSize; i++) {
      if (this.beam[i].logTotal >= floor) shared = Math.min(shared, sharedLength(best, this.beam[i]));
    }
    // Prefixes behind the margin that disagree are dropped, so that what is settled stays settled.
    let kept = 0;
    for (let i = 0; i < this.beamSize; i++) {
      const hypothesis = this.beam[i];
      if (hypothesis.logTotal < floor && sharedLength(best, hypothesis) < shared) continue;
      this.beam[i] = this.beam[kept];
      this.beam[kept++] = hypothesis;
    }
    this.beamSize = kept;
    return shared;
  }

  reset(): void {
    const best = this.bestForOutput();
    const total = best.logTotal;
    const kept = this.beam[0];
    // Keep whether the turn ended inside a token (and which), so the next frames continue it.
    kept.last = best.last;
    kept.logBlank = best.logBlank - total;
    kept.logNonBlank = best.logNonBlank - total;
    kept.tail = null;
    kept.lastFrame = -1;
    kept.length = 0;
    kept.hash = 0;
    kept.graphState = this.graph?.root ?? 0;
    kept.lmState = this.lmTurnStart();
    kept.lmOwed = 0;
    kept.words = this.words?.start() ?? null;
    this.beamSize = 1;
    this.pieceWon = false;
  }

  setKeyterms(terms: readonly string[]): void {
    const pieces = keytermsToPieces(terms, this.table);
    this.graph = pieces.length > 0 ? new ContextGraph(pieces, this.bonusPerPiece) : null;
    this.scale = this.graph ? 1 / this.keytermTemperature : 1;
    // Old node ids mean nothing in the new graph; boosts already earned stay in the scores.
    for (const hypothesis of this.beam) hypothesis.graphState = this.graph?.root ?? 0;
    // Keyterms are words the session expects: never charged as unlisted.
    if (this.words?.setKeyterms(terms)) {
      for (let i = 0; i < this.beamSize; i++) this.beam[i].words = this.words.relocate(this.beam[i].words!);
    }
  }

  /** The LM state a turn starts in: the empty context, or the sentence-start one if asked. */
  private lmTurnStart(): number {
    return this.lm?.sentenceStart ? this.lm.model.start : 0;
  }

  /** The prefix to report: best score once unfinished keyterm matches are taken back. */
  private bestForOutput(): Hypothesis {
    let best = this.beam[0];
    let bestScore = -Infinity;
    for (let i = 0; i < this.beamSize; i++) {
      const hypothesis = this.beam[i];
      // The LM and word list choose between words; whether anything was said is the audio's call.
      if (this.pieceWon && hypothesis.length === 0) continue;
      const score = hypothesis.logTotal + (this.graph?.finalize(hypothesis.graphState) ?? 0) +
        hypothesis.lmOwed - this.unlistedEnding(hypothesis);
      if (score > bestScore) {
        bestScore = score;
        best = hypothesis;
      }
    }
    return best;
  }

  private step(logProbs: Float32Array, row: number, vocab: number, frame: number): void {
    const blank = this.table.blank;
    const scale = this.scale;
    const logBlankProb = logProbs[row + blank] * scale;
    const topCount = this.selectTopPieces(logProbs, row, vocab, logProbs[row + blank]);
    if (topCount > 0 && this.topLogProbs[0] > logProbs[row + blank]) this.pieceWon = true;
    let count = 0;

    // Staying on the same prefix: a blank, or a repeat of its last token (CTC merges repeats).
    for (let i = 0; i < this.beamSize; i++) {
      const from = this.beam[i];
      const to = this.candidates[count++];
      const viaBlank = from.logTotal + logBlankProb;
      const viaRepeat = from.last >= 0 ? from.logNonBlank + logProbs[row + from.last] * scale : -Infinity;
      to.tail = from.tail;
      to.lastFrame = from.tail && viaRepeat > viaBlank ? frame : from.lastFrame;
      to.last = from.last;
      to.length = from.length;
      to.hash = from.hash;
      to.graphState = from.graphState;
      to.lmState = from.lmState;
      to.lmOwed = from.lmOwed;
      to.words = from.words;
      to.logBlank = viaBlank;
      to.logNonBlank = viaRepeat;
      to.pendingId = -1;
    }
    const stayCount = count;

    // Extending a prefix by a piece; a repeat of the last token needs a blank in between.
    const tried = this.topIds.subarray(0, topCount);
    for (let i = 0; i < this.beamSize; i++) {
      const from = this.beam[i];
      for (let k = 0; k < topCount; k++) {
        count = this.extend(from, this.topIds[k], this.topLogProbs[k], frame, stayCount, count);
      }
      // Pieces that continue a keyterm are tried even outside the frame's best few.
      if (!this.graph) continue;
      for (const piece of this.graph.expected(from.graphState)) {
        if (!tried.includes(piece)) {
          count = this.extend(from, piece, logProbs[row + piece], frame, stayCount, count);
        }
      }
    }
    this.keepBest(count);
  }

  /** Adds the candidate `from` + piece (log-probability lp, unscaled); returns the candidate count. */
  private extend(
    from: Hypothesis,
    piece: number,
    lp: number,
    frame: number,
    stayCount: number,
    count: number,
  ) {
    let score = (piece === from.last ? from.logBlank : from.logTotal) + lp * this.scale;
    if (score === -Infinity) return count;
    let graphState = from.graphState;
    if (this.graph) {
      const move = this.graph.step(graphState, piece);
      graphState = move.state;
      score += move.bonus;
    }
    let lmOwed = from.lmOwed;
    if (this.lm) {
      // Scaled with the acoustic scores, so that flattening them for keyterms keeps the balance tuned.
      const bonus = this.lm.bonus * this.scale;
      const lmScore = this.lm.weight * this.scale * this.lm.model.logProb(from.lmState, piece);
      score += bonus;
      // A session's keyterms are words the LM has rarely seen: within a match, a piece's LM cost
      // is capped at the per-piece bonus, so a keyterm scores at least as it would without the LM.
      // What the cap spares is owed until the keyterm is complete (then forgiven) or the match
      // breaks off (then charged), as the graph does with its bonus.
      if (this.graph && graphState !== this.graph.root) {
        const capped = Math.max(lmScore, -bonus);
        score += capped;
        lmOwed = this.graph.finalize(graphState) === 0 ? 0 : lmOwed + lmScore - capped;
      } else {
        score += lmScore + lmOwed;
        lmOwed = 0;
      }
    }
    const words = this.words ? this.words.step(from.words!, piece) : null;
    if (words) score -= words.cost * this.scale;
    const hash = extendHash(from.hash, piece);
    const existing = this.findStay(stayCount, from, piece, hash);
    if (existing) {
      // The token's time and probability follow the likelier alignment: a wide beam keeps a
      // prefix that emitted the token early and faintly, which this frame's emission outweighs.
      if (score > existing.logTotal) {
        existing.tail = tokenNode(from, piece, frame, Math.exp(lp));
        existing.lastFrame = frame;
      }
      existing.logNonBlank = logAdd(existing.logNonBlank, score);
      return count;
    }
    if (count === this.candidates.length) this.candidates.push(new Hypothesis());
    const to = this.candidates[count++];
    to.tail = from.tail;
    to.lastFrame = from.lastFrame;
    to.last = piece;
    to.length = from.length + 1;
    to.hash = hash;
    to.graphState = graphState;
    to.lmState = from.lmState; // stepped past the piece in materialize(), if the candidate survives
    to.lmOwed = lmOwed;
    to.words = words;
    to.logBlank = -Infinity;
    to.logNonBlank = score;
    to.pendingId = piece;
    to.pendingFrame = frame;
    to.pendingProb = Math.exp(lp);
    return count;
  }

  /** The word-list penalty still due if the prefix's last word ended here. */
  private unlistedEnding(hypothesis: Hypothesis): number {
    return this.words ? this.words.endingCost(hypothesis.words!) * this.scale : 0;
  }

  /** A live prefix equal to `from` + piece, whose extension must merge into it. */
  private findStay(stayCount: number, from: Hypothesis, piece: number, hash: number): Hypothesis | undefined {
    for (let j = 0; j < stayCount; j++) {
      const other = this.candidates[j];
      if (
        other.hash === hash && other.length === from.length + 1 && other.tail?.id === piece &&
        sameTokens(other.tail.parent, from.tail)
      ) return other;
    }
    return undefined;
  }

  /** The best non-blank pieces of the frame, at most topK and within pruneLogProb of the frame's best. */
  private selectTopPieces(logProbs: Float32Array, row: number, vocab: number, logBlankProb: number): number {
    const ids = this.topIds;
    const lps = this.topLogProbs;
    const capacity = ids.length;
    let count = 0;
    for (let v = 0; v < vocab; v++) {
      if (v === this.table.blank) continue;
      const lp = logProbs[row + v];
      if (count === capacity && lp <= lps[count - 1]) continue;
      let at = count < capacity ? count++ : count - 1;
      while (at > 0 && lps[at - 1] < lp) {
        ids[at] = ids[at - 1];
        lps[at] = lps[at - 1];
        at--;
      }
      ids[at] = v;
      lps[at] = lp;
    }
    const floor = Math.max(lps[0], logBlankProb) - this.pruneLogProb;
    while (count > 0 && lps[count - 1] < floor) count--;
    return count;
  }

  private isChosen(candidate: number, count: number): boolean {
    for (let s = 0; s < count; s++) if (this.chosen[s] === candidate) return true;
    return false;
  }

  /** Moves the best candidates into the beam (swapping pooled objects) and rescales scores. */
  private keepBest(count: number): void {
    const kept = Math.min(this.beamWidth, count);
    let size = 0;
    for (let s = 0; s < kept; s++) {
      let best = -1;
      let bestScore = -Infinity;
      for (let j = 0; j < count; j++) {
        const score = this.candidates[j].logTotal;
        if (score > bestScore && !this.isChosen(j, s)) {
          bestScore = score;
          best = j;
        }
      }
      if (best < 0) break;
      // Prefixes this far behind the best practically never catch up; dropping them lets the
      // prefix the rest share settle (see stableTokens) instead of lingering for the whole turn.
      if (size > 0 && bestScore < this.candidates[this.chosen[0]].logTotal - this.beamThreshold) break;
      this.chosen[size++] = best;
    }
    if (size === 0) return; // every path impossible (e.g. -inf rows): keep the beam as it was
    for (let s = 0; s < size; s++) {
      const j = this.chosen[s];
      const old = this.beam[s];
      this.beam[s] = this.candidates[j];
      this.candidates[j] = old;
      this.beam[s].materialize(this.lm?.model);
    }
    this.beamSize = size;
    // Scores only matter relative to each other; keep them near zero over long streams.
    const top = this.beam[0].logTotal;
    for (let s = 0; s < size; s++) {
      this.beam[s].logBlank -= top;
      this.beam[s].logNonBlank -= top;
    }
  }
}
