// Model worker isolates for one model: assigns streams to the least-loaded worker, relays
// protobuf bytes, and replaces a worker that dies (failing only its streams). On a GPU backend a
// device worker runs every model worker's forward calls on one state pool (workers/device_worker.ts):
// measured on an H200, one session per worker spent the GPU on many small calls.
import { isDeviceBackend } from "../engine/backend.ts";
import { encodeServerFrame } from "./proto.ts";
import type { Sink } from "./service.ts";
import type { FromDeviceWorker, FromWorker, ToWorker, WorkerInit } from "../../workers/protocol.ts";

interface Slot {
  worker: Worker;
  streams: Map<string, Sink>;
  ready: Promise<void>;
}

export type PoolInit = Omit<WorkerInit, "type" | "device">;

export class WorkerPool {
  private slots: Slot[] = [];
  private device: Worker | undefined;
  modelName = "";

  constructor(
    private readonly init: PoolInit,
    private readonly size: number,
    private readonly log: (m: string) => void,
  ) {}

  async start(): Promise<void> {
    if (isDeviceBackend(this.init.backend)) this.device = await this.spawnDevice();
    this.slots = Array.from({ length: this.size }, (_, i) => this.spawn(i));
    await Promise.all(this.slots.map((s) => s.ready));
  }

  get openStreams(): number {
    return this.slots.reduce((n, s) => n + s.streams.size, 0);
  }

  /** Sends a stream's frame to its worker; the first frame (open) picks the least-loaded worker. */
  send(stream: string, bytes: Uint8Array, sink: Sink): void {
    let slot = this.slots.find((s) => s.streams.has(stream));
    if (!slot) {
      if (!this.slots.length) return sink(workerDied("the model workers are restarting"), true);
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

  /** For tests and operators: terminates the device worker as a crash would. */
  crashDevice(): void {
    if (this.device) this.failDevice("killed");
  }

  stop(): void {
    for (const slot of this.slots) slot.worker.terminate();
    this.slots = [];
    this.device?.terminate();
    this.device = undefined;
  }

  private post(slot: Slot, message: ToWorker): void {
    if (message.type === "frame") slot.worker.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
    else slot.worker.postMessage(message);
  }

  private spawn(index: number): Slot {
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
        sink?.(m.bytes, m.ends);
        if (sink && m.ends) streams.delete(m.stream);
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
    const init: WorkerInit = { type: "init", ...this.init };
    if (this.device) {
      // a channel to the device worker, and this worker's rows of its state pool
      const channel = new MessageChannel();
      this.device.postMessage({ type: "connect", worker: index, port: channel.port2 }, [channel.port2]);
      init.device = { port: channel.port1, firstRow: index, stride: this.size };
      worker.postMessage(init, [channel.port1]);
    } else {
      worker.postMessage(init);
    }
    return slot;
  }

  private spawnDevice(): Promise<Worker> {
    const worker = new Worker(new URL("../../workers/device_worker.ts", import.meta.url), { type: "module" });
    const ready = Promise.withResolvers<Worker>();
    const failed = (reason: string) => {
      ready.reject(new Error(reason));
      if (this.device === worker) this.failDevice(reason);
    };
    worker.onmessage = (event: MessageEvent<FromDeviceWorker>) => {
      const m = event.data;
      if (m.type === "ready") ready.resolve(worker);
      else failed(m.message);
    };
    worker.onerror = (event) => {
      event.preventDefault();
      failed(event.message);
    };
    worker.postMessage({
      type: "init",
      modelDir: this.init.modelDir,
      backend: this.init.backend,
      threads: this.init.threads,
      rows: this.init.maxStreams * this.size,
      // each model worker sends at most maxBatch windows and waits for them before its next call
      maxBatch: this.init.maxBatch * this.size,
      gatherMs: this.init.maxWaitMs,
      deviceLock: this.init.deviceLock,
    });
    return ready.promise;
  }

  /** The device worker died: every stream of the model ends with a clear error, and all its workers start again. */
  private failDevice(reason: string): void {
    this.device?.terminate();
    this.device = undefined;
    const streams = this.openStreams;
    for (const slot of this.slots) {
      slot.worker.terminate();
      for (const sink of slot.streams.values()) sink(workerDied(`device worker failed: ${reason}`), true);
    }
    this.slots = [];
    this.log(`device worker failed (${reason}); ${streams} streams ended, restarting the model's workers`);
    this.start().catch((e) => this.log(`model workers could not restart: ${e.message}`));
  }

  /** A worker died: its streams get a clear error, a fresh worker takes its place. */
  private fail(slot: Slot, reason: string): void {
    const i = this.slots.indexOf(slot);
    if (i < 0) return;
    slot.worker.terminate();
    for (const sink of slot.streams.values()) sink(workerDied(`Model worker failed: ${reason}`), true);
    this.log(`model worker ${i} failed (${reason}); ${slot.streams.size} streams ended, restarting it`);
    const fresh = this.spawn(i);
    this.slots[i] = fresh;
    fresh.ready.catch((e) => this.log(`model worker ${i} could not restart: ${e.message}`));
  }
}

function workerDied(message: string): Uint8Array {
  return encodeServerFrame({ kind: "error", error: { kind: "WORKER_DIED", message } });
}
