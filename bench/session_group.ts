// N concurrent sessions streaming the same audio at real time, started a fraction of a chunk
// apart so the server sees an even load, and the server process measured over the window in
// which all N are streaming.
import { coresUsed, type ProcSample, sampleProcess } from "./proc.ts";
import { runSession, type SessionTrace } from "./ws_session.ts";

export interface GroupPlan {
  url: string;
  sessions: number;
  chunks: readonly Uint8Array[];
  chunkMs: number;
  /** Request headers of session i (the API key). */
  headers: (i: number) => Record<string, string>;
  /** The server process to measure, when known. */
  serverPid?: number;
  timeoutMs?: number;
}

export interface WindowFigures {
  /** Seconds of the window in which all sessions were streaming. */
  seconds: number;
  /** Server CPU cores busy over the window (CPU seconds / wall seconds). */
  serverCores?: number;
  /** Server RSS before the sessions opened and at the end of the window. */
  serverRssBefore?: number;
  serverRssDuring?: number;
  /** This process (the load generator) over the same window. */
  clientCores: number;
}

export interface GroupResult {
  traces: SessionTrace[];
  window: WindowFigures;
}

export async function runGroup(plan: GroupPlan): Promise<GroupResult> {
  const { sessions: n, chunkMs } = plan;
  const durationMs = plan.chunks.length * chunkMs;
  if (durationMs < 3 * chunkMs) throw new Error("a group needs at least 3 chunks of audio");
  const server = () => plan.serverPid === undefined ? undefined : sampleProcess(plan.serverPid);
  const before = server();
  // Time to connect everyone, then session i starts i/n of a chunk after session 0.
  const t0 = performance.now() + 500 + 5 * n;
  const stagger = chunkMs / n;
  const windowFrom = t0 + chunkMs;
  const windowTo = t0 + durationMs - chunkMs; // session 0 sends its last chunk
  const samples: { server?: ProcSample; client: ProcSample }[] = [];
  const sampleAt = (t: number) =>
    setTimeout(
      () => samples.push({ server: server(), client: sampleProcess(Deno.pid) }),
      t - performance.now(),
    );
  const timers = [sampleAt(windowFrom), sampleAt(windowTo)];
  const traces = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      runSession({
        url: plan.url,
        headers: plan.headers(i),
        chunks: plan.chunks,
        chunkMs,
        streamAt: t0 + i * stagger,
        timeoutMs: plan.timeoutMs ?? 30_000,
      })),
  );
  timers.forEach(clearTimeout);
  const [from, to] = samples;
  const window: WindowFigures = {
    seconds: (windowTo - windowFrom) / 1000,
    clientCores: from && to ? coresUsed(from.client, to.client) : NaN,
  };
  if (from?.server && to?.server) {
    window.serverCores = coresUsed(from.server, to.server);
    window.serverRssBefore = before?.rssBytes;
    window.serverRssDuring = to.server.rssBytes;
  }
  return { traces, window };
}
