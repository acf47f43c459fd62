// What a directory without model.json holds: a NeMo cache-aware streaming CTC export as the
// sherpa-onnx zoo ships it is loaded from its metadata and tokens.txt; anything else is refused by
// loadModelDir with what it holds.
import { deepStrictEqual, ok, rejects, strictEqual, throws } from "node:assert/strict";
import protobuf from "protobufjs";
import { KALDI_FBANK, NEMO_FBANK } from "./fbank.ts";
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
  // an encoder of neither streaming family (here a NeMo CTC export: no prediction network keys)
  const transducer = await dirWith({
    "encoder-epoch-99.onnx": await Deno.readFile(`${NEMO_EXPORT}/model.onnx`),
    "decoder-epoch-99.onnx": "x",
    "joiner-epoch-99.onnx": "x",
  });
  await refused(
    transducer,
    /streaming transducer .*neither an icefall streaming Zipformer nor a NeMo .*needs pred_rnn_layers, pred_hidden/,
  );
  const junk = await dirWith({ "model.onnx": "not a protobuf", "tokens.txt": "a 0" });
  await refused(junk, /model\.onnx is not a readable ONNX model/);
  for (const dir of [empty, transducer, junk]) await Deno.remove(dir, { recursive: true });
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

/** A small stand-in for sherpa-onnx-streaming-zipformer-ctc-small-2024-03-18 (make_zipformer_ctc_fixture.py). */
const ZIPFORMER_CTC = new URL("./testdata/zipformer-ctc-fixture", import.meta.url).pathname;
const ZIPFORMER_ONNX = "ctc-epoch-30-avg-3-chunk-16-left-128.onnx";

Deno.test("model family: an icefall streaming Zipformer CTC model, its chunking, states and batch axes", async () => {
  const model = await loadModelDir(ZIPFORMER_CTC);
  strictEqual(model.family, "zipformer2-ctc");
  strictEqual(model.name, "zipformer-ctc-fixture");
  deepStrictEqual(model.streaming, {
    vocab_size: 255,
    window_size: 45,
    chunk_shift: 32,
    subsampling_factor: 4,
  });
  strictEqual(model.tokens.blank, 0, "<blk> is id 0, as icefall's");
  strictEqual(model.features, KALDI_FBANK);
  const layout = model.layout;
  deepStrictEqual([layout.featuresInput, layout.featureAxes, layout.lengthInput, layout.logProbsOutput], [
    "x",
    "time-feature",
    undefined,
    "log_probs",
  ]);
  deepStrictEqual(layout.states.slice(0, 6).map((s) => [s.input, s.output, s.dims, s.batchAxis]), [
    ["cached_key_0", "new_cached_key_0", [16, 8], 1],
    ["cached_nonlin_attn_0", "new_cached_nonlin_attn_0", [1, 16, 12], 1],
    ["cached_val1_0", "new_cached_val1_0", [16, 8], 1],
    ["cached_val2_0", "new_cached_val2_0", [16, 8], 1],
    ["cached_conv1_0", "new_cached_conv1_0", [16, 3], 0],
    ["cached_conv2_0", "new_cached_conv2_0", [16, 3], 0],
  ]);
  deepStrictEqual(layout.states.slice(6).map((s) => [s.input, s.dims, s.type]), [
    ["cached_key_1", [8, 8], "float32"],
    ["cached_nonlin_attn_1", [1, 8, 12], "float32"],
    ["cached_val1_1", [8, 8], "float32"],
    ["cached_val2_1", [8, 8], "float32"],
    ["cached_conv1_1", [16, 2], "float32"],
    ["cached_conv2_1", [16, 2], "float32"],
    ["embed_states", [128, 3, 19], "float32"],
    ["processed_lens", [], "int64"],
  ]);
  throws(() => nemoCtcLayout(model), /not a NeMo cache-aware streaming CTC one/);
});

Deno.test("model family: Zipformer CTC float and int8 side by side, and what is refused", async () => {
  const onnx = await Deno.readFile(`${ZIPFORMER_CTC}/${ZIPFORMER_ONNX}`);
  const tokens = await Deno.readTextFile(`${ZIPFORMER_CTC}/tokens.txt`);
  const both = await dirWith({
    [ZIPFORMER_ONNX]: onnx,
    [ZIPFORMER_ONNX.replace(".onnx", ".int8.onnx")]: onnx,
    "tokens.txt": tokens,
    "bpe.model": "x",
  });
  strictEqual((await loadModelDir(both)).onnxPath, `${both}/${ZIPFORMER_ONNX}`);
  // NeMo's convention (blank last) is not icefall's
  const blankLast = await dirWith({
    [ZIPFORMER_ONNX]: onnx,
    "tokens.txt": tokens.replace("<blk> 0", "x 0").replace(/\n(\S+) 255\n$/, "\n<blk> 255\n"),
  });
  await rejects(() => loadModelDir(blankLast), /the first id \(0\) must be <blk>/);
  const short = await dirWith({
    [ZIPFORMER_ONNX]: onnx,
    "tokens.txt": tokens.split("\n").slice(0, 100).join("\n"),
  });
  await rejects(() => loadModelDir(short), /tokens\.txt has 100 symbols, .* log-probabilities of 256/);
  for (const dir of [both, blankLast, short]) await Deno.remove(dir, { recursive: true });
});

/** A small stand-in for sherpa-onnx-streaming-zipformer-en-2023-06-26 (make_zipformer_transducer_fixture.py). */
const ZIPFORMER_TRANSDUCER = new URL("./testdata/zipformer-transducer-fixture", import.meta.url).pathname;
const PART = (part: string) => `${part}-epoch-99-avg-1-chunk-16-left-128.onnx`;

Deno.test("model family: an icefall streaming Zipformer transducer, its encoder's chunking and states, decoder and joiner", async () => {
  const model = await loadModelDir(ZIPFORMER_TRANSDUCER);
  strictEqual(model.family, "zipformer2-transducer");
  strictEqual(model.onnxPath, `${ZIPFORMER_TRANSDUCER}/${PART("encoder")}`);
  deepStrictEqual(model.streaming, {
    vocab_size: 255,
    window_size: 45,
    chunk_shift: 32,
    subsampling_factor: 4,
  });
  strictEqual(model.layout.logProbsOutput, "encoder_out", "the search reads the encoder's frames");
  strictEqual(model.layout.states.length, 14);
  const t = model.transducer!;
  deepStrictEqual([t.contextSize, t.vocabSize, t.joinerDim, t.unk], [2, 256, 16, 1]);
  deepStrictEqual(t.files, { encoder: PART("encoder"), decoder: PART("decoder"), joiner: PART("joiner") });
});

Deno.test("model family: a Zipformer transducer's int8 files beside the float ones, and what is refused", async () => {
  const part = (name: string) => Deno.readFile(`${ZIPFORMER_TRANSDUCER}/${PART(name)}`);
  const [encoder, decoder, joiner] = [await part("encoder"), await part("decoder"), await part("joiner")];
  const tokens = await Deno.readTextFile(`${ZIPFORMER_TRANSDUCER}/tokens.txt`);
  const parts = { [PART("encoder")]: encoder, [PART("decoder")]: decoder, [PART("joiner")]: joiner };
  const int8 = (name: string) => PART(name).replace(".onnx", ".int8.onnx");
  const both = await dirWith({
    ...parts,
    [int8("encoder")]: encoder,
    [int8("decoder")]: decoder,
    [int8("joiner")]: joiner,
    "tokens.txt": tokens,
  });
  deepStrictEqual(
    (await loadModelDir(both)).transducer?.files.joiner,
    PART("joiner"),
    "the float files are served",
  );
  const twoJoiners = await dirWith({ ...parts, "joiner-other.onnx": joiner, "tokens.txt": tokens });
  await refused(twoJoiners, /are each a transducer joiner; keep one of them/);
  const noContext = await dirWith({
    ...parts,
    [PART("decoder")]: withMetadata(decoder, { context_size: undefined }),
    "tokens.txt": tokens,
  });
  await refused(noContext, /metadata lacks context_size \(a transducer decoder's\)/);
  const short = await dirWith({ ...parts, "tokens.txt": tokens.split("\n").slice(0, 100).join("\n") });
  await refused(short, /tokens\.txt has 100 symbols, .* says vocab_size 256/);
  const wrongVocab = await dirWith({
    ...parts,
    [PART("decoder")]: withMetadata(decoder, { vocab_size: "500" }),
    "tokens.txt": tokens,
  });
  await refused(wrongVocab, /gives 256 logits but .* says vocab_size 500/);
  for (const dir of [both, twoJoiners, noContext, short, wrongVocab]) {
    await Deno.remove(dir, { recursive: true });
  }
});

const NEMO_TRANSDUCER =
  new URL("./testdata/nemo-streaming-transducer-80ms-fixture", import.meta.url).pathname;

Deno.test("model family: a NeMo streaming transducer as sherpa-onnx ships it, its encoder's caches, LSTM and features", async () => {
  const model = await loadModelDir(NEMO_TRANSDUCER);
  strictEqual(model.family, "nemo-transducer");
  strictEqual(model.onnxPath, `${NEMO_TRANSDUCER}/encoder.onnx`);
  strictEqual(model.features, NEMO_FBANK, "fed the features sherpa-onnx sets for NeMo transducers");
  deepStrictEqual(
    [model.streaming.vocab_size, model.streaming.window_size, model.streaming.chunk_shift],
    [256, 17, 8],
  );
  strictEqual(model.layout.logProbsOutput, "outputs");
  strictEqual(model.layout.encoderOutAxes, "feature-time", "the encoder's frames come channels first");
  deepStrictEqual(model.layout.states.map((s) => s.dims), [[2, 70, 32], [2, 32, 8], []]);
  strictEqual(model.tokens.blank, 256);
  strictEqual(model.tokens.symbols[256], "<blk>");
  const t = model.transducer!;
  deepStrictEqual(t.lstm, { layers: 1, hidden: 16, encoderDim: 32 });
  deepStrictEqual([t.vocabSize, t.unk], [257, undefined], "<unk> is a symbol like any other");
  deepStrictEqual(t.files, { encoder: "encoder.onnx", decoder: "decoder.onnx", joiner: "joiner.onnx" });
});

Deno.test("model family: what is refused of a NeMo streaming transducer", async () => {
  const part = (name: string) => Deno.readFile(`${NEMO_TRANSDUCER}/${name}`);
  const [encoder, decoder, joiner] = [
    await part("encoder.onnx"),
    await part("decoder.onnx"),
    await part("joiner.onnx"),
  ];
  const tokens = await Deno.readTextFile(`${NEMO_TRANSDUCER}/tokens.txt`);
  const zipformerDecoder = await Deno.readFile(`${ZIPFORMER_TRANSDUCER}/${PART("decoder")}`);
  const cases: [Record<string, Uint8Array | string>, RegExp][] = [
    [
      {
        "encoder.onnx": encoder,
        "decoder.onnx": zipformerDecoder,
        "joiner.onnx": joiner,
        "tokens.txt": tokens,
      },
      /decoder\.onnx has inputs y .*prediction network takes targets, target_length/,
    ],
    [
      {
        "encoder.onnx": withMetadata(encoder, { pred_hidden: "640" }),
        "decoder.onnx": decoder,
        "joiner.onnx": joiner,
        "tokens.txt": tokens,
      },
      /decoder\.onnx gives outputs of 16 but encoder\.onnx says pred_hidden 640/,
    ],
    [
      {
        "encoder.onnx": withMetadata(encoder, { normalize_type: "per_feature" }),
        "decoder.onnx": decoder,
        "joiner.onnx": joiner,
        "tokens.txt": tokens,
      },
      /normalize_type is "per_feature"/,
    ],
    [
      {
        "encoder.onnx": encoder,
        "decoder.onnx": decoder,
        "joiner.onnx": joiner,
        "tokens.txt": tokens.replace("<blk> 256", "<eps> 256"),
      },
      /tokens\.txt: the last id \(256\) must be <blk>/,
    ],
  ];
  for (const [files, words] of cases) {
    const dir = await dirWith(files);
    await refused(dir, words);
    await Deno.remove(dir, { recursive: true });
  }
});
