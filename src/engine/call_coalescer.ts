// Merges the calls of several model workers into one call of a shared RowRunner (a GPU's state
// pool), up to maxBatch streams. A GPU's cost per call is nearly flat up to hundreds of streams
// (H200, WebGPU: 26 ms at 64, 30 ms at 256), so calls must be few and full: once the runner is
// idle, a call starts when every client has a request waiting (each has at most one in flight)
// or when the first waiting request is gatherMs old, whichever comes first.
import type { BatchOutput } from "./backend.ts";
import type { RowRunner } from "./device_state_pool.ts";

interface Request {
  rows: readonly number[];
  fresh: readonly boolean[];
  features: Float32Array;
  done: PromiseWithResolvers<BatchOutput>;
}

export class CallCoalescer implements RowRunner {
  private readonly queue: Request[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly runner: RowRunner,
    private readonly maxBatch: number,
    private readonly gatherMs = 0,
    /** How many clients may send requests (each waits for its answer before the next). */
    private readonly clients: () => number = () => 1,
  ) {}

  run(rows: readonly number[], fresh: readonly boolean[], features: Float32Array): Promise<BatchOutput> {
    const done = Promise.withResolvers<BatchOutput>();
    this.queue.push({ rows, fresh, features, done });
    this.schedule();
    return done.promise;
  }

  release(): Promise<void> {
    return this.runner.release();
  }

  private schedule(): void {
    if (this.running || !this.queue.length) return;
    const streams = this.queue.reduce((n, r) => n + r.rows.length, 0);
    if (this.gatherMs <= 0 || this.queue.length >= this.clients() || streams >= this.maxBatch) {
      clearTimeout(this.timer);
      this.timer = undefined;
      this.pump();
    } else {
      this.timer ??= setTimeout(() => {
        this.timer = undefined;
        this.pump();
      }, this.gatherMs);
    }
  }

  private async pump(): Promise<void> {
    if (this.running || !this.queue.length) return;
    this.running = true;
    try {
      await this.runMerged(this.takeBatch());
    } finally {
      this.running = false;
      this.schedule();
    }
  }

  /** The queued requests that fit in one call (always at least one). */
  private takeBatch(): Request[] {
    let streams = this.queue[0].rows.length;
    let n = 1;
    while (n < this.queue.length && streams + this.queue[n].rows.length <= this.maxBatch) {
      streams += this.queue[n++].rows.length;
    }
    return this.queue.splice(0, n);
  }

  private async runMerged(batch: Request[]): Promise<void> {
    const rows = batch.flatMap((r) => r.rows);
    const fresh = batch.flatMap((r) => r.fresh);
    const features = new Float32Array(batch.reduce((n, r) => n + r.features.length, 0));
    let offset = 0;
    for (const r of batch) (features.set(r.features, offset), offset += r.features.length);
    let out: BatchOutput;
    try {
      out = await this.runner.run(rows, fresh, features);
    } catch (error) {
      for (const r of batch) r.done.reject(error);
      return;
    }
    const perStream = out.logProbs.length / rows.length;
    let first = 0;
    for (const r of batch) {
      const n = r.rows.length;
      r.done.resolve({
        logProbs: out.logProbs.slice(first * perStream, (first + n) * perStream),
        frames: out.frames,
      });
      first += n;
    }
  }
}
