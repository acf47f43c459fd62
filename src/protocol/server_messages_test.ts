import assert from "node:assert/strict";
import {
  begin,
  errorMessage,
  serializeServerMessage,
  type ServerMessage,
  speechStarted,
  termination,
  turn,
  warningMessage,
} from "./server_messages.ts";
import { configurationEcho, parseSessionParams } from "./params.ts";

const wire = (m: ServerMessage) => JSON.parse(serializeServerMessage(m));

Deno.test("server: Begin has string id, integer expires_at (seconds), optional configuration", () => {
  assert.deepEqual(wire(begin({ id: "abc", expiresAtMs: 1767225600999 })), {
    type: "Begin",
    id: "abc",
    expires_at: 1767225600,
  });
  const r = parseSessionParams(new URLSearchParams("speech_model=u3-rt-pro"));
  assert.ok(r.ok);
  const b = wire(begin({ id: "abc", expiresAtMs: 0, configuration: configurationEcho(r.params) }));
  assert.equal(b.configuration.model, "u3-rt-pro");
});

Deno.test("server: Turn has exact integer fields, utterance always, key order as documented", () => {
  const t = turn({
    turn_order: 2.0000001,
    turn_is_formatted: false,
    end_of_turn: false,
    transcript: "book a",
    end_of_turn_confidence: 0.012,
    words: [
      { text: "book", start: 899.6, end: 1140.4, confidence: 0.97, word_is_final: true },
      { text: "tab", start: 1300, end: 1300, confidence: Number.NaN, word_is_final: false },
    ],
  });
  const j = wire(t);
  assert.deepEqual(Object.keys(j), [
    "type",
    "turn_order",
    "turn_is_formatted",
    "end_of_turn",
    "transcript",
    "end_of_turn_confidence",
    "words",
    "utterance",
  ]);
  assert.equal(j.turn_order, 2);
  assert.equal(j.utterance, "");
  assert.deepEqual(j.words[0], {
    text: "book",
    start: 900,
    end: 1140,
    confidence: 0.97,
    word_is_final: true,
  });
  assert.equal(j.words[1].confidence, 0); // never null on the wire
  assert.equal(j.words[1].start, j.words[1].end); // zero-length words allowed
  assert.ok(!("language_code" in j) && !("language_confidence" in j) && !("speaker_label" in j));
});

Deno.test("server: Turn language fields and speaker fields only when given", () => {
  const j = wire(turn({
    turn_order: 0,
    turn_is_formatted: true,
    end_of_turn: true,
    transcript: "Hola.",
    end_of_turn_confidence: 1,
    utterance: "Hola.",
    language_code: "es",
    language_confidence: 0.93,
    speaker_label: "A",
    words: [{ text: "Hola.", start: 10, end: 20, confidence: 0.9, word_is_final: true, speaker: "A" }],
  }));
  assert.equal(j.language_code, "es");
  assert.equal(j.language_confidence, 0.93);
  assert.equal(j.speaker_label, "A");
  assert.equal(j.words[0].speaker, "A");
  assert.equal(j.utterance, "Hola.");
});

Deno.test("server: SpeechStarted integer timestamp", () => {
  assert.deepEqual(wire(speechStarted({ timestampMs: 1215.7, confidence: 0.98 })), {
    type: "SpeechStarted",
    timestamp: 1216,
    confidence: 0.98,
  });
});

Deno.test("server: Termination durations are whole seconds", () => {
  const j = wire(termination({ audioDurationMs: 7400, sessionDurationMs: 8600 }));
  assert.deepEqual(j, { type: "Termination", audio_duration_seconds: 7, session_duration_seconds: 9 });
  assert.ok(Number.isInteger(j.audio_duration_seconds) && Number.isInteger(j.session_duration_seconds));
  assert.deepEqual(
    wire(termination({ audioDurationMs: 0, sessionDurationMs: 120 })).audio_duration_seconds,
    0,
  );
});

Deno.test("server: Error and Warning", () => {
  assert.deepEqual(wire(errorMessage(3008, "Session Expired: Maximum session duration exceeded")), {
    type: "Error",
    error_code: 3008,
    error: "Session Expired: Maximum session duration exceeded",
  });
  assert.deepEqual(wire(warningMessage(1, "note")), { type: "Warning", warning_code: 1, warning: "note" });
});

Deno.test("server: no `error` key in any message but Error (the JS SDK treats it as an error)", () => {
  const messages: ServerMessage[] = [
    begin({ id: "x", expiresAtMs: 1 }),
    turn({
      turn_order: 0,
      turn_is_formatted: false,
      end_of_turn: false,
      transcript: "",
      end_of_turn_confidence: 0,
      words: [],
    }),
    speechStarted({ timestampMs: 0, confidence: 1 }),
    termination({ audioDurationMs: 0, sessionDurationMs: 0 }),
    warningMessage(0, "w"),
  ];
  for (const m of messages) assert.ok(!("error" in wire(m)), m.type);
});
