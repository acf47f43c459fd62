// Server → client messages (protocol-v3.md §3). The Python SDK validates these with pydantic and
// a validation failure kills its reader thread, so every integer field is rounded here, every
// float is finite, and the key sets are fixed by the builders (never an `error` key outside Error).

import type { ErrorCloseCode } from "./close_codes.ts";
import type { ConfigurationEcho } from "./params.ts";

export interface Word {
  text: string;
  /** ms from stream start, integer */
  start: number;
  /** ms from stream start, integer */
  end: number;
  confidence: number;
  word_is_final: boolean;
  speaker?: string;
}

export interface BeginMessage {
  type: "Begin";
  id: string;
  /** Unix seconds, integer */
  expires_at: number;
  configuration?: ConfigurationEcho;
}

export interface TurnMessage {
  type: "Turn";
  turn_order: number;
  turn_is_formatted: boolean;
  end_of_turn: boolean;
  transcript: string;
  end_of_turn_confidence: number;
  words: Word[];
  utterance: string;
  language_code?: string;
  language_confidence?: number;
  speaker_label?: string;
  /** Final turns: why the turn ended (README, choices). */
  turn_end_reason?: string;
  /** Final turns: ms of silence after the last word when the turn ended, integer. */
  silence_before_eot_ms?: number;
}

export interface SpeechStartedMessage {
  type: "SpeechStarted";
  /** ms from stream start, integer */
  timestamp: number;
  confidence: number;
}

export interface TerminationMessage {
  type: "Termination";
  /** whole seconds */
  audio_duration_seconds: number;
  /** whole seconds */
  session_duration_seconds: number;
}

export interface ErrorMessage {
  type: "Error";
  error_code: ErrorCloseCode;
  error: string;
}

export interface WarningMessage {
  type: "Warning";
  warning_code: number;
  warning: string;
}

/** Session figures about once a second, when the session asked (`session_heartbeat=true`). */
export interface HeartbeatMessage {
  type: "Heartbeat";
  /** ms of audio received, integer */
  total_audio_received_ms: number;
  /** ms since the session began, integer */
  total_duration_ms: number;
  /** audio received per wall-clock time over the last seconds: 1 is real time */
  realtime_factor: number;
  /** the VAD's highest speech probability since the previous Heartbeat */
  max_speech_probability: number;
}

export type ServerMessage =
  | HeartbeatMessage
  | BeginMessage
  | TurnMessage
  | SpeechStartedMessage
  | TerminationMessage
  | ErrorMessage
  | WarningMessage;

// NaN/Infinity would serialize as null, which the SDKs reject.
function int(n: number): number {
  return Number.isFinite(n) ? Math.round(n) + 0 : 0; // + 0 turns -0 into 0
}
function unit(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0;
}

export function begin(input: {
  id: string;
  expiresAtMs: number;
  configuration?: ConfigurationEcho;
}): BeginMessage {
  // Floor, so the session never outlives the time it announced.
  const msg: BeginMessage = {
    type: "Begin",
    id: input.id,
    expires_at: Number.isFinite(input.expiresAtMs) ? Math.floor(input.expiresAtMs / 1000) : 0,
  };
  if (input.configuration !== undefined) msg.configuration = input.configuration;
  return msg;
}

export interface WordInput {
  text: string;
  /** ms, may be fractional: rounded */
  start: number;
  /** ms, may be fractional: rounded */
  end: number;
  confidence: number;
  word_is_final: boolean;
  speaker?: string;
}

export function word(input: WordInput): Word {
  const w: Word = {
    text: input.text,
    start: int(input.start),
    end: int(input.end),
    confidence: unit(input.confidence),
    word_is_final: input.word_is_final,
  };
  if (input.speaker !== undefined) w.speaker = input.speaker;
  return w;
}

export interface TurnInput {
  turn_order: number;
  turn_is_formatted: boolean;
  end_of_turn: boolean;
  transcript: string;
  end_of_turn_confidence: number;
  words: readonly WordInput[];
  /** defaults to "" (always present on the wire) */
  utterance?: string;
  language_code?: string;
  language_confidence?: number;
  speaker_label?: string;
  turn_end_reason?: string;
  silence_before_eot_ms?: number;
}

export function turn(input: TurnInput): TurnMessage {
  const msg: TurnMessage = {
    type: "Turn",
    turn_order: int(input.turn_order),
    turn_is_formatted: input.turn_is_formatted,
    end_of_turn: input.end_of_turn,
    transcript: input.transcript,
    end_of_turn_confidence: unit(input.end_of_turn_confidence),
    words: input.words.map(word),
    utterance: input.utterance ?? "",
  };
  if (input.language_code !== undefined) msg.language_code = input.language_code;
  if (input.language_confidence !== undefined) msg.language_confidence = unit(input.language_confidence);
  if (input.speaker_label !== undefined) msg.speaker_label = input.speaker_label;
  if (input.turn_end_reason) msg.turn_end_reason = input.turn_end_reason;
  if (input.silence_before_eot_ms !== undefined) msg.silence_before_eot_ms = int(input.silence_before_eot_ms);
  return msg;
}

export function heartbeat(input: {
  audioMs: number;
  durationMs: number;
  realtimeFactor: number;
  maxSpeechProbability: number;
}): HeartbeatMessage {
  return {
    type: "Heartbeat",
    total_audio_received_ms: int(input.audioMs),
    total_duration_ms: int(input.durationMs),
    realtime_factor: Number.isFinite(input.realtimeFactor) ? Math.round(input.realtimeFactor * 1e4) / 1e4 : 0,
    max_speech_probability: unit(input.maxSpeechProbability),
  };
}

export function speechStarted(input: { timestampMs: number; confidence: number }): SpeechStartedMessage {
  return { type: "SpeechStarted", timestamp: int(input.timestampMs), confidence: unit(input.confidence) };
}

export function termination(
  input: { audioDurationMs: number; sessionDurationMs: number },
): TerminationMessage {
  return {
    type: "Termination",
    audio_duration_seconds: int(input.audioDurationMs / 1000),
    session_duration_seconds: int(input.sessionDurationMs / 1000),
  };
}

export function errorMessage(code: ErrorCloseCode, error: string): ErrorMessage {
  return { type: "Error", error_code: code, error };
}

// [U] choice: warning codes are undocumented; the caller picks them.
export function warningMessage(code: number, warning: string): WarningMessage {
  return { type: "Warning", warning_code: int(code), warning };
}

export function serializeServerMessage(msg: ServerMessage): string {
  return JSON.stringify(msg);
}
