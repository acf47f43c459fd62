// A benchmark double for the ASR service: the same connect(route, sink) shape as AsrService and
// the same protobuf frames, at a fixed and tiny cost. It answers `open` with `ready`, every
// `turnEvery` audio chunks with a Turn that adds one word ("echo", ending at the audio received
// so far), ends a turn every `wordsPerTurn` words, and answers `finish` with `finished`.
// Wrapped in EchoTransport the gateway pays the real encode/decode of every frame both ways.
import {
  type ClientFrame,
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  type ServerFrame,
  type Word,
} from "../src/asr/proto.ts";
import type { Sink, StreamHandle } from "../src/asr/service.ts";
import type { AsrLink, AsrTransport, LinkHandlers } from "../src/asr/transport.ts";

export interface EchoOptions {
  turnEvery: number;
  wordsPerTurn: number;
}

export class EchoAsr {
  constructor(private readonly o: EchoOptions = { turnEvery: 1, wordsPerTurn: 10 }) {}

  connect(_route: string, sink: Sink): StreamHandle {
    let bytesPerMs = 32; // PCM16 at 16 kHz until `open` says otherwise
    let audioMs = 0;
    let chunks = 0;
    let turnOrder = 0;
    let words: Word[] = [];
    let closed = false;
    // Replies leave on a microtask, as the real service's replies arrive asynchronously.
    const reply = (frame: ServerFrame) =>
      queueMicrotask(() => {
        if (!closed) sink(encodeServerFrame(frame), frame.kind === "finished" || frame.kind === "error");
      });
    const turn = (endOfTurn: boolean) => {
      reply({
        kind: "turn",
        turn: {
          turn_order: turnOrder,
          words,
          end_of_turn: endOfTurn,
          end_of_turn_confidence: endOfTurn ? 1 : 0,
          utterance_end: endOfTurn,
          language_code: "",
          language_confidence: 0,
        },
      });
      if (endOfTurn) (turnOrder++, words = []);
    };
    const onFrame = (frame: ClientFrame) => {
      switch (frame.kind) {
        case "open":
          bytesPerMs = frame.open.sample_rate / 1000 * (frame.open.encoding === "PCM_MULAW" ? 1 : 2);
          return reply({ kind: "ready", ready: { model: "echo" } });
        case "audio": {
          const ms = frame.audio.data.byteLength / bytesPerMs;
          audioMs += ms;
          if (++chunks % this.o.turnEvery) return;
          words = [...words, {
            text: "echo",
            start_ms: Math.round(audioMs - ms),
            end_ms: Math.round(audioMs),
            confidence: 1,
            is_final: true,
          }];
          return turn(words.length >= this.o.wordsPerTurn);
        }
        case "force_endpoint":
          return words.length ? turn(true) : undefined;
        case "finish":
          if (words.length) turn(true);
          return reply({ kind: "finished", finished: { audio_seconds: audioMs / 1000 } });
        case "update":
          return;
      }
    };
    return {
      send: (bytes) => {
        if (!closed) onFrame(decodeClientFrame(bytes));
      },
      close: () => {
        closed = true;
      },
    };
  }
}

/** InProcessTransport's wiring around the echo: frames are encoded and decoded on both sides. */
export class EchoTransport implements AsrTransport {
  readonly name = "echo";
  constructor(private readonly echo: EchoAsr) {}

  open(route: string, handlers: LinkHandlers): AsrLink {
    const handle = this.echo.connect(route, (bytes) => handlers.onFrame(decodeServerFrame(bytes)));
    return {
      send: (frame) => handle.send(encodeClientFrame(frame)),
      close: () => handle.close(),
    };
  }
}
