// The one closed set of WebSocket close / error codes the server uses (protocol-v3.md §5),
// the reason texts in the cloud's wording, and the Error-frame + close helper (§3.5).

import { errorMessage, serializeServerMessage } from "./server_messages.ts";

export const CloseCode = {
  Normal: 1000,
  Unauthorized: 1008,
  // [U] choice: 1013 is only in the Python SDK's table; we use it when the server cannot take a
  // session for a passing reason (no ASR capacity, license not ready) so clients may retry.
  TryAgainLater: 1013,
  ServerError: 3005,
  InvalidMessage: 3006,
  InputViolation: 3007,
  SessionExpired: 3008,
  TooManySessions: 3009,
} as const;

export type CloseCode = (typeof CloseCode)[keyof typeof CloseCode];
/** Every code except 1000: the ones that come with an `Error` frame. */
export type ErrorCloseCode = Exclude<CloseCode, 1000>;

export interface CloseCodeInfo {
  readonly code: CloseCode;
  readonly name: string;
  readonly defaultReason: string;
}

export const SERVER_ERROR_REASON = "Session Cancelled: An error occurred";
export const SESSION_EXPIRED_REASON = "Session Expired: Maximum session duration exceeded";
export const TOO_MANY_SESSIONS_REASON = "Unauthorized Connection: Too many concurrent sessions";

export const CLOSE_CODES: { readonly [C in CloseCode]: CloseCodeInfo } = {
  1000: { code: 1000, name: "normal", defaultReason: "" },
  1008: { code: 1008, name: "unauthorized", defaultReason: "Unauthorized Connection: Invalid credentials" },
  1013: {
    code: 1013,
    name: "try_again_later",
    defaultReason: "Temporary server condition forced blocking client's request",
  },
  3005: { code: 3005, name: "server_error", defaultReason: SERVER_ERROR_REASON },
  3006: { code: 3006, name: "invalid_message", defaultReason: "Invalid Message: Input validation error" },
  3007: {
    code: 3007,
    name: "input_violation",
    defaultReason: "Input duration violation: Expected between 50 and 1000 ms",
  },
  3008: { code: 3008, name: "session_expired", defaultReason: SESSION_EXPIRED_REASON },
  3009: { code: 3009, name: "too_many_sessions", defaultReason: TOO_MANY_SESSIONS_REASON },
};

// ---- reason texts (the documented forms) ----

// Client text is echoed into reasons; cap it so a megabyte frame does not become a megabyte Error.
const ECHO_LIMIT = 256;

export function clipClientText(text: string): string {
  if (text.length <= ECHO_LIMIT) return text;
  let cut = text.slice(0, ECHO_LIMIT);
  // Do not leave half a surrogate pair behind.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return cut + "…";
}

export function invalidJsonReason(text: string): string {
  return `Invalid JSON: ${clipClientText(text)}`;
}
export function invalidMessageTypeReason(text: string): string {
  return `Invalid Message Type: ${clipClientText(text)}`;
}
export function invalidMessageReason(detail: string): string {
  return `Invalid Message: ${clipClientText(detail)}`;
}
/** 3007, chunk size. `ms` is shown with at most two decimals. */
export function inputDurationReason(ms: number): string {
  return `Input duration violation: ${formatNumber(ms)} ms. Expected between 50 and 1000 ms`;
}
/** 3007, faster than real time. */
export function transmissionRateReason(audioSeconds: number, wallSeconds: number): string {
  return `Audio Transmission Rate Exceeded: Received ${formatNumber(audioSeconds)} sec. audio in ${
    formatNumber(wallSeconds)
  } sec`;
}
// [U] choice: the inactivity close is undocumented (§5); this text goes with the doc's first
// recommendation (send Termination, then close 1000 with this reason).
export function inactivityReason(seconds: number): string {
  return `Session Idle: No audio or messages received for ${formatNumber(seconds)} sec`;
}

function formatNumber(n: number): string {
  return String(Math.round(n * 100) / 100);
}

// ---- close reason size and the Error + close helper ----

/** WebSocket close reasons are limited to 123 bytes of UTF-8 (RFC 6455 §5.5). */
export const MAX_CLOSE_REASON_BYTES = 123;
export const SEE_ERROR_MESSAGE = "See Error message for details";

const utf8 = new TextEncoder();

/** The text itself when it fits in 123 UTF-8 bytes, else the documented stand-in (§3.5). */
export function closeReason(text: string): string {
  return utf8.encode(text).byteLength <= MAX_CLOSE_REASON_BYTES ? text : SEE_ERROR_MESSAGE;
}

export interface ErrorClose {
  /** JSON text of `{"type":"Error","error_code":code,"error":text}`, to send before closing. */
  readonly frame: string;
  readonly code: ErrorCloseCode;
  /** Ready for `socket.close(code, reason)`: at most 123 UTF-8 bytes. */
  readonly reason: string;
}

/** Everything needed to end a session with an error: send `frame`, then close with `code`/`reason`. */
export function errorClose(code: ErrorCloseCode, text: string = CLOSE_CODES[code].defaultReason): ErrorClose {
  return { frame: serializeServerMessage(errorMessage(code, text)), code, reason: closeReason(text) };
}
