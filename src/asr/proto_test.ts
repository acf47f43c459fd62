import { deepStrictEqual as assertEquals } from "node:assert/strict";
import {
  decodeClientFrame,
  decodeServerFrame,
  encodeClientFrame,
  encodeServerFrame,
  TurnSettings,
} from "./proto.ts";

const settings: TurnSettings = {
  end_of_turn_confidence_threshold: 0.5,
  min_turn_silence_ms: 400,
  max_turn_silence_ms: 1280,
  vad_threshold: 0.25,
  keyterms: ["Earshot", "Keanu Reeves"],
  pro_rules: false,
  continuous_partials: false,
  language_detection: true,
  speech_activity: true,
  language_codes: ["es", "fr"],
};

Deno.test("client frames round-trip through protobuf", () => {
  const open = {
    kind: "open" as const,
    open: {
      session_id: "s1",
      route: "en-default",
      sample_rate: 8000,
      encoding: "PCM_MULAW" as const,
      settings,
      resume_turn_order: 3,
      resume_offset_ms: 12_000,
      mode: "min_latency",
    },
  };
  assertEquals(decodeClientFrame(encodeClientFrame(open)), open);
  const audio = { kind: "audio" as const, audio: { data: new Uint8Array([1, 2, 255]) } };
  const decoded = decodeClientFrame(encodeClientFrame(audio));
  assertEquals(decoded.kind === "audio" && [...decoded.audio.data], [1, 2, 255]);
  assertEquals(decodeClientFrame(encodeClientFrame({ kind: "finish", finish: {} })).kind, "finish");
});

Deno.test("server frames round-trip through protobuf", () => {
  const turn = {
    kind: "turn" as const,
    turn: {
      turn_order: 2,
      words: [{ text: "hello", start_ms: 40, end_ms: 400, confidence: 0.5, is_final: true }],
      end_of_turn: true,
      end_of_turn_confidence: 0.75,
      utterance_end: true,
      language_code: "en",
      language_confidence: 0.5,
      turn_end_reason: "confident",
      silence_before_eot_ms: 480,
    },
  };
  assertEquals(decodeServerFrame(encodeServerFrame(turn)), turn);
  const activity = { kind: "speech_activity" as const, speech_activity: { max_speech_probability: 0.5 } };
  assertEquals(decodeServerFrame(encodeServerFrame(activity)), activity);
  const error = { kind: "error" as const, error: { kind: "CAPACITY" as const, message: "full" } };
  assertEquals(decodeServerFrame(encodeServerFrame(error)), error);
});
