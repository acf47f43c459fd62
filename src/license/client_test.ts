import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { HttpLicenseGate } from "./client.ts";
import { FetchLike } from "./http.ts";
import { createSidecar, Sidecar } from "./sidecar.ts";
import {
  fetchInto,
  LicenseFixture,
  licenseFixture,
  referenceServerFor,
  rejects,
  sidecarConfig,
  usageRecord,
} from "./testing.ts";
import { ReferenceServer } from "./reference_server.ts";

async function withSidecar(
  run: (sidecar: Sidecar, server: ReferenceServer, fixture: LicenseFixture) => Promise<void>,
): Promise<void> {
  const fixture = await licenseFixture(Date.now());
  const server = await referenceServerFor(fixture);
  const sidecar = createSidecar(sidecarConfig(fixture, { reportIntervalMs: 60_000 }), {
    fetch: fetchInto(server.app),
  });
  try {
    await sidecar.start();
    await run(sidecar, server, fixture);
  } finally {
    await sidecar.stop();
    await fixture.cleanup();
  }
}

Deno.test("http gate: admits licensed models and refuses others with a 1008-sized reason", async () => {
  await withSidecar(async (sidecar) => {
    const gate = new HttpLicenseGate("http://sidecar.test/", { fetch: fetchInto(sidecar.app) });
    deepStrictEqual(await gate.admit("ml-default"), { ok: true });
    const refused = await gate.admit("u3-pro");
    deepStrictEqual(refused, {
      ok: false,
      reason: 'License check failed: model "u3-pro" is not allowed by this license',
    });
    const long = await gate.admit("x".repeat(500));
    ok(!long.ok && new TextEncoder().encode(long.reason).length <= 123);
    strictEqual((await gate.licenseSummary())?.max_concurrent_sessions, 10);
    await gate.close();
  });
});

Deno.test("http gate: refuses when the sidecar is Failed or unreachable", async () => {
  await withSidecar(async (sidecar, _server, fixture) => {
    await Deno.remove(fixture.licensePath);
    // A fresh sidecar on the same files sees no license at all.
    const broken = createSidecar(
      sidecarConfig(fixture, { usageTrackingUrl: undefined, usageTrackingApiKey: undefined }),
    );
    await broken.start();
    try {
      const gate = new HttpLicenseGate("http://sidecar.test", { fetch: fetchInto(broken.app) });
      const refused = await gate.admit("en-default");
      // the sidecar's reason, in the same words as the embedded gate (sidecar mode used to say only
      // "license state is Failed")
      deepStrictEqual(refused, await broken.gate.admit("en-default"));
      ok(!refused.ok && !refused.reason.includes("license state is Failed"), JSON.stringify(refused));
      await gate.close();
    } finally {
      await broken.stop();
    }
    const down: FetchLike = () => Promise.reject(new TypeError("connection refused"));
    const unreachable = new HttpLicenseGate("http://sidecar.test", { fetch: down });
    deepStrictEqual(await unreachable.admit("en-default"), {
      ok: false,
      reason: "License check failed: license sidecar unreachable",
    });
    await unreachable.close();
    strictEqual((await sidecar.app.request("/health")).status, 200);
  });
});

Deno.test("http gate: reportUsage retries through sidecar hiccups, and rejects bad records at once", async () => {
  await withSidecar(async (sidecar) => {
    let calls = 0;
    const flaky: FetchLike = (input, init) => {
      calls++;
      if (calls === 1) return Promise.reject(new TypeError("connection reset"));
      if (calls === 2) return Promise.resolve(new Response("busy", { status: 503 }));
      return fetchInto(sidecar.app)(input, init);
    };
    const gate = new HttpLicenseGate("http://sidecar.test", { fetch: flaky, retryDelayMs: 1 });
    await gate.reportUsage(usageRecord(1));
    strictEqual(calls, 3);
    strictEqual((await (await sidecar.app.request("/v1/usage/stats")).json()).pending, 1);

    const badRecord = await rejects(gate.reportUsage({ ...usageRecord(2), audio_seconds: -1 }));
    ok(badRecord instanceof Error && badRecord.message.includes("audio_seconds"));

    const alwaysDown = new HttpLicenseGate("http://sidecar.test", {
      fetch: () => Promise.resolve(new Response("down", { status: 502 })),
      retryDelayMs: 1,
      reportAttempts: 3,
    });
    const gaveUp = await rejects(alwaysDown.reportUsage(usageRecord(3)));
    ok(gaveUp instanceof Error && gaveUp.message.includes("HTTP 502"), String(gaveUp));
    await alwaysDown.close();
    await gate.close();
  });
});

Deno.test("http gate: close() lets a pending report finish, then refuses new work", async () => {
  await withSidecar(async (sidecar) => {
    let release = () => {};
    const held = new Promise<void>((resolve) => release = resolve);
    const slow: FetchLike = async (input, init) => {
      await held;
      return await fetchInto(sidecar.app)(input, init);
    };
    const gate = new HttpLicenseGate("http://sidecar.test", { fetch: slow });
    const pending = gate.reportUsage(usageRecord(7));
    const closing = gate.close();
    release();
    await pending;
    await closing;
    strictEqual((await (await sidecar.app.request("/v1/usage/stats")).json()).pending, 1);
    ok(!(await gate.admit("en-default")).ok);
  });
});

Deno.test("http gate: works against a sidecar served on a real port", async () => {
  await withSidecar(async (sidecar) => {
    const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, sidecar.app.fetch);
    try {
      const gate = new HttpLicenseGate(`http://127.0.0.1:${server.addr.port}`);
      deepStrictEqual(await gate.admit("en-default"), { ok: true });
      await gate.reportUsage(usageRecord(1));
      await gate.close();
    } finally {
      await server.shutdown();
    }
  });
});
