import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { issueLicense } from "./license_issuer.ts";
import { createReferenceServer } from "./reference_server.ts";
import { parsePublicKey } from "./license.ts";
import { DAY_MS, licenseFixture, licenseTerms, referenceServerFor, T0, usageRecord } from "./testing.ts";

const usageHeaders = { "Authorization": "test-usage-key", "Content-Type": "application/json" };

Deno.test("reference server: check-in accepts a valid license and refuses others with 403", async () => {
  const fixture = await licenseFixture(T0);
  try {
    const server = await referenceServerFor(fixture, { now: () => T0 });
    const checkIn = (token: string) =>
      server.app.request("/v1/checkin", { method: "POST", headers: { Authorization: `Bearer ${token}` } });
    const accepted = await checkIn(fixture.token);
    strictEqual(accepted.status, 200);
    strictEqual((await accepted.json()).customer, "acme");

    const expired = await issueLicense(
      fixture.keys.privateKeyPem,
      licenseTerms(T0, { notBeforeMs: T0 - 30 * DAY_MS, expiresAtMs: T0 - DAY_MS }),
    );
    const refused = await checkIn(expired);
    strictEqual(refused.status, 403);
    ok((await refused.json()).error.includes("expired"));

    server.setFailures({ checkinStatus: 502 });
    strictEqual((await (await checkIn(fixture.token)).text()).includes("injected"), true);
  } finally {
    await fixture.cleanup();
  }
});

Deno.test("reference server: usage batches are stored once per record id and need the API key", async () => {
  const fixture = await licenseFixture(T0);
  try {
    const server = await referenceServerFor(fixture);
    const send = (batchId: string, ids: number[], headers: Record<string, string> = usageHeaders) =>
      server.app.request("/v1/usage/batch", {
        method: "POST",
        headers,
        body: JSON.stringify({ batch_id: batchId, records: ids.map((i) => usageRecord(i)) }),
      });
    deepStrictEqual(await (await send("b1", [1, 2])).json(), { batch_id: "b1", accepted: 2, duplicates: 0 });
    deepStrictEqual(await (await send("b2", [2, 3])).json(), { batch_id: "b2", accepted: 1, duplicates: 1 });
    deepStrictEqual(await (await send("b1", [1, 2])).json(), { batch_id: "b1", accepted: 2, duplicates: 0 });
    strictEqual((await send("b4", [4], { "Content-Type": "application/json" })).status, 401);

    const listing = await (await server.app.request("/v1/usage", { headers: usageHeaders })).json();
    deepStrictEqual(listing.records.map((r: { id: string }) => r.id), [
      "session-00001",
      "session-00002",
      "session-00003",
    ]);
    strictEqual(listing.deliveries, 6);
    strictEqual(listing.duplicates, 3);

    server.setFailures({ usageStatus: 500 });
    strictEqual((await send("b5", [5])).status, 500);
    server.setFailures({ usageStatus: null, usageStoreThenFail: true });
    strictEqual((await send("b6", [6])).status, 500);
    strictEqual(server.stats().unique, 4, "stored even though the answer said otherwise");
  } finally {
    await fixture.cleanup();
  }
});

Deno.test("reference server: a store file keeps records across restarts", async () => {
  const fixture = await licenseFixture(T0);
  try {
    const storeFile = `${fixture.dir}/usage.jsonl`;
    const options = {
      verificationKey: await parsePublicKey(fixture.keys.publicKeyPem),
      storeFile,
      enableFailureControl: true,
    };
    const first = await createReferenceServer(options);
    await first.app.request("/v1/usage/batch", {
      method: "POST",
      body: JSON.stringify({ batch_id: "b1", records: [usageRecord(1), usageRecord(2)] }),
    });
    await Deno.writeTextFile(storeFile, '{"id": "torn', { append: true });

    const second = await createReferenceServer(options);
    deepStrictEqual(second.received(), [usageRecord(1), usageRecord(2)]);
    const control = await second.app.request("/v1/test/failures", {
      method: "POST",
      body: JSON.stringify({ usage_status: 503 }),
    });
    strictEqual((await control.json()).usageStatus, 503);
  } finally {
    await fixture.cleanup();
  }
});
