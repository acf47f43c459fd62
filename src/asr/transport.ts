// How the gateway reaches an ASR service: in-process (embedded mode) or a WebSocket carrying
// binary protobuf frames. Both speak the same frames, so the gateway cannot tell them apart.
import { type ClientFrame, decodeServerFrame, encodeClientFrame, type ServerFrame } from "./proto.ts";
import type { AsrService } from "./service.ts";
import { RawSocket } from "../net/raw_websocket.ts";

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
    const pending: Uint8Array[] = [];
    let socket: RawSocket | undefined;
    let ended = false;
    let closedByUs = false;
    const lost = (reason: string) => {
      if (!ended && !closedByUs) handlers.onLost(reason);
      ended = true;
    };
    // TCP_NODELAY client: Deno's WebSocket would hold each 3.2 kB audio frame ~40 ms (see raw_websocket.ts)
    RawSocket.connect(url, { [ROUTE_HEADER]: route }, {
      onText: () => {},
      onBinary: (bytes) => {
        const frame = decodeServerFrame(bytes);
        if (frame.kind === "finished" || frame.kind === "error") ended = true;
        handlers.onFrame(frame);
      },
      onClose: (code, reason) => lost(`ASR connection lost (${code} ${reason})`.trim()),
    }).then((s) => {
      socket = s;
      if (closedByUs) return s.close(1000);
      for (const bytes of pending) s.send(bytes);
      pending.length = 0;
    }, (e: Error) => lost(`ASR service unreachable at ${url}: ${e.message}`));
    return {
      send: (frame) => {
        const bytes = encodeClientFrame(frame);
        if (socket) socket.send(bytes);
        else pending.push(bytes);
      },
      close: () => {
        closedByUs = true;
        socket?.close(1000);
      },
    };
  }
}
