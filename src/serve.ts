// `deno task serve`: everything a user needs in one process (embedded mode): the gateway on
// AAI_WSS_PORT, the ASR service with the shipped models in-process, and the license sidecar
// when a license is configured. Parts talk in-process; no other port is opened.
import { existsSync } from "node:fs";
import { AsrService } from "./asr/service.ts";
import { type AsrTransport, InProcessTransport } from "./asr/transport.ts";
import { webSocketFailover } from "./asr/failover_transport.ts";
import { decoderSettings, loadAsrConfig } from "./asr/config.ts";
import { createGateway } from "./gateway/app.ts";
import { demoRoutes } from "./demo/routes.ts";
import { Authenticator } from "./gateway/auth.ts";
import { loadGatewayConfig } from "./gateway/config.ts";
import { TemporaryTokens } from "./gateway/temp_tokens.ts";
import { createLogger, parseLevel } from "./log.ts";
import { licenseAdmission } from "./license_admission.ts";
import { PunctuationModel } from "./format/punctuation_model.ts";
import { servedModels } from "./routes.ts";

const MODELS = new URL("../models/", import.meta.url).pathname;

/** The shipped English punctuation and casing model, when present (formatted turns use rules without it). */
export function shippedPunctuation(modelsDir = MODELS): PunctuationModel | undefined {
  const dir = `${modelsDir}/en-punctuation`;
  return existsSync(`${dir}/punctuation.json`) ? PunctuationModel.load(dir) : undefined;
}

const config = loadGatewayConfig();
const asrConfig = loadAsrConfig();
const log = createLogger({
  service: "earshot",
  level: parseLevel(config.AAI_LOG_LEVEL),
  structured: config.AAI_USE_STRUCTURED_LOGGING,
});

let service: AsrService | undefined;
let transport: AsrTransport;
if (config.asrEndpoint) {
  transport = webSocketFailover(config.asrEndpoint, (m) => log.info(m));
} else {
  service = new AsrService({
    models: servedModels(MODELS, asrConfig.ROUTE_MODELS),
    backend: asrConfig.ASR_BACKEND,
    workers: asrConfig.ASR_WORKERS,
    threadsPerWorker: asrConfig.ASR_THREADS,
    maxOpenStreams: asrConfig.MAX_OPEN_STREAMS,
    maxBatch: asrConfig.ASR_MAX_BATCH,
    maxWaitMs: asrConfig.ASR_BATCH_WAIT_MS,
    decoder: decoderSettings(asrConfig),
    vad: asrConfig.ASR_VAD,
    log: (m) => log.info(m),
  });
  transport = new InProcessTransport(service);
}

const license = await licenseAdmission({
  endpoint: config.AAI_LICENSE_AND_USAGE_PROXY_ENDPOINT,
  licenseFile: config.LICENSE_FILE_PATH,
  outboxDir: config.USAGE_OUTBOX_DIR,
}, log);
const tokens = new TemporaryTokens(config.TOKEN_SIGNING_SECRET);
const punctuation = shippedPunctuation();
log.info(
  `formatted English turns: ${
    punctuation ? "learned casing and punctuation (models/en-punctuation)" : "rules only"
  }`,
);
const gateway = createGateway({
  transport,
  auth: await Authenticator.fromFile(tokens, config.API_KEYS_FILE),
  tokens,
  log,
  admission: license?.admission,
  maxSessionsPerKey: config.MAX_SESSIONS_PER_KEY,
  maxSessionSeconds: config.MAX_SESSION_SECONDS,
  rateBurstSeconds: config.RATE_BURST_SECONDS,
  usageIncrementSeconds: config.USAGE_INCREMENT_SECONDS,
  idleSeconds: config.CLIENT_IDLE_SECONDS,
  punctuation,
  isReady: () => service?.ready ?? true,
  sync: {
    maxAudioDurationMs: config.MAX_AUDIO_DURATION_MS,
    minAudioDurationMs: config.MIN_AUDIO_DURATION_MS,
    maxRequestBytes: config.MAX_REQUEST_BYTES,
    inferenceTimeoutSeconds: config.INFERENCE_TIMEOUT_SECONDS,
  },
  extend: demoRoutes,
});

const tls = config.TLS_CERT_FILE && config.TLS_KEY_FILE
  ? { cert: Deno.readTextFileSync(config.TLS_CERT_FILE), key: Deno.readTextFileSync(config.TLS_KEY_FILE) }
  : undefined;
const server = Deno.serve({
  port: config.AAI_WSS_PORT,
  hostname: config.AAI_HOSTNAME,
  ...tls,
  onListen: ({ hostname, port }) => {
    log.info(`gateway listening on ${tls ? "wss" : "ws"}://${hostname}:${port}/v3/ws (and /)`);
  },
}, gateway.app.fetch);

await service?.start();
log.info(`serving routes: ${service ? service.routes.join(", ") : `remote ASR at ${config.asrEndpoint}`}`);
log.info("Ready to serve!");

let stopping = false;
const shutdown = async (deadlineMs: number) => {
  if (stopping) return;
  stopping = true;
  log.info(`draining ${gateway.sessions.size} sessions`);
  await gateway.drain(deadlineMs);
  await server.shutdown();
  await service?.stop();
  await license?.stop();
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", () => shutdown(0));
Deno.addSignalListener("SIGTERM", () => shutdown(config.DRAIN_SECONDS * 1000));
