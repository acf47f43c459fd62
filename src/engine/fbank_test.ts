import assert from "node:assert/strict";
import { computeFbank, FBANK_NUM_BINS, NEMO_FBANK, numFrames, OnlineFbank } from "./fbank.ts";

interface FixtureClip {
  name: string;
  pcm_s16: number[];
  fbank: number[][];
}

function isClip(v: unknown): v is FixtureClip {
  if (typeof v !== "object" || v === null) return false;
  const c = v as Record<string, unknown>;
  return typeof c.name === "string" && Array.isArray(c.pcm_s16) && Array.isArray(c.fbank);
}

async function loadClips(): Promise<FixtureClip[]> {
  const text = await Deno.readTextFile(new URL("./testdata/fbank_fixture.json", import.meta.url));
  const json: unknown = JSON.parse(text);
  const clips = (json as { clips?: unknown }).clips;
  assert.ok(Array.isArray(clips) && clips.length > 0 && clips.every(isClip), "malformed fixture");
  return clips;
}

// The fixture was made from int16 / 32768, so this reproduces torchaudio's input exactly.
const toFloat = (pcm: number[]): Float32Array => Float32Array.from(pcm, (v) => v / 32768);

function maxAbsDiff(a: Float32Array[], b: Float32Array[]): number {
  assert.equal(a.length, b.length, "frame count");
  let max = 0;
  for (let t = 0; t < a.length; t++) {
    assert.equal(a[t].length, b[t].length);
    for (let k = 0; k < a[t].length; k++) max = Math.max(max, Math.abs(a[t][k] - b[t][k]));
  }
  return max;
}

function streamed(samples: Float32Array, chunkSizes: (i: number) => number): Float32Array[] {
  const fb = new OnlineFbank();
  const out: Float32Array[] = [];
  let pos = 0;
  for (let i = 0; pos < samples.length; i++) {
    const end = Math.min(samples.length, pos + chunkSizes(i));
    out.push(...fb.accept(samples.subarray(pos, end)));
    pos = end;
  }
  out.push(...fb.finish());
  return out;
}

Deno.test("fbank matches torchaudio kaldi.fbank", async () => {
  for (const clip of await loadClips()) {
    const feats = computeFbank(toFloat(clip.pcm_s16));
    assert.equal(feats.length, clip.fbank.length, `${clip.name}: frame count`);
    assert.equal(numFrames(clip.pcm_s16.length), clip.fbank.length);
    assert.ok(feats.every((f) => f.length === FBANK_NUM_BINS));
    // Measured ~2.5e-4: torchaudio's float32 FFT is off in weak bins (we use float64); fixture has 5 decimals.
    const diff = maxAbsDiff(feats, clip.fbank.map((row) => Float32Array.from(row)));
    console.log(`${clip.name}: ${feats.length} frames, max |diff| vs torchaudio = ${diff.toExponential(3)}`);
    assert.ok(diff < 1e-3, `${clip.name}: max diff ${diff}`);
  }
});

Deno.test("streaming fbank equals whole-utterance fbank for any chunking", async () => {
  let seed = 12345;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const clip of await loadClips()) {
    const samples = toFloat(clip.pcm_s16);
    const whole = computeFbank(samples);
    const chunkings: [string, (i: number) => number][] = [
      ["1", () => 1],
      ["160", () => 160],
      ["7", () => 7],
      ["399", () => 399],
      ["4000", () => 4000],
      ["random 1..2000", () => 1 + Math.floor(rand() * 2000)],
      ["alternating 0/321", (i) => (i % 2 === 0 ? 0 : 321)],
    ];
    for (const [name, size] of chunkings) {
      assert.equal(maxAbsDiff(streamed(samples, size), whole), 0, `${clip.name} chunking ${name}`);
    }
  }
});

Deno.test("OnlineFbank emits a frame as soon as its window is complete", () => {
  const fb = new OnlineFbank();
  const x = new Float32Array(1000).map((_, i) => Math.sin(i * 0.3) * 0.5);
  // Frame 0 spans samples [-120, 280): reflected start, so 280 samples suffice.
  assert.equal(fb.accept(x.subarray(0, 279)).length, 0);
  assert.equal(fb.accept(x.subarray(279, 280)).length, 1);
  assert.equal(fb.accept(x.subarray(280, 439)).length, 0);
  assert.equal(fb.accept(x.subarray(439, 440)).length, 1);
  assert.equal(fb.accept(x.subarray(440)).length, 3); // frames 2..4 end at 600, 760, 920
  assert.equal(fb.finish().length, numFrames(1000) - 5);
  assert.throws(() => fb.accept(x));
  fb.reset();
  assert.equal(maxAbsDiff([...fb.accept(x), ...fb.finish()], computeFbank(x)), 0);
});

Deno.test("fbank handles empty, short and silent input", () => {
  assert.equal(computeFbank(new Float32Array(0)).length, 0);
  assert.equal(computeFbank(new Float32Array(79)).length, 0);
  const short = computeFbank(new Float32Array(100).fill(0.25));
  assert.equal(short.length, 1);
  // DC removal leaves nothing, so every bin sits at log(FLT_EPSILON).
  const silent = computeFbank(new Float32Array(1600));
  assert.equal(silent.length, 10);
  for (const v of silent.flatMap((f) => [...f])) {
    assert.ok(Math.abs(v - Math.log(1.1920928955078125e-7)) < 1e-6);
  }
  for (const v of short[0]) assert.ok(Number.isFinite(v));
});

Deno.test("NeMo transducer fbank (Hann window, no DC removal, librosa mel) matches its Python reference", async () => {
  const json = JSON.parse(
    await Deno.readTextFile(new URL("./testdata/nemo_fbank_fixture.json", import.meta.url)),
  ) as { clips: FixtureClip[] };
  for (const clip of json.clips) {
    const samples = toFloat(clip.pcm_s16);
    const feats = computeFbank(samples, NEMO_FBANK);
    const reference = clip.fbank.map((row) => Float32Array.from(row));
    const diff = maxAbsDiff(feats, reference);
    console.log(
      `${clip.name}: ${feats.length} frames, max |diff| vs the reference = ${diff.toExponential(3)}`,
    );
    assert.ok(diff < 1e-3, `${clip.name}: max diff ${diff}`);
    // not the Kaldi features: another window, DC kept, other filters
    assert.ok(maxAbsDiff(computeFbank(samples), reference) > 0.5);
    const fb = new OnlineFbank(NEMO_FBANK);
    const chunked: Float32Array[] = [];
    for (let pos = 0; pos < samples.length; pos += 333) {
      chunked.push(...fb.accept(samples.subarray(pos, pos + 333)));
    }
    chunked.push(...fb.finish());
    assert.equal(maxAbsDiff(chunked, feats), 0, "streamed as computed whole");
  }
});
