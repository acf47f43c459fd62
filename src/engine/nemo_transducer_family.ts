// The NeMo cache-aware streaming transducer (RNNT) family, in the manner of sherpa-onnx's
// OnlineTransducerNeMoModel (online-transducer-nemo-model.cc) and its recognizer
// (online-recognizer-transducer-nemo-impl.h): three ONNX files, as the sherpa-onnx zoo ships them in
// sherpa-onnx-nemo-streaming-fast-conformer-transducer-en-{80,480,1040}ms[-int8] (encoder.onnx,
// decoder.onnx, joiner.onnx and tokens.txt, or their .int8. files; made by sherpa-onnx's
// scripts/nemo/fast-conformer-hybrid-transducer-ctc/export-onnx-transducer.py):
//   encoder  the cache-aware streaming FastConformer: features [B, 80, window_size], length and the
//            three caches in, as the NeMo CTC export (nemo_ctc_family.ts: its metadata, caches and
//            chunking), but its first output is the encoder's frames channels first, [B, d_model, T'];
//            metadata adds pred_rnn_layers and pred_hidden
//   decoder  NeMo's LSTM prediction network: targets [B, 1] int32, target_length [B] int32, h and c
//            [pred_rnn_layers, B, pred_hidden] (zeros at first; the batch second) -> outputs
//            [B, pred_hidden, 1], lengths, next h and c
//   joiner   encoder_outputs [B, d_model, 1], decoder_outputs [B, pred_hidden, 1] -> [B, 1, 1, V + 1]
//   tokens   V pieces, then <blk> (the blank is the last id, vocab_size in the metadata leaves it out)
// sherpa-onnx tells it from an icefall transducer by its decoder's outputs (more than one) and feeds
// it NeMo-style features (fbank.ts NEMO_FBANK). Its greedy search (transducer_greedy.ts) starts each
// stream's decoder on the blank with zero states, takes up to ten symbols a frame, running the
// decoder after each, and keeps the decoder's output and states across calls; <unk> is a symbol
// like any other. The zoo has no streaming TDT model (sherpa-onnx runs TDT only offline), and a
// joiner that gives more than V + 1 values (TDT's durations) is refused.
import { type FbankConfig, NEMO_FBANK } from "./fbank.ts";
import {
  type ModelLayout,
  nemoCtcLayoutOf,
  nemoCtcTensors,
  type Streaming,
  STREAMING_KEYS,
  streamingFromMetadata,
} from "./nemo_ctc_family.ts";
import type { TransducerFiles } from "./zipformer_transducer_family.ts";

/** What sherpa-onnx's OnlineTransducerGreedySearchNeMoDecoder takes of one encoder frame at most. */
export const NEMO_MAX_SYMBOLS_PER_FRAME = 10;

/** The features sherpa-onnx's NeMo transducer recognizer computes (PostInit). */
export const NEMO_TRANSDUCER_FEATURES: FbankConfig = NEMO_FBANK;

/** The prediction network's keys in the encoder's metadata, beside the CTC export's STREAMING_KEYS. */
export const PREDICTION_KEYS = ["pred_rnn_layers", "pred_hidden"] as const;

/** Whether an encoder's metadata is a NeMo cache-aware streaming transducer's (all its keys are there). */
export function isNemoTransducerEncoder(metadata: Record<string, string>): boolean {
  return [...STREAMING_KEYS, ...PREDICTION_KEYS].every((k) => metadata[k] !== undefined);
}

/** The prediction network: LSTM layers and width, and the encoder's width, as the joiner takes them. */
export interface NemoPredictionNet {
  layers: number;
  hidden: number;
  encoderDim: number;
}

export interface NemoTransducer {
  streaming: Streaming;
  layout: ModelLayout;
  lstm: NemoPredictionNet;
}

type Io = { inputs: string[]; outputs: string[] };

/**
 * The encoder's streaming values and layout and the prediction network's shape, from the three
 * files' metadata and graphs; an Error naming what is wrong.
 */
export function nemoTransducerFromFiles(
  files: TransducerFiles,
  encoder: { metadata: Record<string, string>; io: Io; outputDims: (number | string)[][] },
  decoder: { io: Io; outputDims: (number | string)[][] },
  joiner: { io: Io; outputDims: (number | string)[][] },
): NemoTransducer {
  const streaming = streamingFromMetadata(encoder.metadata, files.encoder);
  const int = (key: typeof PREDICTION_KEYS[number]) => {
    const raw = encoder.metadata[key];
    const value = Number(raw);
    if (raw === undefined) throw new Error(`${files.encoder} metadata lacks ${key} (a NeMo transducer's)`);
    if (!Number.isInteger(value) || value <= 0) {
      throw new Error(`${files.encoder} metadata ${key} is "${raw}"`);
    }
    return value;
  };
  const layers = int("pred_rnn_layers"), hidden = int("pred_hidden");
  // NeMo's encoder gives [B, d_model, T']: its width is the caches' d_model
  const width = encoder.outputDims[0]?.[1];
  const encoderDim = typeof width === "number" ? width : streaming.cache_last_channel_dim3;
  const layout: ModelLayout = {
    ...nemoCtcLayoutOf(streaming, nemoCtcTensors(encoder.io, files.encoder)),
    encoderOutAxes: "feature-time",
  };
  if (decoder.io.inputs.length !== 4 || decoder.io.outputs.length !== 4) {
    throw new Error(
      `${files.decoder} has inputs ${decoder.io.inputs.join(", ")} and outputs ${
        decoder.io.outputs.join(", ")
      }; ` +
        "a NeMo transducer's prediction network takes targets, target_length and the LSTM's two states and " +
        "gives its outputs, their lengths and the next two states",
    );
  }
  const decoderWidth = decoder.outputDims[0]?.[1];
  if (typeof decoderWidth === "number" && decoderWidth !== hidden) {
    throw new Error(
      `${files.decoder} gives outputs of ${decoderWidth} but ${files.encoder} says pred_hidden ${hidden}`,
    );
  }
  if (joiner.io.inputs.length !== 2) {
    throw new Error(
      `${files.joiner} has inputs ${joiner.io.inputs.join(", ")}; a NeMo transducer's joiner takes ` +
        "encoder_outputs and decoder_outputs",
    );
  }
  const logits = joiner.outputDims[0]?.at(-1);
  if (typeof logits === "number" && logits !== streaming.vocab_size + 1) {
    throw new Error(
      `${files.joiner} gives ${logits} values a frame but ${files.encoder} says vocab_size ${streaming.vocab_size} ` +
        `(${streaming.vocab_size + 1} with the blank)` +
        (logits > streaming.vocab_size + 1
          ? ": a TDT model's durations? This server runs NeMo RNNT models"
          : ""),
    );
  }
  return { streaming, layout, lstm: { layers, hidden, encoderDim } };
}
