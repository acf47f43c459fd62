// A raw v3 WebSocket client for tests: collects server messages and the close event.
import { chunks, type Wav } from "./wav.ts";
export interface Closed {
  code: number;
  reason: string;
}

export class TestClient {
  readonly messages: Record<string, unknown>[] = [];
  readonly closed: Promise<Closed>;
  private ws: WebSocket;
  private waiters: {
    pred: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }[] = [];

  constructor(url: string, headers: Record<string, string> = { Authorization: "self-hosted" }) {
    this.ws = new WebSocket(url, { headers } as unknown as string[]);
    this.ws.binaryType = "arraybuffer";
    this.ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      this.messages.push(m);
      this.waiters = this.waiters.filter((w) => (w.pred(m) ? (w.resolve(m), false) : true));
    };
    // A test must fail, not hang, when the server never closes: give up after 30 s.
    this.closed = new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ code: -1, reason: "no close within 30 s" }), 30_000);
      this.ws.onclose = (e) => (clearTimeout(timer), resolve({ code: e.code, reason: e.reason }));
    });
  }

  opened(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState === WebSocket.OPEN) return resolve();
      this.ws.addEventListener("open", () => resolve(), { once: true });
      this.ws.addEventListener("error", () => reject(new Error("WebSocket error")), { once: true });
    });
  }

  waitFor(type: string, timeoutMs = 20_000): Promise<Record<string, unknown>> {
    const found = this.messages.find((m) => m.type === type);
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no ${type} within ${timeoutMs} ms: ${JSON.stringify(this.messages)}`)),
        timeoutMs,
      );
      this.waiters.push({
        pred: (m) => m.type === type,
        resolve: (m) => (clearTimeout(timer), resolve(m)),
      });
    });
  }

  send(data: string | Uint8Array): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(data);
  }

  /** Streams chunks paced at `paceMs` per chunk (0 = as fast as possible). */
  async stream(chunks: Uint8Array[], paceMs: number): Promise<void> {
    for (const c of chunks) {
      this.send(c);
      if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    }
  }

  turns(): Record<string, unknown>[] {
    return this.messages.filter((m) => m.type === "Turn");
  }

  /** Final, unformatted turns. */
  finalTurns(): Record<string, unknown>[] {
    return this.turns().filter((t) => t.end_of_turn && !t.turn_is_formatted);
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close();
  }
}

/** Opens a v3 session with `query`, streams a fixture in 100 ms chunks (20 ms apart), terminates
 * and returns the final, unformatted turns. */
export async function finalTurnsOf(
  wsUrl: string,
  query: URLSearchParams,
  wav: Wav,
): Promise<Record<string, unknown>[]> {
  const client = new TestClient(`${wsUrl}/v3/ws?${query}`);
  await client.waitFor("Begin");
  await client.stream(chunks(wav, 100), 20);
  client.send(JSON.stringify({ type: "Terminate" }));
  await client.waitFor("Termination");
  return client.finalTurns();
}
