// The ASR service: owns the model worker pools, admits streams up to MAX_OPEN_STREAMS, and
// carries each stream's protobuf frames between a transport and the workers.
import type { BackendName } from "../engine/backend.ts";
import type { DecoderSettings } from "../engine/decoders.ts";
import { encodeServerFrame } from "./proto.ts";
import { WorkerPool } from "./worker_pool.ts";

export interface AsrServiceOptions {
  /** Model directory per route; routes may share a directory (and then a worker pool). */
  models: Record<string, string>;
  backend: BackendName;
  workers: number;
  threadsPerWorker: number;
  maxOpenStreams: number;
  maxBatch: number;
  maxWaitMs: number;
  decoder: DecoderSettings;
  /** Silero VAD in every model worker (default true). */
  vad?: boolean;
  log: (message: string) => void;
}

/** A stream's frames on their way out; ends marks its last (finished or error). */
export type Sink = (bytes: Uint8Array, ends: boolean) => void;

export interface StreamHandle {
  send(bytes: Uint8Array): void;
  close(): void;
}

export class AsrService {
  private readonly pools = new Map<string, WorkerPool>();
  private readonly routePools = new Map<string, WorkerPool>();
  /** Every pool's GPU workers share the process's device. */
  private readonly deviceLock = new SharedArrayBuffer(4);
  private nextId = 0;
  private open = 0;
  draining = false;
  ready = false;

  constructor(readonly opts: AsrServiceOptions) {}

  async start(): Promise<void> {
    for (const [route, dir] of Object.entries(this.opts.models)) {
      let pool = this.pools.get(dir);
      if (!pool) {
        pool = new WorkerPool(
          {
            modelDir: dir,
            backend: this.opts.backend,
            threads: this.opts.threadsPerWorker,
            // streams go to the least-loaded worker, so none holds more than its share
            maxStreams: Math.ceil(this.opts.maxOpenStreams / this.opts.workers),
            deviceLock: this.deviceLock,
            maxBatch: this.opts.maxBatch,
            maxWaitMs: this.opts.maxWaitMs,
            decoder: this.opts.decoder,
            vad: this.opts.vad ?? true,
          },
          this.opts.workers,
          this.opts.log,
        );
        this.pools.set(dir, pool);
        await pool.start();
        this.opts.log(
          `model ${pool.modelName} loaded from ${dir} (${this.opts.backend}, ${this.opts.workers} workers)`,
        );
      }
      this.routePools.set(route, pool);
    }
    this.ready = true;
  }

  get routes(): string[] {
    return [...this.routePools.keys()];
  }

  get openStreams(): number {
    return this.open;
  }

  /** Opens a stream on a route; refusals arrive on the sink as an error frame. */
  connect(route: string, sink: Sink): StreamHandle {
    const pool = this.routePools.get(route);
    const refuse = (kind: "CAPACITY" | "BAD_REQUEST" | "SHUTTING_DOWN", message: string): StreamHandle => {
      queueMicrotask(() => sink(encodeServerFrame({ kind: "error", error: { kind, message } }), true));
      return { send() {}, close() {} };
    };
    if (this.draining) return refuse("SHUTTING_DOWN", "ASR service is shutting down");
    if (!pool) {
      return refuse("BAD_REQUEST", `No model serves route ${route}; available: ${this.routes.join(", ")}`);
    }
    if (this.open >= this.opts.maxOpenStreams) {
      return refuse(
        "CAPACITY",
        `ASR service at capacity: ${this.opts.maxOpenStreams} open streams (MAX_OPEN_STREAMS)`,
      );
    }
    const id = `s${this.nextId++}`;
    this.open++;
    let closed = false;
    const release = () => {
      if (!closed) (closed = true, this.open--);
    };
    const relay: Sink = (bytes, ends) => {
      if (ends) release();
      sink(bytes, ends);
    };
    return {
      send: (bytes) => {
        if (!closed) pool.send(id, bytes, relay);
      },
      close: () => {
        if (closed) return;
        release();
        pool.close(id);
      },
    };
  }

  /** For tests: crash worker i of the pool serving route. */
  crashWorker(route: string, i = 0): void {
    this.routePools.get(route)?.crash(i);
  }

  /** For tests and operators: terminates a GPU route's device worker as a crash would. */
  crashDevice(route: string): void {
    this.routePools.get(route)?.crashDevice();
  }

  stop(): Promise<void> {
    for (const pool of this.pools.values()) pool.stop();
    this.ready = false;
    return Promise.resolve();
  }
}
