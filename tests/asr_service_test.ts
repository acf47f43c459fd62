// The ASR service on the shipped model: admission, a crashed worker, the WebSocket transport,
// and refusal of a model directory whose files disagree.
import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import type { ServerFrame } from "../src/asr/proto.ts";
import { asrHandler } from "../src/asr/server.ts";
import { AsrService } from "../src/asr/service.ts";
import { InProcessTransport, WebSocketTransport } from "../src/asr/transport.ts";
import { BeamCtcDecoder } from "../src/engine/ctc_beam.ts";
import { GreedyCtcDecoder } from "../src/engine/ctc.ts";
import { type DecoderSettings, makeDecoder } from "../src/engine/decoders.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";
import { UNIVERSAL_TURN_SETTINGS } from "../src/engine/turns.ts";
import { servedModels } from "../src/routes.ts";
import { transcribe } from "./helpers/asr_stream.ts";
import { fixture } from "./helpers/wav.ts";

const MODEL = new URL("../models/en-default", import.meta.url).pathname;
const ML_MODEL = new URL("../models/ml-default", import.meta.url).pathname;
/** A NeMo streaming CTC export as the sherpa-onnx zoo ships it (random weights, 8x, 80 ms chunks). */
const NEMO_EXPORT =
  new URL("../src/engine/testdata/nemo-streaming-ctc-80ms-fixture", import.meta.url).pathname;
/** An icefall streaming Zipformer CTC model as the sherpa-onnx zoo ships it (random weights). */
const ZIPFORMER_CTC = new URL("../src/engine/testdata/zipformer-ctc-fixture", import.meta.url).pathname;
const ZIPFORMER_TRANSDUCER =
  new URL("../src/engine/testdata/zipformer-transducer-fixture", import.meta.url).pathname;
const NEMO_TRANSDUCER =
  new URL("../src/engine/testdata/nemo-streaming-transducer-80ms-fixture", import.meta.url).pathname;

/** One node worker serving `model` on the English route. */
function service(
  maxOpenStreams = 4,
  model = MODEL,
  decoder: DecoderSettings = { choice: "greedy" },
): AsrService {
  return new AsrService({
    models: { "en-default": model },
    backend: "node",
    workers: 1,
    threadsPerWorker: 1,
    maxOpenStreams,
    maxBatch: 16,
    maxWaitMs: 5,
    decoder,
    log: () => {},
  });
}

function finalText(frames: ServerFrame[]): string {
  return frames.flatMap((
    f,
  ) => (f.kind === "turn" && f.turn.end_of_turn ? f.turn.words.map((w) => w.text) : [])).join(" ");
}

Deno.test("ASR service: transcribes in-process, refuses beyond MAX_OPEN_STREAMS", async () => {
  const asr = service(1);
  await asr.start();
  try {
    const transport = new InProcessTransport(asr);
    const first = transcribe(transport);
    const second = transcribe(transport, "en-default", null);
    const refused = await second.done;
    strictEqual(refused.at(-1)?.kind, "error");
    const error = refused.at(-1) as Extract<ServerFrame, { kind: "error" }>;
    strictEqual(error.error.kind, "CAPACITY");
    ok(error.error.message.includes("MAX_OPEN_STREAMS"));
    first.finish();
    const frames = await first.done;
    strictEqual(frames.at(-1)?.kind, "finished");
    ok(finalText(frames).includes("phone number"), finalText(frames));
    strictEqual(asr.openStreams, 0);
  } finally {
    await asr.stop();
  }
});

Deno.test("ASR service: a killed worker fails only its streams, clearly, and the service recovers", async () => {
  const asr = service();
  await asr.start();
  try {
    const transport = new InProcessTransport(asr);
    const victim = transcribe(transport);
    asr.crashWorker("en-default");
    const frames = await victim.done;
    const last = frames.at(-1) as Extract<ServerFrame, { kind: "error" }>;
    strictEqual(last.kind, "error");
    strictEqual(last.error.kind, "WORKER_DIED");
    ok(last.error.message.startsWith("Model worker failed"));
    strictEqual(asr.openStreams, 0);
    // the replacement worker serves new streams
    await new Promise((r) => setTimeout(r, 1500));
    const after = transcribe(transport);
    after.finish();
    ok(finalText(await after.done).includes("phone number"));
  } finally {
    await asr.stop();
  }
});

Deno.test("ASR service: ROUTE_MODELS puts a NeMo streaming CTC export without model.json on a route", async () => {
  const route =
    servedModels(new URL("../models", import.meta.url).pathname, `en-default=${NEMO_EXPORT}`)["en-default"];
  strictEqual(route, NEMO_EXPORT);
  const asr = service(2, route);
  await asr.start();
  try {
    const run = transcribe(new InProcessTransport(asr), "en-default", "weather.wav");
    run.finish();
    const frames = await run.done;
    strictEqual(frames.at(-1)?.kind, "finished");
    const turns = frames.flatMap((f) => f.kind === "turn" && f.turn.end_of_turn ? [f.turn] : []);
    const words = turns.flatMap((t) => t.words);
    ok(words.length > 0, "its (gibberish) words are reported");
    ok(turns.every((t) => t.language_code === "en"), "a single-language model's language");
    // word times fall on the model's 80 ms output frames and span the audio
    ok(words.every((w) => w.start_ms % 80 === 0 && w.end_ms % 80 === 0), JSON.stringify(words));
    const audioMs = (fixture("weather.wav").data.length / 32000) * 1000;
    const lastEnd = Math.max(...words.map((w) => w.end_ms));
    ok(lastEnd > 0.6 * audioMs && lastEnd <= audioMs + 400, `last word ends at ${lastEnd} ms of ${audioMs}`);
  } finally {
    await asr.stop();
  }
});

Deno.test("ASR service: ROUTE_MODELS puts an icefall streaming Zipformer CTC model on a route", async () => {
  const route =
    servedModels(new URL("../models", import.meta.url).pathname, `en-default=${ZIPFORMER_CTC}`)["en-default"];
  strictEqual(route, ZIPFORMER_CTC);
  const asr = service(2, route);
  await asr.start();
  try {
    const runs = ["weather.wav", "order.wav"].map((name) =>
      transcribe(new InProcessTransport(asr), "en-default", name)
    );
    runs.forEach((run) => run.finish());
    for (const run of runs) {
      const frames = await run.done;
      strictEqual(frames.at(-1)?.kind, "finished");
      const words = frames.flatMap((f) => f.kind === "turn" && f.turn.end_of_turn ? f.turn.words : []);
      ok(words.length > 0, "its (gibberish) words are reported");
      // word times fall on the model's 40 ms output frames
      ok(words.every((w) => w.start_ms % 40 === 0 && w.end_ms % 40 === 0), JSON.stringify(words));
    }
  } finally {
    await asr.stop();
  }
});

for (
  const [family, dir, frameMs] of [
    ["an icefall streaming Zipformer transducer", ZIPFORMER_TRANSDUCER, 40],
    ["a NeMo streaming transducer (RNNT)", NEMO_TRANSDUCER, 80],
  ] as const
) {
  Deno.test(`ASR service: ROUTE_MODELS puts ${family} on a route`, async () => {
    // the server's default decoder: greedy for a transducer, the beam for the keyterm stream
    const asr = service(2, dir, { choice: "auto" });
    await asr.start();
    try {
      // one greedy stream and one with a keyterm (the modified beam search) share the batches
      const keyterm = { ...UNIVERSAL_TURN_SETTINGS, keyterms: ["taxi"] };
      const runs = ["weather.wav", "order.wav"].map((name, i) =>
        transcribe(new InProcessTransport(asr), "en-default", name, i ? keyterm : undefined)
      );
      runs.forEach((run) => run.finish());
      for (const run of runs) {
        const frames = await run.done;
        strictEqual(frames.at(-1)?.kind, "finished");
        const words = frames.flatMap((f) => f.kind === "turn" && f.turn.end_of_turn ? f.turn.words : []);
        ok(words.length > 0, "its (gibberish) words are reported");
        ok(words.every((w) => w.start_ms % frameMs === 0 && w.end_ms % frameMs === 0), JSON.stringify(words));
      }
    } finally {
      await asr.stop();
    }
  });
}

Deno.test("ASR service over the WebSocket transport (binary protobuf, X-Model-Version)", async () => {
  const asr = service();
  await asr.start();
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, asrHandler(asr));
  try {
    const url = `http://127.0.0.1:${server.addr.port}`;
    const health = await fetch(`${url}/health`);
    strictEqual(health.status, 200);
    ok((await health.json()).routes.includes("en-default"));
    const run = transcribe(new WebSocketTransport(url));
    run.finish();
    const frames = await run.done;
    strictEqual(frames[0].kind, "ready");
    ok(finalText(frames).includes("phone number"), finalText(frames));
  } finally {
    await server.shutdown();
    await asr.stop();
  }
});

/** A scratch copy of a model directory, for tests that tamper with it. */
async function copyModelDir(source: string): Promise<string> {
  const dir = await Deno.makeTempDir();
  const manifest = JSON.parse(await Deno.readTextFile(`${source}/model.json`));
  for (const f of ["model.json", ...Object.keys(manifest.files)]) {
    await Deno.copyFile(`${source}/${f}`, `${dir}/${f}`);
  }
  return dir;
}

Deno.test("model directory: a mismatch between manifest, ONNX metadata and files is refused by name", async () => {
  const dir = await copyModelDir(MODEL);
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    ok(await loadModelDir(dir));
    await Deno.writeTextFile(
      `${dir}/model.json`,
      JSON.stringify({ ...manifest, streaming: { ...manifest.streaming, window_size: 99 } }),
    );
    await rejects(loadModelDir(dir), /window_size is \d+ in model.onnx but 99 in model.json/);
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(manifest));
    await Deno.writeTextFile(`${dir}/tokens.txt`, "tampered");
    await rejects(loadModelDir(dir), /tokens.txt has SHA-256/);
    await Deno.remove(`${dir}/tokens.txt`);
    await rejects(loadModelDir(dir), /cannot read tokens.txt/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("model directory: a multilingual model's language tags must match its manifest's languages", async () => {
  const dir = await copyModelDir(ML_MODEL);
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    deepStrictEqual((await loadModelDir(dir)).languages, ["en", "es", "fr", "de", "it", "pt"]);
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({ ...manifest, languages: ["en", "es"] }));
    await rejects(loadModelDir(dir), /language tags for de, en, es, fr, it, pt, model.json lists en, es/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** Writes a model file and its matching checksum into model.json: a damaged file that passes the checksum. */
async function replaceListedFile(
  dir: string,
  manifest: { files: Record<string, string> },
  name: string,
  bytes: Uint8Array,
): Promise<void> {
  await Deno.writeFile(`${dir}/${name}`, bytes);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>));
  const sha = [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
  await Deno.writeTextFile(
    `${dir}/model.json`,
    JSON.stringify({ ...manifest, files: { ...manifest.files, [name]: sha } }),
  );
}

Deno.test("model directory: the word list loads with its penalty, and a malformed one is refused by line", async () => {
  const dir = await copyModelDir(MODEL);
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    const loaded = await loadModelDir(dir);
    strictEqual(loaded.lexicon?.penalty, manifest.lexicon.penalty);
    strictEqual(loaded.lexicon?.words.size, manifest.lexicon.words);
    ok(loaded.lexicon?.words.has("ultimately"));
    const text = await Deno.readTextFile(`${dir}/words.txt`);
    const broken = new TextEncoder().encode(text.replace("\nultimately\n", "\nUltimately\n"));
    await replaceListedFile(dir, manifest, "words.txt", broken);
    await rejects(loadModelDir(dir), /words.txt: line \d+: "Ultimately" is not lowercase/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("model directory: a language model that does not fit the model is refused by name", async () => {
  const dir = await copyModelDir(MODEL);
  try {
    const manifest = JSON.parse(await Deno.readTextFile(`${dir}/model.json`));
    const loaded = await loadModelDir(dir);
    strictEqual(loaded.lm?.model.order, manifest.lm.order);
    // The default decoder fuses it; greedy leaves it out; keyterms always get the beam search.
    ok(makeDecoder(loaded, { choice: "auto" }, []) instanceof BeamCtcDecoder);
    ok(makeDecoder(loaded, { choice: "greedy" }, []) instanceof GreedyCtcDecoder);
    ok(makeDecoder(loaded, { choice: "greedy" }, ["Keanu"]) instanceof BeamCtcDecoder);
    ok(makeDecoder({ ...loaded, lm: undefined }, { choice: "auto" }, []) instanceof GreedyCtcDecoder);
    // en-default scores a turn's first words outside the sentence-start context; a manifest that
    // does not say keeps sentence starts (ml-default).
    strictEqual(loaded.lm?.sentenceStart, false);
    const { sentence_start: _, ...unsaid } = manifest.lm;
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify({ ...manifest, lm: unsaid }));
    strictEqual((await loadModelDir(dir)).lm?.sentenceStart, true);

    await Deno.writeTextFile(
      `${dir}/model.json`,
      JSON.stringify({ ...manifest, lm: { ...manifest.lm, order: 3 } }),
    );
    await rejects(loadModelDir(dir), /lm.bin is order 5 over 256 pieces, model.json says order 3/);
    const unlisted = { ...manifest, files: { ...manifest.files } };
    delete unlisted.files["lm.bin"];
    await Deno.writeTextFile(`${dir}/model.json`, JSON.stringify(unlisted));
    await rejects(loadModelDir(dir), /lm.file lm.bin is not listed in files/);
    // A truncated file whose checksum was updated to match still fails on its layout.
    const bytes = await Deno.readFile(`${dir}/lm.bin`);
    await replaceListedFile(dir, manifest, "lm.bin", bytes.slice(0, 1000));
    await rejects(loadModelDir(dir), /lm.bin: 1000 bytes, the header implies/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
