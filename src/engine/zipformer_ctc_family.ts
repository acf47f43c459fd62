// The icefall streaming Zipformer CTC family, in the manner of sherpa-onnx's
// OnlineZipformer2CtcModel (online-zipformer2-ctc-model.cc): the one place that knows its ONNX
// metadata, its tensors (the features, then 6 states per encoder layer and 2 for the embedding, by
// position), which axis of each state is the batch, and the features it is fed. The sherpa-onnx
// zoo ships it as sherpa-onnx-streaming-zipformer-ctc-* directories: one ctc-*.onnx (often an
// int8 one beside it) and tokens.txt, made by icefall's
// egs/librispeech/ASR/zipformer/export-onnx-streaming-ctc.py.
import { type FbankConfig, KALDI_FBANK } from "./fbank.ts";
import type { ModelLayout, StateTensor } from "./nemo_ctc_family.ts";

/** The per-stack metadata sherpa-onnx reads (comma-separated integers, one per encoder stack). */
export const ZIPFORMER_VECTOR_KEYS = [
  "encoder_dims",
  "query_head_dims",
  "value_head_dims",
  "num_heads",
  "num_encoder_layers",
  "cnn_module_kernels",
  "left_context_len",
] as const;
/** The scalar metadata: feature frames per call (T) and frames to advance (decode_chunk_len). */
export const ZIPFORMER_SCALAR_KEYS = ["T", "decode_chunk_len"] as const;
export const ZIPFORMER_KEYS = [...ZIPFORMER_VECTOR_KEYS, ...ZIPFORMER_SCALAR_KEYS] as const;

export type ZipformerMetadata =
  & Record<typeof ZIPFORMER_VECTOR_KEYS[number], number[]>
  & Record<typeof ZIPFORMER_SCALAR_KEYS[number], number>;

/**
 * sherpa-onnx's streaming CTC recognizer computes timestamps with 4x subsampling of 10 ms frames
 * (online-recognizer-ctc-impl.h), and a Zipformer's output is at 25 Hz: its embedding halves the
 * 100 Hz features ((T - 7) / 2) and the encoder halves them again; decode_chunk_len / 4 frames a call.
 */
export const ZIPFORMER_SUBSAMPLING = 4;

/** The embedding's cache (ConvNeXt left padding), as sherpa-onnx builds it whatever the model. */
export const EMBED_STATE_DIMS = [128, 3, 19] as const;

/** The features: sherpa-onnx changes none of FeatureExtractorConfig's defaults for this family. */
export const ZIPFORMER_CTC_FEATURES: FbankConfig = KALDI_FBANK;

/**
 * Whether ONNX metadata is that of an icefall streaming Zipformer (model_type zipformer2 with the
 * keys sherpa-onnx reads). A transducer's encoder has the same; it is told apart by its files
 * (decoder and joiner beside it) and by its first output (encoder_out, not log_probs).
 */
export function isZipformerExport(metadata: Record<string, string>): boolean {
  return metadata.model_type === "zipformer2" && ZIPFORMER_KEYS.every((k) => metadata[k] !== undefined);
}

/** The family's metadata, checked; an Error naming what is wrong otherwise. */
export function zipformerFromMetadata(metadata: Record<string, string>, file: string): ZipformerMetadata {
  const out = {} as ZipformerMetadata;
  const int = (key: string, raw: string) => {
    const value = Number(raw);
    if (raw.trim() === "" || !Number.isInteger(value) || value <= 0) {
      throw new Error(`${file} metadata ${key} is "${metadata[key]}"`);
    }
    return value;
  };
  for (const key of ZIPFORMER_KEYS) {
    if (metadata[key] === undefined) throw new Error(`${file} metadata lacks ${key}`);
  }
  for (const key of ZIPFORMER_SCALAR_KEYS) out[key] = int(key, metadata[key]);
  for (const key of ZIPFORMER_VECTOR_KEYS) out[key] = metadata[key].split(",").map((v) => int(key, v));
  const stacks = out.encoder_dims.length;
  const uneven = ZIPFORMER_VECTOR_KEYS.filter((k) => out[k].length !== stacks);
  if (uneven.length) {
    throw new Error(
      `${file} metadata: ${uneven.join(", ")} must have one value per encoder stack, as encoder_dims ` +
        `(${stacks})`,
    );
  }
  if (out.decode_chunk_len > out.T || out.decode_chunk_len % ZIPFORMER_SUBSAMPLING !== 0) {
    throw new Error(
      `${file} metadata: decode_chunk_len ${out.decode_chunk_len} must be at most T ${out.T} and a ` +
        `multiple of ${ZIPFORMER_SUBSAMPLING}`,
    );
  }
  // Whisper features (the multi_zh-hans models with a CTC head marked so) are not computed here.
  const feature = metadata.feature ?? "";
  if (feature !== "") {
    throw new Error(
      `${file} metadata feature is "${feature}": this server computes only the Kaldi fbank ` +
        "features sherpa-onnx feeds the other Zipformer CTC models",
    );
  }
  return out;
}

/**
 * The states as sherpa-onnx builds them (InitStates): per encoder layer of stack s, cached_key
 * [left_s, N, key_dim], cached_nonlin_attn [1, N, left_s, 3 * dim_s / 4], cached_val1 and
 * cached_val2 [left_s, N, value_dim] (the batch on axis 1; StackStates concatenates them there),
 * cached_conv1 and cached_conv2 [N, dim_s, kernel_s / 2]; then embed_states [N, 128, 3, 19] and
 * processed_lens [N] int64. All start as zeros.
 */
export function zipformerStateShapes(z: ZipformerMetadata): Omit<StateTensor, "input" | "output">[] {
  const states: Omit<StateTensor, "input" | "output">[] = [];
  z.encoder_dims.forEach((dim, s) => {
    const left = z.left_context_len[s];
    const keyDim = z.query_head_dims[s] * z.num_heads[s];
    const valueDim = z.value_head_dims[s] * z.num_heads[s];
    const conv = Math.floor(z.cnn_module_kernels[s] / 2);
    for (let j = 0; j < z.num_encoder_layers[s]; j++) {
      states.push(
        { type: "float32", dims: [left, keyDim], batchAxis: 1 },
        { type: "float32", dims: [1, left, Math.floor((3 * dim) / 4)], batchAxis: 1 },
        { type: "float32", dims: [left, valueDim], batchAxis: 1 },
        { type: "float32", dims: [left, valueDim], batchAxis: 1 },
        { type: "float32", dims: [dim, conv], batchAxis: 0 },
        { type: "float32", dims: [dim, conv], batchAxis: 0 },
      );
    }
  });
  states.push(
    { type: "float32", dims: [...EMBED_STATE_DIMS], batchAxis: 0 },
    { type: "int64", dims: [], batchAxis: 0 },
  );
  return states;
}

/**
 * The layout of a model: features x [N, T, 80] (time before features), then the states by
 * position; log_probs [N, decode_chunk_len / 4, V] and the next states in the same order. An
 * Error when the tensors are not as many as the metadata implies.
 */
export function zipformerCtcLayout(
  z: ZipformerMetadata,
  io: { inputs: string[]; outputs: string[] },
  file: string,
): ModelLayout {
  if (io.outputs[0] === "encoder_out") {
    throw new Error(
      `${file} is the encoder of a streaming Zipformer transducer (its first output is encoder_out), ` +
        "which needs its decoder and joiner; a Zipformer CTC model's first output is log_probs",
    );
  }
  return zipformerEncoderLayout(z, io, file);
}

/**
 * A streaming Zipformer's layout, with a CTC head (log_probs) or a transducer's (encoder_out) as
 * its first output: the features, then the states by position, in and out.
 */
export function zipformerEncoderLayout(
  z: ZipformerMetadata,
  io: { inputs: string[]; outputs: string[] },
  file: string,
): ModelLayout {
  const shapes = zipformerStateShapes(z);
  if (io.inputs.length !== shapes.length + 1 || io.outputs.length !== shapes.length + 1) {
    throw new Error(
      `${file} has ${io.inputs.length} inputs and ${io.outputs.length} outputs; a streaming Zipformer ` +
        `with num_encoder_layers ${z.num_encoder_layers.join(",")} has ${shapes.length + 1} of each ` +
        "(features and 6 states per layer plus embed_states and processed_lens in; its output frames " +
        "and the next states out)",
    );
  }
  return {
    featuresInput: io.inputs[0],
    featureAxes: "time-feature",
    logProbsOutput: io.outputs[0],
    windowSize: z.T,
    states: shapes.map((s, i) => ({ ...s, input: io.inputs[i + 1], output: io.outputs[i + 1] })),
  };
}

/**
 * The vocabulary size (blank included) sherpa-onnx reads from the model: the last dim of its
 * first output; an Error when it is not a number.
 */
export function zipformerVocab(outputDims: readonly (number | string)[][], file: string): number {
  const dims = outputDims[0] ?? [];
  const v = dims[2];
  if (dims.length !== 3 || typeof v !== "number" || v <= 0) {
    throw new Error(
      `${file}: its first output has dims [${dims.join(", ")}]; a streaming Zipformer CTC model's ` +
        "log_probs are [N, frames, vocabulary] with a fixed vocabulary size (sherpa-onnx reads it there)",
    );
  }
  return v;
}
