// Helpers shared by this folder's tests: keys and licenses made on the fly, temp dirs, a manual
// clock, in-memory HTTP between Hono apps, and polling.
import { Hono } from "hono";
import { SidecarConfig } from "./config.ts";
import { FetchLike } from "./http.ts";
import { parsePublicKey } from "./license.ts";
import { generateLicenseKeyPair, issueLicense, LicenseKeyPair, LicenseTerms } from "./license_issuer.ts";
import { createReferenceServer, ReferenceServer } from "./reference_server.ts";
import { UsageRecord } from "./usage_record.ts";
import type { LogFields, Logger, LogLevel } from "../log.ts";

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A fixed starting point so tests read the same on any day. */
export const T0 = Date.parse("2030-01-01T00:00:00.000Z");

export class ManualClock {
  constructor(public ms = T0) {}
  now = (): number => this.ms;
  advance(ms: number): void {
    this.ms += ms;
  }
}

export function licenseTerms(nowMs: number, overrides: Partial<LicenseTerms> = {}): LicenseTerms {
  return {
    customer: "acme",
    billingMode: "usage",
    maxConcurrentSessions: 10,
    allowedModels: ["en-default", "ml-default"],
    issuedAtMs: nowMs,
    notBeforeMs: nowMs - HOUR_MS,
    expiresAtMs: nowMs + 365 * DAY_MS,
    checkinIntervalSeconds: 3600,
    trustWindowSeconds: 24 * 3600,
    ...overrides,
  };
}

export interface LicenseFixture {
  dir: string;
  keys: LicenseKeyPair;
  licensePath: string;
  publicKeyPath: string;
  token: string;
  cleanup(): Promise<void>;
}

/** A temp dir holding a fresh key pair and a license signed with it. */
export async function licenseFixture(
  nowMs: number,
  overrides: Partial<LicenseTerms> = {},
  algorithm: "EdDSA" | "ES256" = "EdDSA",
): Promise<LicenseFixture> {
  const dir = await Deno.makeTempDir({ prefix: "earshot-license-test-" });
  const keys = await generateLicenseKeyPair(algorithm);
  const token = await issueLicense(keys.privateKeyPem, licenseTerms(nowMs, overrides));
  const licensePath = `${dir}/license.jwt`;
  const publicKeyPath = `${dir}/license_public.pem`;
  await Deno.writeTextFile(licensePath, token);
  await Deno.writeTextFile(publicKeyPath, keys.publicKeyPem);
  return {
    dir,
    keys,
    licensePath,
    publicKeyPath,
    token,
    cleanup: () => Deno.remove(dir, { recursive: true }),
  };
}

export function sidecarConfig(
  fixture: LicenseFixture,
  overrides: Partial<SidecarConfig> = {},
): SidecarConfig {
  return {
    httpPort: 0,
    licenseFilePath: fixture.licensePath,
    licensePublicKeyFile: fixture.publicKeyPath,
    licenseServerUrl: "http://license.test",
    usageTrackingUrl: "http://usage.test",
    usageTrackingApiKey: "test-usage-key",
    usageQueueDir: `${fixture.dir}/queue`,
    reportFailureLimitMs: 5 * 60_000,
    reportIntervalMs: 50,
    reportBatchSize: 50,
    loggingLevel: "error",
    structuredLogging: false,
    ...overrides,
  };
}

export async function referenceServerFor(
  fixture: LicenseFixture,
  options: { now?: () => number; storeFile?: string } = {},
): Promise<ReferenceServer> {
  return await createReferenceServer({
    verificationKey: await parsePublicKey(fixture.keys.publicKeyPem),
    usageApiKey: "test-usage-key",
    ...options,
  });
}

/** Routes fetch calls straight into a Hono app: real HTTP semantics, no sockets. */
export function fetchInto(app: Hono): FetchLike {
  return (input, init) => {
    const request = input instanceof Request ? input : new Request(input, init);
    if (init?.signal?.aborted) return Promise.reject(init.signal.reason);
    return Promise.resolve(app.fetch(request));
  };
}

export function usageRecord(i: number, overrides: Partial<UsageRecord> = {}): UsageRecord {
  const started = T0 + i * 1000;
  return {
    id: `session-${String(i).padStart(5, "0")}`,
    model: "en-default",
    audio_seconds: 1.5,
    started_at: new Date(started).toISOString(),
    ended_at: new Date(started + 1500).toISOString(),
    ...overrides,
  };
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 5_000,
  pollMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** A port that was free a moment ago, for servers in other processes. */
export { freePort } from "../stack/config.ts";

export async function rejects(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}

/** Collects lines in memory so tests can assert on what was logged. */
export function createMemoryLogger(): Logger & {
  lines: { level: LogLevel; message: string; fields: LogFields }[];
} {
  const lines: { level: LogLevel; message: string; fields: LogFields }[] = [];
  const push = (level: LogLevel) => (message: string, fields: LogFields = {}) => {
    lines.push({ level, message, fields });
  };
  return { lines, debug: push("debug"), info: push("info"), warn: push("warning"), error: push("error") };
}
