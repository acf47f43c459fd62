// The gateway (createGateway, as src/serve.ts builds it) served in-process on a free port in front
// of a scripted ASR transport, with its plain log lines kept: protocol checks without a model.
import type { ClientFrame, ServerFrame } from "../../src/asr/proto.ts";
import type { AsrLink, AsrTransport, LinkHandlers } from "../../src/asr/transport.ts";
import { createGateway, type Gateway, type GatewayOptions } from "../../src/gateway/app.ts";
import { Authenticator } from "../../src/gateway/auth.ts";
import { TemporaryTokens } from "../../src/gateway/temp_tokens.ts";
import { createLogger } from "../../src/log.ts";

/** How a link answers its `open`: accepted, refused as the ASR service does at capacity, or not yet. */
export type OpenAnswer = "ready" | "capacity" | "hold";

export class ScriptedLink implements AsrLink {
  readonly received: ClientFrame[] = [];
  closed = false;

  constructor(private readonly handlers: LinkHandlers, private readonly answer: OpenAnswer) {}

  send(frame: ClientFrame): void {
    this.received.push(frame);
    if (frame.kind === "open" && this.answer === "ready") this.ready();
    if (frame.kind === "open" && this.answer === "capacity") {
      this.emit({ kind: "error", error: { kind: "CAPACITY", message: "ASR service at capacity" } });
    }
    if (frame.kind === "finish") this.emit({ kind: "finished", finished: { audio_seconds: 0 } });
  }

  /** Accepts the stream (for links opened with "hold"). */
  ready(): void {
    this.emit({ kind: "ready", ready: { model: "scripted" } });
  }

  /** Replies arrive asynchronously, as the real service's do. */
  emit(frame: ServerFrame): void {
    queueMicrotask(() => {
      if (!this.closed) this.handlers.onFrame(frame);
    });
  }

  close(): void {
    this.closed = true;
  }
}

export class ScriptedTransport implements AsrTransport {
  readonly name = "scripted";
  readonly links: ScriptedLink[] = [];
  answer: OpenAnswer = "ready";

  open(_route: string, handlers: LinkHandlers): AsrLink {
    const link = new ScriptedLink(handlers, this.answer);
    this.links.push(link);
    return link;
  }
}

export interface ServedGateway {
  gateway: Gateway;
  transport: ScriptedTransport;
  tokens: TemporaryTokens;
  /** The gateway's plain-format log lines (info and up). */
  lines: string[];
  url: string;
  wsUrl: string;
  close(): Promise<void>;
}

export function serveGateway(
  options: Partial<GatewayOptions> & { apiKeys?: string[] } = {},
): ServedGateway {
  const { apiKeys, ...overrides } = options;
  const lines: string[] = [];
  const tokens = new TemporaryTokens();
  const transport = new ScriptedTransport();
  const gateway = createGateway({
    transport,
    auth: new Authenticator(tokens, apiKeys && new Set(apiKeys)),
    tokens,
    log: createLogger({ service: "earshot", level: "info", structured: false, write: (l) => lines.push(l) }),
    maxSessionsPerKey: 100,
    maxSessionSeconds: 60,
    rateBurstSeconds: 5,
    isReady: () => true,
    ...overrides,
  });
  const server = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen() {} }, gateway.app.fetch);
  const url = `http://127.0.0.1:${server.addr.port}`;
  return {
    gateway,
    transport,
    tokens,
    lines,
    url,
    wsUrl: url.replace(/^http/, "ws"),
    close: () => server.shutdown(),
  };
}
