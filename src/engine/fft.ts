/**
 * Radix-2 FFT of a real signal, computed as a half-size complex FFT plus a split step.
 * Tables are built once per size; `forward` does not allocate.
 */
export class RealFft {
  readonly size: number;
  private readonly half: number;
  private readonly bitRev: Uint32Array;
  // exp(-2πik/half) for the complex butterflies, k < half/2.
  private readonly twCos: Float64Array;
  private readonly twSin: Float64Array;
  // exp(-2πik/size) for the split step, k <= half.
  private readonly splitCos: Float64Array;
  private readonly splitSin: Float64Array;
  private readonly zRe: Float64Array;
  private readonly zIm: Float64Array;

  constructor(size: number) {
    if (!Number.isInteger(size) || size < 4 || (size & (size - 1)) !== 0) {
      throw new RangeError(`FFT size must be a power of two >= 4, got ${size}`);
    }
    this.size = size;
    const half = size >> 1;
    this.half = half;
    const bits = Math.log2(half);
    this.bitRev = new Uint32Array(half);
    for (let i = 0; i < half; i++) {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      this.bitRev[i] = r;
    }
    this.twCos = new Float64Array(half >> 1);
    this.twSin = new Float64Array(half >> 1);
    for (let k = 0; k < half >> 1; k++) {
      this.twCos[k] = Math.cos((2 * Math.PI * k) / half);
      this.twSin[k] = -Math.sin((2 * Math.PI * k) / half);
    }
    this.splitCos = new Float64Array(half + 1);
    this.splitSin = new Float64Array(half + 1);
    for (let k = 0; k <= half; k++) {
      this.splitCos[k] = Math.cos((2 * Math.PI * k) / size);
      this.splitSin[k] = Math.sin((2 * Math.PI * k) / size);
    }
    this.zRe = new Float64Array(half);
    this.zIm = new Float64Array(half);
  }

  /**
   * Spectrum bins 0..size/2 of `input` (length `size`) into `outRe`/`outIm` (length >= size/2 + 1).
   * Uses the e^{-iωt} sign convention, like numpy/torch `rfft`.
   */
  forward(input: ArrayLike<number>, outRe: Float64Array, outIm: Float64Array): void {
    const { half, bitRev, zRe, zIm } = this;
    // Pack even/odd samples as real/imag parts, already in bit-reversed order.
    for (let i = 0; i < half; i++) {
      const j = bitRev[i];
      zRe[j] = input[2 * i];
      zIm[j] = input[2 * i + 1];
    }
    this.butterflies();

    const { splitCos, splitSin } = this;
    outRe[0] = zRe[0] + zIm[0];
    outIm[0] = 0;
    outRe[half] = zRe[0] - zIm[0];
    outIm[half] = 0;
    for (let k = 1; k < half; k++) {
      const ar = zRe[k], ai = zIm[k];
      const br = zRe[half - k], bi = zIm[half - k];
      // Even part E = (Z[k] + conj Z[h-k]) / 2, odd part O = (Z[k] - conj Z[h-k]) / 2i.
      const er = 0.5 * (ar + br), ei = 0.5 * (ai - bi);
      const or = 0.5 * (ai + bi), oi = -0.5 * (ar - br);
      const c = splitCos[k], s = splitSin[k];
      // X[k] = E + e^{-2πik/N} O
      outRe[k] = er + c * or + s * oi;
      outIm[k] = ei + c * oi - s * or;
    }
  }

  private butterflies(): void {
    const { half, zRe, zIm, twCos, twSin } = this;
    for (let len = 2; len <= half; len <<= 1) {
      const step = half / len;
      const h = len >> 1;
      for (let start = 0; start < half; start += len) {
        for (let j = 0; j < h; j++) {
          const wr = twCos[j * step], wi = twSin[j * step];
          const p = start + j, q = p + h;
          const xr = zRe[q] * wr - zIm[q] * wi;
          const xi = zRe[q] * wi + zIm[q] * wr;
          zRe[q] = zRe[p] - xr;
          zIm[q] = zIm[p] - xi;
          zRe[p] += xr;
          zIm[p] += xi;
        }
      }
    }
  }
}
