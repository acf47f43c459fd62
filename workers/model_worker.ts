// A model worker isolate: owns one ONNX Runtime session and the streams assigned to it, and runs
// them through the batching scheduler. Stream traffic arrives and leaves as protobuf bytes.
/// <reference lib="deno.worker" />
import { decodeClientFrame, encodeServerFrame, type ServerFrame } from "../src/asr/proto.ts";
import { createBackend } from "../src/engine/backend.ts";
import { DeviceClient } from "../src/engine/device_client.ts";
import { PooledBackend } from "../src/engine/pooled_backend.ts";
import { type DecoderSettings, makeDecoder } from "../src/engine/decoders.ts";
import { loadModelDir, type ModelInfo } from "../src/engine/model_dir.ts";
import { Scheduler } from "../src/engine/scheduler.ts";
import { StreamPipeline } from "../src/engine/stream.ts";
import { SileroVad, VadTrack } from "../src/engine/vad.ts";
import type { FromWorker, ToWorker } from "./protocol.ts";

let model: ModelInfo;
let scheduler: Scheduler;
let decoderSettings: DecoderSettings = { choice: "auto" };
let vad: SileroVad | undefined;
const streams = new Map<string, StreamPipeline>();
// Frames that arrive while the model loads (a replacement worker gets streams at once) wait here.
const initialized = Promise.withResolvers<void>();

function post(message: FromWorker): void {
  if (message.type === "frame") self.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
  else self.postMessage(message);
}

function send(stream: string, frame: ServerFrame): void {
  const ends = frame.kind === "finished" || frame.kind === "error";
  post({ type: "frame", stream, bytes: encodeServerFrame(frame), ends });
}

function fatal(error: unknown): void {
  post({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
}

/** A stream that failed ends with an INTERNAL error; the worker's other streams go on. */
function failStream(id: string, error: unknown): void {
  const stream = streams.get(id);
  if (stream) (scheduler.remove(stream), streams.delete(id));
  send(id, {
    kind: "error",
    error: { kind: "INTERNAL", message: error instanceof Error ? error.message : String(error) },
  });
}

function finishStream(stream: StreamPipeline): void {
  stream.forceEndpoint();
  send(stream.id, { kind: "finished", finished: { audio_seconds: stream.audioSeconds } });
  streams.delete(stream.id);
  scheduler.remove(stream);
}

function onFrame(id: string, bytes: Uint8Array): void {
  const frame = decodeClientFrame(bytes);
  if (frame.kind === "open") {
    const stream = new StreamPipeline(
      id,
      model,
      frame.open,
      makeDecoder(model, decoderSettings, frame.open.settings.keyterms),
      (f) => send(id, f),
      vad ? new VadTrack(frame.open.settings.vad_threshold) : undefined,
    );
    try {
      scheduler.add(stream);
    } catch (error) {
      send(id, { kind: "error", error: { kind: "CAPACITY", message: (error as Error).message } });
      return;
    }
    streams.set(id, stream);
    send(id, { kind: "ready", ready: { model: model.name } });
    return;
  }
  const stream = streams.get(id);
  if (!stream) return; // already finished or closed
  switch (frame.kind) {
    case "audio":
      stream.acceptAudio(frame.audio.data);
      break;
    case "update":
      stream.updateSettings(frame.update.settings);
      break;
    case "force_endpoint":
      stream.forceEndpoint();
      break;
    case "finish":
      stream.finishInput();
      break;
  }
  scheduler.poke(stream);
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      decoderSettings = message.decoder;
      model = await loadModelDir(message.modelDir);
      // On a GPU the process's device worker runs the forward calls; this worker owns rows of its pool.
      const backend = message.device
        ? new PooledBackend(
          message.backend,
          new DeviceClient(message.device.port),
          message.maxStreams,
          message.device.firstRow,
          message.device.stride,
        )
        : await createBackend(message.backend, model, {
          threads: message.threads,
          maxStreams: message.maxStreams,
          deviceLock: message.deviceLock,
        });
      vad = message.vad ? await SileroVad.load() : undefined;
      scheduler = new Scheduler(
        backend,
        model,
        message,
        finishStream,
        fatal,
        (s, e) => failStream(s.id, e),
        vad,
      );
      initialized.resolve();
      post({ type: "ready", model: model.name });
      return;
    }
    await initialized.promise;
    if (message.type === "frame") {
      onFrame(message.stream, message.bytes);
    } else if (message.type === "close") {
      const stream = streams.get(message.stream);
      if (stream) scheduler.remove(stream);
      streams.delete(message.stream);
    }
  } catch (error) {
    if (message.type === "frame") failStream(message.stream, error);
    else fatal(error);
  }
};
