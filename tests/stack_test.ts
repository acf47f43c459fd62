// The multi-process stack (`deno task stack`) end to end: nginx routes each speech model to the
// right ASR service, a session survives the SIGKILL of its ASR instance with a whole transcript,
// an ASR service drains on SIGTERM, and the gateway drains on SIGTERM.
//
// Topology under test: two English ASR instances behind one nginx upstream (nginx's failover) and
// the gateway's failover transport reconnecting through nginx (src/asr/failover_transport.ts).
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { existsSync } from "node:fs";
import { parsePublicKey } from "../src/license/license.ts";
import { createReferenceServer } from "../src/license/reference_server.ts";
import { licenseFixture } from "../src/license/testing.ts";
import { loadStackConfig } from "../src/stack/config.ts";
import { type Stack, startStack } from "../src/stack/stack.ts";
import { chunks, fixture, type Wav } from "./helpers/wav.ts";
import { TestClient } from "./helpers/ws_client.ts";
import { named, unmet } from "../tools/requirements.ts";

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((p) => existsSync(p));
const NO_NGINX = unmet("nginx");
const CHUNK_MS = 100;

/** What the shipped model hears in the three fixtures (espeak-ng en-us, a training voice). */
const SENTENCES = [
  "what is the weather like in boston today",
  "my phone number is five five five one two three four",
  "please book a table for two at seven thirty",
];

/** Three utterances with a second of silence after each, so each ends its own turn. */
function conversation(): Wav {
  const parts = ["weather.wav", "numbers.wav", "order.wav"].map((n) => fixture(n));
  const silence = new Uint8Array(32_000);
  const bytes = parts.flatMap((p) => [p.data, silence]);
  const data = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let offset = 0;
  for (const b of bytes) (data.set(b, offset), offset += b.length);
  return { ...parts[0], data };
}

const FREE_PORTS = {
  AAI_WSS_PORT: "0",
  STACK_NGINX_PORT: "0",
  STACK_ASR_ENGLISH_PORT: "0",
  STACK_ASR_MULTILINGUAL_PORT: "0",
  STACK_LICENSE_PORT: "0",
};

const query = (speechModel: string) => `speech_model=${speechModel}&sample_rate=16000`;

async function openSession(stack: Stack, speechModel: string): Promise<TestClient> {
  const client = new TestClient(`${stack.gatewayUrl}/v3/ws?${query(speechModel)}`);
  await client.waitFor("Begin");
  return client;
}

/** The unformatted final turns: what a transcript is made of. */
function finalTurns(client: TestClient): string[] {
  return client.turns()
    .filter((m) => m.end_of_turn && !m.turn_is_formatted)
    .map((m) => `${m.turn_order}: ${m.transcript}`);
}

async function until<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, ms = 20_000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** open_streams of each ASR service that still answers. */
async function openStreams(stack: Stack): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const [name, url] of Object.entries(stack.asrHealth)) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      counts[name] = ((await res.json()) as { open_streams: number }).open_streams;
    } catch { /* gone */ }
  }
  return counts;
}

/** Streams audio at twice real time (calling `atChunk` before each chunk), then terminates. */
async function transcribe(
  client: TestClient,
  audio: Wav,
  atChunk?: (index: number) => Promise<void>,
): Promise<string[]> {
  const pieces = chunks(audio, CHUNK_MS);
  for (let i = 0; i < pieces.length; i++) {
    await atChunk?.(i);
    client.send(pieces[i]);
    await new Promise((r) => setTimeout(r, CHUNK_MS / 2));
  }
  client.send(JSON.stringify({ type: "Terminate" }));
  await client.waitFor("Termination", 30_000);
  strictEqual((await client.closed).code, 1000);
  return finalTurns(client);
}

const hasTurn = (client: TestClient, order: number) =>
  client.turns().some((m) => m.turn_order === order && (m.words as unknown[]).length > 0) || undefined;

/** The gateway's failover log line: the turn and stream time the new ASR stream resumed at. */
function resumePoint(gatewayLog: string): { turn: number; offsetMs: number } | undefined {
  const m = gatewayLog.match(/resuming on .*: turn (\d+), offset (\d+) ms/);
  return m ? { turn: Number(m[1]), offsetMs: Number(m[2]) } : undefined;
}

/** Final turns renumbered from `first`, transcripts kept. */
const renumbered = (turns: string[], first: number) =>
  turns.map((t, i) => `${first + i}: ${t.slice(t.indexOf(": ") + 2)}`);

Deno.test({
  name: named("stack: nginx routing, failover on a killed ASR instance, ASR and gateway drain", NO_NGINX),
  ignore: !!NO_NGINX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const stack = await startStack({
      ...loadStackConfig({ ...FREE_PORTS, STACK_ENGLISH_REPLICAS: "2", NGINX_BIN: NGINX }),
      gatewayEnv: { DRAIN_SECONDS: "1", RATE_BURST_SECONDS: "30" },
    });
    const audio = conversation();
    try {
      await t.step("each speech model reaches its ASR service through nginx", async () => {
        const expected: [string, string][] = [
          ["universal-streaming-english", "asr-en"],
          ["universal-streaming-multilingual", "asr-ml"],
          ["u3-rt-pro", "asr-en"],
        ];
        for (const [speechModel, service] of expected) {
          const client = await openSession(stack, speechModel);
          const counts = await until(`a stream for ${speechModel}`, async () => {
            const c = await openStreams(stack);
            return Object.values(c).reduce((a, b) => a + b, 0) === 1 ? c : undefined;
          });
          const holder = Object.entries(counts).find(([, n]) => n === 1)?.[0] ?? "";
          ok(holder.startsWith(service), `${speechModel} went to ${holder}, expected ${service}`);
          client.send(JSON.stringify({ type: "Terminate" }));
          await client.closed;
          await until("streams released", async () => {
            const c = await openStreams(stack);
            return Object.values(c).every((n) => n === 0) || undefined;
          });
        }
      });

      let baseline: string[] = [];
      await t.step("baseline transcript without failure", async () => {
        baseline = await transcribe(await openSession(stack, "universal-streaming-english"), audio);
        ok(baseline.length >= 1 && baseline.every((t) => /: \S/.test(t)), JSON.stringify(baseline));
        const words = baseline.map((t) => t.replace(/^\d+: /, "")).join(" ");
        for (const sentence of SENTENCES) {
          ok(words.includes(sentence), `"${sentence}" in ${JSON.stringify(baseline)}`);
        }
      });

      let survivor = "";
      await t.step("SIGKILL of the session's ASR instance: the transcript is whole", async () => {
        const client = await openSession(stack, "universal-streaming-english");
        let killed = "";
        let recovery: Promise<number> = Promise.resolve(NaN);
        // Mid-stream: half of the audio sent, the ASR instance holding the stream dies.
        const half = Math.floor(chunks(audio, CHUNK_MS).length / 2);
        const turns = await transcribe(client, audio, async (i) => {
          if (i !== half) return;
          const counts = await openStreams(stack);
          killed = Object.entries(counts).find(([n, c]) => n.startsWith("asr-en") && c === 1)?.[0] ?? "";
          const victim = stack.english.find((c) => c.name === killed);
          ok(victim, `an English instance holds the stream: ${JSON.stringify(counts)}`);
          victim.kill("SIGKILL");
          const killedAt = performance.now();
          const seen = client.messages.length;
          // Polled alongside the stream: when the first Turn after the kill arrived.
          recovery = until(
            "a turn after the failover",
            () =>
              client.messages.slice(seen).some((m) => m.type === "Turn")
                ? performance.now() - killedAt
                : undefined,
          );
          await victim.exited;
        });
        survivor = stack.english.find((c) => c.name !== killed)?.name ?? "";
        const resumed = resumePoint(stack.gateway.output());
        ok(resumed, `the gateway failed over:\n${stack.gateway.output()}`);
        console.log(
          `failover: resumed at turn ${resumed.turn}, offset ${resumed.offsetMs} ms; ` +
            `first Turn ${Math.round(await recovery)} ms after the SIGKILL`,
        );

        // Each final turn once, in order; nothing of a finalized turn after it was final.
        const finals = client.turns().filter((m) => m.end_of_turn && !m.turn_is_formatted);
        deepStrictEqual(finals.map((m) => m.turn_order), [...finals.keys()], "final turns once each");
        client.turns().forEach((m, i, all) => {
          const finalBefore = all.slice(0, i).some((f) => f.end_of_turn && f.turn_order === m.turn_order);
          ok(!finalBefore || m.turn_is_formatted, `turn ${m.turn_order} updated after it was final`);
        });

        // Without failure the same audio gives: the turns finalized before the failover, then what
        // an uninterrupted stream makes of the audio from the resume point on. A model that never
        // finalized a turn before the failover resumes at 0 and must give the baseline exactly.
        const before = baseline.slice(0, resumed.turn);
        deepStrictEqual(turns.slice(0, resumed.turn), before, "turns finalized before the failover");
        const rest = audio.data.subarray(resumed.offsetMs * 32);
        const uninterrupted = resumed.offsetMs === 0 ? baseline : [
          ...before,
          ...renumbered(
            await transcribe(await openSession(stack, "universal-streaming-english"), {
              ...audio,
              data: rest,
            }),
            resumed.turn,
          ),
        ];
        deepStrictEqual(turns, uninterrupted, "same final words as without failure");
      });

      await t.step("SIGTERM to an ASR service: its open stream finishes, then it exits", async () => {
        const asr = stack.english.find((c) => c.name === survivor);
        ok(asr, "the surviving English instance");
        const client = await openSession(stack, "universal-streaming-english");
        const turns = await transcribe(client, audio, async (i) => {
          if (i !== 20) return;
          asr.kill("SIGTERM");
          await until("the drain", () => asr.output().includes("draining") || undefined);
          const health = await fetch(stack.asrHealth[asr.name]);
          strictEqual(health.status, 503, "a draining service reports unhealthy");
          await health.body?.cancel();
        });
        deepStrictEqual(turns, baseline, "the draining service finished the stream");
        strictEqual(await asr.exited, 0);
      });

      await t.step("SIGTERM to the gateway: the session gets its final turn and Termination", async () => {
        const client = await openSession(stack, "universal-streaming-multilingual");
        const streaming = client.stream(chunks(fixture("numbers.wav"), CHUNK_MS), CHUNK_MS);
        await until("speech", () => hasTurn(client, 0));
        const signalledAt = client.messages.length;
        stack.gateway.kill("SIGTERM");
        const termination = await client.waitFor("Termination", 15_000);
        const closed = await client.closed;
        await streaming;
        const after = client.messages.slice(signalledAt);
        ok(after.some((m) => m.type === "Turn" && m.end_of_turn), "a final turn after SIGTERM");
        strictEqual(client.messages.at(-1), termination);
        strictEqual(closed.code, 1000);
        strictEqual(await stack.gateway.exited, 0);
      });
    } finally {
      await stack.stop("SIGINT");
      for (const child of [stack.gateway, stack.nginx, stack.multilingual, ...stack.english]) {
        await child.exited; // every process is gone
      }
    }
  },
});

Deno.test({
  name: named("stack: with a license, the sidecar runs as its own process and gates sessions", NO_NGINX),
  ignore: !!NO_NGINX,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const license = await licenseFixture(Date.now(), { allowedModels: ["en-default"] });
    const reference = await createReferenceServer({
      verificationKey: await parsePublicKey(license.keys.publicKeyPem),
      usageApiKey: "usage-key",
    });
    const http = Deno.serve({ port: 0, hostname: "127.0.0.1", onListen: () => {} }, reference.app.fetch);
    const stack = await startStack({
      ...loadStackConfig({ ...FREE_PORTS, LICENSE_FILE_PATH: license.licensePath, NGINX_BIN: NGINX }),
      licenseEnv: {
        LICENSE_FILE_PATH: license.licensePath,
        LICENSE_PUBLIC_KEY_FILE: license.publicKeyPath,
        LICENSE_SERVER_URL: `http://127.0.0.1:${http.addr.port}`,
        USAGE_TRACKING_URL: `http://127.0.0.1:${http.addr.port}`,
        USAGE_TRACKING_API_KEY: "usage-key",
        USAGE_REPORT_INTERVAL_SECONDS: "1",
        USAGE_QUEUE_DIR: `${license.dir}/queue`,
      },
    });
    try {
      ok(stack.license, "a license sidecar process");
      ok(stack.gateway.output().includes("license and usage sidecar at http://127.0.0.1:"));
      const refused = new TestClient(
        `${stack.gatewayUrl}/v3/ws?${query("universal-streaming-multilingual")}`,
      );
      const closed = await refused.closed;
      strictEqual(closed.code, 1008, "the license allows en-default only");
      const client = await openSession(stack, "universal-streaming-english");
      const begin = await client.waitFor("Begin");
      await client.stream(chunks(fixture("order.wav"), CHUNK_MS), 10);
      client.send(JSON.stringify({ type: "Terminate" }));
      strictEqual((await client.closed).code, 1000);
      const record = await until(
        "the usage record",
        () => reference.received().find((r) => r.id === `${begin.id}/1`),
      );
      strictEqual(record.model, "en-default", "usage went gateway → sidecar → usage server");
    } finally {
      await stack.stop("SIGINT");
      await http.shutdown();
      await license.cleanup();
    }
    strictEqual(await stack.license?.exited, 0);
  },
});
