// The sync API of the upstream self-hosted stack on Earshot's engine: POST /transcribe (one whole
// file in, its transcript out) and the readiness probes. Each step below owns one failure mode;
// every refusal is a problem-details body (./problem.ts).
import type { Hono } from "hono";
import type { AsrTransport } from "../asr/transport.ts";
import type { PunctuationModel } from "../format/punctuation_model.ts";
import type { Admission } from "../gateway/app.ts";
import type { Authenticator } from "../gateway/auth.ts";
import type { Logger } from "../log.ts";
import { decodeAudio } from "./audio_input.ts";
import { checkContentLength, readLimited } from "./body.ts";
import { multipartBoundary, parseMultipart } from "./multipart.ts";
import { problemResponse, SyncProblem } from "./problem.ts";
import { parseSyncConfig } from "./request_config.ts";
import { buildResponse } from "./response.ts";
import { transcribe } from "./transcribe.ts";

export interface SyncLimits {
  maxAudioDurationMs: number;
  minAudioDurationMs: number;
  maxRequestBytes: number;
  inferenceTimeoutSeconds: number;
}

/** The upstream defaults: 120 s, 80 ms, 40 MiB, 30 s. */
export const DEFAULT_SYNC_LIMITS: SyncLimits = {
  maxAudioDurationMs: 120_000,
  minAudioDurationMs: 80,
  maxRequestBytes: 40 * 1024 * 1024,
  inferenceTimeoutSeconds: 30,
};

export interface SyncDeps {
  transport: AsrTransport;
  auth: Authenticator;
  admission?: Admission;
  log: Logger;
  punctuation?: PunctuationModel;
  /** Whether the ASR side can take streams (and the gateway is not draining). */
  isReady: () => boolean;
  limits: SyncLimits;
}

/** Rejects with the signal's reason once it aborts (the deadline covers reading the upload too). */
function beforeDeadline<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

/** The upstream sync API accepts a `Bearer ` prefix; keys and tokens are compared without it. */
function credential(header: string | null): string | null {
  const v = header?.trim() ?? null;
  return v && /^bearer\s/i.test(v) ? v.slice(6).trim() : v;
}

export function createTranscribeHandler(d: SyncDeps): (req: Request) => Promise<Response> {
  const { limits } = d;
  return async (req) => {
    const startedAt = performance.now();
    const id = crypto.randomUUID();
    // The deadline spans the whole request, as upstream: upload, decoding and inference.
    const deadline = new AbortController();
    const timer = setTimeout(
      () =>
        deadline.abort(
          new SyncProblem(
            504,
            "Inference Timeout",
            `request did not finish within ${limits.inferenceTimeoutSeconds} s (INFERENCE_TIMEOUT_SECONDS)`,
          ),
        ),
      limits.inferenceTimeoutSeconds * 1000,
    );
    try {
      const body = await handle(req, id, startedAt, deadline.signal);
      d.log.info(`sync ${id}: 200 in ${body.request_time_ms} ms, ${body.audio_duration_ms} ms of audio`);
      return Response.json(body);
    } catch (e) {
      if (!(e instanceof SyncProblem)) {
        d.log.error(`sync ${id}: failed: ${(e as Error).stack ?? e}`);
        return problemResponse(
          new SyncProblem(500, "Inference Error", `transcription failed (session ${id})`),
        );
      }
      d.log.info(`sync ${id}: ${e.status} ${e.title}: ${e.detail}`);
      return problemResponse(e, e.status === 503 ? { "retry-after": "1" } : {});
    } finally {
      clearTimeout(timer);
    }
  };

  async function handle(req: Request, id: string, startedAt: number, signal: AbortSignal) {
    if (!d.isReady()) {
      throw new SyncProblem(
        503,
        "Service Unavailable",
        "the model is not ready yet; retry once GET /readyz is 200",
      );
    }
    const url = new URL(req.url);
    const auth = await d.auth.authenticate(
      credential(req.headers.get("authorization")),
      url.searchParams.get("token"),
    );
    if (!auth.ok) throw new SyncProblem(401, "Unauthorized", auth.reason);

    const boundary = multipartBoundary(req.headers.get("content-type") ?? undefined);
    checkContentLength(req.headers.get("content-length") ?? undefined, limits.maxRequestBytes);
    const bytes = await beforeDeadline(readLimited(req.body, limits.maxRequestBytes), signal);
    const parts = parseMultipart(bytes, boundary);
    const audioPart = parts.find((p) => p.name === "audio");
    if (!audioPart) throw new SyncProblem(400, "Bad Request", "the request has no audio part");
    const configPart = parts.find((p) => p.name === "config");
    const config = parseSyncConfig(configPart && new TextDecoder().decode(configPart.data));
    if (audioPart.data.byteLength === 0) throw new SyncProblem(400, "Bad Audio", "the audio part is empty");
    const audio = decodeAudio(audioPart.data, audioPart.contentType, config);
    const ms = Math.round(audio.durationMs);
    if (audio.durationMs < limits.minAudioDurationMs) {
      throw new SyncProblem(
        400,
        "Audio Too Short",
        `audio duration ${ms} ms is below the minimum ${limits.minAudioDurationMs} ms`,
      );
    }
    if (audio.durationMs > limits.maxAudioDurationMs) {
      throw new SyncProblem(
        413,
        "Audio Too Large",
        `audio duration ${ms} ms exceeds limit ${limits.maxAudioDurationMs} ms`,
      );
    }

    if (d.admission) {
      const admitted = await d.admission.admit(config.route);
      if (!admitted.ok) throw new SyncProblem(401, "Unauthorized", admitted.reason);
    }
    const streamStartedAt = new Date();
    try {
      const turns = await transcribe(d.transport, {
        id,
        route: config.route,
        audio,
        keyterms: config.keyterms,
        signal,
      });
      return buildResponse({
        id,
        route: config.route,
        languages: config.languages,
        turns,
        keyterms: config.keyterms,
        punctuation: d.punctuation,
        audioDurationMs: audio.durationMs,
        requestStartedAt: startedAt,
        warnings: config.warnings,
      });
    } finally {
      // The whole file went to the engine, whatever came of it: billed like a streaming session.
      d.admission?.reportUsage({
        id,
        model: config.route,
        audio_seconds: audio.durationMs / 1000,
        started_at: streamStartedAt.toISOString(),
        ended_at: new Date().toISOString(),
      }).catch((e) => d.log.error(`usage report failed: ${e.message}`, { id }));
    }
  }
}

/** POST /transcribe, GET /readyz (200 once warm, 503 before) and GET /healthz (always 200). */
export function syncRoutes(app: Hono, d: SyncDeps): void {
  const handler = createTranscribeHandler(d);
  app.post("/transcribe", (c) => handler(c.req.raw));
  app.get(
    "/readyz",
    (c) => d.isReady() ? c.json({ status: "ready" }, 200) : c.json({ status: "not_ready" }, 503),
  );
  app.get("/healthz", (c) => c.json({ status: "ok" }, 200));
}
