// The device worker of a GPU process: owns the one state pool on the GPU and runs the forward
// calls of every model worker connected to it, merged (src/engine/call_coalescer.ts). Model
// workers keep audio, features, VAD, decoding and turns; only windows and log-probabilities cross.
/// <reference lib="deno.worker" />
import { CallCoalescer } from "../src/engine/call_coalescer.ts";
import type { DeviceReply, DeviceRequest } from "../src/engine/device_client.ts";
import { createRowRunner } from "../src/engine/backend.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";
import type { FromDeviceWorker, ToDeviceWorker } from "./protocol.ts";

let coalescer: CallCoalescer;
/** The port of each model worker, by its index in the pool (a replacement's port takes the dead one's place). */
const ports = new Map<number, MessagePort>();
const initialized = Promise.withResolvers<void>();

function post(message: FromDeviceWorker): void {
  self.postMessage(message);
}

function serve(port: MessagePort): void {
  port.onmessage = async (event: MessageEvent<DeviceRequest>) => {
    const { id, rows, fresh, features } = event.data;
    let reply: DeviceReply;
    try {
      const out = await coalescer.run(rows, fresh, features);
      reply = { id, logProbs: out.logProbs, frames: out.frames };
    } catch (error) {
      reply = { id, error: error instanceof Error ? error.message : String(error) };
    }
    if ("logProbs" in reply) port.postMessage(reply, [reply.logProbs.buffer as ArrayBuffer]);
    else port.postMessage(reply);
  };
}

self.onmessage = async (event: MessageEvent<ToDeviceWorker>) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const model = await loadModelDir(message.modelDir);
      const pool = await createRowRunner(message.backend, model, {
        threads: message.threads,
        maxStreams: message.rows,
        deviceLock: message.deviceLock,
      });
      coalescer = new CallCoalescer(pool, message.maxBatch, message.gatherMs, () => ports.size);
      initialized.resolve();
      post({ type: "ready" });
      return;
    }
    await initialized.promise;
    ports.get(message.worker)?.close();
    ports.set(message.worker, message.port);
    serve(message.port);
  } catch (error) {
    post({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
  }
};
