// Typed codec for proto/asr.proto (protobufjs reflection; the .proto file is the contract).
import protobuf from "protobufjs";

import type { OpenStream, TurnEvent, TurnSettings } from "../engine/stream_types.ts";

export type { Encoding, OpenStream, TurnSettings, TurnUpdate, Word } from "../engine/stream_types.ts";
export type { Route } from "../routes.ts";

export type ClientFrame =
  | { kind: "open"; open: OpenStream }
  | { kind: "audio"; audio: { data: Uint8Array } }
  | { kind: "update"; update: { settings: TurnSettings } }
  | { kind: "force_endpoint"; force_endpoint: Record<string, never> }
  | { kind: "finish"; finish: Record<string, never> };

export type StreamErrorKind = "INTERNAL" | "CAPACITY" | "BAD_REQUEST" | "WORKER_DIED" | "SHUTTING_DOWN";

export type ServerFrame =
  | { kind: "ready"; ready: { model: string } }
  | TurnEvent
  | { kind: "finished"; finished: { audio_seconds: number } }
  | { kind: "error"; error: { kind: StreamErrorKind; message: string } };

const protoText = Deno.readTextFileSync(new URL("../../proto/asr.proto", import.meta.url));
const root = protobuf.parse(protoText, { keepCase: true }).root;
const clientType = root.lookupType("earshot.asr.v1.ClientFrame");
const serverType = root.lookupType("earshot.asr.v1.ServerFrame");
const toObjectOptions = {
  longs: Number,
  enums: String,
  bytes: Uint8Array,
  defaults: true,
  arrays: true,
  oneofs: true,
};

function decode<T>(type: protobuf.Type, bytes: Uint8Array): T {
  const message = type.decode(bytes);
  const object = type.toObject(message, toObjectOptions) as Record<string, unknown>;
  if (typeof object.kind !== "string") throw new Error(`${type.name} without a kind`);
  return object as T;
}

function encode(type: protobuf.Type, frame: { kind: string } & Record<string, unknown>): Uint8Array {
  const { kind: _kind, ...fields } = frame;
  // A copy with its own ArrayBuffer: protobufjs may return a view into a shared pool, and the
  // frames are transferred between isolates.
  return new Uint8Array(type.encode(type.fromObject(fields)).finish());
}

export const encodeClientFrame = (frame: ClientFrame): Uint8Array => encode(clientType, frame);
export const decodeClientFrame = (bytes: Uint8Array): ClientFrame => decode(clientType, bytes);
export const encodeServerFrame = (frame: ServerFrame): Uint8Array => encode(serverType, frame);
export const decodeServerFrame = (bytes: Uint8Array): ServerFrame => decode(serverType, bytes);
