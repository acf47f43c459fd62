import assert from "node:assert/strict";
import { Resampler, resampleTo16k } from "./resample.ts";

const sine = (rate: number, freq: number, seconds: number, amp = 0.5): Float32Array =>
  Float32Array.from(
    { length: Math.round(rate * seconds) },
    (_, i) => amp * Math.sin((2 * Math.PI * freq * i) / rate),
  );

/** Least-squares fit of a*sin + b*cos at `freq` over y[from..to), plus the RMS of what the fit leaves. */
function fitTone(y: Float32Array, freq: number, from: number, to: number) {
  let ss = 0, cc = 0, sc = 0, ys = 0, yc = 0;
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * freq * i) / 16000;
    const s = Math.sin(w), c = Math.cos(w);
    ss += s * s, cc += c * c, sc += s * c, ys += y[i] * s, yc += y[i] * c;
  }
  const det = ss * cc - sc * sc;
  const a = (ys * cc - yc * sc) / det, b = (yc * ss - ys * sc) / det;
  let res = 0;
  for (let i = from; i < to; i++) {
    const w = (2 * Math.PI * freq * i) / 16000;
    res += (y[i] - a * Math.sin(w) - b * Math.cos(w)) ** 2;
  }
  return { a, b, residualRms: Math.sqrt(res / (to - from)) };
}

function zeroCrossings(y: Float32Array, from: number, to: number): number {
  let n = 0;
  for (let i = from + 1; i < to; i++) if ((y[i - 1] < 0) !== (y[i] < 0)) n++;
  return n;
}

const rms = (y: Float32Array, from: number, to: number): number => {
  let s = 0;
  for (let i = from; i < to; i++) s += y[i] * y[i];
  return Math.sqrt(s / (to - from));
};

function concat(parts: Float32Array[]): Float32Array {
  const out = new Float32Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) out.set(p, o), o += p.length;
  return out;
}

Deno.test("1 kHz sine resamples to a 1 kHz sine at 16 kHz, same amplitude and phase", () => {
  for (const rate of [8000, 11025, 16000, 22050, 32000, 44100, 48000]) {
    const y = resampleTo16k(sine(rate, 1000, 1), rate);
    assert.equal(y.length, 16000, `rate ${rate}: length`);
    // Skip the edges, where the signal starts/stops abruptly against the implicit zeros.
    // 900 whole periods of 16 samples, bounded away from the sine's zeros (every 8 samples).
    const from = 804, to = 15204;
    assert.equal(zeroCrossings(y, from, to), 2 * 900, `rate ${rate}: zero crossings`);
    const { a, b, residualRms } = fitTone(y, 1000, from, to);
    // Output time j maps to input time j * rate / 16000: no delay, so the phase is kept (b ~ 0).
    assert.ok(Math.abs(a - 0.5) < 1e-3, `rate ${rate}: amplitude ${a}`);
    assert.ok(Math.abs(b) < 1e-3, `rate ${rate}: phase term ${b}`);
    assert.ok(residualRms < 1e-3, `rate ${rate}: residual ${residualRms}`);
  }
});

Deno.test("tones above 8 kHz are removed instead of aliasing", () => {
  for (const [rate, freq] of [[48000, 10000], [44100, 9000], [32000, 12000]]) {
    const y = resampleTo16k(sine(rate, freq, 0.5), rate);
    const level = rms(y, 800, y.length - 800);
    assert.ok(level < 1e-3, `rate ${rate} tone ${freq}: rms ${level}`);
  }
  // 8 kHz input: its images above 4 kHz must not appear either (3 kHz tone has its image at 5 kHz).
  const y = resampleTo16k(sine(8000, 3000, 0.5), 8000);
  assert.ok(fitTone(y, 5000, 800, 7200).residualRms > 0.3); // sanity: the 3 kHz tone is there
  const { a, b } = fitTone(y, 5000, 800, 7200);
  assert.ok(Math.hypot(a, b) < 2e-3, `image at 5 kHz: ${Math.hypot(a, b)}`);
});

Deno.test("streaming resampler equals whole-signal resampling for any chunking", () => {
  let seed = 7;
  const rand = (): number => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (const rate of [8000, 16000, 22050, 44100, 48000]) {
    const x = Float32Array.from({ length: Math.round(rate * 0.37) + 3 }, () => rand() * 2 - 1);
    const whole = resampleTo16k(x, rate);
    assert.equal(whole.length, Math.ceil((x.length * 16000) / rate));
    const sizes: ((i: number) => number)[] = [
      () => 1,
      () => 7,
      () => 441,
      () => 4096,
      () => Math.floor(rand() * 3000),
    ];
    for (const size of sizes) {
      const r = new Resampler(rate);
      const parts: Float32Array[] = [];
      for (let pos = 0, i = 0; pos < x.length; i++) {
        const end = Math.min(x.length, pos + size(i));
        parts.push(r.accept(x.subarray(pos, end)));
        pos = end;
      }
      parts.push(r.flush());
      assert.deepEqual(concat(parts), whole, `rate ${rate}`);
    }
  }
});

Deno.test("16 kHz input passes through unchanged; bad rates are rejected", () => {
  const x = Float32Array.from({ length: 1000 }, (_, i) => Math.sin(i) * 0.9);
  assert.deepEqual(resampleTo16k(x, 16000), x);
  assert.throws(() => new Resampler(7999));
  assert.throws(() => new Resampler(48001));
  assert.throws(() => new Resampler(44100.5));
});

Deno.test("Resampler can be reset and reused", () => {
  const x = sine(44100, 440, 0.2);
  const r = new Resampler(44100);
  r.accept(x);
  r.flush();
  assert.throws(() => r.accept(x));
  r.reset();
  assert.deepEqual(concat([r.accept(x), r.flush()]), resampleTo16k(x, 44100));
});
