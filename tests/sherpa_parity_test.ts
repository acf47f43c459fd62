// Earshot and sherpa-onnx (npm:sherpa-onnx-node, NeMo CTC) on the same model file and audio:
// greedy transcripts must be identical and token times agree within one output frame.
// `deno task parity DIR` does the same over the evaluation sets.
import { ok, strictEqual } from "node:assert/strict";
import { decodePcm16 } from "../src/engine/pcm.ts";
import { EarshotGreedy, SherpaGreedy, type Token, tokenMismatch } from "../src/eval/parity.ts";
import { fixture } from "./helpers/wav.ts";

const MODELS = new URL("../models/", import.meta.url).pathname;

// Each shipped model on fixtures in its languages (language tags are tokens like any other).
const CASES: [string, string[]][] = [
  ["en-default", ["weather.wav", "numbers.wav"]],
  ["ml-default", ["hola_es.wav", "bonjour_fr.wav", "weather.wav"]],
];

for (const [modelName, fixtures] of CASES) {
  Deno.test(`sherpa-onnx parity (${modelName}): identical greedy tokens, times within one output frame`, async () => {
    const earshot = await EarshotGreedy.open(`${MODELS}${modelName}`);
    const sherpa = new SherpaGreedy(`${MODELS}${modelName}`);
    try {
      for (const name of fixtures) {
        const wav = fixture(name);
        const ours = await earshot.tokens(wav.data);
        ok(ours.length > 0, `${name}: tokens decoded`);
        strictEqual(tokenMismatch(ours, sherpa.tokens(decodePcm16(wav.data))), undefined, name);
      }
    } finally {
      await earshot.release();
    }
  });
}

Deno.test("token comparison: symbols must match, times within one output frame", () => {
  const ours: Token[] = [["\u2581the", 0.12], ["\u2581cat", 0.4]];
  strictEqual(tokenMismatch(ours, [["\u2581the", 0.16], ["\u2581cat", 0.36]]), undefined);
  ok(tokenMismatch(ours, [["\u2581the", 0.12], ["\u2581hat", 0.4]])?.startsWith("tokens differ"));
  ok(tokenMismatch(ours, [["\u2581the", 0.12]])?.startsWith("tokens differ"));
  ok(tokenMismatch(ours, [["\u2581the", 0.12], ["\u2581cat", 0.48]])?.startsWith("token 1 at 0.4 s"));
});
