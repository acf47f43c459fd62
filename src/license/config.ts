// The sidecar's whole configuration, read from environment variables and validated in one place so a
// bad deployment fails at startup with every problem named, not later with a confusing error.
import { z } from "zod";
import { type Env, envBool, readEnv } from "../config/env.ts";
import { LOG_LEVELS, type LogLevel } from "../log.ts";

export { ConfigError } from "../config/env.ts";

const envSchema = z.object({
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LICENSE_FILE_PATH: z.string({ error: "is required (path of the license JWT file)" }).min(1),
  LICENSE_PUBLIC_KEY_FILE: z.string({ error: "is required (path of the license public key, PEM SPKI)" }).min(
    1,
  ),
  LICENSE_SERVER_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL of the license server" }),
  USAGE_TRACKING_API_KEY: z.string().optional(),
  USAGE_TRACKING_URL: z.url({ protocol: /^https?$/, error: "must be an http(s) URL of the usage server" })
    .optional(),
  USAGE_QUEUE_DIR: z.string().default("/var/lib/earshot/usage"),
  REPORT_FAILURE_LIMIT_MINUTES: z.coerce.number().min(5, "must be between 5 and 60").max(
    60,
    "must be between 5 and 60",
  ).default(30),
  USAGE_REPORT_INTERVAL_SECONDS: z.coerce.number().min(0.05).max(300).default(5),
  USAGE_BATCH_SIZE: z.coerce.number().int().min(1).max(10_000).default(500),
  LOGGING_LEVEL: z.preprocess(
    (v) => (typeof v === "string" ? v.toLowerCase().replace(/^warn$/, "warning") : v),
    z.enum(LOG_LEVELS).default("info"),
  ),
  USE_STRUCTURED_LOGGING: envBool.default(false),
});

export interface SidecarConfig {
  httpPort: number;
  licenseFilePath: string;
  licensePublicKeyFile: string;
  licenseServerUrl: string;
  usageTrackingApiKey?: string;
  usageTrackingUrl?: string;
  /** Holds the durable usage queue and the last successful check-in. */
  usageQueueDir: string;
  reportFailureLimitMs: number;
  reportIntervalMs: number;
  reportBatchSize: number;
  loggingLevel: LogLevel;
  structuredLogging: boolean;
}

export function loadSidecarConfig(env?: Env): SidecarConfig {
  const e = readEnv("license sidecar", envSchema, env);
  return {
    httpPort: e.HTTP_PORT,
    licenseFilePath: e.LICENSE_FILE_PATH,
    licensePublicKeyFile: e.LICENSE_PUBLIC_KEY_FILE,
    licenseServerUrl: e.LICENSE_SERVER_URL.replace(/\/+$/, ""),
    usageTrackingApiKey: e.USAGE_TRACKING_API_KEY,
    usageTrackingUrl: e.USAGE_TRACKING_URL?.replace(/\/+$/, ""),
    usageQueueDir: e.USAGE_QUEUE_DIR,
    reportFailureLimitMs: e.REPORT_FAILURE_LIMIT_MINUTES * 60_000,
    reportIntervalMs: Math.round(e.USAGE_REPORT_INTERVAL_SECONDS * 1000),
    reportBatchSize: e.USAGE_BATCH_SIZE,
    loggingLevel: e.LOGGING_LEVEL,
    structuredLogging: e.USE_STRUCTURED_LOGGING,
  };
}
