// Streams a fixture through an ASR transport, as the gateway would: open, audio, finish.
import type { ServerFrame, TurnSettings } from "../../src/asr/proto.ts";
import type { AsrTransport } from "../../src/asr/transport.ts";
import { UNIVERSAL_TURN_SETTINGS } from "../../src/engine/turns.ts";
import { chunks, fixture } from "./wav.ts";

export interface StreamRun {
  frames: ServerFrame[];
  /** Every frame, once the stream has finished or failed. */
  done: Promise<ServerFrame[]>;
  finish(): void;
}

/** Opens a stream on `route` and sends `wav` in 100 ms chunks (none when wav is null). */
export function transcribe(
  transport: AsrTransport,
  route = "en-default",
  wav: string | null = "numbers.wav",
  settings: TurnSettings = { ...UNIVERSAL_TURN_SETTINGS },
): StreamRun {
  const frames: ServerFrame[] = [];
  const done = Promise.withResolvers<ServerFrame[]>();
  const link = transport.open(route, {
    onFrame: (f) => {
      frames.push(f);
      if (f.kind === "finished" || f.kind === "error") done.resolve(frames);
    },
    onLost: (reason) => done.reject(new Error(reason)),
  });
  link.send({
    kind: "open",
    open: {
      session_id: "t",
      route,
      sample_rate: 16000,
      encoding: "PCM_S16LE",
      settings,
      resume_turn_order: 0,
      resume_offset_ms: 0,
    },
  });
  if (wav) { for (const c of chunks(fixture(wav), 100)) link.send({ kind: "audio", audio: { data: c } }); }
  return { frames, done: done.promise, finish: () => link.send({ kind: "finish", finish: {} }) };
}
