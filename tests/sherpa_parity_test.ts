// Earshot and sherpa-onnx (npm:sherpa-onnx-node, NeMo CTC) on the same model file and audio:
// greedy transcripts must be identical and token times agree within one output frame; on an NVIDIA
// NeMo export as the sherpa-onnx zoo ships it (a small stand-in with that interface and metadata,
// src/engine/testdata/make_nemo_ctc_fixture.py), tokens and output frames must be identical, and so
// on an icefall streaming Zipformer CTC model (make_zipformer_ctc_fixture.py) and transducer
// (make_zipformer_transducer_fixture.py) and a NeMo streaming transducer
// (make_nemo_transducer_fixture.py), alone and batched.
// `deno task parity DIR` does the same over the evaluation sets.
import { ok, strictEqual } from "node:assert/strict";
import { decodePcm16 } from "../src/engine/pcm.ts";
import { EarshotGreedy, frameSeconds, SherpaGreedy, type Token, tokenMismatch } from "../src/eval/parity.ts";
import { fixture } from "./helpers/wav.ts";

const MODELS = new URL("../models/", import.meta.url).pathname;
const NEMO_EXPORT =
  new URL("../src/engine/testdata/nemo-streaming-ctc-80ms-fixture", import.meta.url).pathname;
const ZIPFORMER_CTC = new URL("../src/engine/testdata/zipformer-ctc-fixture", import.meta.url).pathname;
const ZIPFORMER_TRANSDUCER =
  new URL("../src/engine/testdata/zipformer-transducer-fixture", import.meta.url).pathname;
const NEMO_TRANSDUCER =
  new URL("../src/engine/testdata/nemo-streaming-transducer-80ms-fixture", import.meta.url).pathname;

// Each shipped model on fixtures in its languages (language tags are tokens like any other).
const CASES: [string, string[]][] = [
  ["en-default", ["weather.wav", "numbers.wav"]],
  ["ml-default", ["hola_es.wav", "bonjour_fr.wav", "weather.wav"]],
];

for (const [modelName, fixtures] of CASES) {
  Deno.test(`sherpa-onnx parity (${modelName}): identical greedy tokens, times within one output frame`, async () => {
    const earshot = await EarshotGreedy.open(`${MODELS}${modelName}`);
    const sherpa = new SherpaGreedy(earshot.model);
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

const WAVS = ["weather.wav", "numbers.wav", "kubernetes.wav", "order.wav", "termin_de.wav"];

/**
 * Earshot's tokens and output frames must be sherpa-onnx's (tolerance 0) on the five WAVs, one at a
 * time and, with `batched`, all five in one batch; `decoded` checks what each one gave alone.
 */
async function expectParity(
  earshot: EarshotGreedy,
  sherpa: SherpaGreedy,
  o: { batched: boolean; decoded?: (ours: Token[], name: string) => void },
): Promise<Token[][]> {
  const recordings = WAVS.map((name) => fixture(name).data);
  const theirs = recordings.map((samples) => sherpa.tokens(decodePcm16(samples)));
  for (const [i, name] of WAVS.entries()) {
    const ours = await earshot.tokens(recordings[i]);
    o.decoded?.(ours, name);
    strictEqual(tokenMismatch(ours, theirs[i], 0), undefined, name);
  }
  if (o.batched) {
    const batched = await earshot.tokensBatched(recordings);
    for (const [i, name] of WAVS.entries()) {
      strictEqual(tokenMismatch(batched[i], theirs[i], 0), undefined, `${name}, batched`);
    }
  }
  return theirs;
}

const moreThanTen = (ours: Token[], name: string) =>
  ok(ours.length > 10, `${name}: ${ours.length} tokens decoded`);

Deno.test("sherpa-onnx parity (NeMo streaming CTC export, 8x, 80 ms chunks): identical greedy tokens and frames", async () => {
  const earshot = await EarshotGreedy.open(NEMO_EXPORT);
  strictEqual(frameSeconds(earshot.model), 0.08);
  try {
    await expectParity(earshot, new SherpaGreedy(earshot.model), { batched: false, decoded: moreThanTen });
  } finally {
    await earshot.release();
  }
});

Deno.test("sherpa-onnx parity (icefall streaming Zipformer CTC): identical greedy tokens and frames, alone and batched", async () => {
  const earshot = await EarshotGreedy.open(ZIPFORMER_CTC, WAVS.length);
  strictEqual(earshot.model.family, "zipformer2-ctc");
  strictEqual(frameSeconds(earshot.model), 0.04);
  try {
    // batched: states stacked on their batch axes (the attention caches' is the second) and split back
    await expectParity(earshot, new SherpaGreedy(earshot.model), { batched: true, decoded: moreThanTen });
  } finally {
    await earshot.release();
  }
});

Deno.test("sherpa-onnx parity (icefall streaming Zipformer transducer): identical greedy tokens and frames, alone and batched", async () => {
  const earshot = await EarshotGreedy.open(ZIPFORMER_TRANSDUCER, WAVS.length);
  strictEqual(earshot.model.family, "zipformer2-transducer");
  try {
    // batched: one joiner call per frame for the five streams, the decoder rerun for those that emitted
    await expectParity(earshot, new SherpaGreedy(earshot.model), { batched: true, decoded: moreThanTen });
  } finally {
    await earshot.release();
  }
});

Deno.test("sherpa-onnx parity (icefall streaming Zipformer transducer, modified beam search with 4 paths): identical tokens and frames, alone and batched", async () => {
  const earshot = await EarshotGreedy.open(ZIPFORMER_TRANSDUCER, WAVS.length, { choice: "beam", beam: 4 });
  const greedy = new SherpaGreedy(earshot.model);
  try {
    const theirs = await expectParity(earshot, new SherpaGreedy(earshot.model, { beam: 4 }), {
      batched: true,
    });
    const differs = WAVS.filter((name, i) =>
      tokenMismatch(greedy.tokens(decodePcm16(fixture(name).data)), theirs[i], 0) !== undefined
    );
    ok(differs.length >= 2, `the beam finds other tokens than greedy search on ${differs.length} recordings`);
  } finally {
    await earshot.release();
  }
});

Deno.test("sherpa-onnx parity (NeMo streaming transducer, 8x, 80 ms chunks): identical greedy tokens and frames, alone and batched", async () => {
  const earshot = await EarshotGreedy.open(NEMO_TRANSDUCER, WAVS.length);
  strictEqual(earshot.model.family, "nemo-transducer");
  strictEqual(frameSeconds(earshot.model), 0.08);
  try {
    // batched: NeMo features, the LSTM's states batched on their second axis, up to ten symbols a frame
    await expectParity(earshot, new SherpaGreedy(earshot.model), {
      batched: true,
      decoded: (ours, name) =>
        ok(
          ours.length > 100 && new Set(ours.map((t) => t[0])).size > 10,
          `${name}: ${ours.length} tokens decoded`,
        ),
    });
  } finally {
    await earshot.release();
  }
});

Deno.test("token comparison: symbols must match, times within one output frame", () => {
  const ours: Token[] = [["\u2581the", 0.12], ["\u2581cat", 0.4]];
  strictEqual(tokenMismatch(ours, [["\u2581the", 0.16], ["\u2581cat", 0.36]]), undefined);
  ok(tokenMismatch(ours, [["\u2581the", 0.12], ["\u2581hat", 0.4]])?.startsWith("tokens differ"));
  ok(tokenMismatch(ours, [["\u2581the", 0.12]])?.startsWith("tokens differ"));
  ok(tokenMismatch(ours, [["\u2581the", 0.12], ["\u2581cat", 0.48]])?.startsWith("token 1 at 0.4 s"));
});
