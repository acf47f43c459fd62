// One benchmark client session over the v3 WebSocket API: wait for Begin, send audio chunks on a
// fixed real-time schedule, Terminate, wait for Termination and the close. Every text message is
// kept with its arrival time; the figures are computed afterwards (session_figures.ts).
import { RawSocket } from "../src/net/raw_websocket.ts";

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
  message: Record<string, unknown>;
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
  const begun = Promise.withResolvers<void>();
  const terminated = Promise.withResolvers<void>();
  const closed = Promise.withResolvers<void>();
  const within = async (p: Promise<void>, what: string) => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((resolve) => {
      timer = setTimeout(() => (fail(`no ${what} within ${plan.timeoutMs} ms`), resolve()), plan.timeoutMs);
    });
    await Promise.race([p, closed.promise, late]);
    clearTimeout(timer);
  };

  let ws: RawSocket;
  try {
    ws = await RawSocket.connect(plan.url, plan.headers, {
      onText(text, at) {
        const message = JSON.parse(text) as Record<string, unknown>;
        trace.arrivals.push({ at, message });
        if (message.type === "Begin") (trace.beginAt = at, begun.resolve());
        else if (message.type === "Termination") terminated.resolve();
        else if (message.type === "Error") fail(`Error ${message.error_code}: ${message.error}`);
      },
      onClose(code, reason) {
        trace.closeCode = code;
        if (code !== 1000) fail(`closed ${code} ${reason}`.trim());
        closed.resolve();
      },
    });
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
    return trace;
  }

  await within(begun.promise, "Begin");
  if (trace.beginAt !== undefined) {
    const start = Math.max(plan.streamAt, trace.beginAt);
    for (let i = 0; i < plan.chunks.length && ws.isOpen; i++) {
      const due = start + i * plan.chunkMs;
      await sleepUntil(due);
      if (!ws.isOpen) break;
      ws.send(plan.chunks[i]);
      const now = performance.now();
      trace.sentAt.push(now);
      trace.lagMs.push(now - due);
    }
    if (ws.isOpen) {
      ws.send(JSON.stringify({ type: "Terminate" }));
      trace.terminatedAt = performance.now();
      await within(terminated.promise, "Termination");
    }
  }
  ws.close(1000);
  await within(closed.promise, "close");
  return trace;
}
