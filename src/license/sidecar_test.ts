import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createSidecar, StartupError } from "./sidecar.ts";
import {
  fetchInto,
  licenseFixture,
  referenceServerFor,
  rejects,
  sidecarConfig,
  usageRecord,
  waitFor,
} from "./testing.ts";

Deno.test("sidecar: health, status, license terms and usage ingest over HTTP", async () => {
  const fixture = await licenseFixture(Date.now());
  const server = await referenceServerFor(fixture);
  const sidecar = createSidecar(sidecarConfig(fixture), { fetch: fetchInto(server.app) });
  try {
    await sidecar.start();
    strictEqual((await sidecar.app.request("/health")).status, 200);

    const status = await (await sidecar.app.request("/v1/status")).json();
    deepStrictEqual(Object.keys(status).sort(), [
      "last_successful_checkin",
      "problem",
      "state",
      "trust_expiration",
    ]);
    strictEqual(status.state, "Connected");
    strictEqual(status.problem, null);
    ok(!Number.isNaN(Date.parse(status.last_successful_checkin)));

    const terms = await (await sidecar.app.request("/v1/license")).json();
    deepStrictEqual(
      { ...terms, expires_at: undefined },
      {
        customer: "acme",
        billing_mode: "usage",
        max_concurrent_sessions: 10,
        allowed_models: ["en-default", "ml-default"],
        expires_at: undefined,
      },
    );

    const post = (body: string) =>
      sidecar.app.request("/v1/usage", {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json" },
      });
    const accepted = await post(JSON.stringify(usageRecord(1)));
    strictEqual(accepted.status, 202);
    deepStrictEqual(await accepted.json(), { id: "session-00001", queued: true });

    const wrongType = await post(JSON.stringify({ ...usageRecord(2), audio_seconds: "lots" }));
    strictEqual(wrongType.status, 400);
    ok((await wrongType.json()).error.includes("audio_seconds"));
    const backwards = await post(JSON.stringify({ ...usageRecord(3), ended_at: "2000-01-01T00:00:00Z" }));
    ok((await backwards.json()).error.includes("ended_at: must not be before started_at"));
    const notJson = await post("{");
    strictEqual(notJson.status, 400);
    ok((await notJson.json()).error.includes("not valid JSON"));

    await waitFor(() => server.stats().unique === 1, "the record to reach the usage server");
    deepStrictEqual(server.received(), [usageRecord(1)]);
    await waitFor(
      async () => (await (await sidecar.app.request("/v1/usage/stats")).json()).pending === 0,
      "ack",
    );
  } finally {
    await sidecar.stop();
    await fixture.cleanup();
  }
});

Deno.test("sidecar: usage billing refuses to start when the usage server cannot be used", async () => {
  const fixture = await licenseFixture(Date.now());
  const server = await referenceServerFor(fixture);
  server.setFailures({ usageStatus: 503 });
  const sidecar = createSidecar(sidecarConfig(fixture), {
    fetch: fetchInto(server.app),
    startupCheckAttempts: 2,
    startupCheckDelayMs: 1,
  });
  try {
    const error = await rejects(sidecar.start());
    ok(error instanceof StartupError && error.message.includes("HTTP 503"), String(error));

    const wrongKey = createSidecar(sidecarConfig(fixture, { usageTrackingApiKey: "wrong" }), {
      fetch: fetchInto(server.app),
      startupCheckAttempts: 1,
    });
    server.setFailures({ usageStatus: null });
    const keyError = await rejects(wrongKey.start());
    ok(keyError instanceof StartupError && keyError.message.includes("401"), String(keyError));

    const unconfigured = createSidecar(sidecarConfig(fixture, { usageTrackingUrl: undefined }), {
      fetch: fetchInto(server.app),
    });
    const configError = await rejects(unconfigured.start());
    ok(configError instanceof StartupError && configError.message.includes("USAGE_TRACKING_URL"));
  } finally {
    await sidecar.stop();
    await fixture.cleanup();
  }
});

Deno.test("sidecar: flat billing starts without a usage server", async () => {
  const fixture = await licenseFixture(Date.now(), { billingMode: "flat" });
  const server = await referenceServerFor(fixture);
  const sidecar = createSidecar(
    sidecarConfig(fixture, { usageTrackingUrl: undefined, usageTrackingApiKey: undefined }),
    { fetch: fetchInto(server.app) },
  );
  try {
    await sidecar.start();
    const response = await sidecar.app.request("/v1/usage", {
      method: "POST",
      body: JSON.stringify(usageRecord(1)),
    });
    strictEqual(response.status, 202);
    strictEqual((await response.json()).queued, false);
  } finally {
    await sidecar.stop();
    await fixture.cleanup();
  }
});

Deno.test("sidecar: an invalid license means Failed, a 503 naming the problem, and a refusing gate", async () => {
  const fixture = await licenseFixture(Date.now());
  const server = await referenceServerFor(fixture);
  await Deno.writeTextFile(fixture.licensePath, "garbage");
  const sidecar = createSidecar(sidecarConfig(fixture), { fetch: fetchInto(server.app) });
  try {
    await sidecar.start();
    const status = await (await sidecar.app.request("/v1/status")).json();
    strictEqual(status.state, "Failed");
    ok(status.problem.includes("not a JWT"), status.problem);
    const terms = await sidecar.app.request("/v1/license");
    strictEqual(terms.status, 503);
    ok((await terms.json()).error.includes("not a JWT"));
    const admission = await sidecar.gate.admit("en-default");
    ok(!admission.ok && admission.reason.startsWith("License check failed: license is not a JWT"));
    ok(!admission.ok && new TextEncoder().encode(admission.reason).length <= 123);
    // Usage from sessions already running is still kept.
    await sidecar.gate.reportUsage(usageRecord(9));
  } finally {
    await sidecar.stop();
    await fixture.cleanup();
  }
});

Deno.test("sidecar: the in-process gate admits licensed models and queues usage durably", async () => {
  const fixture = await licenseFixture(Date.now());
  const server = await referenceServerFor(fixture);
  const config = sidecarConfig(fixture);
  const sidecar = createSidecar(config, { fetch: fetchInto(server.app) });
  try {
    await sidecar.start();
    deepStrictEqual(await sidecar.gate.admit("en-default"), { ok: true });
    const refused = await sidecar.gate.admit("u3-pro");
    deepStrictEqual(refused, {
      ok: false,
      reason: 'License check failed: model "u3-pro" is not allowed by this license',
    });

    server.setFailures({ usageStatus: 503 });
    await sidecar.gate.reportUsage(usageRecord(1));
    const files = [...Deno.readDirSync(config.usageQueueDir)].filter((e) => e.name.startsWith("usage-"));
    strictEqual(files.length, 1, "on disk before reportUsage resolved");
    const badRecord = await rejects(sidecar.gate.reportUsage({ ...usageRecord(2), id: "" }));
    ok(badRecord instanceof Error && badRecord.message.includes("invalid usage record"));

    server.setFailures({ usageStatus: null });
    await waitFor(() => server.stats().unique === 1, "delivery after the usage server recovers", 5_000);
    await sidecar.gate.close();
    ok(!(await sidecar.gate.admit("en-default")).ok, "a closed gate admits nothing");
  } finally {
    await sidecar.stop();
    await fixture.cleanup();
  }
});
