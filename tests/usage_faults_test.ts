// Fault injection for usage billing (issue 26), with every part a real process: the reference usage
// server, the license sidecar and the gateway (`src/serve.ts` in sidecar mode, its ASR in-process).
// Real-time sessions stream audio while parts are killed and restarted; afterwards the usage server's
// records of each session must add up to the audio that session sent: nothing lost, nothing doubled.
// The one stated loss: a gateway killed mid-session loses at most the increment in progress
// (USAGE_INCREMENT_SECONDS, 2 s here).
import { ok, strictEqual } from "node:assert/strict";
import { freePort, licenseFixture, waitFor } from "../src/license/testing.ts";
import type { UsageRecord } from "../src/license/usage_record.ts";
import { type Child, startChild } from "../src/stack/child.ts";
import { type RunningServer, startServer } from "../tools/server.ts";
import { chunks, fixture } from "./helpers/wav.ts";
import { TestClient } from "./helpers/ws_client.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const USAGE_KEY = "usage-key";
const INCREMENT_S = 2;
const CHUNK_MS = 100;
/** Whole 100 ms chunks only, sent in a loop: a short chunk is allowed only as a session's last. */
const AUDIO = chunks(fixture("order.wav"), CHUNK_MS).filter((c) => c.byteLength === 32 * CHUNK_MS);

interface Setup {
  referencePort: number;
  sidecarPort: number;
  env: {
    reference: Record<string, string>;
    sidecar: Record<string, string>;
    gateway: Record<string, string>;
  };
}

function deno(name: string, script: string, env: Record<string, string>): Child {
  return startChild({
    name,
    command: Deno.execPath(),
    args: ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-env", script],
    env: { ...env, NO_COLOR: "1" },
    cwd: ROOT,
  });
}

async function healthy(url: string, child: Child): Promise<void> {
  let exited: number | undefined;
  child.exited.then((code) => (exited = code));
  await waitFor(
    async () => {
      if (exited !== undefined) throw new Error(`${child.name} exited with ${exited}:\n${child.output()}`);
      try {
        const response = await fetch(url);
        await response.body?.cancel();
        return response.ok;
      } catch {
        return false;
      }
    },
    `${child.name} at ${url}`,
    30_000,
    50,
  );
}

async function startReference(s: Setup): Promise<Child> {
  const child = deno("reference", "src/license/reference_server.ts", s.env.reference);
  await healthy(`http://127.0.0.1:${s.referencePort}/health`, child);
  return child;
}

async function startSidecar(s: Setup): Promise<Child> {
  const child = deno("sidecar", "src/license/main.ts", s.env.sidecar);
  await healthy(`http://127.0.0.1:${s.sidecarPort}/health`, child);
  return child;
}

async function kill(child: Child): Promise<void> {
  child.kill("SIGKILL");
  await child.exited;
}

async function referenceRecords(s: Setup): Promise<{ records: UsageRecord[]; answering: number }> {
  const response = await fetch(`http://127.0.0.1:${s.referencePort}/v1/usage`, {
    headers: { Authorization: USAGE_KEY },
  });
  return await response.json();
}

async function setReferenceFailures(s: Setup, failures: Record<string, unknown>): Promise<void> {
  const response = await fetch(`http://127.0.0.1:${s.referencePort}/v1/test/failures`, {
    method: "POST",
    body: JSON.stringify(failures),
  });
  await response.body?.cancel();
  ok(response.ok);
}

/** Audio seconds the usage server holds for one session (its records are `<session id>/<n>`). */
function billedSeconds(records: UsageRecord[], sessionId: string): number {
  return records.filter((r) => r.id.startsWith(`${sessionId}/`)).reduce((sum, r) => sum + r.audio_seconds, 0);
}

/** One real-time session: streams until told to stop or until the server goes away. */
class PacedSession {
  readonly client: TestClient;
  sentMs = 0;
  id = "";
  #stop = false;
  #done: Promise<void>;

  constructor(gateway: RunningServer) {
    const client = new TestClient(
      `${gateway.wsUrl}/v3/ws?sample_rate=16000&speech_model=universal-streaming-english`,
    );
    this.client = client;
    this.#done = (async () => {
      const begin = await client.waitFor("Begin").catch(() => null);
      if (!begin) return; // open() reports it
      this.id = String(begin.id);
      let closed = false;
      client.closed.then(() => (closed = true));
      for (let i = 0; !this.#stop && !closed; i++) {
        client.send(AUDIO[i % AUDIO.length]);
        this.sentMs += CHUNK_MS;
        await new Promise((r) => setTimeout(r, CHUNK_MS));
      }
    })();
  }

  static async open(gateway: RunningServer, n: number): Promise<PacedSession[]> {
    const sessions = Array.from({ length: n }, () => new PacedSession(gateway));
    await Promise.all(sessions.map((s) => s.client.waitFor("Begin")));
    return sessions;
  }

  /** Stops sending and terminates; returns the audio the gateway counted (Termination). */
  async terminate(): Promise<number> {
    this.#stop = true;
    await this.#done;
    this.client.send(JSON.stringify({ type: "Terminate" }));
    const termination = await this.client.waitFor("Termination");
    strictEqual((await this.client.closed).code, 1000);
    strictEqual(termination.audio_duration_seconds, Math.round(this.sentMs / 1000));
    return this.sentMs / 1000;
  }

  async lost(): Promise<void> {
    this.#stop = true;
    await this.#done;
    await this.client.closed;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function expectBilled(s: Setup, expected: Map<string, number>, what: string): Promise<void> {
  const near = (a: number, b: number) => Math.abs(a - b) < 1e-6;
  let records: UsageRecord[] = [];
  try {
    await waitFor(
      async () => {
        records = (await referenceRecords(s)).records;
        return [...expected].every(([id, seconds]) => near(billedSeconds(records, id), seconds));
      },
      what,
      30_000,
      200,
    );
  } catch (error) {
    const table = [...expected].map(([id, seconds]) =>
      `${id}: sent ${seconds} s, billed ${billedSeconds(records, id)} s`
    );
    throw new Error(`${(error as Error).message}\n${table.join("\n")}`);
  }
}

Deno.test({
  name:
    "usage faults: sidecar down 60 s, sidecar killed mid-batch, gateway killed mid-session, usage server down",
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const license = await licenseFixture(Date.now());
    const referencePort = freePort();
    const sidecarPort = freePort();
    const s: Setup = {
      referencePort,
      sidecarPort,
      env: {
        reference: {
          HTTP_PORT: String(referencePort),
          LICENSE_PUBLIC_KEY_FILE: license.publicKeyPath,
          USAGE_TRACKING_API_KEY: USAGE_KEY,
          USAGE_STORE_FILE: `${license.dir}/usage-server.jsonl`,
          ENABLE_FAILURE_CONTROL: "true",
        },
        sidecar: {
          HTTP_PORT: String(sidecarPort),
          LICENSE_FILE_PATH: license.licensePath,
          LICENSE_PUBLIC_KEY_FILE: license.publicKeyPath,
          LICENSE_SERVER_URL: `http://127.0.0.1:${referencePort}`,
          USAGE_TRACKING_URL: `http://127.0.0.1:${referencePort}`,
          USAGE_TRACKING_API_KEY: USAGE_KEY,
          USAGE_QUEUE_DIR: `${license.dir}/sidecar-queue`,
          USAGE_REPORT_INTERVAL_SECONDS: "0.5",
        },
        gateway: {
          AAI_LICENSE_AND_USAGE_PROXY_ENDPOINT: `http://127.0.0.1:${sidecarPort}`,
          USAGE_OUTBOX_DIR: `${license.dir}/gateway-outbox`,
          USAGE_INCREMENT_SECONDS: String(INCREMENT_S),
          ASR_WORKERS: "1",
        },
      },
    };
    let reference = await startReference(s);
    let sidecar = await startSidecar(s);
    let gateway = await startServer(s.env.gateway);
    try {
      await t.step("the sidecar down for 60 s while sessions run and end", async () => {
        const sessions = await PacedSession.open(gateway, 3);
        await sleep(5_000);
        await kill(sidecar);
        const downSince = Date.now();
        await sleep(6_000);
        const expected = new Map<string, number>();
        for (const session of sessions) expected.set(session.id, await session.terminate());
        await sleep(60_000 - (Date.now() - downSince));
        sidecar = await startSidecar(s);
        await expectBilled(s, expected, "every second of the sessions billed after the outage");
      });

      await t.step("the sidecar killed while the usage server holds its batch", async () => {
        await setReferenceFailures(s, { usage_delay_ms: 5_000 });
        const [session] = await PacedSession.open(gateway, 1);
        await sleep(3_000);
        const expected = new Map([[session.id, await session.terminate()]]);
        await waitFor(
          async () => (await referenceRecords(s)).answering > 0,
          "a batch held by the usage server",
          20_000,
          50,
        );
        await kill(sidecar);
        await setReferenceFailures(s, { usage_delay_ms: 0 });
        sidecar = await startSidecar(s);
        await expectBilled(s, expected, "the batch billed once after the sidecar's restart");
      });

      await t.step("the gateway killed mid-session (with the sidecar down too), then restarted", async () => {
        const sessions = await PacedSession.open(gateway, 2);
        await sleep(3_000);
        await kill(sidecar); // increments from here on wait in the gateway's outbox
        await sleep(4_500);
        gateway.process.kill("SIGKILL");
        await gateway.process.status;
        await Promise.all(sessions.map((session) => session.lost()));
        sidecar = await startSidecar(s);
        gateway = await startServer(s.env.gateway); // its outbox holds the increments not delivered
        let records: UsageRecord[] = [];
        await waitFor(
          async () => {
            records = (await referenceRecords(s)).records;
            return sessions.every((session) =>
              billedSeconds(records, session.id) >= session.sentMs / 1000 - INCREMENT_S - 0.5
            );
          },
          "the kept increments billed",
          30_000,
          200,
        );
        for (const session of sessions) {
          const billed = billedSeconds(records, session.id);
          ok(
            billed <= session.sentMs / 1000,
            `session ${session.id}: billed ${billed} s of ${session.sentMs / 1000} s sent`,
          );
        }
      });

      await t.step("the usage server down while sessions run and end", async () => {
        await kill(reference);
        const sessions = await PacedSession.open(gateway, 2);
        await sleep(3_000);
        const expected = new Map<string, number>();
        for (const session of sessions) expected.set(session.id, await session.terminate());
        await sleep(3_000);
        reference = await startReference(s); // the same store: what it had before is still there
        await expectBilled(s, expected, "the sessions billed once the usage server is back");
      });
    } finally {
      await gateway.stop();
      await sidecar.stop();
      await reference.stop();
      await license.cleanup();
    }
  },
});
