// Greedy search for stateless-decoder transducers (icefall's Zipformer transducers), batched over
// streams the way sherpa-onnx's OnlineTransducerGreedySearchDecoder does it: for each encoder frame
// one joiner call for the whole batch, each stream takes its best symbol (at most one per frame),
// and the decoder runs again, for the whole batch, only when some stream emitted. A stream's
// hypothesis (its last context_size symbols, decoder output and tokens) lives between calls.
import type { TokenDecoder } from "./ctc.ts";
import type { Token } from "./tokens.ts";

/** The decoder and joiner networks as the search sees them (transducer_nets.ts runs them). */
export interface TransducerNets {
  /** Symbols of left context the decoder takes. */
  readonly contextSize: number;
  /** Size of one decoder output row, and of one encoder output frame, as the joiner takes them. */
  readonly decoderDim: number;
  readonly encoderDim: number;
  /** Joiner output size: the vocabulary with the blank. */
  readonly vocab: number;
  /** Decoder outputs [batch, decoderDim] for contexts [batch, contextSize]. */
  decode(contexts: BigInt64Array, batch: number): Promise<Float32Array>;
  /** Joiner logits [batch, vocab] for encoder frames and decoder outputs, row by row. */
  join(encoderFrames: Float32Array, decoderOut: Float32Array, batch: number): Promise<Float32Array>;
}

/** One stream's search state; its pipeline reads the tokens as any decoder's. */
export class TransducerHypothesis implements TokenDecoder {
  /** The symbols the decoder sees: context_size blanks, then every symbol emitted (kept short). */
  readonly context: number[];
  decoderOut: Float32Array | undefined;
  /** Tokens since the last reset, with their encoder frames (stream frame indices). */
  private emitted: Token[] = [];
  /** Stream frame index of the next encoder frame. */
  frameOffset = 0;

  constructor(contextSize: number, blank: number) {
    this.context = Array(contextSize).fill(blank);
  }

  emit(id: number, frame: number, prob: number): void {
    this.context.push(id);
    this.context.shift();
    this.emitted.push({ id, frame, lastFrame: frame, prob });
  }

  tokens(): readonly Token[] {
    return this.emitted;
  }

  /** Greedy search never takes a symbol back. */
  stableTokens(): number {
    return this.emitted.length;
  }

  /** A turn ended: its tokens go, the decoder's context stays (as sherpa-onnx's Reset keeps it). */
  reset(): void {
    this.emitted = [];
  }

  /** Keyterms need the modified beam search with a context graph, which transducers lack so far. */
  setKeyterms(): void {}
}

export interface GreedyOptions {
  blank: number;
  /** Treated as the blank (sherpa-onnx does so): an unknown piece is never emitted. */
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
  const batch = hyps.length;
  if (batch === 0) return;
  const { encoderDim, decoderDim, vocab } = nets;
  if (hyps.some((h) => !h.decoderOut)) await refreshDecoder(nets, hyps.filter((h) => !h.decoderOut));
  const decoderOut = new Float32Array(batch * decoderDim);
  const fill = () => hyps.forEach((h, i) => decoderOut.set(h.decoderOut!, i * decoderDim));
  fill();
  const frame = new Float32Array(batch * encoderDim);
  for (let t = 0; t < frames; t++) {
    for (let i = 0; i < batch; i++) {
      const from = (i * frames + t) * encoderDim;
      frame.set(encoderOut.subarray(from, from + encoderDim), i * encoderDim);
    }
    const logits = await nets.join(frame, decoderOut, batch);
    const emitted: TransducerHypothesis[] = [];
    for (let i = 0; i < batch; i++) {
      const { best, prob } = argmaxWithProb(logits, i * vocab, vocab);
      if (best === options.blank || best === options.unk) continue;
      hyps[i].emit(best, hyps[i].frameOffset + t, prob);
      emitted.push(hyps[i]);
    }
    if (emitted.length) {
      await refreshDecoder(nets, emitted);
      fill();
    }
  }
  for (const h of hyps) h.frameOffset += frames;
}

/** New decoder outputs for these hypotheses' contexts. */
async function refreshDecoder(nets: TransducerNets, hyps: readonly TransducerHypothesis[]): Promise<void> {
  const contexts = new BigInt64Array(hyps.length * nets.contextSize);
  hyps.forEach((h, i) => h.context.forEach((id, j) => (contexts[i * nets.contextSize + j] = BigInt(id))));
  const out = await nets.decode(contexts, hyps.length);
  hyps.forEach((h, i) => (h.decoderOut = out.slice(i * nets.decoderDim, (i + 1) * nets.decoderDim)));
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
