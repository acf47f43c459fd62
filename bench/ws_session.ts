// One benchmark client session over the v3 WebSocket API (src/client/v3_session.ts, without Nagle's
// delay): wait for Begin, send audio chunks on a fixed real-time schedule, Terminate, wait for
// Termination and the close. Every text message is kept with its arrival time; the figures are
// computed afterwards (session_figures.ts).
import { type ServerMessage, V3Session } from "../src/client/v3_session.ts";

export interface SessionPlan {
  url: string;
  headers: Record<string, string>;
  chunks: readonly Uint8Array[];
  chunkMs: number;
  /** performance.now() at which the first chunk is due (or at Begin, when that comes later). */
  streamAt: number;
  /** Bound on the wait for Begin and for Termination. */
  timeoutMs: number;
}

export interface Arrival {
  at: number;
  message: ServerMessage;
}

export interface SessionTrace {
  /** performance.now() when the connection was started */
  openedAt: number;
  beginAt?: number;
  /** When chunk i left the client. */
  sentAt: number[];
  /** How late chunk i left against its schedule (ms): the load generator's own lag. */
  lagMs: number[];
  terminatedAt?: number;
  arrivals: Arrival[];
  closeCode?: number;
  /** The first thing that went wrong, if anything did. */
  error?: string;
}

const sleepUntil = (t: number) =>
  new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, t - performance.now())));

export async function runSession(plan: SessionPlan): Promise<SessionTrace> {
  const trace: SessionTrace = { openedAt: performance.now(), sentAt: [], lagMs: [], arrivals: [] };
  const fail = (error: string) => (trace.error ??= error);
  const session = new V3Session(plan.url, {
    headers: plan.headers,
    noDelay: true,
    onMessage(message, at) {
      trace.arrivals.push({ at, message });
      if (message.type === "Begin") trace.beginAt = at;
      else if (message.type === "Error") fail(`Error ${message.error_code}: ${message.error}`);
    },
  });
  const closed = session.closed.then(({ code, reason }) => {
    trace.closeCode = code;
    if (code !== 1000) fail(`closed ${code} ${reason}`.trim());
  });
  // A close says what went wrong itself; only a timeout needs saying here.
  const arrived = (type: string) =>
    session.waitFor(type, plan.timeoutMs).then(() => true, () => {
      if (session.isOpen) fail(`no ${type} within ${plan.timeoutMs} ms`);
      return false;
    });

  if (await arrived("Begin")) {
    const start = Math.max(plan.streamAt, trace.beginAt!);
    for (let i = 0; i < plan.chunks.length && session.isOpen; i++) {
      const due = start + i * plan.chunkMs;
      await sleepUntil(due);
      if (!session.isOpen) break;
      session.send(plan.chunks[i]);
      const now = performance.now();
      trace.sentAt.push(now);
      trace.lagMs.push(now - due);
    }
    if (session.isOpen) {
      session.send(JSON.stringify({ type: "Terminate" }));
      trace.terminatedAt = performance.now();
      await arrived("Termination");
    }
  }
  session.close(1000);
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => (fail(`no close within ${plan.timeoutMs} ms`), resolve()), plan.timeoutMs);
  });
  await Promise.race([closed, late]);
  clearTimeout(timer);
  return trace;
}
