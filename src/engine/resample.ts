/**
 * Streaming resampler from 8..48 kHz mono to 16 kHz: rational polyphase windowed-sinc (Kaiser) filter.
 * Output sample j sits at input time j * inputRate / 16000, so there is no delay to compensate.
 */

export const TARGET_RATE = 16000;
export const MIN_INPUT_RATE = 8000;
export const MAX_INPUT_RATE = 48000;

// Cutoff at 95% of the lower Nyquist, 24 zero crossings per side, Kaiser beta 7 (~70 dB stopband).
// Downsampling: flat (-0.05 dB) to 7 kHz, -6 dB at 7.6 kHz; what aliases (8.0-8.4 kHz) folds above
// the 7.6 kHz top of the fbank. About 150 taps per output sample at 48 kHz.
const ROLLOFF = 0.95;
const ZERO_CROSSINGS = 24;
const KAISER_BETA = 7;

interface Polyphase {
  up: number;
  down: number;
  /** Input samples each side of the output instant the filter may touch. */
  half: number;
  taps: number;
  /** Phase p uses coeffs[p * taps .. (p + 1) * taps), applied to inputs n0 - half + 1 .. n0 + half. */
  coeffs: Float64Array;
}

const gcd = (a: number, b: number): number => (b === 0 ? a : gcd(b, a % b));

/** Modified Bessel function of the first kind, order 0 (power series; converges fast for beta <= 20). */
function besselI0(x: number): number {
  let sum = 1, term = 1;
  const q = (x * x) / 4;
  for (let k = 1; term > sum * 1e-17; k++) {
    term *= q / (k * k);
    sum += term;
  }
  return sum;
}

function design(inputRate: number): Polyphase {
  if (inputRate === TARGET_RATE) {
    // Identity through the same code path: output j = input j.
    return { up: 1, down: 1, half: 1, taps: 2, coeffs: Float64Array.of(1, 0) };
  }
  const g = gcd(inputRate, TARGET_RATE);
  const up = TARGET_RATE / g;
  const down = inputRate / g;
  // Cutoff in cycles per input sample.
  const fc = (0.5 * Math.min(inputRate, TARGET_RATE) * ROLLOFF) / inputRate;
  const halfWidth = ZERO_CROSSINGS / (2 * fc);
  const half = Math.ceil(halfWidth);
  const taps = 2 * half;
  const coeffs = new Float64Array(up * taps);
  const i0Beta = besselI0(KAISER_BETA);
  for (let p = 0; p < up; p++) {
    let sum = 0;
    for (let k = 0; k < taps; k++) {
      const t = p / up + half - 1 - k; // output instant minus input instant, in input samples
      const r = t / halfWidth;
      if (Math.abs(r) >= 1) continue;
      const x = 2 * fc * t;
      const sinc = x === 0 ? 1 : Math.sin(Math.PI * x) / (Math.PI * x);
      const h = 2 * fc * sinc * (besselI0(KAISER_BETA * Math.sqrt(1 - r * r)) / i0Beta);
      coeffs[p * taps + k] = h;
      sum += h;
    }
    // Unit DC gain for every phase, so no phase-dependent ripple on slow signals.
    for (let k = 0; k < taps; k++) coeffs[p * taps + k] /= sum;
  }
  return { up, down, half, taps, coeffs };
}

// Designs are shared by all streams at the same rate.
const designs = new Map<number, Polyphase>();

function polyphaseFor(inputRate: number): Polyphase {
  let d = designs.get(inputRate);
  if (!d) {
    d = design(inputRate);
    designs.set(inputRate, d);
  }
  return d;
}

export class Resampler {
  readonly inputRate: number;
  private readonly filter: Polyphase;
  private hist: Float32Array;
  /** Absolute input index of hist[0]; negative indices are the implicit leading zeros. */
  private base: number;
  private len: number;
  private inCount = 0;
  private outCount = 0;
  private flushed = false;

  constructor(inputRate: number) {
    if (!Number.isInteger(inputRate) || inputRate < MIN_INPUT_RATE || inputRate > MAX_INPUT_RATE) {
      throw new RangeError(`input rate must be an integer in [${MIN_INPUT_RATE}, ${MAX_INPUT_RATE}] Hz`);
    }
    this.inputRate = inputRate;
    this.filter = polyphaseFor(inputRate);
    const half = this.filter.half;
    this.hist = new Float32Array(Math.max(1024, 4 * half));
    this.base = -half;
    this.len = half; // zeros before the first sample
  }

  /** Returns every 16 kHz sample whose filter window is fully covered by the input so far. */
  accept(samples: Float32Array): Float32Array {
    if (this.flushed) throw new Error("Resampler.accept after flush; call reset() first");
    this.append(samples);
    this.inCount += samples.length;
    const { up, down, half } = this.filter;
    // Output j is ready when floor(j * down / up) + half <= inCount - 1.
    const ready = this.inCount - half > 0 ? Math.ceil(((this.inCount - half) * up) / down) : 0;
    return this.produce(ready);
  }

  /** Emits the tail, treating input after the end as zeros; total output is ceil(n * 16000 / inputRate). */
  flush(): Float32Array {
    if (this.flushed) return new Float32Array(0);
    this.flushed = true;
    const { up, down, half } = this.filter;
    this.append(new Float32Array(half));
    return this.produce(Math.ceil((this.inCount * up) / down));
  }

  reset(): void {
    const half = this.filter.half;
    this.hist.fill(0, 0, half);
    this.base = -half;
    this.len = half;
    this.inCount = 0;
    this.outCount = 0;
    this.flushed = false;
  }

  private produce(end: number): Float32Array {
    const { up, down, half, taps, coeffs } = this.filter;
    const out = new Float32Array(Math.max(0, end - this.outCount));
    const { hist, base } = this;
    for (let o = 0; o < out.length; o++) {
      const j = this.outCount + o;
      const n0 = Math.floor((j * down) / up);
      const c = (j * down - n0 * up) * taps;
      const s = n0 - half + 1 - base;
      let acc = 0;
      for (let k = 0; k < taps; k++) acc += hist[s + k] * coeffs[c + k];
      out[o] = acc;
    }
    this.outCount = Math.max(this.outCount, end);
    return out;
  }

  private append(samples: Float32Array): void {
    if (this.len + samples.length > this.hist.length) {
      // Keep only what the next output can still touch.
      const { up, down, half } = this.filter;
      const keepFrom = Math.floor((this.outCount * down) / up) - half + 1;
      const drop = Math.min(this.len, Math.max(0, keepFrom - this.base));
      this.hist.copyWithin(0, drop, this.len);
      this.len -= drop;
      this.base += drop;
      const need = this.len + samples.length;
      if (need > this.hist.length) {
        let cap = this.hist.length;
        while (cap < need) cap *= 2;
        const grown = new Float32Array(cap);
        grown.set(this.hist.subarray(0, this.len));
        this.hist = grown;
      }
    }
    this.hist.set(samples, this.len);
    this.len += samples.length;
  }
}

/** Whole-signal resampling to 16 kHz; identical to streaming the same samples and flushing. */
export function resampleTo16k(samples: Float32Array, inputRate: number): Float32Array {
  const r = new Resampler(inputRate);
  const a = r.accept(samples);
  const b = r.flush();
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
