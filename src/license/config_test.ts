import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { ConfigError, loadSidecarConfig } from "./config.ts";

const required = {
  LICENSE_FILE_PATH: "/license/license.jwt",
  LICENSE_PUBLIC_KEY_FILE: "/license/public.pem",
  LICENSE_SERVER_URL: "https://license.example.com/",
};

Deno.test("config: defaults fill in what is not set", () => {
  deepStrictEqual(loadSidecarConfig(required), {
    httpPort: 8080,
    licenseFilePath: "/license/license.jwt",
    licensePublicKeyFile: "/license/public.pem",
    licenseServerUrl: "https://license.example.com",
    usageTrackingApiKey: undefined,
    usageTrackingUrl: undefined,
    usageQueueDir: "/var/lib/earshot/usage",
    reportFailureLimitMs: 30 * 60_000,
    reportIntervalMs: 5000,
    reportBatchSize: 500,
    loggingLevel: "info",
    structuredLogging: false,
  });
});

Deno.test("config: values are parsed, empty strings count as unset", () => {
  const config = loadSidecarConfig({
    ...required,
    HTTP_PORT: "9000",
    USAGE_TRACKING_URL: "http://usage:8000",
    USAGE_TRACKING_API_KEY: "",
    REPORT_FAILURE_LIMIT_MINUTES: "5",
    USAGE_REPORT_INTERVAL_SECONDS: "0.5",
    LOGGING_LEVEL: "WARN",
    USE_STRUCTURED_LOGGING: "true",
  });
  strictEqual(config.httpPort, 9000);
  strictEqual(config.usageTrackingUrl, "http://usage:8000");
  strictEqual(config.usageTrackingApiKey, undefined);
  strictEqual(config.reportFailureLimitMs, 300_000);
  strictEqual(config.reportIntervalMs, 500);
  strictEqual(config.loggingLevel, "warning");
  strictEqual(config.structuredLogging, true);
});

Deno.test("config: every problem is named in one error", () => {
  const env = { HTTP_PORT: "eighty", LICENSE_SERVER_URL: "ftp://license", REPORT_FAILURE_LIMIT_MINUTES: "4" };
  throws(() => loadSidecarConfig(env), (error: unknown) => {
    ok(error instanceof ConfigError);
    for (const name of ["HTTP_PORT", "LICENSE_FILE_PATH", "LICENSE_PUBLIC_KEY_FILE", "LICENSE_SERVER_URL"]) {
      ok(error.message.includes(name), `${error.message} should name ${name}`);
    }
    ok(error.message.includes("REPORT_FAILURE_LIMIT_MINUTES: must be between 5 and 60"), error.message);
    return true;
  });
  throws(() => loadSidecarConfig({ ...required, USE_STRUCTURED_LOGGING: "maybe" }), /USE_STRUCTURED_LOGGING/);
  throws(() => loadSidecarConfig({ ...required, REPORT_FAILURE_LIMIT_MINUTES: "61" }), /between 5 and 60/);
});
