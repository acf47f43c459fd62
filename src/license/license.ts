// Verifies a license (a JWT signed with EdDSA/Ed25519 or ES256) against the operator's public key
// and turns every way it can be wrong into a LicenseError whose message names the problem.
import { decodeProtectedHeader, errors, importSPKI, jwtVerify } from "jose";
import { z } from "zod";

export const BILLING_MODES = ["flat", "usage"] as const;
export type BillingMode = typeof BILLING_MODES[number];

/** Route names such as en-default, ml-default, u3-pro. */
export const MODEL_NAME_PATTERN = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Allows for small clock differences between the issuer and this machine. */
const CLOCK_TOLERANCE_SECONDS = 30;

export const licenseClaimsSchema = z.object({
  sub: z.string().min(1, "customer (sub) must not be empty"),
  iat: z.number().int(),
  nbf: z.number().int(),
  exp: z.number().int(),
  jti: z.string().optional(),
  billing_mode: z.enum(BILLING_MODES),
  max_concurrent_sessions: z.number().int().positive(),
  allowed_models: z.array(z.string().regex(MODEL_NAME_PATTERN, "is not a model route name")).min(1),
  checkin_interval_seconds: z.number().int().positive(),
  trust_window_seconds: z.number().int().positive(),
});
export type LicenseClaims = z.infer<typeof licenseClaimsSchema>;

export interface License {
  token: string;
  customer: string;
  licenseId?: string;
  billingMode: BillingMode;
  maxConcurrentSessions: number;
  allowedModels: string[];
  checkinIntervalMs: number;
  trustWindowMs: number;
  issuedAtMs: number;
  notBeforeMs: number;
  expiresAtMs: number;
}

export type LicenseErrorCode =
  | "license_file_missing"
  | "license_file_unreadable"
  | "public_key_missing"
  | "public_key_invalid"
  | "malformed"
  | "unsigned"
  | "algorithm_not_allowed"
  | "bad_signature"
  | "expired"
  | "not_yet_valid"
  | "invalid_claims";

export class LicenseError extends Error {
  override name = "LicenseError";
  constructor(readonly code: LicenseErrorCode, message: string) {
    super(message);
  }
}

export interface LicenseVerificationKey {
  key: CryptoKey;
  /** JWS algorithms this key can verify; anything else in a license header is refused. */
  algorithms: string[];
  source: string;
}

/** Ed25519 keys sign as "EdDSA" (RFC 8037) or the newer fully-specified "Ed25519". */
const KEY_KINDS = [
  { importAs: "EdDSA", algorithms: ["EdDSA", "Ed25519"] },
  { importAs: "ES256", algorithms: ["ES256"] },
] as const;

export async function parsePublicKey(pem: string, source = "public key"): Promise<LicenseVerificationKey> {
  for (const kind of KEY_KINDS) {
    try {
      const key = await importSPKI(pem.trim(), kind.importAs);
      return { key, algorithms: [...kind.algorithms], source };
    } catch {
      // Not this kind of key; try the next one.
    }
  }
  throw new LicenseError(
    "public_key_invalid",
    `${source} is not a PEM SPKI Ed25519 or P-256 (ES256) public key`,
  );
}

export async function readPublicKeyFile(path: string): Promise<LicenseVerificationKey> {
  let pem: string;
  try {
    pem = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LicenseError("public_key_missing", `license public key file not found: ${path}`);
    }
    throw new LicenseError(
      "public_key_missing",
      `cannot read license public key file ${path}: ${messageOf(error)}`,
    );
  }
  return await parsePublicKey(pem, `public key file ${path}`);
}

export async function readLicenseFile(path: string): Promise<string> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new LicenseError("license_file_missing", `license file not found: ${path}`);
    }
    throw new LicenseError(
      "license_file_unreadable",
      `cannot read license file ${path}: ${messageOf(error)}`,
    );
  }
  const token = text.trim();
  if (token === "") throw new LicenseError("malformed", `license file ${path} is empty`);
  return token;
}

export async function verifyLicenseToken(
  token: string,
  verificationKey: LicenseVerificationKey,
  nowMs: number,
): Promise<License> {
  checkHeader(token, verificationKey);
  let payload: unknown;
  try {
    ({ payload } = await jwtVerify(token, verificationKey.key, {
      algorithms: verificationKey.algorithms,
      currentDate: new Date(nowMs),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      requiredClaims: ["sub", "iat", "nbf", "exp"],
    }));
  } catch (error) {
    throw translateJoseError(error, verificationKey);
  }
  const parsed = licenseClaimsSchema.safeParse(payload);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join(".") || "claims"}: ${i.message}`);
    throw new LicenseError("invalid_claims", `license claims are invalid: ${problems.join("; ")}`);
  }
  const claims = parsed.data;
  if (claims.exp <= claims.nbf) {
    throw new LicenseError("invalid_claims", "license claims are invalid: exp is not after nbf");
  }
  return {
    token,
    customer: claims.sub,
    licenseId: claims.jti,
    billingMode: claims.billing_mode,
    maxConcurrentSessions: claims.max_concurrent_sessions,
    allowedModels: claims.allowed_models,
    checkinIntervalMs: claims.checkin_interval_seconds * 1000,
    trustWindowMs: claims.trust_window_seconds * 1000,
    issuedAtMs: claims.iat * 1000,
    notBeforeMs: claims.nbf * 1000,
    expiresAtMs: claims.exp * 1000,
  };
}

/** Reads and verifies the license file with the public key file; the sidecar's one entry point. */
export async function loadLicense(
  paths: { licenseFilePath: string; publicKeyFile: string },
  nowMs: number,
): Promise<License> {
  const key = await readPublicKeyFile(paths.publicKeyFile);
  const token = await readLicenseFile(paths.licenseFilePath);
  return await verifyLicenseToken(token, key, nowMs);
}

/** Refuses unsigned and wrongly-signed tokens before any cryptography, with a precise message. */
function checkHeader(token: string, verificationKey: LicenseVerificationKey): void {
  if (token.split(".").length !== 3) {
    throw new LicenseError("malformed", "license is not a JWT (expected three dot-separated parts)");
  }
  let alg: unknown;
  try {
    ({ alg } = decodeProtectedHeader(token));
  } catch (error) {
    throw new LicenseError("malformed", `license header cannot be decoded: ${messageOf(error)}`);
  }
  if (alg === undefined || (typeof alg === "string" && alg.toLowerCase() === "none")) {
    throw new LicenseError("unsigned", 'license is unsigned (alg "none"); only signed licenses are accepted');
  }
  if (typeof alg !== "string" || !verificationKey.algorithms.includes(alg)) {
    throw new LicenseError(
      "algorithm_not_allowed",
      `license algorithm ${JSON.stringify(alg)} is not allowed; the ${verificationKey.source} accepts ` +
        verificationKey.algorithms.join(" or "),
    );
  }
}

function translateJoseError(error: unknown, verificationKey: LicenseVerificationKey): LicenseError {
  if (error instanceof errors.JWTExpired) {
    return new LicenseError("expired", `license expired at ${isoFromSeconds(error.payload.exp)}`);
  }
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === "nbf" && error.reason === "check_failed") {
      return new LicenseError(
        "not_yet_valid",
        `license is not valid before ${isoFromSeconds(error.payload.nbf)}`,
      );
    }
    if (error.reason === "missing") {
      return new LicenseError("invalid_claims", `license is missing the "${error.claim}" claim`);
    }
    return new LicenseError("invalid_claims", `license claim "${error.claim}" is invalid: ${error.message}`);
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return new LicenseError(
      "bad_signature",
      `license signature verification failed: the license was altered or not signed by the key in the ${verificationKey.source}`,
    );
  }
  if (error instanceof errors.JOSEAlgNotAllowed) {
    return new LicenseError("algorithm_not_allowed", `license algorithm is not allowed: ${error.message}`);
  }
  if (error instanceof errors.JWSInvalid || error instanceof errors.JWTInvalid) {
    return new LicenseError("malformed", `license is not a well-formed signed JWT: ${error.message}`);
  }
  return new LicenseError("malformed", `license verification failed: ${messageOf(error)}`);
}

function isoFromSeconds(seconds: unknown): string {
  return typeof seconds === "number" ? new Date(seconds * 1000).toISOString() : "an unknown time";
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
