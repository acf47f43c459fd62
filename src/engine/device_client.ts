// A model worker's side of a device worker (workers/device_worker.ts): a RowRunner whose calls go
// through a MessagePort to the one GPU state pool the process's model workers share.
import type { BatchOutput } from "./backend.ts";
import type { RowRunner } from "./device_state_pool.ts";

export interface DeviceRequest {
  id: number;
  rows: number[];
  fresh: boolean[];
  features: Float32Array;
}

export type DeviceReply =
  | { id: number; logProbs: Float32Array; frames: number }
  | { id: number; error: string };

export class DeviceClient implements RowRunner {
  private nextId = 0;
  private readonly pending = new Map<number, PromiseWithResolvers<BatchOutput>>();

  constructor(private readonly port: MessagePort) {
    port.onmessage = (event: MessageEvent<DeviceReply>) => {
      const reply = event.data;
      const call = this.pending.get(reply.id);
      if (!call) return;
      this.pending.delete(reply.id);
      if ("error" in reply) call.reject(new Error(`device worker: ${reply.error}`));
      else call.resolve({ logProbs: reply.logProbs, frames: reply.frames });
    };
  }

  run(rows: readonly number[], fresh: readonly boolean[], features: Float32Array): Promise<BatchOutput> {
    const call = Promise.withResolvers<BatchOutput>();
    const request: DeviceRequest = { id: this.nextId++, rows: [...rows], fresh: [...fresh], features };
    this.pending.set(request.id, call);
    this.port.postMessage(request, [features.buffer as ArrayBuffer]);
    return call.promise;
  }

  release(): Promise<void> {
    this.port.close();
    for (const call of this.pending.values()) call.reject(new Error("device client released"));
    this.pending.clear();
    return Promise.resolve();
  }
}
