// The learned punctuation and casing model (trained by models/recipe/punctuation.py): word
// embeddings through one bidirectional GRU layer, predicting per word its casing and the mark after
// it. Runs here in plain TypeScript: a turn of 20 words is about a million multiply-adds.

import { crc32 } from "./crc32.ts";
import { wordKey } from "./word_keys.ts";

export type Casing = "lower" | "capitalized" | "upper";
export type Mark = "" | "," | "." | "?";

export interface WordPrediction {
  casing: Casing;
  mark: Mark;
}

const CASES: readonly Casing[] = ["lower", "capitalized", "upper"];
const MARKS: readonly Mark[] = ["", ",", ".", "?"];
const OUTPUTS = CASES.length + MARKS.length;
const FORMAT_VERSION = 2;
const NUMBER = "<num>";

interface TensorEntry {
  name: string;
  shape: number[];
  dtype: "int8" | "float32";
  offset: number;
}

interface Manifest {
  kind: string;
  format_version: number;
  cases: string[];
  marks: string[];
  embed: number;
  hidden: number;
  oov_buckets: number;
  layout: TensorEntry[];
  vocabulary: string[];
  /** Logits the recipe computed for these words, to check this implementation against. */
  check?: { words: string[]; logits: number[][] };
}

/** One direction of the GRU layer (PyTorch's gate order: reset, update, new). */
interface GruWeights {
  inputWeights: Float32Array; // 3H x E
  hiddenWeights: Float32Array; // 3H x H
  inputBias: Float32Array;
  hiddenBias: Float32Array;
}

export class PunctuationModel {
  private readonly encoder = new TextEncoder();
  private readonly index: Map<string, number>;

  private constructor(
    private readonly manifest: Manifest,
    private readonly embedding: Int8Array,
    private readonly embeddingScales: Float32Array,
    private readonly forward: GruWeights,
    private readonly backward: GruWeights,
    private readonly outWeights: Float32Array,
    private readonly outBias: Float32Array,
  ) {
    this.index = new Map(manifest.vocabulary.map((word, i) => [word, i]));
  }

  /** Loads `punctuation.json` and `punctuation.bin` from a directory; throws on any mismatch. */
  static load(dir: string): PunctuationModel {
    const manifest = JSON.parse(Deno.readTextFileSync(`${dir}/punctuation.json`)) as Manifest;
    const fail = (why: string): never => {
      throw new Error(`${dir}: not a punctuation model this server runs: ${why}`);
    };
    if (manifest.kind !== "earshot-punctuation") fail(`kind is ${manifest.kind}`);
    if (manifest.format_version !== FORMAT_VERSION) fail(`format_version ${manifest.format_version}`);
    if (manifest.cases?.join() !== CASES.join() || manifest.marks?.join() !== MARKS.join()) {
      fail("unexpected classes");
    }
    const bytes = Deno.readFileSync(`${dir}/punctuation.bin`);
    const { embed: e, hidden: h } = manifest;
    const rows = manifest.vocabulary.length + manifest.oov_buckets;
    /** A copy of one tensor's bytes, after checking its layout entry. */
    const tensorBytes = (name: string, shape: number[], dtype: TensorEntry["dtype"]): ArrayBuffer => {
      const entry = manifest.layout.find((t) => t.name === name) ?? fail(`no tensor ${name}`);
      if (entry.shape.join() !== shape.join()) fail(`${name} has shape ${entry.shape}, want ${shape}`);
      if (entry.dtype !== dtype) fail(`${name} is ${entry.dtype}, want ${dtype}`);
      const size = shape.reduce((a, b) => a * b, 1) * (dtype === "int8" ? 1 : 4);
      if (entry.offset + size > bytes.length) fail(`punctuation.bin is too short for ${name}`);
      return bytes.slice(entry.offset, entry.offset + size).buffer;
    };
    const floats = (name: string, shape: number[]) => new Float32Array(tensorBytes(name, shape, "float32"));
    const gru = (direction: string): GruWeights => ({
      inputWeights: floats(`${direction}.weight_ih`, [3 * h, e]),
      hiddenWeights: floats(`${direction}.weight_hh`, [3 * h, h]),
      inputBias: floats(`${direction}.bias_ih`, [3 * h]),
      hiddenBias: floats(`${direction}.bias_hh`, [3 * h]),
    });
    return new PunctuationModel(
      manifest,
      new Int8Array(tensorBytes("embed.int8", [rows, e], "int8")),
      floats("embed.scales", [rows]),
      gru("forward"),
      gru("backward"),
      floats("out.weight", [OUTPUTS, 2 * h]),
      floats("out.bias", [OUTPUTS]),
    );
  }

  /** The words and logits the recipe recorded, to check this implementation against. */
  get check(): Manifest["check"] {
    return this.manifest.check;
  }

  /** One prediction per word; words are compared by their key (digits fold into one key). */
  predict(words: readonly string[]): WordPrediction[] {
    const c = CASES.length;
    return this.logits(words).map((row) => ({
      casing: CASES[argmax(row, 0, c)],
      mark: MARKS[argmax(row, c, OUTPUTS) - c],
    }));
  }

  /** Raw output scores per word: casing classes, then mark classes. */
  logits(words: readonly string[]): Float32Array[] {
    const h = this.manifest.hidden;
    const inputs = words.map((word) => this.embed(this.wordId(modelKey(word))));
    const ahead = runGru(this.forward, inputs, h, false);
    const behind = runGru(this.backward, inputs, h, true);
    return inputs.map((_, t) => {
      const row = new Float32Array(OUTPUTS);
      for (let o = 0; o < OUTPUTS; o++) {
        const w = o * 2 * h;
        let sum = this.outBias[o];
        for (let k = 0; k < h; k++) sum += this.outWeights[w + k] * ahead[t][k];
        for (let k = 0; k < h; k++) sum += this.outWeights[w + h + k] * behind[t][k];
        row[o] = sum;
      }
      return row;
    });
  }

  private wordId(key: string): number {
    const known = this.index.get(key);
    if (known !== undefined) return known;
    const size = this.manifest.vocabulary.length;
    return size + crc32(this.encoder.encode(key)) % this.manifest.oov_buckets;
  }

  private embed(id: number): Float32Array {
    const e = this.manifest.embed;
    const scale = this.embeddingScales[id];
    const out = new Float32Array(e);
    for (let k = 0; k < e; k++) out[k] = this.embedding[id * e + k] * scale;
    return out;
  }
}

/** The key the model knows a word by, as the recipe's `word_key`. */
function modelKey(text: string): string {
  const key = wordKey(text);
  return /\d/.test(key) ? NUMBER : key;
}

function runGru(w: GruWeights, inputs: readonly Float32Array[], h: number, reverse: boolean): Float32Array[] {
  const e = inputs[0]?.length ?? 0;
  const states: Float32Array[] = new Array(inputs.length);
  let state = new Float32Array(h);
  const gi = new Float32Array(3 * h);
  const gh = new Float32Array(3 * h);
  for (let step = 0; step < inputs.length; step++) {
    const t = reverse ? inputs.length - 1 - step : step;
    const x = inputs[t];
    for (let g = 0; g < 3 * h; g++) {
      let a = w.inputBias[g];
      for (let k = 0, row = g * e; k < e; k++) a += w.inputWeights[row + k] * x[k];
      gi[g] = a;
      let b = w.hiddenBias[g];
      for (let k = 0, row = g * h; k < h; k++) b += w.hiddenWeights[row + k] * state[k];
      gh[g] = b;
    }
    const next = new Float32Array(h);
    for (let k = 0; k < h; k++) {
      const r = sigmoid(gi[k] + gh[k]);
      const z = sigmoid(gi[h + k] + gh[h + k]);
      const n = Math.tanh(gi[2 * h + k] + r * gh[2 * h + k]);
      next[k] = (1 - z) * n + z * state[k];
    }
    states[t] = state = next;
  }
  return states;
}

function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

function argmax(values: Float32Array, from: number, to: number): number {
  let best = from;
  for (let i = from + 1; i < to; i++) if (values[i] > values[best]) best = i;
  return best;
}
