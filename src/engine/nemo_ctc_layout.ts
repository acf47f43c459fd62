// The tensors of a NeMo cache-aware streaming CTC export (the shipped models): the one place that
// knows their names, shapes and which of them are a stream's state carried from call to call.
import type { ModelInfo } from "./model_dir.ts";

export const FEATURE_DIM = 80;

export interface StateTensor {
  input: string;
  output: string;
  type: "float32" | "int64";
  /** Shape per stream (the batch dimension left out). */
  dims: readonly number[];
}

export interface ModelLayout {
  featuresInput: string;
  lengthInput: string;
  logProbsOutput: string;
  /** Frames per window the model takes, [B, FEATURE_DIM, windowSize]. */
  windowSize: number;
  states: readonly StateTensor[];
}

export function nemoCtcLayout(model: ModelInfo): ModelLayout {
  const s = model.streaming;
  return {
    featuresInput: "audio_signal",
    lengthInput: "length",
    logProbsOutput: "log_probs",
    windowSize: s.window_size,
    states: [
      {
        input: "cache_last_channel",
        output: "cache_last_channel_next",
        type: "float32",
        dims: [s.cache_last_channel_dim1, s.cache_last_channel_dim2, s.cache_last_channel_dim3],
      },
      {
        input: "cache_last_time",
        output: "cache_last_time_next",
        type: "float32",
        dims: [s.cache_last_time_dim1, s.cache_last_time_dim2, s.cache_last_time_dim3],
      },
      { input: "cache_last_channel_len", output: "cache_last_channel_next_len", type: "int64", dims: [] },
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
  const wantIn = [layout.featuresInput, layout.lengthInput, ...layout.states.map((s) => s.input)];
  const wantOut = [layout.logProbsOutput, ...layout.states.map((s) => s.output)];
  const missing = [
    ...wantIn.filter((n) => !inputNames.includes(n)).map((n) => `input ${n}`),
    ...wantOut.filter((n) => !outputNames.includes(n)).map((n) => `output ${n}`),
  ];
  if (missing.length) {
    throw new Error(
      `not a NeMo cache-aware streaming CTC model: it lacks ${missing.join(", ")} ` +
        `(it has inputs ${inputNames.join(", ")}; outputs ${outputNames.join(", ")})`,
    );
  }
}
