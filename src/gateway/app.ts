// The gateway's HTTP surface (Hono): WebSocket upgrades on /v3/ws and /, temporary tokens,
// health and metrics. Each accepted upgrade becomes a Session.
import type { PunctuationModel } from "../format/punctuation_model.ts";
import { Hono } from "hono";
import type { AsrTransport } from "../asr/transport.ts";
import type { Logger } from "../log.ts";
import { CloseCode, errorClose, type ErrorCloseCode } from "../protocol/close_codes.ts";
import { parseSessionParams } from "../protocol/params.ts";
import type { Authenticator } from "./auth.ts";
import { sendErrorClose } from "./error_close.ts";
import { GatewayMetrics } from "./metrics.ts";
import { Session, type UsageRecord } from "./session.ts";
import type { TemporaryTokens } from "./temp_tokens.ts";
import { type SyncLimits, syncRoutes } from "../sync/routes.ts";

/** The license gate as the gateway sees it (src/license/client.ts implements it). */
export interface Admission {
  admit(route: string): Promise<{ ok: true } | { ok: false; reason: string }>;
  reportUsage(record: UsageRecord): Promise<void>;
  /** The license's cap on concurrent sessions of this gateway, when it has one. */
  maxConcurrentSessions?(): Promise<number | undefined>;
  /** Usage records kept by the gateway's outbox, not yet acknowledged by the sidecar. */
  usagePending?(): number;
}

export interface GatewayOptions {
  transport: AsrTransport;
  auth: Authenticator;
  tokens: TemporaryTokens;
  log: Logger;
  admission?: Admission;
  maxSessionsPerKey: number;
  maxSessionSeconds: number;
  rateBurstSeconds: number;
  /** Usage is reported every this many seconds of a session (default 30) and at its end. */
  usageIncrementSeconds?: number;
  /** Sessions without their own inactivity_timeout end after this long without input (default 60). */
  idleSeconds?: number;
  /** Learned English casing and punctuation for formatted turns; the formatter's rules alone without it. */
  punctuation?: PunctuationModel;
  /** Whether the ASR side can take streams (health). */
  isReady: () => boolean;
  /** The sync API's limits; POST /transcribe, /readyz and /healthz are served when given. */
  sync?: SyncLimits;
  /** Optional extra routes (demo page, static files). */
  extend?: (app: Hono) => void;
}

export interface Gateway {
  app: Hono;
  metrics: GatewayMetrics;
  sessions: Set<Session>;
  /** Stops accepting sessions, lets open ones run until the deadline, then ends them with Termination. */
  drain(deadlineMs: number): Promise<void>;
}

export function createGateway(o: GatewayOptions): Gateway {
  const app = new Hono();
  const metrics = new GatewayMetrics();
  const sessions = new Set<Session>();
  const perKey = new Map<string, number>(); // open sessions per account: an API key with its tokens
  let draining = false;

  const health = (c: { json: (b: unknown, s: 200 | 503) => Response }) =>
    o.isReady() && !draining
      ? c.json({ status: "ok" }, 200)
      : c.json({ status: draining ? "draining" : "starting" }, 503);
  app.get("/v3/health", (c) => health(c));
  app.get("/v3/ws/health", (c) => health(c));
  app.get("/metrics", (c) => {
    metrics.activeSessions = sessions.size;
    metrics.usagePending = o.admission?.usagePending?.();
    return c.text(metrics.render(), 200, { "content-type": "text/plain; version=0.0.4" });
  });

  app.get("/v3/token", async (c) => {
    const auth = o.auth.checkKey(c.req.header("authorization") ?? null);
    if (!auth.ok) return c.json({ error: auth.reason }, 401);
    const expires = Number(c.req.query("expires_in_seconds"));
    const maxRaw = c.req.query("max_session_duration_seconds");
    const max = maxRaw === undefined || maxRaw === "" ? o.maxSessionSeconds : Number(maxRaw);
    if (!Number.isInteger(expires) || expires < 1 || expires > 600) {
      return c.json({ error: "expires_in_seconds must be an integer between 1 and 600" }, 400);
    }
    if (!Number.isInteger(max) || max < 60 || max > 10800) {
      return c.json({ error: "max_session_duration_seconds must be an integer between 60 and 10800" }, 400);
    }
    return c.json({ token: await o.tokens.mint(auth.key, expires, max), expires_in_seconds: expires });
  });

  const upgrade = async (req: Request): Promise<Response> => {
    const upgradedAt = performance.now();
    const url = new URL(req.url);
    const authorization = req.headers.get("authorization"); // unreadable once upgraded
    const { socket, response } = Deno.upgradeWebSocket(req, { idleTimeout: 0 });
    socket.binaryType = "arraybuffer";
    // Refusals are sent in-band (Error frame + close code), as the cloud does after the upgrade.
    const refuse = (code: ErrorCloseCode, text: string) => {
      socket.onopen = () => sendErrorClose(socket, errorClose(code, text));
      metrics.sessionClosed(code);
      return response;
    };
    if (draining) {
      return refuse(CloseCode.TryAgainLater, "Server is shutting down; retry on another instance");
    }
    const auth = await o.auth.authenticate(authorization, url.searchParams.get("token"));
    if (!auth.ok) return refuse(CloseCode.Unauthorized, auth.reason);
    const parsed = parseSessionParams(url.searchParams);
    if (!parsed.ok) return refuse(CloseCode.InvalidMessage, parsed.error);
    const params = parsed.params;
    if (o.admission) {
      const admitted = await o.admission.admit(params.route);
      if (!admitted.ok) return refuse(CloseCode.Unauthorized, admitted.reason);
      const cap = await o.admission.maxConcurrentSessions?.();
      if (cap !== undefined && sessions.size >= cap) {
        return refuse(CloseCode.TooManySessions, `License check failed: ${cap} concurrent sessions allowed`);
      }
    }
    const open = perKey.get(auth.account) ?? 0;
    if (open >= o.maxSessionsPerKey) {
      return refuse(
        CloseCode.TooManySessions,
        `Unauthorized Connection: Too many concurrent sessions (limit ${o.maxSessionsPerKey})`,
      );
    }
    perKey.set(auth.account, open + 1);
    const maxSeconds = Math.min(o.maxSessionSeconds, auth.maxSessionSeconds ?? Infinity);
    const session = new Session(socket, params, maxSeconds, {
      transport: o.transport,
      metrics,
      log: o.log,
      rateBurstSeconds: o.rateBurstSeconds,
      usageIncrementMs: (o.usageIncrementSeconds ?? 30) * 1000,
      idleSeconds: o.idleSeconds ?? 60,
      finishTimeoutMs: 10_000,
      punctuation: o.punctuation,
      reportUsage: (record) => {
        metrics.activeSessions = sessions.size;
        o.admission?.reportUsage(record).catch((e) =>
          o.log.error(`usage record not stored: ${e.message}`, { record })
        );
      },
      onClosed: (s) => {
        sessions.delete(s);
        const n = (perKey.get(auth.account) ?? 1) - 1;
        if (n > 0) perKey.set(auth.account, n);
        else perKey.delete(auth.account);
      },
    }, upgradedAt);
    sessions.add(session);
    socket.onopen = () => session.start();
    socket.onmessage = (e) => session.onMessage(e.data);
    socket.onclose = (e) => session.onSocketClosed(e.code);
    socket.onerror = () => {};
    return response;
  };

  app.all("/v3/ws", (c) => {
    if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
      return c.text("Expected a WebSocket upgrade\n", 426);
    }
    return upgrade(c.req.raw);
  });
  app.use("/", async (c, next) => {
    if (c.req.header("upgrade")?.toLowerCase() === "websocket") return await upgrade(c.req.raw);
    await next();
  });
  if (o.sync) {
    syncRoutes(app, {
      transport: o.transport,
      auth: o.auth,
      admission: o.admission,
      log: o.log,
      punctuation: o.punctuation,
      isReady: () => o.isReady() && !draining,
      limits: o.sync,
    });
  }
  o.extend?.(app);
  app.onError((error, c) => {
    o.log.error(`request failed: ${error.message}`);
    return c.json({ error: "Internal server error" }, 500);
  });

  return {
    app,
    metrics,
    sessions,
    async drain(deadlineMs) {
      draining = true;
      const wait = async (ms: number) => {
        const until = Date.now() + ms;
        while (sessions.size && Date.now() < until) await new Promise((r) => setTimeout(r, 100));
      };
      await wait(deadlineMs); // open sessions keep going until the deadline...
      for (const s of sessions) s.drain(); // ...then get their final turn and Termination
      await wait(10_000);
    },
  };
}
