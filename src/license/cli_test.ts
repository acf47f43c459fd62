import { ok, strictEqual } from "node:assert/strict";
import { CliIo, PRIVATE_KEY_FILE, PUBLIC_KEY_FILE, runLicenseCli } from "./cli.ts";
import { loadLicense } from "./license.ts";
import { DAY_MS, T0 } from "./testing.ts";

function captureIo(): CliIo & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, stdout: (t) => out.push(t), stderr: (t) => err.push(t), now: () => T0 };
}

Deno.test("cli: keygen, issue and verify produce a license the sidecar accepts", async () => {
  const dir = await Deno.makeTempDir({ prefix: "earshot-cli-test-" });
  try {
    const keygen = captureIo();
    strictEqual(await runLicenseCli(["keygen", "--out", `${dir}/keys`], keygen), 0, keygen.err.join("\n"));
    const privateInfo = await Deno.stat(`${dir}/keys/${PRIVATE_KEY_FILE}`);
    strictEqual((privateInfo.mode ?? 0) & 0o777, 0o600, "the private key must not be world-readable");
    ok((await Deno.readTextFile(`${dir}/keys/${PUBLIC_KEY_FILE}`)).startsWith("-----BEGIN PUBLIC KEY-----"));

    const again = captureIo();
    strictEqual(await runLicenseCli(["keygen", "--out", `${dir}/keys`], again), 1);
    ok(again.err.join("\n").includes("already exists"));

    const issue = captureIo();
    const code = await runLicenseCli([
      "issue",
      ...["--key", `${dir}/keys/${PRIVATE_KEY_FILE}`, "--customer", "acme", "--billing", "usage"],
      ...["--max-sessions", "10", "--models", "en-default,ml-default", "--days", "365"],
      ...["--trust-window", "7200"],
    ], issue);
    strictEqual(code, 0, issue.err.join("\n"));
    strictEqual(issue.out.length, 1, "stdout carries the license and nothing else");
    await Deno.writeTextFile(`${dir}/license.jwt`, issue.out[0]);

    const license = await loadLicense(
      { licenseFilePath: `${dir}/license.jwt`, publicKeyFile: `${dir}/keys/${PUBLIC_KEY_FILE}` },
      T0 + DAY_MS,
    );
    strictEqual(license.customer, "acme");
    strictEqual(license.billingMode, "usage");
    strictEqual(license.maxConcurrentSessions, 10);
    strictEqual(license.allowedModels.join(","), "en-default,ml-default");
    strictEqual(license.expiresAtMs, T0 + 365 * DAY_MS);
    strictEqual(license.trustWindowMs, 7_200_000);

    const verify = captureIo();
    strictEqual(
      await runLicenseCli(
        ["verify", "--public-key", `${dir}/keys/${PUBLIC_KEY_FILE}`, "--license", `${dir}/license.jwt`],
        verify,
      ),
      0,
      verify.err.join("\n"),
    );
    strictEqual(JSON.parse(verify.out[0]).customer, "acme");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: ES256 keys work too", async () => {
  const dir = await Deno.makeTempDir({ prefix: "earshot-cli-test-" });
  try {
    strictEqual(await runLicenseCli(["keygen", "--out", dir, "--alg", "ES256"], captureIo()), 0);
    const issue = captureIo();
    await runLicenseCli([
      "issue",
      ...[
        "--key",
        `${dir}/${PRIVATE_KEY_FILE}`,
        "--customer",
        "x",
        "--billing",
        "flat",
        "--max-sessions",
        "1",
      ],
      ...["--models", "u3-pro", "--days", "1"],
    ], issue);
    await Deno.writeTextFile(`${dir}/l.jwt`, issue.out[0]);
    const license = await loadLicense({
      licenseFilePath: `${dir}/l.jwt`,
      publicKeyFile: `${dir}/${PUBLIC_KEY_FILE}`,
    }, T0);
    strictEqual(license.allowedModels[0], "u3-pro");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("cli: mistakes in arguments exit 2 and say what is wrong", async () => {
  const cases: [string[], string][] = [
    [["issue", "--customer", "x"], "--key is required"],
    [["issue", "--key", "k", "--customer", "x", "--billing", "free"], "--billing must be one of flat, usage"],
    [["frobnicate"], "unknown command"],
    [["keygen", "--out", "/tmp/x", "--colour", "blue"], "colour"],
  ];
  for (const [args, expected] of cases) {
    const io = captureIo();
    strictEqual(await runLicenseCli(args, io), 2, args.join(" "));
    ok(io.err[0].includes(expected), `"${io.err[0]}" should include "${expected}"`);
  }
});
