// A model worker isolate: the engine's recognizer for one model and the streams assigned to it.
// The only place where stream frames are decoded and encoded: protobuf bytes in, the recognizer's
// calls and events, protobuf bytes out.
/// <reference lib="deno.worker" />
import { decodeClientFrame, encodeServerFrame, type OpenStream, type ServerFrame } from "../src/asr/proto.ts";
import { type Backend, createBackend } from "../src/engine/backend.ts";
import { DeviceClient } from "../src/engine/device_client.ts";
import { loadModelDir, type ModelInfo } from "../src/engine/model_dir.ts";
import { PooledBackend } from "../src/engine/pooled_backend.ts";
import { CapacityError, OnlineRecognizer, type RecognizerStream } from "../src/engine/recognizer.ts";
import { SileroVad } from "../src/engine/vad.ts";
import type { FromWorker, ToWorker, WorkerInit } from "./protocol.ts";

let recognizer: OnlineRecognizer;
const streams = new Map<string, RecognizerStream>();
// Frames that arrive while the model loads (a replacement worker gets streams at once) wait here.
const initialized = Promise.withResolvers<void>();

function post(message: FromWorker): void {
  if (message.type === "frame") self.postMessage(message, [message.bytes.buffer as ArrayBuffer]);
  else self.postMessage(message);
}

function send(stream: string, frame: ServerFrame): void {
  const ends = frame.kind === "finished" || frame.kind === "error";
  if (ends) streams.delete(stream);
  post({ type: "frame", stream, bytes: encodeServerFrame(frame), ends });
}

function fatal(error: unknown): void {
  post({ type: "fatal", message: error instanceof Error ? error.message : String(error) });
}

function fail(id: string, kind: "INTERNAL" | "CAPACITY", error: unknown): void {
  streams.get(id)?.close();
  send(id, {
    kind: "error",
    error: { kind, message: error instanceof Error ? error.message : String(error) },
  });
}

function open(id: string, spec: OpenStream): void {
  try {
    streams.set(
      id,
      recognizer.createStream(id, spec, {
        onEvent: (event) => send(id, event),
        onFinished: (audioSeconds) =>
          send(id, { kind: "finished", finished: { audio_seconds: audioSeconds } }),
        // a stream that failed ends with an INTERNAL error; the worker's other streams go on
        onFailed: (error) => send(id, { kind: "error", error: { kind: "INTERNAL", message: error.message } }),
      }),
    );
  } catch (error) {
    return fail(id, error instanceof CapacityError ? "CAPACITY" : "INTERNAL", error);
  }
  send(id, { kind: "ready", ready: { model: recognizer.model.name } });
}

function onFrame(id: string, bytes: Uint8Array): void {
  const frame = decodeClientFrame(bytes);
  if (frame.kind === "open") return open(id, frame.open);
  const stream = streams.get(id);
  if (!stream) return; // already finished or closed
  switch (frame.kind) {
    case "audio":
      return stream.acceptAudio(frame.audio.data);
    case "update":
      return stream.updateSettings(frame.update.settings);
    case "force_endpoint":
      return stream.forceEndpoint();
    case "finish":
      return stream.finish();
  }
}

/** On a GPU the process's device worker runs the forward calls; this worker owns rows of its pool. */
function backendFor(message: WorkerInit, model: ModelInfo): Promise<Backend> {
  if (!message.device) {
    return createBackend(message.backend, model, {
      threads: message.threads,
      maxStreams: message.maxStreams,
      deviceLock: message.deviceLock,
    });
  }
  const { port, firstRow, stride } = message.device;
  return Promise.resolve(
    new PooledBackend(message.backend, new DeviceClient(port), message.maxStreams, firstRow, stride),
  );
}

self.onmessage = async (event: MessageEvent<ToWorker>) => {
  const message = event.data;
  try {
    if (message.type === "init") {
      const model = await loadModelDir(message.modelDir);
      recognizer = new OnlineRecognizer(model, await backendFor(message, model), {
        maxBatch: message.maxBatch,
        maxWaitMs: message.maxWaitMs,
        decoder: message.decoder,
        vad: message.vad ? await SileroVad.load() : undefined,
        onFatal: fatal,
      });
      initialized.resolve();
      post({ type: "ready", model: model.name });
      return;
    }
    await initialized.promise;
    if (message.type === "frame") {
      onFrame(message.stream, message.bytes);
    } else if (message.type === "close") {
      streams.get(message.stream)?.close();
      streams.delete(message.stream);
    }
  } catch (error) {
    if (message.type === "frame") fail(message.stream, "INTERNAL", error);
    else fatal(error);
  }
};
