import { ok } from "node:assert/strict";
import { readWav } from "../client/wav.ts";
import { decodePcm16 } from "./pcm.ts";
import { SileroVad, VAD_FRAME, VadTrack } from "./vad.ts";

const speech = decodePcm16(
  readWav(Deno.readFileSync(new URL("../../tests/fixtures/weather.wav", import.meta.url))).data,
);
const SECOND = 16000;

/** One second of silence, the sentence, one second of silence. */
function padded(): Float32Array {
  const out = new Float32Array(2 * SECOND + speech.length);
  out.set(speech, SECOND);
  return out;
}

function speechSpan(x: Float32Array): [number, number] {
  let first = -1, last = -1;
  for (let i = 0; i < x.length; i++) {
    if (Math.abs(x[i]) > 0.01) (first < 0 && (first = i), last = i);
  }
  return [(first / SECOND) * 1000, (last / SECOND) * 1000];
}

Deno.test("Silero VAD hears where the speech starts and how long the silence after it is", async () => {
  const vad = await SileroVad.load();
  try {
    const audio = padded();
    const [startMs, endMs] = speechSpan(audio);
    const track = new VadTrack(0.4);
    // Pushed in uneven pieces and scored as audio arrives; the first onset is the sentence's start.
    let onset = -1;
    for (let i = 0; i < audio.length; i += 1234) {
      track.push(audio.subarray(i, i + 1234));
      await vad.run([track]);
      if (onset < 0) onset = track.speechStartMs;
    }
    ok(Math.abs(onset - startMs) < 200, `speech starts at ${onset}, audio at ${startMs}`);
    ok(
      Math.abs(track.lastSpeechEndMs - endMs) < 300,
      `speech ends at ${track.lastSpeechEndMs}, audio at ${endMs}`,
    );
    const trailingMs = (audio.length / SECOND) * 1000 - endMs;
    ok(
      Math.abs(track.silenceMs - trailingMs) < 300,
      `silence heard ${track.silenceMs} ms, in the audio ${trailingMs}`,
    );
    ok(track.framesReady === 0 && track.positionMs === Math.floor(audio.length / VAD_FRAME) * 32);
  } finally {
    await vad.release();
  }
});

Deno.test("Silero VAD: a stream scored in a batch scores as it does alone", async () => {
  const vad = await SileroVad.load();
  try {
    const alone = new VadTrack(0.4);
    alone.push(padded());
    await vad.run([alone]);
    // In a batch beside a silent stream and a shorter one, fed in two halves.
    const [batched, silent, short] = [new VadTrack(0.4), new VadTrack(0.4), new VadTrack(0.4)];
    const audio = padded();
    batched.push(audio.subarray(0, 40_000));
    silent.push(new Float32Array(audio.length));
    short.push(speech.subarray(0, 10_000));
    await vad.run([silent, batched, short]);
    batched.push(audio.subarray(40_000));
    await vad.run([batched, silent]);
    ok(Math.abs(batched.speechStartMs - alone.speechStartMs) < 1e-9);
    ok(Math.abs(batched.lastSpeechEndMs - alone.lastSpeechEndMs) < 1e-9);
    ok(silent.lastSpeechEndMs === -1 && silent.silenceMs === silent.positionMs, "no speech in silence");
  } finally {
    await vad.release();
  }
});
