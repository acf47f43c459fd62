// Batches the ready windows of many streams into one forward call (caches stacked on the batch
// dimension). A batch starts when maxBatch streams are ready or the first ready stream has waited
// maxWaitMs; while a batch runs, audio keeps arriving, so batches grow with load.
// A stream whose own handling fails (decoding its output, ending it) is dropped and reported
// through onStreamError; the batch and the other streams go on. A failed forward call is the
// worker's failure (onError).
import type { Backend } from "./backend.ts";
import type { ModelInfo } from "./model_dir.ts";
import type { StreamPipeline } from "./stream.ts";
import type { SileroVad, VadTrack } from "./vad.ts";

export interface SchedulerOptions {
  maxBatch: number;
  maxWaitMs: number;
}

export interface BatchStats {
  batches: number;
  windows: number;
  lastBatchMs: number;
}

export class Scheduler {
  private readonly streams = new Set<StreamPipeline>();
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  readonly stats: BatchStats = { batches: 0, windows: 0, lastBatchMs: 0 };

  constructor(
    private readonly backend: Backend,
    private readonly model: ModelInfo,
    private readonly opts: SchedulerOptions,
    private readonly onDrained: (stream: StreamPipeline) => void,
    private readonly onError: (error: Error) => void,
    private readonly onStreamError: (stream: StreamPipeline, error: unknown) => void,
    private readonly vad?: SileroVad,
  ) {}

  add(stream: StreamPipeline): void {
    this.streams.add(stream);
  }

  remove(stream: StreamPipeline): void {
    this.streams.delete(stream);
  }

  /** Something changed for a stream (audio arrived, input finished): maybe start a batch. */
  poke(stream: StreamPipeline): void {
    if (stream.drained) {
      this.onDrained(stream);
      return;
    }
    if (this.running || !stream.isReady()) return;
    if (this.readyStreams().length >= this.opts.maxBatch || stream.finishing) {
      this.runSoon(0);
    } else {
      this.runSoon(this.opts.maxWaitMs);
    }
  }

  private runSoon(delay: number): void {
    if (this.timer !== undefined) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loop().catch(this.onError);
    }, delay);
  }

  private readyStreams(): StreamPipeline[] {
    return [...this.streams].filter((s) => s.isReady());
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let ready = this.readyStreams(); ready.length; ready = this.readyStreams()) {
        await this.runBatch(ready.slice(0, this.opts.maxBatch));
        for (const s of ready) {
          if (this.streams.has(s) && s.drained) this.guarded(s, () => this.onDrained(s));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: StreamPipeline[]): Promise<void> {
    const s = this.model.streaming;
    const b = batch.length;
    const featSize = 80 * s.window_size;
    const chSize = batch[0].cacheChannel.length;
    const tSize = batch[0].cacheTime.length;
    const features = new Float32Array(b * featSize);
    const cacheChannel = new Float32Array(b * chSize);
    const cacheTime = new Float32Array(b * tSize);
    const cacheLen = new BigInt64Array(b);
    batch.forEach((stream, i) => {
      stream.writeFeatures(features, i * featSize);
      cacheChannel.set(stream.cacheChannel, i * chSize);
      cacheTime.set(stream.cacheTime, i * tSize);
      cacheLen[i] = stream.cacheLen;
    });
    const started = performance.now();
    // The VAD first, so that the turn decisions after this window see its silence.
    if (this.vad) await this.vad.run(batch.map((s) => s.vad).filter((t): t is VadTrack => t !== undefined));
    const out = await this.backend.run({ batch: b, features, cacheChannel, cacheTime, cacheLen });
    this.stats.lastBatchMs = performance.now() - started;
    this.stats.batches++;
    this.stats.windows += b;
    const vocab = s.vocab_size + 1;
    batch.forEach((stream, i) => {
      if (!this.streams.has(stream)) return; // closed while the batch ran
      stream.cacheChannel = out.cacheChannel.slice(i * chSize, (i + 1) * chSize);
      stream.cacheTime = out.cacheTime.slice(i * tSize, (i + 1) * tSize);
      stream.cacheLen = out.cacheLen[i];
      this.guarded(
        stream,
        () => stream.acceptOutput(out.logProbs, i * out.frames * vocab, out.frames, vocab),
      );
    });
  }

  private guarded(stream: StreamPipeline, step: () => void): void {
    try {
      step();
    } catch (error) {
      this.streams.delete(stream);
      this.onStreamError(stream, error);
    }
  }
}
