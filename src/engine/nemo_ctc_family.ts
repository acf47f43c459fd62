// The NeMo cache-aware streaming CTC family, in the manner of sherpa-onnx's OnlineNeMoCtcModel
// (online-nemo-ctc-model.cc): the one place that knows its ONNX metadata, its tensors (which of
// them are a stream's state, their shapes) and the features it is fed. Two kinds of directory
// hold it: Earshot's own models (model.json beside the export, model_dir.ts) and NVIDIA NeMo
// exports as the sherpa-onnx model zoo ships them (sherpa-onnx-nemo-streaming-fast-conformer-ctc-*:
// model.onnx or model.int8.onnx and tokens.txt, made by sherpa-onnx's
// scripts/nemo/fast-conformer-hybrid-transducer-ctc/export-onnx-ctc.py).
import { type FbankConfig, KALDI_FBANK } from "./fbank.ts";
import type { ModelInfo } from "./model_dir.ts";

export const FEATURE_DIM = 80;

/**
 * The metadata sherpa-onnx reads from such a model (integers, written as strings), every one
 * required: it refuses a model that lacks one, and so does this server.
 */
export const STREAMING_KEYS = [
  "vocab_size",
  "window_size",
  "chunk_shift",
  "subsampling_factor",
  "cache_last_channel_dim1",
  "cache_last_channel_dim2",
  "cache_last_channel_dim3",
  "cache_last_time_dim1",
  "cache_last_time_dim2",
  "cache_last_time_dim3",
] as const;
export type StreamingKey = typeof STREAMING_KEYS[number];
export type Streaming = Record<StreamingKey, number>;

/** Whether ONNX metadata is that of a NeMo cache-aware streaming CTC export (all its keys are there). */
export function isNemoCtcExport(metadata: Record<string, string>): boolean {
  return STREAMING_KEYS.every((k) => metadata[k] !== undefined);
}

/**
 * The streaming values of an export's metadata, checked; an Error naming what is wrong otherwise.
 * `vocab_size` counts the word pieces without the blank (NeMo's count; sherpa-onnx adds one).
 * With NVIDIA's 8x subsampling an 80 ms model has window_size 17 and chunk_shift 8 (a chunk of 8
 * frames and the 9-frame pre-encode cache of its causal subsampling), 480 ms 57/48, 1040 ms 113/104;
 * Earshot's own models (4x) have 16/16.
 */
export function streamingFromMetadata(metadata: Record<string, string>, file: string): Streaming {
  const s = {} as Streaming;
  for (const key of STREAMING_KEYS) {
    const raw = metadata[key];
    if (raw === undefined) throw new Error(`${file} metadata lacks ${key}`);
    const value = Number(raw);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${file} metadata ${key} is "${raw}"`);
    s[key] = value;
  }
  if (s.chunk_shift > s.window_size || s.chunk_shift % s.subsampling_factor !== 0) {
    throw new Error(
      `${file} metadata: chunk_shift ${s.chunk_shift} must be at most window_size ${s.window_size} and a ` +
        `multiple of subsampling_factor ${s.subsampling_factor}`,
    );
  }
  // NeMo's preprocessor `normalize`; the streaming models use "NA", which the export writes as "".
  // sherpa-onnx's streaming CTC recognizer never normalises, so a model that needs it is refused
  // rather than fed features it was not trained on.
  const normalize = metadata.normalize_type ?? "";
  if (normalize !== "" && normalize !== "NA") {
    throw new Error(
      `${file} metadata normalize_type is "${normalize}": a streaming model must not need feature ` +
        "normalisation (NeMo's cache-aware streaming models use none), and neither sherpa-onnx's " +
        "streaming recognizer nor this server applies it",
    );
  }
  return s;
}

/**
 * The features the family is fed: the ones sherpa-onnx computes for it. Its streaming CTC
 * recognizer (online-recognizer-ctc-impl.h) changes no feature option for a NeMo CTC model, and
 * its C and JavaScript APIs set only the sample rate and the number of bins, so the zoo's NeMo
 * streaming CTC models run on FeatureExtractorConfig's defaults: Kaldi fbank, povey window,
 * 20..7600 Hz, DC offset removed, pre-emphasis 0.97, no dither, no normalisation, 10 ms frames.
 * (NeMo's own preprocessor, and sherpa-onnx for NeMo transducers and offline NeMo CTC models,
 * use a Hann window, a librosa mel scale from 0 Hz and no DC removal; for parity with sherpa-onnx
 * the streaming CTC family takes what sherpa-onnx gives it.)
 */
export const NEMO_CTC_FEATURES: FbankConfig = KALDI_FBANK;

/** The model's tensors by role, in the order sherpa-onnx passes and reads them. */
export interface NemoCtcTensors {
  /** features [B, 80, window_size], length [B], cache_last_channel, cache_last_time, cache_last_channel_len */
  inputs: readonly [string, string, string, string, string];
  /** log-probabilities [B, T', V + 1], lengths [B] (unused), the three next caches */
  outputs: readonly [string, string, string, string, string];
}

/**
 * The tensors by position, as sherpa-onnx takes them (their names differ: NVIDIA's export calls the
 * log-probabilities `logprobs`, Earshot's `log_probs`); an Error when there are not five of each.
 */
export function nemoCtcTensors(io: { inputs: string[]; outputs: string[] }, file: string): NemoCtcTensors {
  if (io.inputs.length !== 5 || io.outputs.length !== 5) {
    throw new Error(
      `${file} has inputs ${io.inputs.join(", ")} and outputs ${io.outputs.join(", ")}; a NeMo cache-aware ` +
        "streaming CTC model has five of each (features, length and three caches in; log-probabilities, " +
        "lengths and the three next caches out)",
    );
  }
  return {
    inputs: io.inputs as unknown as NemoCtcTensors["inputs"],
    outputs: io.outputs as unknown as NemoCtcTensors["outputs"],
  };
}

export interface StateTensor {
  input: string;
  output: string;
  type: "float32" | "int64";
  /** Shape per stream (the batch dimension left out). */
  dims: readonly number[];
  /**
   * Where the batch dimension goes among `dims` when streams are stacked (0, first, unless told:
   * NeMo's caches; an icefall Zipformer's attention caches have it second).
   */
  batchAxis?: number;
}

export interface ModelLayout {
  featuresInput: string;
  /** Features [B, FEATURE_DIM, windowSize] (NeMo) or [B, windowSize, FEATURE_DIM] (icefall). */
  featureAxes: "feature-time" | "time-feature";
  /** An input holding each stream's window length, where the model takes one (NeMo). */
  lengthInput?: string;
  /** The first output: log-probabilities (CTC) or the encoder's frames (transducers). */
  logProbsOutput: string;
  /**
   * Its axes after the batch: [T', V] unless told; "feature-time" for [V, T'] (NeMo's transducer
   * encoder gives its frames channels first), which the backend turns to [T', V].
   */
  encoderOutAxes?: "feature-time";
  /** Frames per window the model takes. */
  windowSize: number;
  states: readonly StateTensor[];
}

/** A NeMo model's layout: features [B, 80, W] and a length input. */
export type NemoCtcLayout = ModelLayout & { featureAxes: "feature-time"; lengthInput: string };

/** The layout of a loaded NeMo CTC model (an Error for a model of another family). */
export function nemoCtcLayout(model: Pick<ModelInfo, "layout" | "family" | "name">): NemoCtcLayout {
  const layout = model.layout;
  if (model.family !== "nemo-ctc" || layout.featureAxes !== "feature-time" || !layout.lengthInput) {
    throw new Error(
      `model ${model.name} is a ${model.family} model, not a NeMo cache-aware streaming CTC one`,
    );
  }
  return layout as NemoCtcLayout;
}

export function nemoCtcLayoutOf(s: Streaming, tensors: NemoCtcTensors): NemoCtcLayout {
  const [features, length, channel, time, channelLen] = tensors.inputs;
  const [logProbs, , channelNext, timeNext, channelLenNext] = tensors.outputs;
  return {
    featuresInput: features,
    featureAxes: "feature-time",
    lengthInput: length,
    logProbsOutput: logProbs,
    windowSize: s.window_size,
    states: [
      {
        input: channel,
        output: channelNext,
        type: "float32",
        dims: [s.cache_last_channel_dim1, s.cache_last_channel_dim2, s.cache_last_channel_dim3],
      },
      {
        input: time,
        output: timeNext,
        type: "float32",
        dims: [s.cache_last_time_dim1, s.cache_last_time_dim2, s.cache_last_time_dim3],
      },
      { input: channelLen, output: channelLenNext, type: "int64", dims: [] },
    ],
  };
}

export function elementsPerStream(state: { dims: readonly number[] }): number {
  return state.dims.reduce((n, d) => n * d, 1);
}

/** Refuses a session whose inputs and outputs are not the layout's, naming what differs. */
export function checkLayout(
  layout: ModelLayout,
  inputNames: readonly string[],
  outputNames: readonly string[],
): void {
  const wantIn = [
    layout.featuresInput,
    ...(layout.lengthInput ? [layout.lengthInput] : []),
    ...layout.states.map((s) => s.input),
  ];
  const wantOut = [layout.logProbsOutput, ...layout.states.map((s) => s.output)];
  const missing = [
    ...wantIn.filter((n) => !inputNames.includes(n)).map((n) => `input ${n}`),
    ...wantOut.filter((n) => !outputNames.includes(n)).map((n) => `output ${n}`),
  ];
  if (missing.length) {
    throw new Error(
      `not a model of its family's layout: it lacks ${missing.join(", ")} ` +
        `(it has inputs ${inputNames.join(", ")}; outputs ${outputNames.join(", ")})`,
    );
  }
}

/** Why a layout cannot keep its states in a device pool (device_state_pool.ts); undefined if it can. */
export function deviceStatesUnsupported(layout: ModelLayout): string | undefined {
  const axis = layout.states.filter((s) => (s.batchAxis ?? 0) !== 0).map((s) => s.input);
  if (axis.length) {
    return `its states ${axis.slice(0, 3).join(", ")}${axis.length > 3 ? ", ..." : ""} have the batch on ` +
      "another axis than the first, and the device state pool keeps each stream's state as a row of a " +
      "batch-first tensor";
  }
  if (layout.featureAxes !== "feature-time" || !layout.lengthInput) {
    return "the device state pool feeds features [B, 80, T] with a length input, which it does not take";
  }
  return undefined;
}
