import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { base64url, importPKCS8, SignJWT, UnsecuredJWT } from "jose";
import {
  LicenseError,
  loadLicense,
  parsePublicKey,
  readPublicKeyFile,
  verifyLicenseToken,
} from "./license.ts";
import { generateLicenseKeyPair, issueLicense } from "./license_issuer.ts";
import { DAY_MS, HOUR_MS, licenseFixture, licenseTerms, rejects, T0 } from "./testing.ts";

async function expectLicenseError(promise: Promise<unknown>, code: string, mentions: string): Promise<void> {
  const error = await rejects(promise);
  ok(error instanceof LicenseError, `expected a LicenseError, got ${error}`);
  strictEqual(error.code, code, error.message);
  ok(error.message.includes(mentions), `"${error.message}" should mention "${mentions}"`);
}

const claims = {
  sub: "acme",
  billing_mode: "usage",
  max_concurrent_sessions: 10,
  allowed_models: ["en-default"],
  checkin_interval_seconds: 3600,
  trust_window_seconds: 86400,
};
const seconds = (ms: number) => Math.floor(ms / 1000);

Deno.test("an EdDSA license verifies and exposes its terms", async () => {
  const keys = await generateLicenseKeyPair("EdDSA");
  const token = await issueLicense(keys.privateKeyPem, licenseTerms(T0, { licenseId: "lic-1" }));
  const license = await verifyLicenseToken(token, await parsePublicKey(keys.publicKeyPem), T0);
  deepStrictEqual(
    {
      customer: license.customer,
      licenseId: license.licenseId,
      billingMode: license.billingMode,
      maxConcurrentSessions: license.maxConcurrentSessions,
      allowedModels: license.allowedModels,
      checkinIntervalMs: license.checkinIntervalMs,
      trustWindowMs: license.trustWindowMs,
      expiresAtMs: license.expiresAtMs,
    },
    {
      customer: "acme",
      licenseId: "lic-1",
      billingMode: "usage",
      maxConcurrentSessions: 10,
      allowedModels: ["en-default", "ml-default"],
      checkinIntervalMs: 3_600_000,
      trustWindowMs: 86_400_000,
      expiresAtMs: T0 + 365 * DAY_MS,
    },
  );
});

Deno.test("an ES256 license verifies against a P-256 key", async () => {
  const keys = await generateLicenseKeyPair("ES256");
  const token = await issueLicense(keys.privateKeyPem, licenseTerms(T0, { billingMode: "flat" }));
  const license = await verifyLicenseToken(token, await parsePublicKey(keys.publicKeyPem), T0);
  strictEqual(license.billingMode, "flat");
});

Deno.test("a license signed with the fully-specified Ed25519 algorithm name verifies", async () => {
  const { privateKey, publicKey } = await generateKeyPairForTest();
  const token = await new SignJWT(claims).setProtectedHeader({ alg: "Ed25519" })
    .setIssuedAt(seconds(T0)).setNotBefore(seconds(T0)).setExpirationTime(seconds(T0 + DAY_MS)).sign(
      privateKey,
    );
  const license = await verifyLicenseToken(token, await parsePublicKey(publicKey), T0 + 1000);
  strictEqual(license.customer, "acme");
});

Deno.test('an unsigned license (alg "none") is refused', async () => {
  const keys = await generateLicenseKeyPair();
  const token = new UnsecuredJWT(claims).setIssuedAt(seconds(T0)).setNotBefore(seconds(T0))
    .setExpirationTime(seconds(T0 + DAY_MS)).encode();
  await expectLicenseError(
    verifyLicenseToken(token, await parsePublicKey(keys.publicKeyPem), T0),
    "unsigned",
    '"none"',
  );
});

Deno.test("a license signed with HS256 (a shared secret) is refused", async () => {
  const keys = await generateLicenseKeyPair();
  const token = await new SignJWT(claims).setProtectedHeader({ alg: "HS256" })
    .setIssuedAt(seconds(T0)).setNotBefore(seconds(T0)).setExpirationTime(seconds(T0 + DAY_MS))
    .sign(new TextEncoder().encode("a-shared-secret-that-anyone-could-use"));
  await expectLicenseError(
    verifyLicenseToken(token, await parsePublicKey(keys.publicKeyPem), T0),
    "algorithm_not_allowed",
    "HS256",
  );
});

Deno.test("an ES256 license is refused by an Ed25519 public key (wrong algorithm)", async () => {
  const ecKeys = await generateLicenseKeyPair("ES256");
  const edKeys = await generateLicenseKeyPair("EdDSA");
  const token = await issueLicense(ecKeys.privateKeyPem, licenseTerms(T0));
  await expectLicenseError(
    verifyLicenseToken(token, await parsePublicKey(edKeys.publicKeyPem), T0),
    "algorithm_not_allowed",
    "ES256",
  );
});

Deno.test("a license with altered claims is refused (signature)", async () => {
  const keys = await generateLicenseKeyPair();
  const token = await issueLicense(keys.privateKeyPem, licenseTerms(T0, { maxConcurrentSessions: 10 }));
  const [header, payload, signature] = token.split(".");
  const decoded = JSON.parse(new TextDecoder().decode(base64url.decode(payload)));
  decoded.max_concurrent_sessions = 10_000;
  const forged = [header, base64url.encode(JSON.stringify(decoded)), signature].join(".");
  await expectLicenseError(
    verifyLicenseToken(forged, await parsePublicKey(keys.publicKeyPem), T0),
    "bad_signature",
    "signature verification failed",
  );
});

Deno.test("a license with a damaged signature is refused", async () => {
  const keys = await generateLicenseKeyPair();
  const token = await issueLicense(keys.privateKeyPem, licenseTerms(T0));
  const last = token.at(-2) === "A" ? "B" : "A";
  const damaged = token.slice(0, -2) + last + token.at(-1);
  await expectLicenseError(
    verifyLicenseToken(damaged, await parsePublicKey(keys.publicKeyPem), T0),
    "bad_signature",
    "signature",
  );
});

Deno.test("a license signed by another key is refused", async () => {
  const operator = await generateLicenseKeyPair();
  const impostor = await generateLicenseKeyPair();
  const token = await issueLicense(impostor.privateKeyPem, licenseTerms(T0));
  await expectLicenseError(
    verifyLicenseToken(token, await parsePublicKey(operator.publicKeyPem), T0),
    "bad_signature",
    "not signed by the key",
  );
});

Deno.test("an expired license is refused with its expiry date", async () => {
  const keys = await generateLicenseKeyPair();
  const expiresAtMs = T0 - DAY_MS;
  const token = await issueLicense(
    keys.privateKeyPem,
    licenseTerms(T0, { notBeforeMs: T0 - 30 * DAY_MS, expiresAtMs }),
  );
  await expectLicenseError(
    verifyLicenseToken(token, await parsePublicKey(keys.publicKeyPem), T0),
    "expired",
    `expired at ${new Date(expiresAtMs).toISOString()}`,
  );
});

Deno.test("a license that is not valid yet is refused with its start date", async () => {
  const keys = await generateLicenseKeyPair();
  const notBeforeMs = T0 + 2 * HOUR_MS;
  const token = await issueLicense(keys.privateKeyPem, licenseTerms(T0, { notBeforeMs }));
  await expectLicenseError(
    verifyLicenseToken(token, await parsePublicKey(keys.publicKeyPem), T0),
    "not_yet_valid",
    `not valid before ${new Date(notBeforeMs).toISOString()}`,
  );
});

Deno.test("a license with wrong or missing claims is refused, naming the claim", async () => {
  const { privateKey, publicKey } = await generateKeyPairForTest();
  const key = await parsePublicKey(publicKey);
  const badBilling = await new SignJWT({ ...claims, billing_mode: "free" }).setProtectedHeader({
    alg: "EdDSA",
  })
    .setIssuedAt(seconds(T0)).setNotBefore(seconds(T0)).setExpirationTime(seconds(T0 + DAY_MS)).sign(
      privateKey,
    );
  await expectLicenseError(verifyLicenseToken(badBilling, key, T0), "invalid_claims", "billing_mode");
  const noNbf = await new SignJWT(claims).setProtectedHeader({ alg: "EdDSA" })
    .setIssuedAt(seconds(T0)).setExpirationTime(seconds(T0 + DAY_MS)).sign(privateKey);
  await expectLicenseError(verifyLicenseToken(noNbf, key, T0), "invalid_claims", '"nbf"');
});

Deno.test("text that is not a JWT is refused as malformed", async () => {
  const keys = await generateLicenseKeyPair();
  const key = await parsePublicKey(keys.publicKeyPem);
  await expectLicenseError(verifyLicenseToken("not a license", key, T0), "malformed", "not a JWT");
  await expectLicenseError(verifyLicenseToken("a.b.c", key, T0), "malformed", "header");
});

Deno.test("missing, unreadable and empty license files are refused with the path", async () => {
  const fixture = await licenseFixture(T0);
  try {
    const paths = { publicKeyFile: fixture.publicKeyPath };
    const missing = `${fixture.dir}/nope.jwt`;
    await expectLicenseError(
      loadLicense({ ...paths, licenseFilePath: missing }, T0),
      "license_file_missing",
      missing,
    );
    // A directory cannot be read as a file, even by root.
    await expectLicenseError(
      loadLicense({ ...paths, licenseFilePath: fixture.dir }, T0),
      "license_file_unreadable",
      `cannot read license file ${fixture.dir}`,
    );
    await Deno.writeTextFile(`${fixture.dir}/empty.jwt`, "\n");
    await expectLicenseError(
      loadLicense({ ...paths, licenseFilePath: `${fixture.dir}/empty.jwt` }, T0),
      "malformed",
      "empty",
    );
    const license = await loadLicense({ ...paths, licenseFilePath: fixture.licensePath }, T0);
    strictEqual(license.customer, "acme");
  } finally {
    await fixture.cleanup();
  }
});

Deno.test("a missing or wrong public key file is refused", async () => {
  const fixture = await licenseFixture(T0);
  try {
    await expectLicenseError(readPublicKeyFile(`${fixture.dir}/none.pem`), "public_key_missing", "none.pem");
    await expectLicenseError(readPublicKeyFile(fixture.licensePath), "public_key_invalid", "not a PEM SPKI");
    // A private key where the public one belongs is a mistake worth naming.
    await Deno.writeTextFile(`${fixture.dir}/private.pem`, fixture.keys.privateKeyPem);
    await expectLicenseError(
      readPublicKeyFile(`${fixture.dir}/private.pem`),
      "public_key_invalid",
      "private.pem",
    );
  } finally {
    await fixture.cleanup();
  }
});

Deno.test("the issuer refuses to sign terms the sidecar would reject", async () => {
  const keys = await generateLicenseKeyPair();
  const error = await rejects(
    issueLicense(keys.privateKeyPem, licenseTerms(T0, { allowedModels: ["Bad Model!"] })),
  );
  ok(error instanceof Error && error.message.includes("allowed_models"));
  const backwards = await rejects(
    issueLicense(keys.privateKeyPem, licenseTerms(T0, { expiresAtMs: T0 - 2 * HOUR_MS })),
  );
  ok(backwards instanceof Error && backwards.message.includes("expires before it starts"));
});

async function generateKeyPairForTest(): Promise<{ privateKey: CryptoKey; publicKey: string }> {
  const keys = await generateLicenseKeyPair("EdDSA");
  return { privateKey: await importPKCS8(keys.privateKeyPem, "EdDSA"), publicKey: keys.publicKeyPem };
}
