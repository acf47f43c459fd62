// End-to-end: the real sidecar process, killed with SIGKILL while it reports, restarted on the same
// queue directory. The usage server must end up with every acknowledged record exactly once.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { freePort, licenseFixture, referenceServerFor, usageRecord, waitFor } from "./testing.ts";
import { UsageRecord } from "./usage_record.ts";

const REPO_ROOT = new URL("../../", import.meta.url);
const RECORDS = 240;

interface SidecarProcess {
  port: number;
  child: Deno.ChildProcess;
  output: Promise<Deno.CommandOutput>;
}

function spawnSidecar(env: Record<string, string>): SidecarProcess {
  const port = freePort();
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", "src/license/main.ts"],
    cwd: REPO_ROOT,
    env: { ...env, HTTP_PORT: String(port), NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  // Drain the pipes from the start so a chatty child can never block on a full pipe.
  return { port, child, output: child.output() };
}

async function logsOf(sidecar: SidecarProcess): Promise<string> {
  const { stdout, stderr } = await sidecar.output;
  return new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
}

async function waitUntilHealthy(sidecar: SidecarProcess): Promise<void> {
  await waitFor(
    async () => {
      try {
        const response = await fetch(`http://127.0.0.1:${sidecar.port}/health`);
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
    "the sidecar to answer /health",
    20_000,
    50,
  );
}

/** Posts like a gateway would: true only for a 202. */
async function postUsage(port: number, record: UsageRecord): Promise<boolean> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/v1/usage`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(record),
    });
    await response.body?.cancel();
    return response.status === 202;
  } catch {
    return false;
  }
}

async function postAll(port: number, records: UsageRecord[], concurrency: number): Promise<UsageRecord[]> {
  const refused: UsageRecord[] = [];
  let next = 0;
  const worker = async () => {
    while (next < records.length) {
      const record = records[next++];
      if (!(await postUsage(port, record))) refused.push(record);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return refused;
}

async function queuedFiles(dir: string): Promise<number> {
  let count = 0;
  for await (const entry of Deno.readDir(dir)) if (entry.name.startsWith("usage-")) count++;
  return count;
}

Deno.test("crash: SIGKILL while reporting loses no acknowledged record and the server counts each once", async () => {
  const fixture = await licenseFixture(Date.now());
  const reference = await referenceServerFor(fixture);
  const referenceHttp = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen: () => {} },
    reference.app.fetch,
  );
  const referenceUrl = `http://127.0.0.1:${referenceHttp.addr.port}`;
  const queueDir = `${fixture.dir}/queue`;
  const env = {
    LICENSE_FILE_PATH: fixture.licensePath,
    LICENSE_PUBLIC_KEY_FILE: fixture.publicKeyPath,
    LICENSE_SERVER_URL: referenceUrl,
    USAGE_TRACKING_URL: referenceUrl,
    USAGE_TRACKING_API_KEY: "test-usage-key",
    USAGE_QUEUE_DIR: queueDir,
    USAGE_REPORT_INTERVAL_SECONDS: "0.1",
    USAGE_BATCH_SIZE: "20",
    REPORT_FAILURE_LIMIT_MINUTES: "5",
    LOGGING_LEVEL: "warning",
  };
  const records = Array.from({ length: RECORDS }, (_, i) => usageRecord(i));
  let first: SidecarProcess | null = null;
  let second: SidecarProcess | null = null;
  try {
    // Slow answers: the usage server stores each batch, then holds the reply. The kill lands there,
    // so the restarted sidecar re-sends records the server already has.
    reference.setFailures({ usageDelayMs: 1000 });
    first = spawnSidecar(env);
    await waitUntilHealthy(first);

    const target = first;
    const posting = postAll(target.port, records, 8);
    await waitFor(
      () => reference.stats().answering > 0,
      "a batch stored by the usage server but not yet answered",
      20_000,
      5,
    );
    target.child.kill("SIGKILL");
    const status = await target.child.status;
    strictEqual(status.signal, "SIGKILL");
    // Posts cut off by the kill got no 202; a gateway retries those, so the test does too.
    const unacknowledged = await posting;
    const acknowledgedCount = RECORDS - unacknowledged.length;
    const onDisk = await queuedFiles(queueDir);
    ok(onDisk > 0, "the kill left records waiting in the queue");
    await logsOf(target);

    reference.setFailures({ usageDelayMs: 0 });
    second = spawnSidecar(env);
    await waitUntilHealthy(second);
    const stillRefused = await postAll(second.port, unacknowledged, 4);
    deepStrictEqual(stillRefused, [], "the restarted sidecar accepts everything");
    await waitFor(() => reference.stats().unique === RECORDS, "every record at the usage server", 20_000, 20);
    await waitFor(async () => (await queuedFiles(queueDir)) === 0, "the queue to be compacted", 10_000, 20);

    const received = reference.received().map((r) => r.id).sort();
    deepStrictEqual(received, records.map((r) => r.id), "each record exactly once");
    deepStrictEqual(
      reference.received().find((r) => r.id === records[0].id),
      records[0],
      "records arrive intact",
    );
    const stats = reference.stats();
    ok(stats.duplicates > 0, "the crash did cause re-deliveries, which the server absorbed by record id");
    ok(acknowledgedCount > 0, "some records were acknowledged before the kill");

    second.child.kill("SIGTERM");
    strictEqual((await second.child.status).code, 0, "a SIGTERM shuts down cleanly");
    await logsOf(second);
  } catch (error) {
    for (const sidecar of [first, second]) {
      if (!sidecar) continue;
      try {
        sidecar.child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
      console.error(`sidecar logs:\n${await logsOf(sidecar)}`);
    }
    throw error;
  } finally {
    await referenceHttp.shutdown();
    await fixture.cleanup();
  }
});
