// Messages between the ASR service (main thread) and a model worker isolate. Stream traffic is
// protobuf bytes (proto/asr.proto), transferred rather than copied.
import type { BackendName } from "../src/engine/backend.ts";
import type { DecoderSettings } from "../src/engine/decoders.ts";

export interface WorkerInit {
  type: "init";
  modelDir: string;
  backend: BackendName;
  threads: number;
  /** The most streams this worker holds at once (a device-state backend sizes its state pool by it). */
  maxStreams: number;
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
  | { type: "frame"; stream: string; bytes: Uint8Array }
  | { type: "fatal"; message: string };
