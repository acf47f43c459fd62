// One stream's pipeline inside a model worker: audio bytes -> 16 kHz samples -> fbank frames
// -> (batched forward, done by the scheduler) -> CTC tokens -> words -> turn events.
import type { Encoding, OpenStream, TurnEvent, TurnSettings } from "./stream_types.ts";
import { isCtcDecoder, type TokenDecoder } from "./ctc.ts";
import { OnlineFbank } from "./fbank.ts";
import { LanguageEvidence, type LanguageGuess } from "./language.ts";
import type { ModelInfo } from "./model_dir.ts";
import { decodeMulaw, decodePcm16 } from "./pcm.ts";
import { Resampler } from "./resample.ts";
import { tokensToWords } from "./tokens.ts";
import { TurnTracker, type VadView } from "./turns.ts";
import type { VadTrack } from "./vad.ts";

const FEATURE_DIM = 80;
/** Silence appended at the end of a stream so the last word leaves the model's last chunk. */
const TAIL_PADDING_SAMPLES = 16000 * 0.3;

export class StreamPipeline {
  readonly frames: Float32Array[] = [];
  /** Index (in stream frames) of frames[0]; frames before it were consumed. */
  private frameBase = 0;
  processedFrames = 0;
  finishing = false;
  private samplesIn = 0;
  /** Stream time (ms) of the last speech activity report. */
  private activityReportedMs = 0;
  private readonly fbank: OnlineFbank;
  private readonly resampler: Resampler | undefined;
  private readonly tracker: TurnTracker;
  private readonly frameMs: number;
  /** Evidence for a multilingual model's language tags; undefined for a model without them. */
  private readonly language: LanguageEvidence | undefined;

  constructor(
    readonly id: string,
    private readonly model: ModelInfo,
    private readonly open: OpenStream,
    /** A CTC decoder fed by acceptOutput, or a transducer's hypothesis the scheduler's search extends. */
    readonly decoder: TokenDecoder,
    private readonly emit: (event: TurnEvent) => void,
    readonly vad?: VadTrack,
  ) {
    const s = model.streaming;
    this.resampler = open.sample_rate === 16000 ? undefined : new Resampler(open.sample_rate);
    this.tracker = new TurnTracker(open.settings, open.resume_turn_order);
    this.fbank = new OnlineFbank(model.features);
    this.frameMs = model.features.frameShiftMs * s.subsampling_factor;
    this.language = model.languageTags.size ? new LanguageEvidence(model.languageTags) : undefined;
    decoder.setKeyterms(open.settings.keyterms);
  }

  get audioSeconds(): number {
    return this.samplesIn / this.open.sample_rate;
  }

  acceptAudio(bytes: Uint8Array): void {
    const samples = decodeAudio(this.open.encoding, bytes);
    this.samplesIn += samples.length;
    this.pushSamples(this.resampler ? this.resampler.accept(samples) : samples);
  }

  private pushSamples(samples: Float32Array): void {
    this.vad?.push(samples);
    for (const frame of this.fbank.accept(samples)) this.frames.push(frame);
  }

  /** The input is complete: flush resampler and fbank with trailing silence. */
  finishInput(): void {
    if (this.finishing) return;
    this.finishing = true;
    if (this.resampler) this.pushSamples(this.resampler.flush());
    this.pushSamples(new Float32Array(TAIL_PADDING_SAMPLES));
    for (const frame of this.fbank.finish()) this.frames.push(frame);
  }

  /** Ready for a model call, with sherpa-onnx's rule (processed + window < available). */
  isReady(): boolean {
    const w = this.model.streaming.window_size;
    const available = this.frameBase + this.frames.length;
    return this.processedFrames + w < available || (this.finishing && this.processedFrames + w <= available);
  }

  /** True once every complete window of a finished input has been processed. */
  get drained(): boolean {
    return this.finishing && !this.isReady();
  }

  updateSettings(settings: TurnSettings): void {
    this.tracker.setSettings(settings);
    this.vad?.setThreshold(settings.vad_threshold);
    this.decoder.setKeyterms(settings.keyterms);
  }

  /** Writes this stream's next window into dst at offset: [80, W] (transposed) or [W, 80], as the model takes it. */
  writeFeatures(dst: Float32Array, offset: number): void {
    const w = this.model.streaming.window_size;
    const start = this.processedFrames - this.frameBase;
    if (this.model.layout.featureAxes === "time-feature") {
      for (let t = 0; t < w; t++) {
        dst.set(this.frames[start + t].subarray(0, FEATURE_DIM), offset + t * FEATURE_DIM);
      }
      return;
    }
    for (let t = 0; t < w; t++) {
      const frame = this.frames[start + t];
      for (let m = 0; m < FEATURE_DIM; m++) dst[offset + m * w + t] = frame[m];
    }
  }

  /** Takes a CTC model's output for this stream's window and emits what changed. */
  acceptOutput(logProbs: Float32Array, offset: number, frames: number, vocab: number): void {
    if (!isCtcDecoder(this.decoder)) {
      throw new Error(`stream ${this.id}: log-probabilities for a non-CTC decoder`);
    }
    const firstFrame = this.processedFrames / this.model.streaming.subsampling_factor;
    this.decoder.accept(logProbs, offset, frames, vocab, firstFrame);
    this.language?.accept(logProbs, offset, frames, vocab);
    this.advance(frames);
  }

  /** The window's `frames` output frames were decoded into this stream's hypothesis (a transducer's search): emits what changed. */
  acceptDecoded(frames: number): void {
    this.advance(frames);
  }

  private advance(frames: number): void {
    const firstFrame = this.processedFrames / this.model.streaming.subsampling_factor;
    this.processedFrames += this.model.streaming.chunk_shift;
    const consumed = this.processedFrames - this.frameBase;
    this.frames.splice(0, consumed);
    this.frameBase += consumed;
    const nowMs = this.offsetMs + (firstFrame + frames) * this.frameMs;
    const words = this.words();
    const { events, ended } = this.tracker.update(
      words,
      nowMs,
      this.vadView(),
      this.settledWords(words.length),
    );
    this.emitTurns(events);
    if (ended) this.endTurn();
    this.reportSpeechActivity(nowMs);
  }

  /** About once a second of audio, when asked for: the VAD's highest speech probability meanwhile. */
  private reportSpeechActivity(nowMs: number): void {
    if (!this.vad || !this.tracker.settings.speech_activity || nowMs - this.activityReportedMs < 1000) return;
    this.activityReportedMs = nowMs;
    this.emit({
      kind: "speech_activity",
      speech_activity: { max_speech_probability: this.vad.takeMaxProbability() },
    });
  }

  /** Ends the current turn now: the client's ForceEndpoint, or the end of its input. */
  forceEndpoint(reason: "force_endpoint" | "end_of_stream" = "force_endpoint"): void {
    this.emitTurns(this.tracker.endNow(this.words(), reason));
    this.endTurn();
  }

  private emitTurns(events: readonly TurnEvent[]): void {
    const language = events.length ? this.turnLanguage() : undefined;
    for (const e of events) {
      if (e.kind === "turn" && language) {
        e.turn.language_code = language.code;
        e.turn.language_confidence = language.confidence;
      }
      this.emit(e);
    }
  }

  private endTurn(): void {
    this.decoder.reset();
    this.language?.reset();
  }

  /** The turn's language: from the tags of a multilingual model, or a single-language model's one. */
  private turnLanguage(): LanguageGuess | undefined {
    if (this.language) return this.language.best(this.tracker.settings.language_codes);
    return this.model.languages.length === 1 ? { code: this.model.languages[0], confidence: 1 } : undefined;
  }

  /** What the VAD heard, on the same time axis as the words. */
  private vadView(): VadView | undefined {
    const v = this.vad;
    if (!v || v.positionMs === 0) return undefined;
    return {
      silenceMs: v.silenceMs,
      speechStartMs: v.speechStartMs + this.offsetMs,
      speechStartProb: v.speechStartProb,
    };
  }

  private get offsetMs(): number {
    return Number(this.open.resume_offset_ms);
  }

  /** Words of the best hypothesis that no later audio can change, the last one excepted (it may grow). */
  private settledWords(wordCount: number): number {
    const tokens = this.decoder.tokens();
    const stable = this.decoder.stableTokens();
    if (stable >= tokens.length) return wordCount - 1;
    return Math.max(0, tokensToWords(tokens.slice(0, stable), this.model.tokens, this.frameMs).length - 1);
  }

  private words() {
    const words = tokensToWords(this.decoder.tokens(), this.model.tokens, this.frameMs);
    const offset = this.offsetMs;
    if (offset) { for (const w of words) (w.startMs += offset, w.endMs += offset); }
    return words;
  }
}

function decodeAudio(encoding: Encoding, bytes: Uint8Array): Float32Array {
  return encoding === "PCM_MULAW" ? decodeMulaw(bytes) : decodePcm16(bytes);
}
