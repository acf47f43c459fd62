// Greedy search for transducers, batched over streams the way sherpa-onnx searches them: for each
// encoder frame one joiner call for the streams still searching it, each stream takes its best
// symbol, and the decoder runs again, for the whole batch, only for the streams that emitted; a
// frame gives a stream at most `maxSymbolsPerFrame` symbols (icefall's stateless decoders: one, as
// OnlineTransducerGreedySearchDecoder; NeMo's LSTM prediction network: up to ten, as
// OnlineTransducerGreedySearchNeMoDecoder). Whatever the decoder keeps of the past (the last
// context_size symbols, or an LSTM's state) is the nets' business: the search holds it per stream,
// opaque, with the decoder's last output, across calls.
import type { TokenDecoder } from "./ctc.ts";
import type { Token } from "./tokens.ts";

/** What a stream's decoder keeps between symbols, in the nets' own terms. */
export type DecoderState = unknown;

/** The decoder and joiner networks as the search sees them (transducer_nets.ts runs them). */
export interface TransducerNets {
  /** Size of one decoder output row, and of one encoder output frame, as the joiner takes them. */
  readonly decoderDim: number;
  readonly encoderDim: number;
  /** Joiner output size: the vocabulary with the blank. */
  readonly vocab: number;
  /** The most symbols one encoder frame may give a stream. */
  readonly maxSymbolsPerFrame: number;
  /** A new stream's decoder state, before it has taken any symbol (the blank comes first). */
  initialState(blank: number): DecoderState;
  /**
   * Decoder outputs [batch, decoderDim] after each state takes its symbol, with the next states:
   * a row per state, in order.
   */
  decode(
    states: readonly DecoderState[],
    symbols: readonly number[],
  ): Promise<{ out: Float32Array; states: DecoderState[] }>;
  /** Joiner logits [batch, vocab] for encoder frames and decoder outputs, row by row. */
  join(encoderFrames: Float32Array, decoderOut: Float32Array, batch: number): Promise<Float32Array>;
}

/** One stream's search state; its pipeline reads the tokens as any decoder's. */
export class TransducerHypothesis implements TokenDecoder {
  /** The decoder's state after the last symbol it took; undefined before the first search. */
  decoderState: DecoderState;
  decoderOut: Float32Array | undefined;
  /** Tokens since the last reset, with their encoder frames (stream frame indices). */
  private emitted: Token[] = [];
  /** Stream frame index of the next encoder frame. */
  frameOffset = 0;

  emit(id: number, frame: number, prob: number): void {
    this.emitted.push({ id, frame, lastFrame: frame, prob });
  }

  tokens(): readonly Token[] {
    return this.emitted;
  }

  /** Greedy search never takes a symbol back. */
  stableTokens(): number {
    return this.emitted.length;
  }

  /** A turn ended: its tokens go, the decoder's state stays (the stream goes on). */
  reset(): void {
    this.emitted = [];
  }

  /** Keyterms need the modified beam search with a context graph, which transducers lack so far. */
  setKeyterms(): void {}
}

export interface GreedyOptions {
  blank: number;
  /** Treated as the blank (sherpa-onnx does so for icefall's models): an unknown piece is never emitted. */
  unk?: number;
}

/**
 * Runs the search over `frames` encoder frames of each stream: encoderOut is [batch, frames,
 * encoderDim] in the order of `hyps`, which advance in place.
 */
export async function greedySearch(
  nets: TransducerNets,
  hyps: readonly TransducerHypothesis[],
  encoderOut: Float32Array,
  frames: number,
  options: GreedyOptions,
): Promise<void> {
  if (hyps.length === 0) return;
  const { encoderDim, decoderDim, vocab } = nets;
  const fresh = hyps.filter((h) => !h.decoderOut);
  if (fresh.length) {
    for (const h of fresh) h.decoderState ??= nets.initialState(options.blank);
    await advanceDecoder(nets, fresh, fresh.map(() => options.blank));
  }
  for (let t = 0; t < frames; t++) {
    let active: readonly number[] = hyps.map((_, i) => i);
    for (let n = 0; n < nets.maxSymbolsPerFrame && active.length; n++) {
      const frame = new Float32Array(active.length * encoderDim);
      const decoderOut = new Float32Array(active.length * decoderDim);
      active.forEach((i, row) => {
        const from = (i * frames + t) * encoderDim;
        frame.set(encoderOut.subarray(from, from + encoderDim), row * encoderDim);
        decoderOut.set(hyps[i].decoderOut!, row * decoderDim);
      });
      const logits = await nets.join(frame, decoderOut, active.length);
      const emitted: number[] = [], symbols: number[] = [];
      active.forEach((i, row) => {
        const { best, prob } = argmaxWithProb(logits, row * vocab, vocab);
        if (best === options.blank || best === options.unk) return;
        hyps[i].emit(best, hyps[i].frameOffset + t, prob);
        emitted.push(i);
        symbols.push(best);
      });
      if (emitted.length) await advanceDecoder(nets, emitted.map((i) => hyps[i]), symbols);
      active = emitted;
    }
  }
  for (const h of hyps) h.frameOffset += frames;
}

/** The decoder takes each hypothesis's symbol: new outputs and states. */
async function advanceDecoder(
  nets: TransducerNets,
  hyps: readonly TransducerHypothesis[],
  symbols: readonly number[],
): Promise<void> {
  const { out, states } = await nets.decode(hyps.map((h) => h.decoderState), symbols);
  hyps.forEach((h, i) => {
    h.decoderOut = out.slice(i * nets.decoderDim, (i + 1) * nets.decoderDim);
    h.decoderState = states[i];
  });
}

/** The best symbol of a row of logits and its softmax probability (the word confidence). */
function argmaxWithProb(logits: Float32Array, offset: number, vocab: number): { best: number; prob: number } {
  let best = 0;
  let max = logits[offset];
  for (let v = 1; v < vocab; v++) {
    if (logits[offset + v] > max) {
      max = logits[offset + v];
      best = v;
    }
  }
  let sum = 0;
  for (let v = 0; v < vocab; v++) sum += Math.exp(logits[offset + v] - max);
  return { best, prob: 1 / sum };
}
