// Silero VAD (v5, the ONNX file shipped in npm's @ricky0123/vad-web) for speech start and silence.
// One session per model worker scores the 32 ms frames of many streams in one batched call; each
// stream keeps its recurrent state and the 64 samples of context the model expects before a frame.
import * as ort from "onnxruntime-node";

export const VAD_FRAME = 512; // samples at 16 kHz: 32 ms
const CONTEXT = 64;
const STATE = 128;
const FRAME_MS = (VAD_FRAME / 16000) * 1000;

export const SILERO_VAD_PATH =
  new URL("../../node_modules/@ricky0123/vad-web/dist/silero_vad_v5.onnx", import.meta.url).pathname;

/** One stream's VAD: buffered samples, the model's state, and what it has heard so far. */
export class VadTrack {
  private pending: Float32Array[] = [];
  private pendingLength = 0;
  /** The frame's input: 64 samples of context, then the frame. */
  readonly input = new Float32Array(CONTEXT + VAD_FRAME);
  state = new Float32Array(2 * STATE);
  /** Audio scored so far, in ms from the stream start. */
  positionMs = 0;
  /** End of the last frame at or above the threshold; -1 before any speech. */
  lastSpeechEndMs = -1;
  /** Start of the current run of speech frames, and its first frame's probability. */
  speechStartMs = -1;
  speechStartProb = 0;
  private inSpeech = false;
  private maxSinceTaken = 0;

  constructor(private threshold: number) {}

  /** The highest speech probability since the previous call (0 when no frame was scored). */
  takeMaxProbability(): number {
    const max = this.maxSinceTaken;
    this.maxSinceTaken = 0;
    return max;
  }

  setThreshold(threshold: number): void {
    this.threshold = threshold;
  }

  push(samples: Float32Array): void {
    if (samples.length === 0) return;
    this.pending.push(samples);
    this.pendingLength += samples.length;
  }

  get framesReady(): number {
    return Math.floor(this.pendingLength / VAD_FRAME);
  }

  /** Moves the next frame into `input` (after the previous frame's last 64 samples). */
  takeFrame(): void {
    this.input.copyWithin(0, VAD_FRAME, VAD_FRAME + CONTEXT);
    let filled = 0;
    while (filled < VAD_FRAME) {
      const head = this.pending[0];
      const n = Math.min(head.length, VAD_FRAME - filled);
      this.input.set(head.subarray(0, n), CONTEXT + filled);
      filled += n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    this.pendingLength -= VAD_FRAME;
  }

  /** Records the probability of the frame last taken. */
  score(prob: number): void {
    this.maxSinceTaken = Math.max(this.maxSinceTaken, prob);
    const start = this.positionMs;
    this.positionMs += FRAME_MS;
    if (prob >= this.threshold) {
      if (!this.inSpeech) [this.speechStartMs, this.speechStartProb] = [start, prob];
      this.inSpeech = true;
      this.lastSpeechEndMs = this.positionMs;
    } else {
      this.inSpeech = false;
    }
  }

  /** Silence heard since the last speech frame (all of the audio when there was none). */
  get silenceMs(): number {
    return this.positionMs - Math.max(0, this.lastSpeechEndMs);
  }
}

export class SileroVad {
  private constructor(private readonly session: ort.InferenceSession) {}

  static async load(path = SILERO_VAD_PATH): Promise<SileroVad> {
    const session = await ort.InferenceSession.create(path, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    return new SileroVad(session);
  }

  /** Scores every complete frame of every track: one batched call per round of frames. */
  async run(tracks: readonly VadTrack[]): Promise<void> {
    for (
      let ready = tracks.filter((t) => t.framesReady > 0);
      ready.length;
      ready = ready.filter((t) => t.framesReady)
    ) {
      const b = ready.length;
      const input = new Float32Array(b * (CONTEXT + VAD_FRAME));
      const state = new Float32Array(2 * b * STATE);
      ready.forEach((t, i) => {
        t.takeFrame();
        input.set(t.input, i * (CONTEXT + VAD_FRAME));
        // state is [2, batch, 128]
        state.set(t.state.subarray(0, STATE), i * STATE);
        state.set(t.state.subarray(STATE), (b + i) * STATE);
      });
      const out = await this.session.run({
        input: new ort.Tensor("float32", input, [b, CONTEXT + VAD_FRAME]),
        state: new ort.Tensor("float32", state, [2, b, STATE]),
        sr: new ort.Tensor("int64", BigInt64Array.from([16000n]), []),
      });
      const probs = out.output.data as Float32Array;
      const next = out.stateN.data as Float32Array;
      ready.forEach((t, i) => {
        t.state.set(next.subarray(i * STATE, (i + 1) * STATE), 0);
        t.state.set(next.subarray((b + i) * STATE, (b + i + 1) * STATE), STATE);
        t.score(probs[i]);
      });
    }
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}
