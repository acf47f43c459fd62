// Gateway benchmark: what the gateway itself costs, with the ASR replaced by the echo double
// (echo_asr.ts) behind the real protobuf framing. Two subprocesses take the same load from this
// process over real WebSockets: the gateway with the echo (gateway_echo_server.ts) and a bare Deno
// WebSocket echo (bare_echo_server.ts, the physical limit). Per step of N sessions streaming 100 ms
// chunks at real time: the server's CPU over the window when all N stream (sessions per core =
// N / cores busy), chunk -> Turn latency (the gateway's minus the bare one is what it adds), and
// RSS growth per session.
import { CHUNK_BYTES, CHUNK_MS } from "./audio.ts";
import type { Flags } from "./flags.ts";
import { MIB } from "./proc.ts";
import { runGroup } from "./session_group.ts";
import { summarize, type Summary, wordLatencies } from "./session_figures.ts";
import { startTarget, type Target } from "./target.ts";

export interface GatewayBenchOptions {
  /** Concurrent sessions per step; the ramp stops after the first step over the bound. */
  sessions: number[];
  /** Audio seconds each session streams per step. */
  seconds: number;
  /** p99 chunk -> Turn latency (ms) under which the gateway counts as keeping up. */
  boundMs: number;
  /** The echo answers every this many chunks. */
  turnEvery: number;
}

const DEFAULTS: GatewayBenchOptions = {
  sessions: [10, 50, 100, 200, 400],
  seconds: 10,
  boundMs: 50,
  turnEvery: 1,
};

export function gatewayOptions(flags: Flags): GatewayBenchOptions {
  return {
    sessions: flags.numbers("sessions", DEFAULTS.sessions),
    seconds: flags.number("seconds", DEFAULTS.seconds),
    boundMs: flags.number("bound-ms", DEFAULTS.boundMs),
    turnEvery: flags.number("turn-every", DEFAULTS.turnEvery),
  };
}

interface StepFigures {
  cores: number;
  sessions_per_core: number;
  latency_ms: Summary;
  rss_mib: number;
  rss_per_session_kib: number;
  errors: number;
  client_cores: number;
}

const QUERY = "/v3/ws?sample_rate=16000&speech_model=universal-streaming-english";

async function step(target: Target, sessions: number, seconds: number): Promise<StepFigures> {
  const silence = new Uint8Array(CHUNK_BYTES); // the echo does not listen
  const { traces, window } = await runGroup({
    url: target.wsUrl + QUERY,
    sessions,
    chunks: Array.from({ length: Math.round(seconds * 1000 / CHUNK_MS) }, () => silence),
    chunkMs: CHUNK_MS,
    headers: () => ({ Authorization: "bench" }),
    serverPid: target.pid,
  });
  const cores = window.serverCores ?? NaN;
  const rssGrowth = (window.serverRssDuring ?? NaN) - (window.serverRssBefore ?? NaN);
  return {
    cores,
    sessions_per_core: sessions / cores,
    latency_ms: summarize(traces.flatMap((t) => wordLatencies(t, CHUNK_MS))),
    rss_mib: (window.serverRssDuring ?? NaN) / MIB,
    rss_per_session_kib: rssGrowth / sessions / 1024,
    errors: traces.filter((t) => t.error).length,
    client_cores: window.clientCores,
  };
}

const f = (n: number, digits = 1) => Number.isFinite(n) ? n.toFixed(digits) : "-";

export async function benchGateway(
  options: Partial<GatewayBenchOptions> = {},
): Promise<Record<string, unknown>> {
  const o = { ...DEFAULTS, ...options };
  const bare = await startTarget("bench/bare_echo_server.ts");
  const gateway = await startTarget("bench/gateway_echo_server.ts", { ECHO_TURN_EVERY: String(o.turnEvery) });
  const rows: Record<string, unknown>[] = [];
  let best: { sessions: number; gateway: StepFigures; added_p50: number; added_p99: number } | undefined;
  try {
    await step(bare, 4, 1); // warm-up: let both servers compile their hot paths
    await step(gateway, 4, 1);
    console.log(`Gateway with echo ASR vs bare WebSocket echo; ${o.seconds} s per step, 100 ms chunks`);
    console.log(
      "sessions | gw cores | gw sessions/core | gw p50/p99 ms | bare cores | bare p50/p99 ms | added p50/p99 ms | gw KiB/session | client cores | errors",
    );
    for (const n of o.sessions) {
      const b = await step(bare, n, o.seconds);
      const g = await step(gateway, n, o.seconds);
      const added = { p50: g.latency_ms.p50 - b.latency_ms.p50, p99: g.latency_ms.p99 - b.latency_ms.p99 };
      rows.push({ sessions: n, gateway: g, bare: b, added_ms: added });
      console.log(
        `${n} | ${f(g.cores, 3)} | ${f(g.sessions_per_core, 0)} | ${f(g.latency_ms.p50)}/${
          f(g.latency_ms.p99)
        } | ${f(b.cores, 3)} | ${f(b.latency_ms.p50)}/${f(b.latency_ms.p99)} | ${f(added.p50)}/${
          f(added.p99)
        } | ${f(g.rss_per_session_kib, 0)} | ${f(g.client_cores, 2)} | ${g.errors + b.errors}`,
      );
      if (g.errors || !(g.latency_ms.p99 <= o.boundMs)) break;
      best = { sessions: n, gateway: g, added_p50: added.p50, added_p99: added.p99 };
    }
  } finally {
    await Promise.all([bare.stop(), gateway.stop()]);
  }
  if (best) {
    console.log(
      `gateway: ${f(best.gateway.sessions_per_core, 0)} sessions per core at ${best.sessions} sessions ` +
        `(p99 chunk -> Turn ${f(best.gateway.latency_ms.p99)} ms <= ${o.boundMs} ms), adds ${
          f(best.added_p50)
        } ms p50 / ${f(best.added_p99)} ms p99 over a bare WebSocket echo, ${
          f(best.gateway.rss_per_session_kib, 0)
        } KiB RSS per session`,
    );
  } else console.log(`gateway: no step kept p99 chunk -> Turn under ${o.boundMs} ms`);
  return {
    options: o,
    rows,
    sessions_per_core: best?.gateway.sessions_per_core ?? null,
    at_sessions: best?.sessions ?? null,
    added_latency_ms: best ? { p50: best.added_p50, p99: best.added_p99 } : null,
    rss_per_session_kib: best?.gateway.rss_per_session_kib ?? null,
  };
}
