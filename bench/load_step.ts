// One step of the load ramp: N sessions of the load audio at real time against the server, and
// what they saw (Begin, word and end-of-turn latency, errors) and cost (server CPU and memory).
import { CHUNK_MS } from "./audio.ts";
import { MIB } from "./proc.ts";
import { runGroup } from "./session_group.ts";
import {
  beginLatency,
  endOfTurnLatencies,
  summarize,
  type Summary,
  wordLatencies,
} from "./session_figures.ts";
import type { Target } from "./target.ts";
import type { SessionTrace } from "./ws_session.ts";

export interface StepFigures {
  sessions: number;
  begin_ms: Summary;
  word_ms: Summary;
  end_of_turn_ms: Summary;
  errors: number;
  error_examples: string[];
  /** Server CPU cores busy while all sessions streamed; absent when the server pid is unknown. */
  server_cores?: number;
  server_rss_mib?: number;
  rss_per_session_mib?: number;
  /** The load generator's own state: its CPU and how late it sent chunks (p99). */
  client_cores: number;
  client_lag_p99_ms: number;
}

export function figuresOf(traces: SessionTrace[]): Omit<StepFigures, "sessions" | "client_cores"> {
  const errors = traces.map((t) => t.error).filter((e): e is string => e !== undefined);
  return {
    begin_ms: summarize(traces.map(beginLatency).filter((v): v is number => v !== undefined)),
    word_ms: summarize(traces.flatMap((t) => wordLatencies(t, CHUNK_MS))),
    end_of_turn_ms: summarize(traces.flatMap((t) => endOfTurnLatencies(t, CHUNK_MS))),
    errors: errors.length,
    error_examples: [...new Set(errors)].slice(0, 3),
    client_lag_p99_ms: summarize(traces.flatMap((t) => t.lagMs)).p99,
  };
}

export async function loadStep(
  target: Target,
  sessions: number,
  chunks: readonly Uint8Array[],
  query: string,
  key: string,
): Promise<StepFigures> {
  const { traces, window } = await runGroup({
    url: `${target.wsUrl}/v3/ws?${query}`,
    sessions,
    chunks,
    chunkMs: CHUNK_MS,
    headers: () => ({ Authorization: key }),
    serverPid: target.pid,
  });
  const rss = window.serverRssDuring;
  return {
    sessions,
    ...figuresOf(traces),
    server_cores: window.serverCores,
    server_rss_mib: rss === undefined ? undefined : rss / MIB,
    rss_per_session_mib: rss === undefined || window.serverRssBefore === undefined
      ? undefined
      : (rss - window.serverRssBefore) / MIB / sessions,
    client_cores: window.clientCores,
  };
}

/** The latency a step is judged on: end of turn, or word latency when no turn ended on silence. */
export const judgedLatency = (s: StepFigures): { basis: "end of turn" | "word"; p99: number } =>
  s.end_of_turn_ms.n > 0
    ? { basis: "end of turn", p99: s.end_of_turn_ms.p99 }
    : { basis: "word", p99: s.word_ms.p99 };

/** Held at real time: no session failed and the judged p99 latency stayed under the bound. */
export const held = (s: StepFigures, boundMs: number): boolean =>
  s.errors === 0 && judgedLatency(s).p99 <= boundMs;

const f = (n: number | undefined, digits = 0) =>
  n !== undefined && Number.isFinite(n) ? n.toFixed(digits) : "-";

export function stepLine(s: StepFigures, boundMs: number): string {
  return [
    s.sessions,
    `${f(s.begin_ms.p50)}/${f(s.begin_ms.p99)}`,
    `${f(s.word_ms.p50)}/${f(s.word_ms.p99)}`,
    `${f(s.end_of_turn_ms.p50)}/${f(s.end_of_turn_ms.p99)}`,
    s.errors,
    f(s.server_cores, 2),
    f(s.server_rss_mib),
    f(s.rss_per_session_mib, 1),
    f(s.client_cores, 2),
    f(s.client_lag_p99_ms, 1),
    `${held(s, boundMs) ? "yes" : "no"}${judgedLatency(s).basis === "word" ? " (on word p99)" : ""}`,
  ].join(" | ");
}

export const STEP_HEADER =
  "sessions | Begin p50/p99 ms | word p50/p99 ms | end of turn p50/p99 ms | errors | server cores | server RSS MiB | MiB/session | client cores | client lag p99 ms | held";
