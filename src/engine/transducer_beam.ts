// Modified beam search for stateless-decoder transducers (icefall's Zipformer transducers), as
// sherpa-onnx's OnlineTransducerModifiedBeamSearchDecoder does it: each stream keeps up to `beam`
// hypotheses; for each encoder frame every hypothesis of every stream goes through one joiner call,
// each row's log-softmax is added to its hypothesis' score, and a stream keeps its `beam` best
// (hypothesis, symbol) pairs, at most one symbol per frame each; hypotheses that spell the same symbols
// merge (their probabilities add). Keyterms are boosted through the context graph the CTC beam uses.
// A hypothesis holds its decoder's state and output (transducer_greedy.ts's DecoderState: the nets'
// own terms); a new symbol runs the decoder once for every hypothesis that spells the same.
import type { TokenDecoder } from "./ctc.ts";
import { ContextGraph, keytermsToPieces } from "./keyterms.ts";
import type { Token, TokenTable } from "./tokens.ts";
import type { DecoderState, GreedyOptions, TransducerNets } from "./transducer_greedy.ts";

interface BeamHypothesis {
  /** The symbols joined: hypotheses that spell the same merge. */
  key: string;
  logProb: number;
  tokens: Token[];
  /** The keyterm context graph's state after these symbols. */
  contextState: number;
  decoderState: DecoderState;
  /** The decoder's output after the last symbol; undefined before the first search. */
  decoderOut: Float32Array | undefined;
}

export interface TransducerBeamOptions {
  /** Hypotheses kept per stream (sherpa-onnx's max_active_paths; default 4). */
  beam?: number;
  keyterms?: readonly string[];
  /** Boost per matched keyterm piece, in log-probability units (default 1.5). */
  bonusPerPiece?: number;
}

/** One stream's hypotheses; its pipeline reads the best one's tokens as any decoder's. */
export class TransducerBeamHypotheses implements TokenDecoder {
  readonly beam: number;
  hyps: BeamHypothesis[];
  /** Stream frame index of the next encoder frame. */
  frameOffset = 0;
  graph: ContextGraph | null = null;
  private readonly bonusPerPiece: number;

  constructor(
    readonly contextSize: number,
    private readonly blank: number,
    private readonly table: TokenTable,
    options: TransducerBeamOptions = {},
  ) {
    this.beam = Math.max(1, Math.floor(options.beam ?? 4));
    this.bonusPerPiece = options.bonusPerPiece ?? 1.5;
    this.hyps = [start(undefined, undefined)];
    this.setKeyterms(options.keyterms ?? []);
  }

  /**
   * The best hypothesis, its score divided by its length counted as sherpa-onnx counts it (its ys:
   * context_size blanks, then the symbols; GetMostProbable(true)).
   */
  private best(): BeamHypothesis {
    const norm = (h: BeamHypothesis) => h.logProb / (this.contextSize + h.tokens.length);
    let best = this.hyps[0];
    for (const h of this.hyps) if (norm(h) > norm(best)) best = h;
    return best;
  }

  tokens(): readonly Token[] {
    return this.best().tokens;
  }

  /** What every live hypothesis agrees on: no later frame can change it. */
  stableTokens(): number {
    const best = this.best().tokens;
    let shared = best.length;
    for (const h of this.hyps) {
      let i = 0;
      while (i < shared && i < h.tokens.length && h.tokens[i].id === best[i].id) i++;
      shared = i;
    }
    return shared;
  }

  /** A turn ended: one hypothesis goes on, the best one's decoder state without its tokens or score. */
  reset(): void {
    const best = this.best();
    this.hyps = [start(best.decoderState, best.decoderOut)];
  }

  setKeyterms(terms: readonly string[]): void {
    const pieces = keytermsToPieces(terms, this.table);
    this.graph = pieces.length ? new ContextGraph(pieces, this.bonusPerPiece) : null;
    for (const h of this.hyps) h.contextState = 0;
  }

  /** Whether a symbol extends a hypothesis (the blank and <unk> do not). */
  isSymbol(id: number, options: GreedyOptions): boolean {
    return id !== this.blank && id !== options.unk;
  }
}

function start(decoderState: DecoderState, decoderOut: Float32Array | undefined): BeamHypothesis {
  return { key: "", logProb: 0, tokens: [], contextState: 0, decoderState, decoderOut };
}

/**
 * Runs the search over `frames` encoder frames of each stream: encoderOut is [streams, frames,
 * encoderDim] in the order of `streams`, whose hypotheses advance in place.
 */
export async function modifiedBeamSearch(
  nets: TransducerNets,
  streams: readonly TransducerBeamHypotheses[],
  encoderOut: Float32Array,
  frames: number,
  options: GreedyOptions,
): Promise<void> {
  if (streams.length === 0) return;
  const { encoderDim, decoderDim, vocab } = nets;
  const fresh = streams.flatMap((s) => s.hyps).filter((h) => !h.decoderOut);
  for (const h of fresh) h.decoderState ??= nets.initialState(options.blank);
  await advanceDecoder(nets, fresh, fresh.map(() => options.blank));
  for (let t = 0; t < frames; t++) {
    const rows = streams.flatMap((s) => s.hyps);
    const enc = new Float32Array(rows.length * encoderDim);
    const dec = new Float32Array(rows.length * decoderDim);
    let row = 0;
    streams.forEach((s, i) => {
      const from = (i * frames + t) * encoderDim;
      for (const h of s.hyps) {
        enc.set(encoderOut.subarray(from, from + encoderDim), row * encoderDim);
        dec.set(h.decoderOut!, row * decoderDim);
        row++;
      }
    });
    const logits = await nets.join(enc, dec, rows.length);
    row = 0;
    const extended: { hyp: BeamHypothesis; parent: BeamHypothesis; symbol: number }[] = [];
    for (const s of streams) {
      const scored = s.hyps.map((h, j) => logSoftmaxPlus(logits, (row + j) * vocab, vocab, h.logProb));
      row += s.hyps.length;
      s.hyps = extend(s, scored, t, options, extended);
    }
    // the decoder takes each new symbol once per hypothesis that spells it
    const live = extended.filter((e) => !e.hyp.decoderOut);
    const parents = live.map((e) => e.parent);
    const { out, states } = live.length
      ? await nets.decode(parents.map((p) => p.decoderState), live.map((e) => e.symbol))
      : { out: new Float32Array(), states: [] };
    live.forEach((e, i) => {
      e.hyp.decoderOut = out.slice(i * decoderDim, (i + 1) * decoderDim);
      e.hyp.decoderState = states[i];
    });
  }
  for (const s of streams) s.frameOffset += frames;
}

/** The decoder takes each hypothesis's symbol: new outputs and states. */
async function advanceDecoder(
  nets: TransducerNets,
  hyps: readonly BeamHypothesis[],
  symbols: readonly number[],
): Promise<void> {
  if (!hyps.length) return;
  const { out, states } = await nets.decode(hyps.map((h) => h.decoderState), symbols);
  hyps.forEach((h, i) => {
    h.decoderOut = out.slice(i * nets.decoderDim, (i + 1) * nets.decoderDim);
    h.decoderState = states[i];
  });
}

/** A row's log-softmax plus its hypothesis' score. */
function logSoftmaxPlus(logits: Float32Array, offset: number, vocab: number, logProb: number): Float32Array {
  let max = -Infinity;
  for (let v = 0; v < vocab; v++) max = Math.max(max, logits[offset + v]);
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max);
  const shift = max + Math.log(sum) - logProb;
  const out = new Float32Array(vocab);
  for (let v = 0; v < vocab; v++) out[v] = logits[offset + v] - shift;
  return out;
}

/**
 * The stream's `beam` best (hypothesis, symbol) pairs of this frame, merged by what they spell; the
 * hypotheses a symbol made are added to `extended` (their decoder outputs are still to come).
 */
function extend(
  s: TransducerBeamHypotheses,
  scored: readonly Float32Array[],
  t: number,
  options: GreedyOptions,
  extended: { hyp: BeamHypothesis; parent: BeamHypothesis; symbol: number }[],
): BeamHypothesis[] {
  const candidates: { j: number; v: number; score: number }[] = [];
  // the best `beam` of a row suffice: no pair ranked lower in its row can be among the beam best overall
  for (const [j, row] of scored.entries()) {
    for (const v of topIndices(row, s.beam)) candidates.push({ j, v, score: row[v] });
  }
  const vocab = scored[0].length;
  candidates.sort((a, b) => b.score - a.score || a.j * vocab + a.v - (b.j * vocab + b.v));
  const next = new Map<string, BeamHypothesis>();
  for (const { j, v, score } of candidates.slice(0, s.beam)) {
    const h = s.hyps[j];
    let hyp: BeamHypothesis;
    if (s.isSymbol(v, options)) {
      const step = s.graph?.step(h.contextState, v) ?? { state: 0, bonus: 0 };
      const frame = s.frameOffset + t;
      hyp = {
        key: `${h.key}-${v}`,
        logProb: score + step.bonus,
        tokens: [...h.tokens, { id: v, frame, lastFrame: frame, prob: Math.exp(score - h.logProb) }],
        contextState: step.state,
        decoderState: undefined,
        decoderOut: undefined,
      };
      if (!next.has(hyp.key)) extended.push({ hyp, parent: h, symbol: v });
    } else {
      hyp = { ...h, logProb: score };
    }
    const same = next.get(hyp.key);
    if (same) same.logProb = logAdd(same.logProb, hyp.logProb);
    else next.set(hyp.key, hyp);
  }
  return [...next.values()];
}

/** Indices of the k largest values, largest first (ties: the lower index). */
function topIndices(row: Float32Array, k: number): number[] {
  const top: number[] = [];
  for (let v = 0; v < row.length; v++) {
    if (top.length === k && row[v] <= row[top[k - 1]]) continue;
    let i = Math.min(top.length, k - 1);
    if (top.length < k) top.push(v);
    while (i > 0 && row[top[i - 1]] < row[v]) {
      top[i] = top[i - 1];
      i--;
    }
    top[i] = v;
  }
  return top;
}

function logAdd(a: number, b: number): number {
  const [hi, lo] = a > b ? [a, b] : [b, a];
  return hi + Math.log1p(Math.exp(lo - hi));
}
