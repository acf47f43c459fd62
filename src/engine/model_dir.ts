// Loads a model directory and refuses any mismatch between manifest, ONNX metadata and files with
// an error that names it: Earshot's own (model.json, the ONNX file, tokens.txt), or a directory of
// any family the engine runs as the sherpa-onnx zoo ships it (zoo_model_dir.ts), whose manifest's
// values come from its ONNX metadata instead.
import { z } from "zod";
import { existsSync } from "node:fs";
import type { FbankConfig } from "./fbank.ts";
import { languageTags } from "./language.ts";
import { Lexicon, LexiconFormatError } from "./lexicon.ts";
import { LmFormatError, PieceLm } from "./lm.ts";
import { ModelError } from "./model_error.ts";
import { identifyModelDir } from "./model_family.ts";
import { type ModelLayout, NEMO_CTC_FEATURES, type Streaming, STREAMING_KEYS } from "./nemo_ctc_family.ts";
import type { NemoPredictionNet } from "./nemo_transducer_family.ts";
import { readOnnxMetadata } from "./onnx_metadata.ts";
import { parseTokens, TokenTable } from "./tokens.ts";
import type { TransducerDecoderInfo, TransducerFiles } from "./zipformer_transducer_family.ts";
import { loadZooModelDir, nemoCtcParts, readModelFile } from "./zoo_model_dir.ts";

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

export { ModelError };

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export async function loadModelDir(dir: string): Promise<ModelInfo> {
  const read = (name: string) => readModelFile(dir, name);
  if (!existsSync(`${dir}/model.json`)) {
    const found = await identifyModelDir(dir);
    if (found.kind === "unsupported") throw new ModelError(`model ${dir}: ${found.reason}`);
    return await loadZooModelDir(dir, found);
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
