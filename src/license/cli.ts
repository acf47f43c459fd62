// Operator CLI: `keygen` makes a signing key pair, `issue` signs a license to stdout, `verify` checks
// one the way the sidecar will.
import { parseArgs } from "node:util";
import { BILLING_MODES, BillingMode, loadLicense, MODEL_NAME_PATTERN } from "./license.ts";
import {
  generateLicenseKeyPair,
  issueLicense,
  SIGNING_ALGORITHMS,
  SigningAlgorithm,
} from "./license_issuer.ts";

export const PRIVATE_KEY_FILE = "license_private.pem";
export const PUBLIC_KEY_FILE = "license_public.pem";

const DEFAULT_CHECKIN_INTERVAL_SECONDS = 3600;
const DEFAULT_TRUST_WINDOW_SECONDS = 72 * 3600;
const DAY_MS = 86_400_000;

const USAGE = `Usage:
  license keygen --out DIR [--alg EdDSA|ES256] [--force]
      Writes DIR/${PRIVATE_KEY_FILE} (keep secret) and DIR/${PUBLIC_KEY_FILE} (give to the sidecar).
  license issue --key PRIVATE.pem --customer NAME --billing flat|usage --max-sessions N
                --models en-default,ml-default --days N
                [--not-before ISO-8601] [--checkin-interval SECONDS] [--trust-window SECONDS] [--id ID]
      Prints the signed license (a JWT) on stdout.
  license verify --public-key PUBLIC.pem --license FILE
      Checks a license as the sidecar would and prints its claims.`;

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  now(): number;
}

const defaultIo: CliIo = {
  stdout: (text) => console.log(text),
  stderr: (text) => console.error(text),
  now: Date.now,
};

class UsageError extends Error {}

/** Runs one CLI command and returns the process exit code. */
export async function runLicenseCli(args: string[], io: CliIo = defaultIo): Promise<number> {
  const [command, ...rest] = args;
  try {
    switch (command) {
      case "keygen":
        await keygen(rest, io);
        return 0;
      case "issue":
        await issue(rest, io);
        return 0;
      case "verify":
        await verify(rest, io);
        return 0;
      case undefined:
      case "help":
      case "--help":
      case "-h":
        io.stdout(USAGE);
        return command === undefined ? 2 : 0;
      default:
        throw new UsageError(`unknown command ${JSON.stringify(command)}`);
    }
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr(`error: ${message}`);
    const usageMistake = error instanceof UsageError || isParseArgsError(error);
    if (usageMistake) io.stderr(USAGE);
    return usageMistake ? 2 : 1;
  }
}

async function keygen(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      out: { type: "string" },
      alg: { type: "string", default: "EdDSA" },
      force: { type: "boolean" },
    },
    strict: true,
  });
  const out = required(values.out, "--out");
  const algorithm = oneOf(values.alg, SIGNING_ALGORITHMS, "--alg") as SigningAlgorithm;
  const privatePath = `${out}/${PRIVATE_KEY_FILE}`;
  const publicPath = `${out}/${PUBLIC_KEY_FILE}`;
  if (!values.force && await exists(privatePath)) {
    throw new Error(
      `${privatePath} already exists; pass --force to replace it (licenses signed with it stop verifying)`,
    );
  }
  const pair = await generateLicenseKeyPair(algorithm);
  await Deno.mkdir(out, { recursive: true });
  await Deno.writeTextFile(privatePath, pair.privateKeyPem, { mode: 0o600 });
  await Deno.chmod(privatePath, 0o600);
  await Deno.writeTextFile(publicPath, pair.publicKeyPem, { mode: 0o644 });
  io.stderr(`wrote ${privatePath} (${algorithm} private key, keep it secret) and ${publicPath}`);
}

async function issue(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      key: { type: "string" },
      customer: { type: "string" },
      billing: { type: "string" },
      "max-sessions": { type: "string" },
      models: { type: "string" },
      days: { type: "string" },
      "not-before": { type: "string" },
      "checkin-interval": { type: "string" },
      "trust-window": { type: "string" },
      id: { type: "string" },
    },
    strict: true,
  });
  const keyPath = required(values.key, "--key");
  const customer = required(values.customer, "--customer");
  const billingMode = oneOf(required(values.billing, "--billing"), BILLING_MODES, "--billing") as BillingMode;
  const maxSessions = positiveInteger(required(values["max-sessions"], "--max-sessions"), "--max-sessions");
  const models = required(values.models, "--models").split(",").map((m) => m.trim()).filter((m) => m !== "");
  const badModel = models.find((m) => !MODEL_NAME_PATTERN.test(m));
  if (models.length === 0 || badModel !== undefined) {
    throw new UsageError(
      `--models must be a comma-separated list of route names (bad: ${badModel ?? "empty"})`,
    );
  }
  const days = positiveNumber(required(values.days, "--days"), "--days");
  const notBeforeMs = values["not-before"] === undefined ? io.now() : Date.parse(values["not-before"]);
  if (Number.isNaN(notBeforeMs)) throw new UsageError("--not-before must be an ISO 8601 date");
  const checkinInterval = values["checkin-interval"] === undefined
    ? DEFAULT_CHECKIN_INTERVAL_SECONDS
    : positiveInteger(values["checkin-interval"], "--checkin-interval");
  const trustWindow = values["trust-window"] === undefined
    ? DEFAULT_TRUST_WINDOW_SECONDS
    : positiveInteger(values["trust-window"], "--trust-window");

  let privateKeyPem: string;
  try {
    privateKeyPem = await Deno.readTextFile(keyPath);
  } catch (error) {
    throw new Error(`cannot read private key ${keyPath}: ${error instanceof Error ? error.message : error}`);
  }
  const token = await issueLicense(privateKeyPem, {
    customer,
    billingMode,
    maxConcurrentSessions: maxSessions,
    allowedModels: models,
    issuedAtMs: io.now(),
    notBeforeMs,
    expiresAtMs: notBeforeMs + days * DAY_MS,
    checkinIntervalSeconds: checkinInterval,
    trustWindowSeconds: trustWindow,
    licenseId: values.id,
  });
  io.stdout(token);
}

async function verify(args: string[], io: CliIo): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { "public-key": { type: "string" }, license: { type: "string" } },
    strict: true,
  });
  const license = await loadLicense({
    licenseFilePath: required(values.license, "--license"),
    publicKeyFile: required(values["public-key"], "--public-key"),
  }, io.now());
  const { token: _token, ...summary } = license;
  io.stdout(JSON.stringify(
    {
      ...summary,
      notBefore: new Date(license.notBeforeMs).toISOString(),
      expiresAt: new Date(license.expiresAtMs).toISOString(),
    },
    null,
    2,
  ));
}

/** node:util parseArgs reports unknown or malformed flags as TypeErrors with an ERR_PARSE_ARGS code. */
function isParseArgsError(error: unknown): boolean {
  return error instanceof TypeError &&
    String((error as { code?: unknown }).code).startsWith("ERR_PARSE_ARGS");
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === "") throw new UsageError(`${flag} is required`);
  return value;
}

function oneOf(value: string | undefined, allowed: readonly string[], flag: string): string {
  if (value === undefined || !allowed.includes(value)) {
    throw new UsageError(`${flag} must be one of ${allowed.join(", ")}`);
  }
  return value;
}

function positiveInteger(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer`);
  return n;
}

function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new UsageError(`${flag} must be a positive number`);
  return n;
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

if (import.meta.main) {
  Deno.exit(await runLicenseCli(Deno.args));
}
