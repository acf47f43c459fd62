// What a directory without model.json holds: a NeMo cache-aware streaming CTC export as the
// sherpa-onnx zoo ships it is loaded from its metadata and tokens.txt; anything else is refused by
// loadModelDir with what it holds.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import protobuf from "protobufjs";
import { KALDI_FBANK } from "./fbank.ts";
import { loadModelDir, ModelError } from "./model_dir.ts";
import { nemoCtcLayout } from "./nemo_ctc_family.ts";
import { readOnnxMetadata } from "./onnx_metadata.ts";
import { concat, lengthDelimited, readFields } from "./onnx_proto.ts";

const SHIPPED = new URL("../../models/en-default", import.meta.url).pathname;
/** A small stand-in for sherpa-onnx-nemo-streaming-fast-conformer-ctc-en-80ms (make_nemo_ctc_fixture.py). */
const NEMO_EXPORT = new URL("./testdata/nemo-streaming-ctc-80ms-fixture", import.meta.url).pathname;

async function dirWith(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === "string") await Deno.writeTextFile(`${dir}/${name}`, content);
    else await Deno.writeFile(`${dir}/${name}`, content);
  }
  return dir;
}

/** The model with its metadata changed (undefined removes a key). */
function withMetadata(model: Uint8Array, changes: Record<string, string | undefined>): Uint8Array {
  const metadata = { ...readOnnxMetadata(model), ...changes };
  const entries = Object.entries(metadata).filter((e): e is [string, string] => e[1] !== undefined).map((
    [key, value],
  ) =>
    lengthDelimited(14, protobuf.Writer.create().uint32(10).string(key).uint32(18).string(value).finish())
  );
  return concat([...readFields(model).filter((f) => f.field !== 14).map((f) => f.encoded), ...entries]);
}

const refused = (dir: string, words: RegExp) =>
  rejects(() => loadModelDir(dir), (e) => e instanceof ModelError && words.test(e.message));

Deno.test("model family: what a directory without model.json holds is named, with what is expected", async () => {
  const empty = await dirWith({});
  await refused(empty, /no model\.json and 0 \.onnx files; expected an Earshot model directory/);
  const transducer = await dirWith({
    "encoder-epoch-99.onnx": "x",
    "decoder-epoch-99.onnx": "x",
    "joiner-epoch-99.onnx": "x",
  });
  await refused(transducer, /streaming transducer .*cannot run yet/);
  for (const dir of [empty, transducer]) await Deno.remove(dir, { recursive: true });
});

Deno.test("model family: a NeMo streaming CTC export as sherpa-onnx ships it loads from its metadata", async () => {
  const model = await loadModelDir(NEMO_EXPORT);
  strictEqual(model.name, "nemo-streaming-ctc-80ms-fixture");
  deepStrictEqual(model.languages, ["en"]);
  strictEqual(model.manifest, undefined);
  deepStrictEqual(model.streaming, {
    vocab_size: 256,
    window_size: 17,
    chunk_shift: 8,
    subsampling_factor: 8,
    cache_last_channel_dim1: 2,
    cache_last_channel_dim2: 70,
    cache_last_channel_dim3: 32,
    cache_last_time_dim1: 2,
    cache_last_time_dim2: 32,
    cache_last_time_dim3: 8,
  });
  strictEqual(model.tokens.blank, 256);
  strictEqual(model.features, KALDI_FBANK, "fed sherpa-onnx's default (Kaldi) features");
  // NVIDIA's export names its log-probabilities `logprobs`; the tensors are taken by position
  const layout = nemoCtcLayout(model);
  strictEqual(layout.logProbsOutput, "logprobs");
  deepStrictEqual(layout.states.map((s) => [s.input, s.output, s.dims]), [
    ["cache_last_channel", "cache_last_channel_next", [2, 70, 32]],
    ["cache_last_time", "cache_last_time_next", [2, 32, 8]],
    ["cache_last_channel_len", "cache_last_channel_next_len", []],
  ]);
  // Earshot's own export, bare, is one too (4x, 160 ms windows without overlap)
  const ours = await dirWith({
    "model.onnx": await Deno.readFile(`${SHIPPED}/model.onnx`),
    "tokens.txt": await Deno.readTextFile(`${SHIPPED}/tokens.txt`),
  });
  const bare = await loadModelDir(ours);
  strictEqual(bare.name, ours.slice(ours.lastIndexOf("/") + 1));
  deepStrictEqual(
    [bare.streaming.window_size, bare.streaming.chunk_shift, bare.streaming.subsampling_factor],
    [
      16,
      16,
      4,
    ],
  );
  strictEqual(nemoCtcLayout(bare).logProbsOutput, "log_probs");
  await Deno.remove(ours, { recursive: true });
});

Deno.test("model family: the zoo's int8 file name, and the float one where a directory holds both", async () => {
  const onnx = await Deno.readFile(`${NEMO_EXPORT}/model.onnx`);
  const tokens = await Deno.readTextFile(`${NEMO_EXPORT}/tokens.txt`);
  const int8 = await dirWith({ "model.int8.onnx": onnx, "tokens.txt": tokens });
  strictEqual((await loadModelDir(int8)).onnxPath, `${int8}/model.int8.onnx`);
  const both = await dirWith({ "model.int8.onnx": onnx, "model.onnx": onnx, "tokens.txt": tokens });
  strictEqual((await loadModelDir(both)).onnxPath, `${both}/model.onnx`);
  for (const dir of [int8, both]) await Deno.remove(dir, { recursive: true });
});

Deno.test("model family: a NeMo export that cannot be served is refused by what is wrong", async () => {
  const onnx = await Deno.readFile(`${NEMO_EXPORT}/model.onnx`);
  const tokens = await Deno.readTextFile(`${NEMO_EXPORT}/tokens.txt`);
  const cases: [Record<string, Uint8Array | string>, RegExp][] = [
    [{ "model.onnx": onnx }, /cannot read tokens\.txt beside model\.onnx/],
    [
      { "model.onnx": onnx, "tokens.txt": tokens.split("\n").slice(1).join("\n") },
      /tokens\.txt: id 0 missing/,
    ],
    [
      { "model.onnx": withMetadata(onnx, { vocab_size: "1024" }), "tokens.txt": tokens },
      /tokens\.txt has 257 symbols, vocab_size \+ blank in model\.onnx is 1025/,
    ],
    [
      { "model.onnx": withMetadata(onnx, { normalize_type: "per_feature" }), "tokens.txt": tokens },
      /normalize_type is "per_feature"/,
    ],
    [
      {
        "model.onnx": withMetadata(onnx, { window_size: undefined, chunk_shift: undefined }),
        "tokens.txt": tokens,
      },
      /looks like a NeMo cache-aware streaming CTC export, but its metadata lacks window_size, chunk_shift/,
    ],
    [
      { "model.onnx": withMetadata(onnx, { chunk_shift: "12" }), "tokens.txt": tokens },
      /chunk_shift 12 must be .* a multiple of subsampling_factor 8/,
    ],
    [
      { "a.onnx": onnx, "b.onnx": onnx, "tokens.txt": tokens },
      /a\.onnx, b\.onnx are each a NeMo cache-aware streaming CTC export/,
    ],
  ];
  for (const [files, words] of cases) {
    const dir = await dirWith(files);
    await refused(dir, words);
    await Deno.remove(dir, { recursive: true });
  }
  // the metadata rewrite itself keeps a model that loads
  const same = await dirWith({ "model.onnx": withMetadata(onnx, {}), "tokens.txt": tokens });
  ok(await loadModelDir(same));
  await Deno.remove(same, { recursive: true });
});
