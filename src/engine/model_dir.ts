// Loads a model directory and refuses any mismatch between manifest, ONNX metadata and files with
// an error that names it: Earshot's own (model.json, the ONNX file, tokens.txt), or a NeMo
// cache-aware streaming CTC export or an icefall streaming Zipformer CTC model as the sherpa-onnx
// zoo ships them (model_family.ts), whose manifest's values come from their ONNX metadata instead.
import { z } from "zod";
import { existsSync } from "node:fs";
import type { FbankConfig } from "./fbank.ts";
import { identifyModelDir } from "./model_family.ts";
import {
  type ModelLayout,
  NEMO_CTC_FEATURES,
  nemoCtcLayoutOf,
  nemoCtcTensors,
  type Streaming,
  STREAMING_KEYS,
  streamingFromMetadata,
} from "./nemo_ctc_family.ts";
import {
  NEMO_TRANSDUCER_FEATURES,
  type NemoPredictionNet,
  type NemoTransducer,
  nemoTransducerFromFiles,
} from "./nemo_transducer_family.ts";
import { readOnnxMetadata } from "./onnx_metadata.ts";
import { graphInputsOutputs, graphOutputDims } from "./onnx_proto.ts";
import {
  ZIPFORMER_CTC_FEATURES,
  ZIPFORMER_SUBSAMPLING,
  zipformerCtcLayout,
  zipformerEncoderLayout,
  zipformerFromMetadata,
  zipformerVocab,
} from "./zipformer_ctc_family.ts";
import {
  decoderFromMetadata,
  joinerDim,
  type TransducerDecoderInfo,
  type TransducerFiles,
} from "./zipformer_transducer_family.ts";
import { languageTags } from "./language.ts";
import { Lexicon, LexiconFormatError } from "./lexicon.ts";
import { LmFormatError, PieceLm } from "./lm.ts";
import { parseTokens, TokenTable } from "./tokens.ts";

const manifestSchema = z.object({
  name: z.string(),
  version: z.string(),
  languages: z.array(z.string()).min(1),
  sample_rate: z.literal(16000),
  streaming: z.object(Object.fromEntries(STREAMING_KEYS.map((k) => [k, z.number().int().positive()]))),
  vocabulary: z.string(),
  files: z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/)),
  /** A word-piece n-gram model for the beam search, with its fusion weights (models/recipe/lm.py). */
  lm: z.object({
    file: z.string(),
    order: z.number().int().min(1).max(6),
    weight: z.number().min(0),
    bonus: z.number(),
    /** Whether a turn's first words are scored as a sentence's (ctc_beam.ts LmFusion.sentenceStart). */
    sentence_start: z.boolean().default(true),
  }).passthrough().optional(),
  /** A word list for the beam search, with the penalty for spelling outside it (models/recipe/lexicon.py). */
  lexicon: z.object({
    file: z.string(),
    penalty: z.number().min(0),
  }).passthrough().optional(),
}).passthrough();

export type Manifest = z.infer<typeof manifestSchema>;

/** The families the engine runs, each in a module of its own that alone knows its tensors. */
export type ModelFamily = "nemo-ctc" | "zipformer2-ctc" | "zipformer2-transducer" | "nemo-transducer";

/** A transducer's decoder and joiner (its encoder is the model's ONNX file, onnxPath). */
export interface TransducerParts extends TransducerDecoderInfo {
  files: TransducerFiles;
  decoderBytes: Uint8Array;
  joinerBytes: Uint8Array;
  /** The width of the encoder's and the decoder's outputs, as the joiner takes them (icefall's). */
  joinerDim: number;
  /**
   * A NeMo transducer's LSTM prediction network (nemo_transducer_family.ts), whose outputs are
   * `hidden` wide and the encoder's `encoderDim`; undefined for icefall's stateless decoders.
   */
  lstm?: NemoPredictionNet;
  /** `<unk>`'s id where the vocabulary has one: never emitted (sherpa-onnx treats it as blank). */
  unk?: number;
}

/**
 * How a stream is cut into calls, whatever the family: `window_size` feature frames per call,
 * advancing `chunk_shift`, `subsampling_factor` feature frames per output frame, `vocab_size`
 * log-probabilities per output frame less the blank.
 */
export type Chunking = Pick<Streaming, "vocab_size" | "window_size" | "chunk_shift" | "subsampling_factor">;

export interface ModelInfo {
  dir: string;
  name: string;
  languages: string[];
  onnxPath: string;
  onnxBytes: Uint8Array;
  tokens: TokenTable;
  /** Token ids of the language tags (`<es>` …) with their codes; empty for a single-language model. */
  languageTags: ReadonlyMap<number, string>;
  family: ModelFamily;
  streaming: Chunking;
  /** The ONNX file's tensors by role and its states, as its family reads them. */
  layout: ModelLayout;
  /** The features the model is fed: its family's (fbank.ts). */
  features: FbankConfig;
  /** A transducer's decoder and joiner; undefined for the CTC families. */
  transducer?: TransducerParts;
  /** model.json; undefined for a NeMo export served without one. */
  manifest?: Manifest;
  /** The model's language model and the fusion weights it was tuned with, where it ships one. */
  lm?: { model: PieceLm; weight: number; bonus: number; sentenceStart: boolean };
  /** The model's word list and the penalty it was tuned with, where it ships one. */
  lexicon?: { words: Lexicon; penalty: number };
}

export class ModelError extends Error {}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function loadModelDir(dir: string): Promise<ModelInfo> {
  const read = async (name: string) => {
    try {
      return await Deno.readFile(`${dir}/${name}`);
    } catch (e) {
      throw new ModelError(`model ${dir}: cannot read ${name}: ${(e as Error).message}`);
    }
  };
  if (!existsSync(`${dir}/model.json`)) {
    const found = await identifyModelDir(dir);
    if (found.kind === "unsupported") throw new ModelError(`model ${dir}: ${found.reason}`);
    if (found.kind === "zipformer-ctc-export") {
      return await loadZipformerCtc(dir, found.onnx, found.bytes, found.metadata);
    }
    if (found.kind === "zipformer-transducer-export") {
      return await loadZipformerTransducer(dir, found.files, found.bytes, found.metadata);
    }
    if (found.kind === "nemo-transducer-export") {
      return await loadNemoTransducer(dir, found.files, found.bytes, found.metadata);
    }
    return await loadNemoCtcExport(dir, found.onnx, found.bytes, found.metadata);
  }
  let manifest: Manifest;
  try {
    manifest = manifestSchema.parse(JSON.parse(new TextDecoder().decode(await read("model.json"))));
  } catch (e) {
    if (e instanceof ModelError) throw e;
    throw new ModelError(`model ${dir}: invalid model.json: ${(e as Error).message}`);
  }
  const onnxName = Object.keys(manifest.files).find((f) => f.endsWith(".onnx"));
  if (!onnxName) throw new ModelError(`model ${dir}: model.json lists no .onnx file`);
  const files = new Map<string, Uint8Array>();
  for (const [name, expected] of Object.entries(manifest.files)) {
    const bytes = await read(name);
    const actual = await sha256Hex(bytes);
    if (actual !== expected) {
      throw new ModelError(`model ${dir}: ${name} has SHA-256 ${actual}, model.json says ${expected}`);
    }
    files.set(name, bytes);
  }
  const onnxBytes = files.get(onnxName)!;
  const metadata = readOnnxMetadata(onnxBytes);
  for (const key of STREAMING_KEYS) {
    const fromManifest = manifest.streaming[key];
    const fromOnnx = Number(metadata[key]);
    if (metadata[key] === undefined) throw new ModelError(`model ${dir}: ${onnxName} metadata lacks ${key}`);
    if (fromOnnx !== fromManifest) {
      throw new ModelError(
        `model ${dir}: ${key} is ${fromOnnx} in ${onnxName} but ${fromManifest} in model.json`,
      );
    }
  }
  const { streaming, layout } = nemoCtcParts(dir, onnxName, onnxBytes, metadata);
  const tokens = parseTokens(
    new TextDecoder().decode(files.get(manifest.vocabulary) ?? await read(manifest.vocabulary)),
  );
  if (tokens.symbols.length !== streaming.vocab_size + 1) {
    throw new ModelError(
      `model ${dir}: ${manifest.vocabulary} has ${tokens.symbols.length} symbols, vocab_size + blank is ${
        streaming.vocab_size + 1
      }`,
    );
  }
  const tags = languageTags(tokens);
  const tagged = [...tags.values()].sort();
  if (tagged.length && tagged.join(",") !== [...manifest.languages].sort().join(",")) {
    throw new ModelError(
      `model ${dir}: ${manifest.vocabulary} has language tags for ${tagged.join(", ")}, ` +
        `model.json lists ${manifest.languages.join(", ")}`,
    );
  }
  let lm: ModelInfo["lm"];
  if (manifest.lm) {
    const bytes = files.get(manifest.lm.file);
    if (!bytes) throw new ModelError(`model ${dir}: lm.file ${manifest.lm.file} is not listed in files`);
    let model: PieceLm;
    try {
      model = PieceLm.parse(bytes);
    } catch (e) {
      if (!(e instanceof LmFormatError)) throw e;
      throw new ModelError(`model ${dir}: ${manifest.lm.file}: ${e.message}`);
    }
    if (model.order !== manifest.lm.order || model.pieces !== streaming.vocab_size) {
      throw new ModelError(
        `model ${dir}: ${manifest.lm.file} is order ${model.order} over ${model.pieces} pieces, ` +
          `model.json says order ${manifest.lm.order} and vocab_size ${streaming.vocab_size}`,
      );
    }
    lm = {
      model,
      weight: manifest.lm.weight,
      bonus: manifest.lm.bonus,
      sentenceStart: manifest.lm.sentence_start,
    };
  }
  let lexicon: ModelInfo["lexicon"];
  if (manifest.lexicon) {
    const bytes = files.get(manifest.lexicon.file);
    if (!bytes) {
      throw new ModelError(`model ${dir}: lexicon.file ${manifest.lexicon.file} is not listed in files`);
    }
    try {
      lexicon = { words: Lexicon.parse(new TextDecoder().decode(bytes)), penalty: manifest.lexicon.penalty };
    } catch (e) {
      if (!(e instanceof LexiconFormatError)) throw e;
      throw new ModelError(`model ${dir}: ${manifest.lexicon.file}: ${e.message}`);
    }
  }
  return {
    dir,
    name: manifest.name,
    languages: manifest.languages,
    onnxPath: `${dir}/${onnxName}`,
    onnxBytes,
    tokens,
    languageTags: tags,
    family: "nemo-ctc",
    streaming,
    layout,
    features: NEMO_CTC_FEATURES,
    manifest,
    lm,
    lexicon,
  };
}

/** The family's streaming values and tensors of an ONNX file, or a ModelError naming what is wrong. */
function nemoCtcParts(
  dir: string,
  onnxName: string,
  onnxBytes: Uint8Array,
  metadata: Record<string, string>,
): { streaming: Streaming; layout: ModelLayout } {
  try {
    const streaming = streamingFromMetadata(metadata, onnxName);
    return {
      streaming,
      layout: nemoCtcLayoutOf(streaming, nemoCtcTensors(graphInputsOutputs(onnxBytes), onnxName)),
    };
  } catch (e) {
    throw new ModelError(`model ${dir}: ${(e as Error).message}`);
  }
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
  let text: string;
  try {
    text = await Deno.readTextFile(`${dir}/tokens.txt`);
  } catch (e) {
    throw new ModelError(`model ${dir}: cannot read tokens.txt beside ${onnxName}: ${(e as Error).message}`);
  }
  let tokens: TokenTable;
  try {
    tokens = parseTokens(text);
  } catch (e) {
    throw new ModelError(`model ${dir}: ${(e as Error).message}`);
  }
  if (tokens.symbols.length !== streaming.vocab_size + 1) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols, vocab_size + blank in ${onnxName} is ${
        streaming.vocab_size + 1
      }`,
    );
  }
  const tags = languageTags(tokens);
  const trimmed = dir.replace(/\/+$/, "");
  return {
    dir,
    name: trimmed.slice(trimmed.lastIndexOf("/") + 1),
    languages: tags.size ? [...new Set(tags.values())].sort() : ["en"],
    onnxPath: `${dir}/${onnxName}`,
    onnxBytes,
    tokens,
    languageTags: tags,
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
  let layout: ModelLayout, vocab: number, z: ReturnType<typeof zipformerFromMetadata>;
  try {
    z = zipformerFromMetadata(metadata, onnxName);
    layout = zipformerCtcLayout(z, graphInputsOutputs(onnxBytes), onnxName);
    vocab = zipformerVocab(graphOutputDims(onnxBytes), onnxName);
  } catch (e) {
    throw new ModelError(`model ${dir}: ${(e as Error).message}`);
  }
  let tokens: TokenTable;
  try {
    tokens = parseTokens(await Deno.readTextFile(`${dir}/tokens.txt`), "first");
  } catch (e) {
    throw new ModelError(`model ${dir}: tokens.txt beside ${onnxName}: ${(e as Error).message}`);
  }
  if (tokens.symbols.length !== vocab) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols, ${onnxName} gives log-probabilities ` +
        `of ${vocab}`,
    );
  }
  const tags = languageTags(tokens);
  const trimmed = dir.replace(/\/+$/, "");
  return {
    dir,
    name: trimmed.slice(trimmed.lastIndexOf("/") + 1),
    languages: tags.size ? [...new Set(tags.values())].sort() : ["en"],
    onnxPath: `${dir}/${onnxName}`,
    onnxBytes,
    tokens,
    languageTags: tags,
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
  const read = async (name: string) => {
    try {
      return await Deno.readFile(`${dir}/${name}`);
    } catch (e) {
      throw new ModelError(`model ${dir}: cannot read ${name}: ${(e as Error).message}`);
    }
  };
  const [decoderBytes, joinerBytes] = [await read(files.decoder), await read(files.joiner)];
  let layout: ModelLayout, z: ReturnType<typeof zipformerFromMetadata>;
  let decoder: TransducerDecoderInfo, width: number;
  try {
    z = zipformerFromMetadata(metadata, files.encoder);
    layout = zipformerEncoderLayout(z, graphInputsOutputs(encoderBytes), files.encoder);
    decoder = decoderFromMetadata(readOnnxMetadata(decoderBytes), files.decoder);
    width = joinerDim(graphOutputDims(decoderBytes), graphOutputDims(joinerBytes), decoder, files);
  } catch (e) {
    throw new ModelError(`model ${dir}: ${(e as Error).message}`);
  }
  let tokens: TokenTable;
  try {
    tokens = parseTokens(await Deno.readTextFile(`${dir}/tokens.txt`), "first");
  } catch (e) {
    throw new ModelError(`model ${dir}: tokens.txt beside ${files.encoder}: ${(e as Error).message}`);
  }
  if (tokens.symbols.length !== decoder.vocabSize) {
    throw new ModelError(
      `model ${dir}: tokens.txt has ${tokens.symbols.length} symbols, ${files.decoder} says vocab_size ` +
        `${decoder.vocabSize}`,
    );
  }
  const tags = languageTags(tokens);
  const trimmed = dir.replace(/\/+$/, "");
  const unk = tokens.symbols.indexOf("<unk>");
  return {
    dir,
    name: trimmed.slice(trimmed.lastIndexOf("/") + 1),
    languages: tags.size ? [...new Set(tags.values())].sort() : ["en"],
    onnxPath: `${dir}/${files.encoder}`,
    onnxBytes: encoderBytes,
    tokens,
    languageTags: tags,
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
  const read = async (name: string) => {
    try {
      return await Deno.readFile(`${dir}/${name}`);
    } catch (e) {
      throw new ModelError(`model ${dir}: cannot read ${name}: ${(e as Error).message}`);
    }
  };
  const [decoderBytes, joinerBytes] = [await read(files.decoder), await read(files.joiner)];
  let nemo: NemoTransducer;
  try {
    const parts = (bytes: Uint8Array) => ({
      io: graphInputsOutputs(bytes),
      outputDims: graphOutputDims(bytes),
    });
    nemo = nemoTransducerFromFiles(
      files,
      { metadata, ...parts(encoderBytes) },
      parts(decoderBytes),
      parts(joinerBytes),
    );
  } catch (e) {
    throw new ModelError(`model ${dir}: ${(e as Error).message}`);
  }
  const { streaming, layout, lstm } = nemo;
  let tokens: TokenTable;
  try {
    tokens = parseTokens(await Deno.readTextFile(`${dir}/tokens.txt`));
  } catch (e) {
    throw new ModelError(`model ${dir}: tokens.txt beside ${files.encoder}: ${(e as Error).message}`);
  }
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
  const tags = languageTags(tokens);
  const trimmed = dir.replace(/\/+$/, "");
  return {
    dir,
    name: trimmed.slice(trimmed.lastIndexOf("/") + 1),
    languages: tags.size ? [...new Set(tags.values())].sort() : ["en"],
    onnxPath: `${dir}/${files.encoder}`,
    onnxBytes: encoderBytes,
    tokens,
    languageTags: tags,
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
