// Earshot and sherpa-onnx (npm:sherpa-onnx-node, NeMo CTC) on the same model file and audio:
// greedy transcripts must be identical and token times agree within one output frame.
import { ok, strictEqual } from "node:assert/strict";
import { sherpaRecognizer } from "./helpers/sherpa.ts";
import type { ServerFrame } from "../src/asr/proto.ts";
import { createBackend } from "../src/engine/backend.ts";
import { GreedyCtcDecoder } from "../src/engine/ctc.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";
import { decodePcm16 } from "../src/engine/pcm.ts";
import { StreamPipeline } from "../src/engine/stream.ts";
import { fixture } from "./helpers/wav.ts";

const MODELS = new URL("../models/", import.meta.url).pathname;
const FRAME_S = 0.04;

/** Earshot's engine on one stream, one window per call; returns tokens as [symbol, seconds]. */
async function earshotTokens(modelDir: string, samples: Uint8Array): Promise<[string, number][]> {
  const model = await loadModelDir(modelDir);
  const backend = await createBackend("node", model);
  const decoder = new GreedyCtcDecoder(model.tokens.blank);
  const frames: ServerFrame[] = [];
  const stream = new StreamPipeline(
    "p",
    model,
    {
      session_id: "p",
      route: "en-default",
      sample_rate: 16000,
      encoding: "PCM_S16LE",
      settings: {
        end_of_turn_confidence_threshold: 1,
        min_turn_silence_ms: 60_000,
        max_turn_silence_ms: 60_000, // one turn: the decoder is never reset
        vad_threshold: 0.4,
        keyterms: [],
        pro_rules: false,
        continuous_partials: false,
        language_detection: false,
      },
      resume_turn_order: 0,
      resume_offset_ms: 0,
    },
    decoder,
    (f) => frames.push(f),
  );
  stream.acceptAudio(samples);
  stream.finishInput();
  const s = model.streaming;
  while (stream.isReady()) {
    const features = new Float32Array(80 * s.window_size);
    stream.writeFeatures(features, 0);
    const out = await backend.run({
      batch: 1,
      features,
      cacheChannel: stream.cacheChannel,
      cacheTime: stream.cacheTime,
      cacheLen: new BigInt64Array([stream.cacheLen]),
    });
    stream.cacheChannel = out.cacheChannel;
    stream.cacheTime = out.cacheTime;
    stream.cacheLen = out.cacheLen[0];
    stream.acceptOutput(out.logProbs, 0, out.frames, s.vocab_size + 1);
  }
  await backend.release();
  return decoder.tokens().map((t) => [model.tokens.symbols[t.id], t.frame * FRAME_S]);
}

function sherpaTokens(modelDir: string, samples: Float32Array): [string, number][] {
  const recognizer = sherpaRecognizer(modelDir);
  const stream = recognizer.createStream();
  stream.acceptWaveform({ samples, sampleRate: 16000 });
  // the same 0.3 s of trailing silence Earshot appends, plus one feature frame so that sherpa's
  // strict readiness rule (processed + window < available) reaches the same last window
  stream.acceptWaveform({ samples: new Float32Array(16000 * 0.3 + 160), sampleRate: 16000 });
  stream.inputFinished();
  while (recognizer.isReady(stream)) recognizer.decode(stream);
  const result = recognizer.getResult(stream) as { tokens: string[]; timestamps: number[] };
  // sherpa-onnx shows the word-start mark as a space
  return result.tokens.map((t, i) => [t.replace(/^ /, "\u2581"), result.timestamps[i]]);
}

// Each shipped model on fixtures in its languages (language tags are tokens like any other).
const CASES: [string, string[]][] = [
  ["en-default", ["weather.wav", "numbers.wav"]],
  ["ml-default", ["hola_es.wav", "bonjour_fr.wav", "weather.wav"]],
];

for (const [modelName, fixtures] of CASES) {
  Deno.test(`sherpa-onnx parity (${modelName}): identical greedy tokens, times within one output frame`, async () => {
    await assertParity(`${MODELS}${modelName}`, fixtures);
  });
}

async function assertParity(modelDir: string, fixtures: string[]): Promise<void> {
  for (const name of fixtures) {
    const wav = fixture(name);
    const ours = await earshotTokens(modelDir, wav.data);
    const theirs = sherpaTokens(modelDir, decodePcm16(wav.data));
    ok(ours.length > 0, `${name}: tokens decoded`);
    strictEqual(
      ours.map((t) => t[0]).join(" "),
      theirs.map((t) => t[0]).join(" "),
      `${name}: token sequence`,
    );
    ours.forEach(([, time], i) => {
      ok(
        Math.abs(time - theirs[i][1]) <= FRAME_S + 1e-6,
        `${name}: token ${i} at ${time} s vs ${theirs[i][1]} s`,
      );
    });
  }
}
