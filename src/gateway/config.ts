// Gateway configuration from the environment, validated in one place. Names of the reference
// self-hosted deployment are honoured (AAI_*).
import { z } from "zod";
import { type Env, envBool, readEnv } from "../config/env.ts";

/** One URL, or several separated by commas (the ASR endpoints a session may fail over to). */
const urlList = z.string().refine(
  (v) => v.split(",").every((u) => z.string().url().safeParse(u.trim()).success),
  "must be a URL or a comma-separated list of URLs",
);
const schema = z.object({
  AAI_WSS_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  AAI_HOSTNAME: z.string().default("0.0.0.0"),
  AAI_ASR_ENDPOINT: urlList.optional(),
  AAI_STREAMING_ASR_ENDPOINT: urlList.optional(),
  AAI_LICENSE_AND_USAGE_PROXY_ENDPOINT: z.string().url().optional(),
  /** An embedded license sidecar (its other variables: src/license/config.ts). */
  LICENSE_FILE_PATH: z.string().optional(),
  AAI_LOG_LEVEL: z.string().default("info"),
  AAI_USE_STRUCTURED_LOGGING: envBool.default(false),
  API_KEYS_FILE: z.string().optional(),
  TOKEN_SIGNING_SECRET: z.string().min(16).optional(),
  TLS_CERT_FILE: z.string().optional(),
  TLS_KEY_FILE: z.string().optional(),
  /** With a remote sidecar: where usage waits, durably, until the sidecar has it. */
  USAGE_OUTBOX_DIR: z.string().min(1).optional(),
  /** A session reports its usage in increments of this length, so a crash loses at most one. */
  USAGE_INCREMENT_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  MAX_SESSIONS_PER_KEY: z.coerce.number().int().positive().default(100),
  MAX_SESSION_SECONDS: z.coerce.number().int().positive().default(10800),
  RATE_BURST_SECONDS: z.coerce.number().min(0).default(5),
  /** A session that sets no inactivity_timeout ends after this long without audio or messages. */
  CLIENT_IDLE_SECONDS: z.coerce.number().positive().default(60),
  DRAIN_SECONDS: z.coerce.number().min(0).default(30),
  // The sync API (POST /transcribe): the upstream sync service's names and defaults.
  MAX_AUDIO_DURATION_MS: z.coerce.number().int().positive().default(120_000),
  MIN_AUDIO_DURATION_MS: z.coerce.number().int().min(0).default(80),
  MAX_REQUEST_BYTES: z.coerce.number().int().positive().default(40 * 1024 * 1024),
  INFERENCE_TIMEOUT_SECONDS: z.coerce.number().positive().default(30),
}).refine((c) => !!c.TLS_CERT_FILE === !!c.TLS_KEY_FILE, {
  message: "TLS_CERT_FILE and TLS_KEY_FILE must be set together",
});

export type GatewayConfig = z.infer<typeof schema> & { asrEndpoint?: string };

export function loadGatewayConfig(env?: Env): GatewayConfig {
  const config = readEnv("gateway", schema, env);
  return { ...config, asrEndpoint: config.AAI_ASR_ENDPOINT ?? config.AAI_STREAMING_ASR_ENDPOINT };
}
