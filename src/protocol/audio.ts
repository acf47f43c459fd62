// Binary audio frame checks (protocol-v3.md §2.1): sizes per encoding and the 50–1000 ms rule.

import { CloseCode, inputDurationReason, invalidMessageReason } from "./close_codes.ts";
import type { PcmEncoding as Encoding } from "./params.ts";

export const MIN_CHUNK_MS = 50;
export const MAX_CHUNK_MS = 1000;

/** pcm_s16le: 2 bytes per sample; pcm_mulaw: 1 (mono in both). */
export function bytesPerSample(encoding: Encoding): 1 | 2 {
  return encoding === "pcm_s16le" ? 2 : 1;
}

/** 16 kHz s16le → 32; 8 kHz mulaw → 8. */
export function bytesPerMs(encoding: Encoding, sampleRate: number): number {
  return (bytesPerSample(encoding) * sampleRate) / 1000;
}

/** Exact duration in ms (may be fractional); whole samples only are meaningful. */
export function durationMs(encoding: Encoding, sampleRate: number, byteLength: number): number {
  // Integer arithmetic first, one division last: 4410 B at 44.1 kHz is exactly 50 ms.
  return (byteLength * 1000) / (bytesPerSample(encoding) * sampleRate);
}

export type ChunkProblem = "odd_length" | "too_short" | "too_long";

export type ChunkCheck =
  | { ok: true; durationMs: number }
  | {
    ok: false;
    problem: ChunkProblem;
    durationMs: number;
    code: typeof CloseCode.InvalidMessage | typeof CloseCode.InputViolation;
    reason: string;
  };

/**
 * Check one binary frame. Bounds are inclusive and allow one sample of rounding, since 50 ms is not
 * a whole number of samples at every rate (22050 Hz: 1102.5).
 */
export function checkChunk(encoding: Encoding, sampleRate: number, byteLength: number): ChunkCheck {
  const bps = bytesPerSample(encoding);
  const ms = durationMs(encoding, sampleRate, byteLength);
  if (byteLength % bps !== 0) {
    // [U] choice: undocumented; half a sample is malformed input, so 3006 (the Python SDK calls it
    // "Input validation error") rather than the duration code.
    return {
      ok: false,
      problem: "odd_length",
      durationMs: ms,
      code: CloseCode.InvalidMessage,
      reason: invalidMessageReason(`audio frame of ${byteLength} bytes is not whole ${encoding} samples`),
    };
  }
  const samples = byteLength / bps;
  const minSamples = Math.floor((sampleRate * MIN_CHUNK_MS) / 1000);
  const maxSamples = Math.ceil((sampleRate * MAX_CHUNK_MS) / 1000);
  if (samples >= minSamples && samples <= maxSamples) return { ok: true, durationMs: ms };
  const tooShort = samples < minSamples;
  return {
    ok: false,
    problem: tooShort ? "too_short" : "too_long",
    durationMs: ms,
    code: CloseCode.InputViolation,
    // Floor/ceil so a 49.999 ms chunk does not read as "50 ms" in the reason.
    reason: inputDurationReason(tooShort ? Math.floor(ms * 100) / 100 : Math.ceil(ms * 100) / 100),
  };
}

/**
 * True when the frame would be accepted as the *final* chunk: the newest JS SDK sends a trailing
 * chunk under 50 ms just before Terminate (§2.1). The caller holds such a frame back and accepts it
 * only if Terminate (or the client's close) comes next; if more audio arrives, it fails as usual.
 */
export function acceptableAsFinalChunk(check: ChunkCheck): boolean {
  return check.ok || check.problem === "too_short";
}
