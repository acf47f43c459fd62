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

export type ServerMessage =
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
  return msg;
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
