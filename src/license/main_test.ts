// The sidecar process refuses to run, with a non-zero exit and a message naming why, when it is
// misconfigured or when usage billing cannot reach the usage server.
import { ok, strictEqual } from "node:assert/strict";
import { freePort, licenseFixture } from "./testing.ts";

const REPO_ROOT = new URL("../../", import.meta.url);

async function runSidecar(env: Record<string, string>): Promise<{ code: number; logs: string }> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "src/license/main.ts"],
    cwd: REPO_ROOT,
    env: { ...env, NO_COLOR: "1" },
    stdin: "null",
  }).output();
  return { code, logs: new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr) };
}

Deno.test("main: exits 2 on bad configuration, and on usage billing without a reachable usage server", async () => {
  const fixture = await licenseFixture(Date.now());
  try {
    const closedPort = freePort();
    const [badConfig, noUsageServer] = await Promise.all([
      runSidecar({ LICENSE_SERVER_URL: "not a url", REPORT_FAILURE_LIMIT_MINUTES: "1" }),
      runSidecar({
        HTTP_PORT: String(freePort()),
        LICENSE_FILE_PATH: fixture.licensePath,
        LICENSE_PUBLIC_KEY_FILE: fixture.publicKeyPath,
        LICENSE_SERVER_URL: `http://127.0.0.1:${closedPort}`,
        USAGE_TRACKING_URL: `http://127.0.0.1:${closedPort}`,
        USAGE_TRACKING_API_KEY: "key",
        USAGE_QUEUE_DIR: `${fixture.dir}/queue`,
        USE_STRUCTURED_LOGGING: "true",
      }),
    ]);
    strictEqual(badConfig.code, 2, badConfig.logs);
    ok(
      badConfig.logs.includes("LICENSE_FILE_PATH") && badConfig.logs.includes("REPORT_FAILURE_LIMIT_MINUTES"),
    );

    strictEqual(noUsageServer.code, 2, noUsageServer.logs);
    const lines = noUsageServer.logs.trim().split("\n").map((line) => JSON.parse(line));
    const failure = lines.find((l) => l.msg === "License sidecar failed to start");
    ok(failure?.error.includes("usage billing needs the usage server"), noUsageServer.logs);
  } finally {
    await fixture.cleanup();
  }
});
