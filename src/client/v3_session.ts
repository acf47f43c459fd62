// One v3 streaming session from the client's side, for the examples, tests, benchmarks and the
// evaluation: connect with headers, keep every server message with its arrival time, wait for a
// message, send audio, Terminate, close. Messages are plain JSON objects: the tests look at the
// server's exact fields.
import { RawSocket } from "../net/raw_websocket.ts";

export type ServerMessage = Record<string, unknown>;

export interface Closed {
  code: number;
  reason: string;
}

export interface SessionOptions {
  /** of the upgrade request; any non-empty Authorization works unless the server has API_KEYS_FILE */
  headers?: Record<string, string>;
  /** Connect through RawSocket (TCP_NODELAY), for latency figures: Deno's WebSocket holds audio
   * frames back for the peer's delayed ACK (src/net/raw_websocket.ts). */
  noDelay?: boolean;
  /** Called with each message as it arrives (performance.now()). */
  onMessage?: (message: ServerMessage, at: number) => void;
  /** `closed` gives up (code -1) when the server has not closed this long after the start. */
  closeTimeoutMs?: number;
}

interface Socket {
  readonly isOpen: boolean;
  send(data: string | Uint8Array): void;
  close(code?: number): void;
}

export class V3Session {
  readonly messages: ServerMessage[] = [];
  /** performance.now() at which messages[i] arrived */
  readonly arrivedAt: number[] = [];
  readonly closed: Promise<Closed>;
  private socket: Socket | undefined;
  private hasClosed = false;
  private readonly open = Promise.withResolvers<void>();
  private readonly closing = Promise.withResolvers<Closed>();
  private waiters: { type: string; resolve: (m: ServerMessage) => void; reject: (e: Error) => void }[] = [];

  constructor(url: string, private readonly opts: SessionOptions = {}) {
    this.open.promise.catch(() => {}); // a failed connection also shows as `closed`
    this.closed = this.closing.promise;
    if (opts.closeTimeoutMs !== undefined) {
      const timer = setTimeout(
        () => this.finish(-1, `no close within ${opts.closeTimeoutMs! / 1000} s`),
        opts.closeTimeoutMs,
      );
      this.closed.then(() => clearTimeout(timer));
    }
    const headers = opts.headers ?? { Authorization: "self-hosted" };
    if (opts.noDelay) this.connectRaw(url, headers);
    else this.connectWebSocket(url, headers);
  }

  private connectWebSocket(url: string, headers: Record<string, string>): void {
    const ws = new WebSocket(url, { headers });
    ws.binaryType = "arraybuffer";
    this.socket = {
      get isOpen() {
        return ws.readyState === WebSocket.OPEN;
      },
      send: (data) => ws.send(data),
      close: (code) => ws.close(code),
    };
    ws.onopen = () => this.open.resolve();
    ws.onmessage = (e) => this.receive(String(e.data), performance.now());
    ws.onclose = (e) => this.finish(e.code, e.reason);
  }

  private connectRaw(url: string, headers: Record<string, string>): void {
    RawSocket.connect(url, headers, {
      onText: (text, at) => this.receive(text, at),
      onClose: (code, reason) => this.finish(code, reason),
    }).then(
      (socket) => (this.socket = socket, this.open.resolve()),
      (e) => this.finish(1006, e instanceof Error ? e.message : String(e)),
    );
  }

  private receive(text: string, at: number): void {
    const message = JSON.parse(text) as ServerMessage;
    this.messages.push(message);
    this.arrivedAt.push(at);
    this.opts.onMessage?.(message, at);
    this.waiters = this.waiters.filter((w) => (w.type === message.type ? (w.resolve(message), false) : true));
  }

  private finish(code: number, reason: string): void {
    if (this.hasClosed) return;
    this.hasClosed = true;
    this.open.reject(new Error(`closed before opening: ${code} ${reason}`));
    for (const w of this.waiters) {
      w.reject(new Error(`no ${w.type} before close ${code} ${reason}: ${this.dump()}`));
    }
    this.waiters = [];
    this.closing.resolve({ code, reason });
  }

  private dump(): string {
    return JSON.stringify(this.messages);
  }

  get isOpen(): boolean {
    return !this.hasClosed && (this.socket?.isOpen ?? false);
  }

  /** Resolves once connected (before Begin); rejects if the connection fails. */
  opened(): Promise<void> {
    return this.open.promise;
  }

  /** The first message of this type; rejects after `timeoutMs` or when the socket closes first. */
  waitFor(type: string, timeoutMs = 20_000): Promise<ServerMessage> {
    const found = this.messages.find((m) => m.type === type);
    if (found) return Promise.resolve(found);
    if (this.hasClosed) return Promise.reject(new Error(`no ${type} before close: ${this.dump()}`));
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no ${type} within ${timeoutMs} ms: ${this.dump()}`));
      }, timeoutMs);
      const done = (m: ServerMessage) => (clearTimeout(timer), resolve(m));
      this.waiters.push({ type, resolve: done, reject: (e) => (clearTimeout(timer), reject(e)) });
    });
  }

  /** Sends while open; dropped otherwise (the session's end shows in `closed`). */
  send(data: string | Uint8Array): void {
    if (this.isOpen) this.socket!.send(data);
  }

  /** Sends chunks `paceMs` apart (0: as fast as possible). */
  async stream(chunks: readonly Uint8Array[], paceMs: number): Promise<void> {
    for (const c of chunks) {
      this.send(c);
      if (paceMs) await new Promise((r) => setTimeout(r, paceMs));
    }
  }

  /** Asks the server to finish: Termination, or undefined if the socket closed (or timed out) first. */
  async terminate(timeoutMs = 20_000): Promise<ServerMessage | undefined> {
    this.send(JSON.stringify({ type: "Terminate" }));
    const termination = await this.waitFor("Termination", timeoutMs).catch(() => undefined);
    this.close();
    return termination;
  }

  turns(): ServerMessage[] {
    return this.messages.filter((m) => m.type === "Turn");
  }

  /** Final, unformatted turns. */
  finalTurns(): ServerMessage[] {
    return this.turns().filter((t) => t.end_of_turn && !t.turn_is_formatted);
  }

  close(code = 1000): void {
    if (!this.hasClosed) this.socket?.close(code);
  }
}
