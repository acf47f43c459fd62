// Messages between the ASR service (main thread) and its worker isolates: model workers (stream
// traffic as protobuf bytes, proto/asr.proto, transferred rather than copied) and, on a GPU, the
// device worker that runs every model worker's forward calls on the process's one state pool.
import type { BackendName } from "../src/engine/backend.ts";
import type { DecoderSettings } from "../src/engine/decoders.ts";

export interface WorkerInit {
  type: "init";
  modelDir: string;
  backend: BackendName;
  threads: number;
  /** The most streams this worker holds at once (a device-state backend sizes its state pool by it). */
  maxStreams: number;
  /** On a GPU: the port to the device worker, and this worker's state rows (firstRow + slot * stride). */
  device?: { port: MessagePort; firstRow: number; stride: number };
  /** One GPU call at a time among the process's workers (src/engine/device_lock.ts). */
  deviceLock: SharedArrayBuffer;
  maxBatch: number;
  maxWaitMs: number;
  decoder: DecoderSettings;
  /** Silero VAD for speech start and silence (else silence is measured from the decoded words). */
  vad: boolean;
}

export type ToWorker =
  | WorkerInit
  | { type: "frame"; stream: string; bytes: Uint8Array }
  | { type: "close"; stream: string };

export type FromWorker =
  | { type: "ready"; model: string }
  /** ends: the stream's last frame (finished or error), so that no one decodes it to find out. */
  | { type: "frame"; stream: string; bytes: Uint8Array; ends: boolean }
  | { type: "fatal"; message: string };

export interface DeviceWorkerInit {
  type: "init";
  modelDir: string;
  backend: BackendName;
  threads: number;
  /** State rows of the pool: every model worker's maxStreams. */
  rows: number;
  /** The most streams in one merged call. */
  maxBatch: number;
  /** How long a waiting request may wait for the other model workers' before a call starts. */
  gatherMs: number;
  deviceLock: SharedArrayBuffer;
}

export type ToDeviceWorker = DeviceWorkerInit | { type: "connect"; worker: number; port: MessagePort };

export type FromDeviceWorker = { type: "ready" } | { type: "fatal"; message: string };
