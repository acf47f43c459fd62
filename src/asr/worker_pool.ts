// Model worker isolates for one model: assigns streams to the least-loaded worker, relays
// protobuf bytes, and replaces a worker that dies (failing only its streams).
import { encodeServerFrame, endsStream } from "./proto.ts";
import type { FromWorker, ToWorker, WorkerInit } from "../../workers/protocol.ts";

type Sink = (bytes: Uint8Array) => void;

interface Slot {
  worker: Worker;
  streams: Map<string, Sink>;
  ready: Promise<void>;
}

export type PoolInit = Omit<WorkerInit, "type">;

export class WorkerPool {
  private slots: Slot[] = [];
  modelName = "";

  constructor(
    private readonly init: PoolInit,
    private readonly size: number,
    private readonly log: (m: string) => void,
  ) {}

  async start(): Promise<void> {
    this.slots = Array.from({ length: this.size }, () => this.spawn());
    await Promise.all(this.slots.map((s) => s.ready));
  }

  get openStreams(): number {
    return this.slots.reduce((n, s) => n + s.streams.size, 0);
  }

  /** Sends a stream's frame to its worker; the first frame (open) picks the least-loaded worker. */
  send(stream: string, bytes: Uint8Array, sink: Sink): void {
    let slot = this.slots.find((s) => s.streams.has(stream));
    if (!slot) {
      slot = this.slots.reduce((a, b) => (b.streams.size < a.streams.size ? b : a));
      slot.streams.set(stream, sink);
    }
    this.post(slot, { type: "frame", stream, bytes });
  }

  /** Forgets a stream (its client went away). */
  close(stream: string): void {
    for (const slot of this.slots) {
      if (slot.streams.delete(stream)) this.post(slot, { type: "close", stream });
    }
  }

  /** For tests and operators: terminates worker i as a crash would. */
  crash(i: number): void {
    this.fail(this.slots[i], "killed");
  }

  stop(): void {
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
  }

  private post(slot: Slot, message: ToWorker): void {
    if (message.type === "frame") slot.worker.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
    else slot.worker.postMessage(message);
  }

  private spawn(): Slot {
    const worker = new Worker(new URL("../../workers/model_worker.ts", import.meta.url), { type: "module" });
    const streams = new Map<string, Sink>();
    let resolveReady!: () => void;
    let rejectReady!: (e: Error) => void;
    const ready = new Promise<void>((res, rej) => (resolveReady = res, rejectReady = rej));
    const slot: Slot = { worker, streams, ready };
    worker.onmessage = (event: MessageEvent<FromWorker>) => {
      const m = event.data;
      if (m.type === "frame") {
        const sink = streams.get(m.stream);
        sink?.(m.bytes);
        if (sink && endsStream(m.bytes)) streams.delete(m.stream);
      } else if (m.type === "ready") {
        this.modelName = m.model;
        resolveReady();
      } else if (m.type === "fatal") {
        rejectReady(new Error(m.message));
        this.fail(slot, m.message);
      }
    };
    worker.onerror = (event) => {
      event.preventDefault();
      rejectReady(new Error(event.message));
      this.fail(slot, event.message);
    };
    this.post(slot, { type: "init", ...this.init });
    return slot;
  }

  /** A worker died: its streams get a clear error, a fresh worker takes its place. */
  private fail(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    slot.worker.terminate();
    const error = encodeServerFrame({
      kind: "error",
      error: { kind: "WORKER_DIED", message: `Model worker failed: ${reason}` },
    });
    for (const sink of slot.streams.values()) sink(error.slice());
    this.log(`model worker ${i} failed (${reason}); ${slot.streams.size} streams ended, restarting it`);
    const fresh = this.spawn();
    this.slots[i] = fresh;
    fresh.ready.catch((e) => this.log(`model worker ${i} could not restart: ${e.message}`));
  }
}
