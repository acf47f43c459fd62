// One v3 streaming session over a Deno WebSocket: connect with an Authorization header, wait for
// Begin, send audio, Terminate, and wait for Termination. Messages go to the given callbacks.
import type { Turn } from "./turn_printer.ts";

export interface Begin {
  type: "Begin";
  id: string;
  expires_at: number;
}

export interface Termination {
  type: "Termination";
  audio_duration_seconds: number;
  session_duration_seconds: number;
}

export interface SessionOptions {
  /** e.g. ws://localhost:8080/v3/ws */
  url: string;
  /** any non-empty value works unless the server has API_KEYS_FILE */
  apiKey: string;
  params: Record<string, string>;
  onTurn: (turn: Turn) => void;
  /** Error frames, legacy {"error"} messages and abnormal closes */
  onError: (text: string) => void;
}

export class V3Session {
  private readonly termination = Promise.withResolvers<Termination | undefined>();

  private constructor(private readonly ws: WebSocket, readonly begin: Begin) {}

  static connect(o: SessionOptions): Promise<V3Session> {
    const url = `${o.url}?${new URLSearchParams(o.params)}`;
    const ws = new WebSocket(url, { headers: { Authorization: o.apiKey } });
    ws.binaryType = "arraybuffer";
    return new Promise((resolve, reject) => {
      let session: V3Session | undefined;
      ws.onmessage = (e) => {
        const m = JSON.parse(String(e.data));
        if (m.type === "Begin") resolve(session = new V3Session(ws, m));
        else if (m.type === "Turn") o.onTurn(m);
        else if (m.type === "Termination") session?.termination.resolve(m);
        else if (m.type === "Error" || "error" in m) o.onError(m.error);
      };
      ws.onclose = (e) => {
        if (e.code !== 1000) o.onError(`connection closed: ${e.code} ${e.reason}`);
        reject(new Error(`closed before Begin: ${e.code} ${e.reason}`));
        session?.termination.resolve(undefined);
      };
    });
  }

  get open(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  send(audio: Uint8Array): void {
    if (this.open) this.ws.send(audio);
  }

  /** Asks the server to finish; resolves with Termination (undefined if the socket closed first). */
  async terminate(): Promise<Termination | undefined> {
    if (this.open) this.ws.send(JSON.stringify({ type: "Terminate" }));
    const result = await this.termination.promise;
    this.ws.close();
    return result;
  }
}
