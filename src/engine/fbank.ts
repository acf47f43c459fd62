/**
 * Kaldi-compatible 80-bin log-mel filterbank, matching torchaudio.compliance.kaldi.fbank with:
 * 16 kHz, 25 ms / 10 ms frames, dither 0, preemphasis 0.97, DC removal, povey window,
 * mel range 20..7600 Hz, snip_edges=false, 512-point FFT, power spectrum, log(max(e, FLT_EPSILON)).
 * With NEMO_FBANK: the same framing with a periodic Hann window, no DC removal and librosa's mel
 * filters over 0..8000 Hz, as kaldi-native-fbank computes them for sherpa-onnx's NeMo transducers.
 */
import { RealFft } from "./fft.ts";
import { kaldiMelBank, librosaMelBank, type MelBank } from "./melbank.ts";

export const FBANK_SAMPLE_RATE = 16000;
export const FBANK_NUM_BINS = 80;
export const FRAME_LENGTH = 400;
export const FRAME_SHIFT = 160;

/**
 * The feature configuration a model is fed, in the terms of sherpa-onnx's FeatureExtractorConfig
 * (features.h). The types admit only what OnlineFbank computes: sherpa-onnx's defaults (KALDI_FBANK),
 * which its streaming CTC recognizers (NeMo CTC included) and icefall's transducers leave as they
 * are, and what its NeMo transducer recognizer sets (NEMO_FBANK). A family that needs another option
 * (per-feature normalisation, another frame length) widens a type here and implements it below.
 */
export type FbankConfig = FbankCommon & (KaldiMel | LibrosaMel);

interface FbankCommon {
  sampleRate: 16000;
  numBins: 80;
  frameLengthMs: 25;
  frameShiftMs: 10;
  preemphasis: 0.97;
  dither: 0;
  snipEdges: false;
  /** Features as computed: no per-feature mean and variance normalisation (nemo_normalize_type ""). */
  normalize: "none";
}

/** sherpa-onnx's defaults: Kaldi's povey window, DC offset removed, Kaldi's mel scale over 20..7600 Hz. */
interface KaldiMel {
  window: "povey";
  removeDcOffset: true;
  lowFreq: 20;
  /** Negative: below the Nyquist frequency (7600 Hz). */
  highFreq: -400;
  /** Mel scale and triangular filters: Kaldi's (sherpa-onnx's is_librosa false). */
  melScale: "kaldi";
}

/**
 * What sherpa-onnx's NeMo transducer recognizer sets (online-recognizer-transducer-nemo-impl.h
 * PostInit: window_type "hann", remove_dc_offset false, low_freq 0, high_freq 8000, is_librosa
 * true, dither 0), close to NeMo's own preprocessor: kaldi-native-fbank's periodic Hann window, no
 * DC removal (pre-emphasis stays), and librosa's mel filters (Slaney's mel scale, each filter
 * normalised to unit area, "slaney" norm) over the 257 FFT bins including the Nyquist one.
 */
interface LibrosaMel {
  window: "hann";
  removeDcOffset: false;
  lowFreq: 0;
  highFreq: 8000;
  melScale: "librosa";
}

export const KALDI_FBANK: FbankConfig = {
  sampleRate: 16000,
  numBins: 80,
  frameLengthMs: 25,
  frameShiftMs: 10,
  window: "povey",
  preemphasis: 0.97,
  removeDcOffset: true,
  dither: 0,
  lowFreq: 20,
  highFreq: -400,
  snipEdges: false,
  melScale: "kaldi",
  normalize: "none",
};

/** The features sherpa-onnx feeds a NeMo transducer (see LibrosaMel). */
export const NEMO_FBANK: FbankConfig = {
  ...KALDI_FBANK,
  window: "hann",
  removeDcOffset: false,
  lowFreq: 0,
  highFreq: 8000,
  melScale: "librosa",
};

const FFT_SIZE = 512;
const PREEMPHASIS = 0.97;
// snip_edges=false centres frame t on sample 160t + 80, so it starts 120 samples before 160t.
const LEFT_PAD = FRAME_LENGTH / 2 - FRAME_SHIFT / 2;
// std::numeric_limits<float>::epsilon(), the floor torchaudio applies before log.
const FLOAT_EPS = 1.1920928955078125e-7;

/** Number of frames torchaudio produces for `numSamples` samples with snip_edges=false. */
export const numFrames = (numSamples: number): number =>
  Math.floor((numSamples + FRAME_SHIFT / 2) / FRAME_SHIFT);

/** Symmetric reflection ([.. 1 0 | 0 1 ..]) as torchaudio's `_get_strided`, repeated for tiny inputs. */
function mirror(i: number, n: number): number {
  const period = 2 * n;
  let j = i % period;
  if (j < 0) j += period;
  return j < n ? j : period - 1 - j;
}

/**
 * Per-frame math with tables built once. All instances share it: calls are synchronous,
 * so the scratch buffers are never used by two frames at once.
 */
class FrameProcessor {
  private readonly window = new Float64Array(FRAME_LENGTH);
  private readonly fft = new RealFft(FFT_SIZE);
  private readonly mel: MelBank;
  private readonly removeDcOffset: boolean;
  /** Frame samples; the tail beyond FRAME_LENGTH stays zero (FFT zero padding). */
  readonly frame = new Float64Array(FFT_SIZE);
  private readonly re = new Float64Array(FFT_SIZE / 2 + 1);
  private readonly im = new Float64Array(FFT_SIZE / 2 + 1);

  constructor(config: FbankConfig) {
    const bank = { numBins: FBANK_NUM_BINS, fftSize: FFT_SIZE, sampleRate: FBANK_SAMPLE_RATE };
    this.removeDcOffset = config.removeDcOffset;
    if (config.window === "povey") {
      this.mel = kaldiMelBank({ ...bank, lowFreq: config.lowFreq, highFreq: config.highFreq });
      // Povey window: symmetric Hann raised to 0.85.
      for (let i = 0; i < FRAME_LENGTH; i++) {
        this.window[i] = Math.pow(0.5 - 0.5 * Math.cos((2 * Math.PI * i) / (FRAME_LENGTH - 1)), 0.85);
      }
    } else {
      this.mel = librosaMelBank({ ...bank, lowFreq: config.lowFreq, highFreq: config.highFreq });
      // kaldi-native-fbank's "hann": periodic (as torch.hann_window), over the 400 samples
      for (let i = 0; i < FRAME_LENGTH; i++) {
        this.window[i] = 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / FRAME_LENGTH);
      }
    }
  }

  /** Turns the raw samples in `frame[0..FRAME_LENGTH)` into log-mel energies. */
  compute(): Float32Array {
    const { frame, window, re, im } = this;
    if (this.removeDcOffset) {
      let sum = 0;
      for (let i = 0; i < FRAME_LENGTH; i++) sum += frame[i];
      const mean = sum / FRAME_LENGTH;
      for (let i = 0; i < FRAME_LENGTH; i++) frame[i] -= mean;
    }
    // Backwards so each step still sees the unfiltered previous sample; sample 0 uses itself.
    for (let i = FRAME_LENGTH - 1; i > 0; i--) frame[i] -= PREEMPHASIS * frame[i - 1];
    frame[0] -= PREEMPHASIS * frame[0];
    for (let i = 0; i < FRAME_LENGTH; i++) frame[i] *= window[i];

    this.fft.forward(frame, re, im);
    for (let k = 0; k < re.length; k++) re[k] = re[k] * re[k] + im[k] * im[k];

    const out = new Float32Array(FBANK_NUM_BINS);
    const { first, weights } = this.mel;
    for (let b = 0; b < FBANK_NUM_BINS; b++) {
      const w = weights[b];
      const off = first[b];
      let e = 0;
      for (let k = 0; k < w.length; k++) e += w[k] * re[off + k];
      out[b] = Math.log(Math.max(e, FLOAT_EPS));
    }
    return out;
  }
}

const shared = new Map<FbankConfig["melScale"], FrameProcessor>();
/** The processor of a configuration (the mel scale tells the two that FbankConfig admits apart). */
function processorOf(config: FbankConfig): FrameProcessor {
  let p = shared.get(config.melScale);
  if (!p) shared.set(config.melScale, p = new FrameProcessor(config));
  return p;
}

/**
 * Streaming fbank for 16 kHz float samples. Frames come out as soon as their whole window has
 * arrived; `finish` emits the tail using end reflection. Any chunking gives the same frames
 * as `computeFbank` on the whole signal.
 */
export class OnlineFbank {
  private readonly processor: FrameProcessor;

  /** The configuration computed (one of those FbankConfig admits). */
  constructor(readonly config: FbankConfig = KALDI_FBANK) {
    this.processor = processorOf(config);
  }

  private buf = new Float32Array(4096);
  /** Absolute sample index of buf[0]. */
  private bufStart = 0;
  private bufLen = 0;
  private nextFrame = 0;
  private finished = false;

  /** Samples received so far. */
  get numSamples(): number {
    return this.bufStart + this.bufLen;
  }

  /** Frames emitted so far. */
  get numFramesEmitted(): number {
    return this.nextFrame;
  }

  accept(samples: Float32Array): Float32Array[] {
    if (this.finished) throw new Error("OnlineFbank.accept after finish; call reset() first");
    this.append(samples);
    const out: Float32Array[] = [];
    const total = this.numSamples;
    // Frame t needs samples up to 160t + 280 (exclusive); the left reflection lies inside that.
    while (this.frameStart(this.nextFrame) + FRAME_LENGTH <= total) {
      out.push(this.emit(total));
    }
    return out;
  }

  /** Emits the remaining frames, reflecting the signal at its end. */
  finish(): Float32Array[] {
    if (this.finished) return [];
    this.finished = true;
    const total = this.numSamples;
    const count = numFrames(total);
    const out: Float32Array[] = [];
    while (this.nextFrame < count) out.push(this.emit(total));
    return out;
  }

  /** Makes the instance reusable for a new stream, keeping its buffer. */
  reset(): void {
    this.bufStart = 0;
    this.bufLen = 0;
    this.nextFrame = 0;
    this.finished = false;
  }

  private frameStart(t: number): number {
    return t * FRAME_SHIFT - LEFT_PAD;
  }

  private emit(total: number): Float32Array {
    const proc = this.processor;
    const frame = proc.frame;
    const start = this.frameStart(this.nextFrame);
    const { buf, bufStart } = this;
    if (start >= bufStart && start + FRAME_LENGTH <= total) {
      const off = start - bufStart;
      for (let i = 0; i < FRAME_LENGTH; i++) frame[i] = buf[off + i];
    } else {
      // Edge frames: every reflected index stays within the retained samples (see `drop`).
      for (let i = 0; i < FRAME_LENGTH; i++) frame[i] = buf[mirror(start + i, total) - bufStart];
    }
    this.nextFrame++;
    return proc.compute();
  }

  private append(samples: Float32Array): void {
    const need = this.bufLen + samples.length;
    if (need > this.buf.length) {
      this.drop();
      const needAfter = this.bufLen + samples.length;
      if (needAfter > this.buf.length) {
        let cap = this.buf.length;
        while (cap < needAfter) cap *= 2;
        const grown = new Float32Array(cap);
        grown.set(this.buf.subarray(0, this.bufLen));
        this.buf = grown;
      }
    }
    this.buf.set(samples, this.bufLen);
    this.bufLen += samples.length;
  }

  /**
   * Forgets samples before the next frame's start. The end reflection of any frame that
   * `finish` can still emit only reaches back to that start, so nothing needed is lost.
   */
  private drop(): void {
    const keepFrom = Math.max(0, this.frameStart(this.nextFrame));
    const n = keepFrom - this.bufStart;
    if (n <= 0) return;
    this.buf.copyWithin(0, n, this.bufLen);
    this.bufLen -= n;
    this.bufStart = keepFrom;
  }
}

/** Whole-utterance fbank: one Float32Array of FBANK_NUM_BINS per frame. */
export function computeFbank(samples: Float32Array, config: FbankConfig = KALDI_FBANK): Float32Array[] {
  const fb = new OnlineFbank(config);
  const frames = fb.accept(samples);
  for (const f of fb.finish()) frames.push(f);
  return frames;
}
