// The operator's side of licensing: makes signing keys and signs licenses. Used by the CLI and by
// tests; the sidecar itself only ever holds the public key.
import { exportPKCS8, exportSPKI, generateKeyPair, importPKCS8, SignJWT } from "jose";
import { BillingMode, LicenseClaims, licenseClaimsSchema } from "./license.ts";

export const SIGNING_ALGORITHMS = ["EdDSA", "ES256"] as const;
export type SigningAlgorithm = typeof SIGNING_ALGORITHMS[number];

export interface LicenseKeyPair {
  privateKeyPem: string;
  publicKeyPem: string;
  algorithm: SigningAlgorithm;
}

export async function generateLicenseKeyPair(algorithm: SigningAlgorithm = "EdDSA"): Promise<LicenseKeyPair> {
  const { privateKey, publicKey } = await generateKeyPair(algorithm, { extractable: true });
  return {
    privateKeyPem: await exportPKCS8(privateKey),
    publicKeyPem: await exportSPKI(publicKey),
    algorithm,
  };
}

export interface LicenseTerms {
  customer: string;
  billingMode: BillingMode;
  maxConcurrentSessions: number;
  allowedModels: string[];
  notBeforeMs: number;
  expiresAtMs: number;
  checkinIntervalSeconds: number;
  trustWindowSeconds: number;
  issuedAtMs?: number;
  licenseId?: string;
}

/** Works out whether a PKCS#8 key is Ed25519 or P-256 so the operator never has to say. */
async function importSigningKey(
  privateKeyPem: string,
): Promise<{ key: CryptoKey; algorithm: SigningAlgorithm }> {
  for (const algorithm of SIGNING_ALGORITHMS) {
    try {
      return { key: await importPKCS8(privateKeyPem.trim(), algorithm), algorithm };
    } catch {
      // Not this kind of key; try the next one.
    }
  }
  throw new Error("private key is not a PEM PKCS#8 Ed25519 or P-256 (ES256) key");
}

export async function issueLicense(privateKeyPem: string, terms: LicenseTerms): Promise<string> {
  const { key, algorithm } = await importSigningKey(privateKeyPem);
  const claims: LicenseClaims = {
    sub: terms.customer,
    iat: Math.floor((terms.issuedAtMs ?? Date.now()) / 1000),
    nbf: Math.floor(terms.notBeforeMs / 1000),
    exp: Math.floor(terms.expiresAtMs / 1000),
    jti: terms.licenseId ?? crypto.randomUUID(),
    billing_mode: terms.billingMode,
    max_concurrent_sessions: terms.maxConcurrentSessions,
    allowed_models: terms.allowedModels,
    checkin_interval_seconds: terms.checkinIntervalSeconds,
    trust_window_seconds: terms.trustWindowSeconds,
  };
  // Refuse to sign something the sidecar would reject anyway.
  const checked = licenseClaimsSchema.safeParse(claims);
  if (!checked.success) {
    throw new Error(
      `refusing to issue an invalid license: ${
        checked.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")
      }`,
    );
  }
  if (claims.exp <= claims.nbf) throw new Error("refusing to issue a license that expires before it starts");
  return await new SignJWT({ ...claims }).setProtectedHeader({ alg: algorithm, typ: "JWT" }).sign(key);
}
