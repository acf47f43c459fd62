// A model directory as the sherpa-onnx zoo ships it (no model.json), one loader per family: what
// Earshot's manifest gives comes from the ONNX metadata, the files' graphs and tokens.txt; the
// name is the directory's, the languages English unless the vocabulary has language tags (nothing
// in the zoo's files says which). model_family.ts tells the families apart; each family's module
// knows its metadata, tensors and features.
import { languageTags } from "./language.ts";
import type { ModelInfo } from "./model_dir.ts";
import { ModelError } from "./model_error.ts";
import type { ModelDirKind } from "./model_family.ts";
import {
  type ModelLayout,
  NEMO_CTC_FEATURES,
  nemoCtcLayoutOf,
  nemoCtcTensors,
  type Streaming,
  streamingFromMetadata,
} from "./nemo_ctc_family.ts";
import { NEMO_TRANSDUCER_FEATURES, nemoTransducerFromFiles } from "./nemo_transducer_family.ts";
import { readOnnxMetadata } from "./onnx_metadata.ts";
import { graphInputsOutputs, graphOutputDims } from "./onnx_proto.ts";
import { parseTokens, TokenTable } from "./tokens.ts";
import {
  ZIPFORMER_CTC_FEATURES,
  ZIPFORMER_SUBSAMPLING,
  zipformerCtcLayout,
  zipformerEncoderLayout,
  zipformerFromMetadata,
  zipformerVocab,
} from "./zipformer_ctc_family.ts";
import { decoderFromMetadata, joinerDim, type TransducerFiles } from "./zipformer_transducer_family.ts";

/** Loads what identifyModelDir found. */
export function loadZooModelDir(
  dir: string,
  found: Exclude<ModelDirKind, { kind: "unsupported" }>,
): Promise<ModelInfo> {
  switch (found.kind) {
    case "zipformer-ctc-export":
      return loadZipformerCtc(dir, found.onnx, found.bytes, found.metadata);
    case "zipformer-transducer-export":
      return loadZipformerTransducer(dir, found.files, found.bytes, found.metadata);
    case "nemo-transducer-export":
      return loadNemoTransducer(dir, found.files, found.bytes, found.metadata);
    case "nemo-ctc-export":
      return loadNemoCtcExport(dir, found.onnx, found.bytes, found.metadata);
  }
}

/** A file of the directory, or a ModelError naming it. */
export async function readModelFile(dir: string, name: string): Promise<Uint8Array> {
  try {
    return await Deno.readFile(`${dir}/${name}`);
  } catch (e) {
    throw new ModelError(`model ${dir}: cannot read ${name}: ${(e as Error).message}`);
  }
}

/** A family's checks, their Error turned into a ModelError that names the directory. */
function checked<T>(dir: string, check: () => T): T {
  try {
    return check();
  } catch (e) {
    throw new ModelError(`model ${dir}: ${(e as Error).message}`);
  }
}

/** tokens.txt beside the model's `beside` file, with the family's blank (last: NeMo; first: icefall). */
async function zooTokens(dir: string, beside: string, blankAt: "last" | "first"): Promise<TokenTable> {
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/tokens.txt`);
  } catch (e) {
    throw new ModelError(`model ${dir}: cannot read tokens.txt beside ${beside}: ${(e as Error).message}`);
  }
  return checked(dir, () => parseTokens(text, blankAt));
}

/**
 * What a zoo directory says of itself: its name is the directory's, its languages its vocabulary's
 * language tags, else English (nothing in the zoo's files says which; most of its streaming
 * models are English).
 */
function zooIdentity(
  dir: string,
  tokens: TokenTable,
): Pick<ModelInfo, "dir" | "name" | "languages" | "tokens" | "languageTags"> {
  const tags = languageTags(tokens);
  const trimmed = dir.replace(/\/+$/, "");
  return {
    dir,
    name: trimmed.slice(trimmed.lastIndexOf("/") + 1),
    languages: tags.size ? [...new Set(tags.values())].sort() : ["en"],
    tokens,
    languageTags: tags,
  };
}

/** The family's streaming values and tensors of an ONNX file, or a ModelError naming what is wrong. */
export function nemoCtcParts(
  dir: string,
  onnxName: string,
  onnxBytes: Uint8Array,
  metadata: Record<string, string>,
): { streaming: Streaming; layout: ModelLayout } {
  return checked(dir, () => {
    const streaming = streamingFromMetadata(metadata, onnxName);
    return {
      streaming,
      layout: nemoCtcLayoutOf(streaming, nemoCtcTensors(graphInputsOutputs(onnxBytes), onnxName)),
    };
  });
}

/**
 * A NeMo cache-aware streaming CTC export without model.json (a sherpa-onnx zoo directory): what
 * the manifest gives comes from the ONNX metadata and tokens.txt. The name is the directory's; the
 * languages are the language tags of its vocabulary where it has some, else English (NVIDIA's
 * exports say nothing of their language, and every streaming CTC model of the zoo is English).
 */
async function loadNemoCtcExport(
  dir: string,
  onnxName: string,
  onnxBytes: Uint8Array,
  metadata: Record<string, string>,
): Promise<ModelInfo> {
  const { streaming, layout } = nemoCtcParts(dir, onnxName, onnxBytes, metadata);
  const tokens = await zooTokens(dir, onnxName, "last");
  if (tokens.symbols.length !== streaming.vocab_size + 1) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols, vocab_size + blank in ${onnxName} is ${
        streaming.vocab_size + 1
      }`,
    );
  }
  return {
    ...zooIdentity(dir, tokens),
    onnxPath: `${dir}/${onnxName}`,
    onnxBytes,
    family: "nemo-ctc",
    streaming,
    layout,
    features: NEMO_CTC_FEATURES,
  };
}

/**
 * An icefall streaming Zipformer CTC model as the sherpa-onnx zoo ships it (no model.json): the
 * chunking from its metadata (T feature frames a call, advancing decode_chunk_len, 4x
 * subsampling), the vocabulary size from its log_probs' last dim, tokens.txt with <blk> at id 0.
 * The name is the directory's; the languages are English unless its vocabulary has language tags
 * (the zoo's are English or Chinese; nothing in the file says which).
 */
async function loadZipformerCtc(
  dir: string,
  onnxName: string,
  onnxBytes: Uint8Array,
  metadata: Record<string, string>,
): Promise<ModelInfo> {
  const { z, layout, vocab } = checked(dir, () => {
    const z = zipformerFromMetadata(metadata, onnxName);
    return {
      z,
      layout: zipformerCtcLayout(z, graphInputsOutputs(onnxBytes), onnxName),
      vocab: zipformerVocab(graphOutputDims(onnxBytes), onnxName),
    };
  });
  const tokens = await zooTokens(dir, onnxName, "first");
  if (tokens.symbols.length !== vocab) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols, ${onnxName} gives log-probabilities ` +
        `of ${vocab}`,
    );
  }
  return {
    ...zooIdentity(dir, tokens),
    onnxPath: `${dir}/${onnxName}`,
    onnxBytes,
    family: "zipformer2-ctc",
    streaming: {
      vocab_size: vocab - 1,
      window_size: z.T,
      chunk_shift: z.decode_chunk_len,
      subsampling_factor: ZIPFORMER_SUBSAMPLING,
    },
    layout,
    features: ZIPFORMER_CTC_FEATURES,
  };
}

/**
 * An icefall streaming Zipformer transducer as the sherpa-onnx zoo ships it: the encoder's
 * chunking and states as the Zipformer CTC model's, the decoder's context size and vocabulary from
 * its metadata, the joiner's width from the decoder's output; tokens.txt with <blk> at id 0.
 */
async function loadZipformerTransducer(
  dir: string,
  files: TransducerFiles,
  encoderBytes: Uint8Array,
  metadata: Record<string, string>,
): Promise<ModelInfo> {
  const decoderBytes = await readModelFile(dir, files.decoder);
  const joinerBytes = await readModelFile(dir, files.joiner);
  const { z, layout, decoder, width } = checked(dir, () => {
    const z = zipformerFromMetadata(metadata, files.encoder);
    const decoder = decoderFromMetadata(readOnnxMetadata(decoderBytes), files.decoder);
    return {
      z,
      layout: zipformerEncoderLayout(z, graphInputsOutputs(encoderBytes), files.encoder),
      decoder,
      width: joinerDim(graphOutputDims(decoderBytes), graphOutputDims(joinerBytes), decoder, files),
    };
  });
  const tokens = await zooTokens(dir, files.encoder, "first");
  if (tokens.symbols.length !== decoder.vocabSize) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols, ${files.decoder} says vocab_size ` +
        `${decoder.vocabSize}`,
    );
  }
  const unk = tokens.symbols.indexOf("<unk>");
  return {
    ...zooIdentity(dir, tokens),
    onnxPath: `${dir}/${files.encoder}`,
    onnxBytes: encoderBytes,
    family: "zipformer2-transducer",
    streaming: {
      vocab_size: decoder.vocabSize - 1,
      window_size: z.T,
      chunk_shift: z.decode_chunk_len,
      subsampling_factor: ZIPFORMER_SUBSAMPLING,
    },
    layout,
    features: ZIPFORMER_CTC_FEATURES,
    transducer: {
      ...decoder,
      files,
      decoderBytes,
      joinerBytes,
      joinerDim: width,
      unk: unk >= 0 ? unk : undefined,
    },
  };
}

/**
 * A NeMo cache-aware streaming transducer as the sherpa-onnx zoo ships it: the encoder's chunking
 * and caches as the NeMo CTC export's, the prediction network's shape from its metadata, the three
 * files' tensors checked; tokens.txt with <blk> last. The name is the directory's; the languages
 * English unless its vocabulary has language tags (the zoo's are English).
 */
async function loadNemoTransducer(
  dir: string,
  files: TransducerFiles,
  encoderBytes: Uint8Array,
  metadata: Record<string, string>,
): Promise<ModelInfo> {
  const decoderBytes = await readModelFile(dir, files.decoder);
  const joinerBytes = await readModelFile(dir, files.joiner);
  const parts = (bytes: Uint8Array) => ({
    io: graphInputsOutputs(bytes),
    outputDims: graphOutputDims(bytes),
  });
  const { streaming, layout, lstm } = checked(
    dir,
    () =>
      nemoTransducerFromFiles(
        files,
        { metadata, ...parts(encoderBytes) },
        parts(decoderBytes),
        parts(joinerBytes),
      ),
  );
  const tokens = await zooTokens(dir, files.encoder, "last");
  if (
    tokens.symbols.length !== streaming.vocab_size + 1 || tokens.symbols[streaming.vocab_size] !== "<blk>"
  ) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols ending in ${tokens.symbols.at(-1)}; ` +
        `${files.encoder} says vocab_size ${streaming.vocab_size}, so ${
          streaming.vocab_size + 1
        } with <blk> last`,
    );
  }
  return {
    ...zooIdentity(dir, tokens),
    onnxPath: `${dir}/${files.encoder}`,
    onnxBytes: encoderBytes,
    family: "nemo-transducer",
    streaming,
    layout,
    features: NEMO_TRANSDUCER_FEATURES,
    // the decoder takes the last symbol; <unk> is emitted like any other piece (sherpa-onnx does so)
    transducer: {
      contextSize: 1,
      vocabSize: streaming.vocab_size + 1,
      files,
      decoderBytes,
      joinerBytes,
      joinerDim: lstm.encoderDim,
      lstm,
    },
  };
}
