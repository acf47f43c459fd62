/** Kaldi triangular mel filterbank (as in torchaudio.compliance.kaldi.get_mel_banks, no VTLN). */

export interface MelBankOptions {
  numBins: number;
  fftSize: number;
  sampleRate: number;
  lowFreq: number;
  /** <= 0 means offset from Nyquist, as in Kaldi. */
  highFreq: number;
}

/** Sparse bank: filter b has weights `weights[b]` on FFT bins `first[b] .. first[b] + weights[b].length - 1`. */
export interface MelBank {
  first: Int32Array;
  weights: Float64Array[];
}

export const melScale = (hz: number): number => 1127 * Math.log(1 + hz / 700);

/** The upper edge in Hz (Kaldi's convention: <= 0 counts down from Nyquist); a RangeError for bad options. */
function highFreqOf(opts: MelBankOptions): number {
  const nyquist = 0.5 * opts.sampleRate;
  const highFreq = opts.highFreq <= 0 ? opts.highFreq + nyquist : opts.highFreq;
  if (!(opts.numBins > 3 && opts.lowFreq >= 0 && opts.lowFreq < highFreq && highFreq <= nyquist)) {
    throw new RangeError(`bad mel bank options ${JSON.stringify(opts)}`);
  }
  return highFreq;
}

export function kaldiMelBank(opts: MelBankOptions): MelBank {
  const { numBins, fftSize, sampleRate, lowFreq } = opts;
  const highFreq = highFreqOf(opts);
  // torchaudio builds the bank in float32; rounding every step the same way (fround) reproduces
  // its weights, which matters for narrow filters whose edge weights are tiny.
  const f = Math.fround;
  // Kaldi weights only bins 0..fftSize/2-1; the Nyquist bin always gets 0.
  const numFftBins = fftSize / 2;
  const binWidth = f(sampleRate / fftSize);
  const melLow = f(melScale(lowFreq));
  const melDelta = f((melScale(highFreq) - melScale(lowFreq)) / (numBins + 1));
  const fftMel = new Float64Array(numFftBins);
  for (let k = 0; k < numFftBins; k++) fftMel[k] = f(1127 * f(Math.log(f(1 + f(f(binWidth * k) / 700)))));

  const first = new Int32Array(numBins);
  const weights: Float64Array[] = [];
  const row = new Float64Array(numFftBins);
  for (let b = 0; b < numBins; b++) {
    const left = f(f(b * melDelta) + melLow);
    const center = f(f((b + 1) * melDelta) + melLow);
    const right = f(f((b + 2) * melDelta) + melLow);
    let lo = -1, hi = -1;
    for (let k = 0; k < numFftBins; k++) {
      const mel = fftMel[k];
      const up = f(f(mel - left) / f(center - left));
      const down = f(f(right - mel) / f(right - center));
      const w = Math.max(0, Math.min(up, down));
      row[k] = w;
      if (w > 0) {
        if (lo < 0) lo = k;
        hi = k;
      }
    }
    first[b] = Math.max(lo, 0);
    weights.push(lo < 0 ? new Float64Array(0) : row.slice(lo, hi + 1));
  }
  return { first, weights };
}

/** Slaney's mel scale (librosa's default, htk=False): linear below 1 kHz, logarithmic above. */
const slaneyMel = (hz: number): number =>
  hz <= 1000 ? (hz * 3) / 200 : 15 + 14.545078505785561 * Math.log(hz / 1000);
const slaneyHz = (mel: number): number =>
  mel <= 15 ? (200 / 3) * mel : 1000 * Math.exp((mel - 15) * 0.06875177742094911);

/**
 * librosa's mel filters (librosa.filters.mel with htk=False, norm="slaney") as kaldi-native-fbank
 * builds them when sherpa-onnx sets is_librosa: Slaney's mel scale, triangles in Hz over the FFT
 * bins 0..fftSize/2 (the Nyquist bin included, unlike Kaldi's), each scaled by 2 / (right - left)
 * so that it has unit area. Rounded to float32 at each step as kaldi-native-fbank computes it.
 */
export function librosaMelBank(opts: MelBankOptions): MelBank {
  const { numBins, fftSize, sampleRate, lowFreq } = opts;
  const highFreq = highFreqOf(opts);
  const f = Math.fround;
  const binWidth = f(sampleRate / fftSize);
  const melLow = f(slaneyMel(lowFreq));
  const melDelta = f((f(slaneyMel(highFreq)) - melLow) / (numBins + 1));
  const first = new Int32Array(numBins);
  const weights: Float64Array[] = [];
  const row = new Float64Array(fftSize / 2 + 1);
  for (let b = 0; b < numBins; b++) {
    const left = f(slaneyHz(f(melLow + f(b * melDelta))));
    const center = f(slaneyHz(f(melLow + f((b + 1) * melDelta))));
    const right = f(slaneyHz(f(melLow + f((b + 2) * melDelta))));
    const norm = f(2 / f(right - left));
    let lo = -1, hi = -1;
    row.fill(0);
    for (let k = 0; k < row.length; k++) {
      const hz = f(binWidth * k);
      if (!(hz > left && hz < right)) continue;
      const w = hz <= center ? f(f(hz - left) / f(center - left)) : f(f(right - hz) / f(right - center));
      row[k] = f(w * norm);
      if (lo < 0) lo = k;
      hi = k;
    }
    if (lo < 0) {
      throw new RangeError(`mel filter ${b} covers no FFT bin: too many bins for ${fftSize} points`);
    }
    first[b] = lo;
    weights.push(row.slice(lo, hi + 1));
  }
  return { first, weights };
}
