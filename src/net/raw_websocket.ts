// A minimal WebSocket client (RFC 6455) over Deno.connect with TCP_NODELAY, for the gateway's
// link to remote ASR services and the load generator. Deno's own WebSocket client leaves Nagle's
// algorithm on and writes a frame of more than ~1 KiB as two segments, so every 100 ms audio chunk
// (3200 bytes) waits ~40 ms for the peer's delayed ACK (measured: 0.5 ms round trip at 1024 B,
// 42 ms at 1500-3200 B, on loopback). One write per frame, masked as a client must; text, binary,
// ping and close.
export interface RawSocketEvents {
  onText(text: string, at: number): void;
  onBinary?(bytes: Uint8Array, at: number): void;
  onClose(code: number, reason: string): void;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function frame(opcode: number, payload: Uint8Array): Uint8Array {
  const n = payload.length;
  const head = n < 126 ? 2 : n < 65536 ? 4 : 10;
  const out = new Uint8Array(head + 4 + n);
  out[0] = 0x80 | opcode; // FIN
  if (n < 126) out[1] = 0x80 | n;
  else if (n < 65536) (out[1] = 0x80 | 126, out[2] = n >> 8, out[3] = n & 255);
  else (out[1] = 0x80 | 127, new DataView(out.buffer).setBigUint64(2, BigInt(n)));
  const mask = crypto.getRandomValues(out.subarray(head, head + 4));
  for (let i = 0; i < n; i++) out[head + 4 + i] = payload[i] ^ mask[i & 3];
  return out;
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let o = 0; o < bytes.length;) o += await conn.write(bytes.subarray(o));
}

export class RawSocket {
  private open = true;
  private closeSent = false;
  private writing: Promise<void> = Promise.resolve();
  private buffer = new Uint8Array(0);
  private message: Uint8Array[] = [];
  private messageOpcode = 0x1;

  private constructor(private readonly conn: Deno.Conn, private readonly events: RawSocketEvents) {}

  /** Connects and upgrades; rejects when the server does not answer 101. */
  static async connect(
    url: string,
    headers: Record<string, string>,
    events: RawSocketEvents,
  ): Promise<RawSocket> {
    const u = new URL(url);
    const tls = u.protocol === "wss:";
    const port = Number(u.port || (tls ? 443 : 80));
    const tcp = await Deno.connect({ hostname: u.hostname, port });
    tcp.setNoDelay(true);
    const conn: Deno.Conn = tls ? await Deno.startTls(tcp, { hostname: u.hostname }) : tcp;
    const key = btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(16))));
    const lines = [
      `GET ${u.pathname}${u.search} HTTP/1.1`,
      `Host: ${u.host}`,
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Key: ${key}`,
      "Sec-WebSocket-Version: 13",
      ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`),
    ];
    await writeAll(conn, encoder.encode(lines.join("\r\n") + "\r\n\r\n"));
    const socket = new RawSocket(conn, events);
    const status = await socket.readHandshake();
    if (!/^HTTP\/1\.1 101/.test(status)) {
      conn.close();
      throw new Error(`upgrade refused: ${status}`);
    }
    void socket.pump();
    return socket;
  }

  get isOpen(): boolean {
    return this.open && !this.closeSent;
  }

  send(data: string | Uint8Array): void {
    if (!this.isOpen) return;
    this.write(typeof data === "string" ? frame(0x1, encoder.encode(data)) : frame(0x2, data));
  }

  close(code = 1000): void {
    if (!this.isOpen) return;
    this.closeSent = true;
    this.write(frame(0x8, new Uint8Array([code >> 8, code & 255])));
  }

  private write(bytes: Uint8Array): void {
    this.writing = this.writing.then(() => writeAll(this.conn, bytes)).catch(() =>
      this.finish(1006, "write failed")
    );
  }

  private async readHandshake(): Promise<string> {
    const chunk = new Uint8Array(4096);
    while (true) {
      const text = decoder.decode(this.buffer);
      const end = text.indexOf("\r\n\r\n");
      if (end >= 0) {
        this.buffer = this.buffer.slice(encoder.encode(text.slice(0, end + 4)).length);
        return text.slice(0, text.indexOf("\r\n"));
      }
      const n = await this.conn.read(chunk);
      if (n === null) return "connection closed during the upgrade";
      this.append(chunk.subarray(0, n));
    }
  }

  private append(bytes: Uint8Array): void {
    const merged = new Uint8Array(this.buffer.length + bytes.length);
    merged.set(this.buffer);
    merged.set(bytes, this.buffer.length);
    this.buffer = merged;
  }

  private async pump(): Promise<void> {
    const chunk = new Uint8Array(65536);
    try {
      while (this.open) {
        this.parseFrames();
        if (!this.open) return;
        const n = await this.conn.read(chunk);
        if (n === null) return this.finish(1006, "connection closed without a close frame");
        this.append(chunk.subarray(0, n));
      }
    } catch {
      this.finish(1006, "connection lost");
    }
  }

  /** Handles every complete frame in the buffer (server frames are not masked). */
  private parseFrames(): void {
    const at = performance.now();
    while (this.open && this.buffer.length >= 2) {
      const b = this.buffer;
      const opcode = b[0] & 0x0f;
      let length = b[1] & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (b.length < 4) return;
        (length = (b[2] << 8) | b[3], offset = 4);
      } else if (length === 127) {
        if (b.length < 10) return;
        (length = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(2)), offset = 10);
      }
      if (b.length < offset + length) return;
      const payload = b.slice(offset, offset + length);
      this.buffer = b.slice(offset + length);
      const fin = (b[0] & 0x80) !== 0;
      if (opcode === 0x8) {
        const code = payload.length >= 2 ? (payload[0] << 8) | payload[1] : 1005;
        if (!this.closeSent) (this.closeSent = true, this.write(frame(0x8, payload.slice(0, 2))));
        this.finish(code, decoder.decode(payload.slice(2)));
      } else if (opcode === 0x9) {
        this.write(frame(0xa, payload));
      } else if (opcode === 0x1 || opcode === 0x2 || opcode === 0x0) {
        if (opcode) this.messageOpcode = opcode; // 0 continues a fragmented message
        this.message.push(payload);
        if (!fin) continue;
        const whole = this.message.length === 1 ? this.message[0] : concat(this.message);
        this.message = [];
        if (this.messageOpcode === 0x1) this.events.onText(decoder.decode(whole), at);
        else this.events.onBinary?.(whole, at);
      }
    }
  }

  private finish(code: number, reason: string): void {
    if (!this.open) return;
    this.open = false;
    this.writing.finally(() => {
      try {
        this.conn.close();
      } catch { /* already closed */ }
    });
    this.events.onClose(code, reason);
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
}
