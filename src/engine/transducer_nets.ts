// A transducer's decoder and joiner on onnxruntime (node or web, whichever runs the encoder), taken
// by position as sherpa-onnx takes them. Two kinds of decoder:
//   icefall's stateless one (OrtTransducerNets): y [N, context] int64 -> [N, joiner_dim]; its state
//     is the last context_size symbols; joiner (encoder frames, decoder outputs) [N, joiner_dim]
//     each -> logits [N, vocab]
//   NeMo's LSTM prediction network (OrtNemoTransducerNets, nemo_transducer_family.ts): targets
//     [N, 1] int32, target_length [N] int32, h and c [layers, N, hidden] -> outputs [N, hidden, 1],
//     lengths, next h and c; its state is h and c; joiner [N, encoder_dim, 1], [N, hidden, 1] ->
//     [N, 1, 1, vocab]
import type { TransducerParts } from "./model_dir.ts";
import { NEMO_MAX_SYMBOLS_PER_FRAME } from "./nemo_transducer_family.ts";
import type { OrtModule, OrtSession } from "./ort.ts";
import type { DecoderState, TransducerNets } from "./transducer_greedy.ts";

/** The nets of a model's transducer parts, on the encoder's runtime and options. */
export function createTransducerNets(
  ort: OrtModule,
  parts: TransducerParts,
  options: Record<string, unknown>,
): Promise<OrtTransducerNets | OrtNemoTransducerNets> {
  return parts.lstm
    ? OrtNemoTransducerNets.create(ort, parts, options)
    : OrtTransducerNets.create(ort, parts, options);
}

async function sessions(
  ort: OrtModule,
  parts: TransducerParts,
  options: Record<string, unknown>,
  want: { decoder: [number, number, string]; joiner: [number, string] },
): Promise<[OrtSession, OrtSession]> {
  const decoder = await ort.InferenceSession.create(parts.decoderBytes, options);
  const joiner = await ort.InferenceSession.create(parts.joinerBytes, options);
  const [decoderIn, decoderOut, decoderWhat] = want.decoder;
  const [joinerIn, joinerWhat] = want.joiner;
  for (
    const [session, file, inputs, outputs, what] of [
      [decoder, parts.files.decoder, decoderIn, decoderOut, decoderWhat],
      [joiner, parts.files.joiner, joinerIn, 1, joinerWhat],
    ] as const
  ) {
    if (session.inputNames.length !== inputs || session.outputNames.length < outputs) {
      await decoder.release();
      await joiner.release();
      throw new Error(
        `${file} has inputs ${session.inputNames.join(", ")} and outputs ${
          session.outputNames.join(", ")
        }; ${what}`,
      );
    }
  }
  return [decoder, joiner];
}

/** icefall's stateless decoder and its joiner; a stream's decoder state is its last context_size symbols. */
export class OrtTransducerNets implements TransducerNets {
  readonly contextSize: number;
  readonly decoderDim: number;
  readonly encoderDim: number;
  readonly vocab: number;
  /** sherpa-onnx's greedy search for these models takes one symbol a frame. */
  readonly maxSymbolsPerFrame = 1;

  private constructor(
    private readonly ort: OrtModule,
    private readonly decoder: OrtSession,
    private readonly joiner: OrtSession,
    parts: TransducerParts,
  ) {
    this.contextSize = parts.contextSize;
    this.decoderDim = this.encoderDim = parts.joinerDim;
    this.vocab = parts.vocabSize;
  }

  static async create(
    ort: OrtModule,
    parts: TransducerParts,
    options: Record<string, unknown>,
  ): Promise<OrtTransducerNets> {
    const [decoder, joiner] = await sessions(ort, parts, options, {
      decoder: [1, 1, "a transducer decoder takes y"],
      joiner: [2, "a transducer joiner takes encoder_out and decoder_out"],
    });
    return new OrtTransducerNets(ort, decoder, joiner, parts);
  }

  initialState(blank: number): DecoderState {
    return Array<number>(this.contextSize).fill(blank);
  }

  async decode(
    states: readonly DecoderState[],
    symbols: readonly number[],
  ): Promise<{ out: Float32Array; states: DecoderState[] }> {
    const next = states.map((s, i) => [...(s as number[]).slice(1), symbols[i]]);
    const contexts = BigInt64Array.from(next.flat(), BigInt);
    const out = await this.decoder.run({
      [this.decoder.inputNames[0]]: new this.ort.Tensor("int64", contexts, [next.length, this.contextSize]),
    });
    return { out: out[this.decoder.outputNames[0]].data as Float32Array, states: next };
  }

  async join(encoderFrames: Float32Array, decoderOut: Float32Array, batch: number): Promise<Float32Array> {
    const [enc, dec] = this.joiner.inputNames;
    const out = await this.joiner.run({
      [enc]: new this.ort.Tensor("float32", encoderFrames, [batch, this.encoderDim]),
      [dec]: new this.ort.Tensor("float32", decoderOut, [batch, this.decoderDim]),
    });
    return out[this.joiner.outputNames[0]].data as Float32Array;
  }

  async release(): Promise<void> {
    await this.decoder.release();
    await this.joiner.release();
  }
}

/** A NeMo stream's decoder state: the LSTM's h and c, [layers, hidden] each. */
interface LstmState {
  h: Float32Array;
  c: Float32Array;
}

/** NeMo's LSTM prediction network and its joiner; a stream's decoder state is the LSTM's. */
export class OrtNemoTransducerNets implements TransducerNets {
  readonly decoderDim: number;
  readonly encoderDim: number;
  readonly vocab: number;
  readonly maxSymbolsPerFrame = NEMO_MAX_SYMBOLS_PER_FRAME;
  private readonly layers: number;

  private constructor(
    private readonly ort: OrtModule,
    private readonly decoder: OrtSession,
    private readonly joiner: OrtSession,
    parts: TransducerParts & { lstm: NonNullable<TransducerParts["lstm"]> },
  ) {
    this.decoderDim = parts.lstm.hidden;
    this.encoderDim = parts.lstm.encoderDim;
    this.layers = parts.lstm.layers;
    this.vocab = parts.vocabSize;
  }

  static async create(
    ort: OrtModule,
    parts: TransducerParts,
    options: Record<string, unknown>,
  ): Promise<OrtNemoTransducerNets> {
    if (!parts.lstm) throw new Error(`${parts.files.decoder} is no NeMo prediction network`);
    const [decoder, joiner] = await sessions(ort, parts, options, {
      decoder: [
        4,
        4,
        "a NeMo transducer decoder takes targets, target_length and the LSTM's two states, and gives " +
        "its outputs, their lengths and the next states",
      ],
      joiner: [2, "a NeMo transducer joiner takes encoder_outputs and decoder_outputs"],
    });
    return new OrtNemoTransducerNets(ort, decoder, joiner, { ...parts, lstm: parts.lstm });
  }

  /** Zeros, as sherpa-onnx's GetDecoderInitStates. */
  initialState(): DecoderState {
    const size = this.layers * this.decoderDim;
    return { h: new Float32Array(size), c: new Float32Array(size) } satisfies LstmState;
  }

  async decode(
    states: readonly DecoderState[],
    symbols: readonly number[],
  ): Promise<{ out: Float32Array; states: DecoderState[] }> {
    const { Tensor } = this.ort;
    const batch = states.length, hidden = this.decoderDim, layers = this.layers;
    const lstm = states as readonly LstmState[];
    // [layers, batch, hidden]: the batch is the second axis
    const stack = (part: "h" | "c") => {
      const out = new Float32Array(layers * batch * hidden);
      lstm.forEach((s, b) => {
        for (let l = 0; l < layers; l++) {
          out.set(s[part].subarray(l * hidden, (l + 1) * hidden), (l * batch + b) * hidden);
        }
      });
      return new Tensor("float32", out, [layers, batch, hidden]);
    };
    const [targets, lengths, h, c] = this.decoder.inputNames;
    const out = await this.decoder.run({
      [targets]: new Tensor("int32", Int32Array.from(symbols), [batch, 1]),
      [lengths]: new Tensor("int32", new Int32Array(batch).fill(1), [batch]),
      [h]: stack("h"),
      [c]: stack("c"),
    });
    const names = this.decoder.outputNames;
    const [nextH, nextC] = [out[names[2]].data as Float32Array, out[names[3]].data as Float32Array];
    const unstack = (data: Float32Array, b: number) => {
      const s = new Float32Array(layers * hidden);
      for (let l = 0; l < layers; l++) {
        s.set(data.subarray((l * batch + b) * hidden, (l * batch + b + 1) * hidden), l * hidden);
      }
      return s;
    };
    return {
      // outputs [batch, hidden, 1]: one row of hidden values per stream
      out: out[names[0]].data as Float32Array,
      states: lstm.map((_, b): LstmState => ({ h: unstack(nextH, b), c: unstack(nextC, b) })),
    };
  }

  async join(encoderFrames: Float32Array, decoderOut: Float32Array, batch: number): Promise<Float32Array> {
    const [enc, dec] = this.joiner.inputNames;
    const out = await this.joiner.run({
      [enc]: new this.ort.Tensor("float32", encoderFrames, [batch, this.encoderDim, 1]),
      [dec]: new this.ort.Tensor("float32", decoderOut, [batch, this.decoderDim, 1]),
    });
    // [batch, 1, 1, vocab]
    return out[this.joiner.outputNames[0]].data as Float32Array;
  }

  async release(): Promise<void> {
    await this.decoder.release();
    await this.joiner.release();
  }
}
