// A transducer's decoder and joiner on onnxruntime (node or web, whichever runs the encoder),
// taken by position as sherpa-onnx takes them: decoder y [N, context] int64 -> [N, joiner_dim];
// joiner (encoder frames, decoder outputs) [N, joiner_dim] each -> logits [N, vocab].
import type { TransducerParts } from "./model_dir.ts";
import type { OrtModule, OrtSession } from "./ort.ts";
import type { TransducerNets } from "./transducer_greedy.ts";

export class OrtTransducerNets implements TransducerNets {
  readonly contextSize: number;
  readonly decoderDim: number;
  readonly encoderDim: number;
  readonly vocab: number;

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
    const decoder = await ort.InferenceSession.create(parts.decoderBytes, options);
    const joiner = await ort.InferenceSession.create(parts.joinerBytes, options);
    for (
      const [session, file, inputs] of [[decoder, parts.files.decoder, 1], [
        joiner,
        parts.files.joiner,
        2,
      ]] as const
    ) {
      if (session.inputNames.length !== inputs || session.outputNames.length < 1) {
        throw new Error(
          `${file} has inputs ${session.inputNames.join(", ")} and outputs ${
            session.outputNames.join(", ")
          }; ` +
            `a transducer ${inputs === 1 ? "decoder takes y" : "joiner takes encoder_out and decoder_out"}`,
        );
      }
    }
    return new OrtTransducerNets(ort, decoder, joiner, parts);
  }

  async decode(contexts: BigInt64Array, batch: number): Promise<Float32Array> {
    const out = await this.decoder.run({
      [this.decoder.inputNames[0]]: new this.ort.Tensor("int64", contexts, [batch, this.contextSize]),
    });
    return out[this.decoder.outputNames[0]].data as Float32Array;
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
