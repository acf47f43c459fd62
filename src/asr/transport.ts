// How the gateway reaches an ASR service: in-process (embedded mode) or a WebSocket carrying
// binary protobuf frames. Both speak the same frames, so the gateway cannot tell them apart.
import { type ClientFrame, decodeServerFrame, encodeClientFrame, type ServerFrame } from "./proto.ts";
import type { AsrService } from "./service.ts";

export interface LinkHandlers {
  onFrame(frame: ServerFrame): void;
  /** The link broke without a final frame (connection lost, service gone). */
  onLost(reason: string): void;
}

export interface AsrLink {
  send(frame: ClientFrame): void;
  close(): void;
}

export interface AsrTransport {
  readonly name: string;
  open(route: string, handlers: LinkHandlers): AsrLink;
}

export class InProcessTransport implements AsrTransport {
  readonly name = "in-process";
  constructor(private readonly service: AsrService) {}

  open(route: string, handlers: LinkHandlers): AsrLink {
    const handle = this.service.connect(route, (bytes) => handlers.onFrame(decodeServerFrame(bytes)));
    return {
      send: (frame) => handle.send(encodeClientFrame(frame)),
      close: () => handle.close(),
    };
  }
}

/** The route travels in X-Model-Version so that nginx can pick the ASR service. */
export const ROUTE_HEADER = "X-Model-Version";
export const STREAM_PATH = "/v1/stream";

export class WebSocketTransport implements AsrTransport {
  readonly name: string;
  constructor(private readonly baseUrl: string) {
    this.name = `websocket ${baseUrl}`;
  }

  open(route: string, handlers: LinkHandlers): AsrLink {
    const url = this.baseUrl.replace(/^http/, "ws").replace(/\/$/, "") + STREAM_PATH;
    // Deno's WebSocket accepts request headers as a second-argument option.
    const ws = new WebSocket(url, { headers: { [ROUTE_HEADER]: route } } as unknown as string[]);
    ws.binaryType = "arraybuffer";
    const pending: Uint8Array[] = [];
    let ended = false;
    let closedByUs = false;
    ws.onopen = () => {
      for (const bytes of pending) ws.send(bytes);
      pending.length = 0;
    };
    ws.onmessage = (event) => {
      if (!(event.data instanceof ArrayBuffer)) return;
      const frame = decodeServerFrame(new Uint8Array(event.data));
      if (frame.kind === "finished" || frame.kind === "error") ended = true;
      handlers.onFrame(frame);
    };
    ws.onerror = () => {};
    ws.onclose = (event) => {
      if (!ended && !closedByUs) {
        handlers.onLost(`ASR connection lost (${event.code} ${event.reason})`.trim());
      }
    };
    return {
      send: (frame) => {
        const bytes = encodeClientFrame(frame);
        if (ws.readyState === WebSocket.OPEN) ws.send(bytes);
        else if (ws.readyState === WebSocket.CONNECTING) pending.push(bytes);
      },
      close: () => {
        closedByUs = true;
        if (ws.readyState === WebSocket.OPEN || ws.readyState === WebSocket.CONNECTING) ws.close(1000);
      },
    };
  }
}
