// `deno task serve` with the license sidecar embedded: the license is enforced (models, concurrent
// sessions) and usage of each session reaches the usage server.
import { ok, strictEqual } from "node:assert/strict";
import { createReferenceServer } from "../src/license/reference_server.ts";
import { parsePublicKey } from "../src/license/license.ts";
import { licenseFixture } from "../src/license/testing.ts";
import { startServer } from "../tools/server.ts";
import { chunks, fixture } from "./helpers/wav.ts";
import { TestClient } from "./helpers/ws_client.ts";

Deno.test({
  name: "serve with a license: models and concurrency enforced, usage reported",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const license = await licenseFixture(Date.now(), {
      allowedModels: ["en-default"],
      maxConcurrentSessions: 1,
    });
    const reference = await createReferenceServer({
      verificationKey: await parsePublicKey(license.keys.publicKeyPem),
      usageApiKey: "usage-key",
    });
    const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, reference.app.fetch);
    const base = `http://127.0.0.1:${http.addr.port}`;
    const server = await startServer({
      LICENSE_FILE_PATH: license.licensePath,
      LICENSE_PUBLIC_KEY_FILE: license.publicKeyPath,
      LICENSE_SERVER_URL: base,
      USAGE_TRACKING_URL: base,
      USAGE_TRACKING_API_KEY: "usage-key",
      USAGE_QUEUE_DIR: `${license.dir}/queue`,
      USAGE_REPORT_INTERVAL_SECONDS: "1",
    });
    try {
      const url = (model: string) => `${server.wsUrl}/v3/ws?sample_rate=16000&speech_model=${model}`;
      const refused = new TestClient(url("universal-streaming-multilingual"));
      const closed = await refused.closed;
      strictEqual(closed.code, 1008);
      ok(closed.reason.startsWith("License check failed"), closed.reason);

      const client = new TestClient(url("universal-streaming-english"));
      const begin = await client.waitFor("Begin");
      const second = new TestClient(url("universal-streaming-english"));
      strictEqual((await second.closed).code, 3009, "the license allows one concurrent session");
      await client.stream(chunks(fixture("order.wav"), 100), 100);
      client.send(JSON.stringify({ type: "Terminate" }));
      await client.waitFor("Termination");
      await client.closed;

      const deadline = Date.now() + 15_000;
      // A session shorter than one usage increment (30 s) is one record: `<session id>/1`.
      while (!reference.received().some((r) => r.id === `${begin.id}/1`) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 200));
      }
      const record = reference.received().find((r) => r.id === `${begin.id}/1`);
      ok(record, "the session's usage reached the usage server");
      strictEqual(record.model, "en-default");
      ok(record.audio_seconds > 3 && record.audio_seconds < 5, `audio_seconds ${record.audio_seconds}`);
    } finally {
      await server.stop();
      await http.shutdown();
      await license.cleanup();
    }
  },
});
