// What a session trace says about latency, from the client's side of the wire.
//
// A word's audio end (its `end`, ms of stream audio) is on the server once the chunk holding it
// has been sent; latencies count from that chunk's send time.
import type { SessionTrace } from "./ws_session.ts";

interface WireWord {
  end: number;
}

interface WireTurn {
  turn_order: number;
  end_of_turn: boolean;
  words: WireWord[];
}

function turnsOf(trace: SessionTrace): { at: number; turn: WireTurn }[] {
  return trace.arrivals
    .filter((a) => a.message.type === "Turn" && Array.isArray(a.message.words))
    .map((a) => ({ at: a.at, turn: a.message as unknown as WireTurn }));
}

/** When the chunk holding audio time `ms` was sent (the last chunk sent by `at` at the latest). */
function audioSentAt(trace: SessionTrace, chunkMs: number, ms: number, at: number): number | undefined {
  let i = Math.min(trace.sentAt.length - 1, Math.max(0, Math.ceil(ms / chunkMs) - 1));
  while (i > 0 && trace.sentAt[i] > at) i--;
  return trace.sentAt[i];
}

/** Per word (its position in its turn): from its audio end to the first message holding it. */
export function wordLatencies(trace: SessionTrace, chunkMs: number): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  for (const { at, turn } of turnsOf(trace)) {
    turn.words.forEach((w, i) => {
      const key = `${turn.turn_order}:${i}`;
      if (seen.has(key)) return;
      seen.add(key);
      const sent = audioSentAt(trace, chunkMs, w.end, at);
      if (sent !== undefined) out.push(at - sent);
    });
  }
  return out;
}

/**
 * Per turn: from the end of its last word's audio (end of speech) to its first end-of-turn message.
 * Turns ended by Terminate are not counted: they measure the flush, not turn detection.
 */
export function endOfTurnLatencies(trace: SessionTrace, chunkMs: number): number[] {
  const seen = new Set<number>();
  const out: number[] = [];
  for (const { at, turn } of turnsOf(trace)) {
    if (trace.terminatedAt !== undefined && at >= trace.terminatedAt) break;
    if (!turn.end_of_turn || !turn.words.length || seen.has(turn.turn_order)) continue;
    seen.add(turn.turn_order);
    const sent = audioSentAt(trace, chunkMs, turn.words[turn.words.length - 1].end, at);
    if (sent !== undefined) out.push(at - sent);
  }
  return out;
}

export const beginLatency = (t: SessionTrace): number | undefined =>
  t.beginAt === undefined ? undefined : t.beginAt - t.openedAt;

export interface Summary {
  n: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): Summary {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) =>
    sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : NaN;
  return { n: sorted.length, p50: at(0.5), p90: at(0.9), p99: at(0.99), max: sorted.at(-1) ?? NaN };
}
