// The hostile-client findings of issue 26 through the gateway: tokens counted against the key that
// minted them, log lines a client cannot forge, no Begin for a refused session, the close code of a
// flooding client, aborted connections in /metrics. Mostly in-process before a scripted ASR
// transport (helpers/gateway_double.ts), where a test needs to choose the ASR side's answers.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { expectRefusal, TestClient } from "./helpers/ws_client.ts";
import { serveGateway } from "./helpers/gateway_double.ts";

const QUERY = "sample_rate=16000&speech_model=universal-streaming-english";

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test({
  name: "gateway: inactivity timeout and maximum session duration",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer({ MAX_SESSION_SECONDS: "2" });
    try {
      const idle = new TestClient(`${server.wsUrl}/?${QUERY}&inactivity_timeout=5`);
      const expiring = new TestClient(`${server.wsUrl}/v3/ws?${QUERY}`);
      await expiring.waitFor("Begin");
      const expired = await expiring.closed;
      strictEqual(expired.code, 3008);
      deepStrictEqual(expiring.messages.slice(-2).map((m) => m.type), ["Termination", "Error"]);
      // The 2 s cap also ends the idle session first; inactivity is checked with a longer cap below.
      await idle.closed;
    } finally {
      await server.stop();
    }
    // The server's idle limit (CLIENT_IDLE_SECONDS) ends a silent session that set no timeout of its own.
    const server2 = await startServer({ CLIENT_IDLE_SECONDS: "3" });
    try {
      const idle = new TestClient(`${server2.wsUrl}/?${QUERY}&inactivity_timeout=5`);
      const silent = new TestClient(`${server2.wsUrl}/?${QUERY}`);
      await idle.waitFor("Begin");
      await silent.waitFor("Begin");
      const started = Date.now();
      const silentClosed = await silent.closed;
      const silentAfter = Date.now() - started;
      ok(silentAfter >= 2500 && silentAfter < 4500, `the server's limit: ${silentAfter} ms`);
      strictEqual(silentClosed.code, 1000);
      ok(silentClosed.reason.includes("Session Idle"), silentClosed.reason);
      strictEqual(silent.messages.at(-1)?.type, "Termination");
      const closed = await idle.closed;
      ok(Date.now() - started >= 4500, "the session's own timeout, not the server's");
      strictEqual(closed.code, 1000);
      strictEqual(idle.messages.at(-1)?.type, "Termination");
    } finally {
      await server2.stop();
    }
  },
});

Deno.test({
  name: "gateway: temporary tokens count against MAX_SESSIONS_PER_KEY of the key that minted them",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const served = serveGateway({ maxSessionsPerKey: 2, apiKeys: ["key-a", "key-b"] });
    const ws = (q = QUERY) => `${served.wsUrl}/v3/ws?${q}`;
    const mint = async (key: string) => {
      const res = await fetch(`${served.url}/v3/token?expires_in_seconds=60`, {
        headers: { Authorization: key },
      });
      return (await res.json()).token as string;
    };
    const open: TestClient[] = [];
    const begin = async (client: TestClient) => (open.push(client), await client.waitFor("Begin"));
    try {
      // the key's own sessions fill its limit: a token it minted is refused
      await begin(new TestClient(ws(), { Authorization: "key-a" }));
      await begin(new TestClient(ws(), { Authorization: "key-a" }));
      await expectRefusal(ws(`${QUERY}&token=${await mint("key-a")}`), 3009, {});
      // tokens fill their key's limit (?token= and Authorization alike): the key itself is refused
      await begin(new TestClient(ws(`${QUERY}&token=${await mint("key-b")}`), {}));
      await begin(new TestClient(ws(), { Authorization: await mint("key-b") }));
      await expectRefusal(ws(), 3009, { Authorization: "key-b" });
      // a session that ends frees its place for the key's tokens
      const first = open[0];
      first.close();
      await first.closed;
      await until(() => served.gateway.sessions.size === 3, "the closed session to be released");
      await begin(new TestClient(ws(`${QUERY}&token=${await mint("key-a")}`), {}));
    } finally {
      for (const c of open) c.close();
      await Promise.all(open.map((c) => c.closed));
      await served.close();
    }
  },
});

Deno.test({
  name: "gateway: a client's text with a newline cannot forge a log line",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const served = serveGateway();
    try {
      const client = new TestClient(`${served.wsUrl}/v3/ws?${QUERY}`);
      await client.waitFor("Begin");
      client.send("\n2026-01-01T00:00:00.000Z ERROR [earshot] forged");
      strictEqual((await client.closed).code, 3006);
      const logged = served.lines.filter((l) => l.includes("forged"));
      strictEqual(logged.length, 1, served.lines.join("\n"));
      ok(!/[\n\r]/.test(logged[0]), `one line: ${JSON.stringify(logged[0])}`);
      ok(/^\S+ INFO \[earshot\] session \S+ closing with 3006: .*\\n2026/.test(logged[0]), logged[0]);
    } finally {
      await served.close();
    }
  },
});

Deno.test({
  name:
    "gateway: Begin waits for the ASR stream's ready; a stream refused at capacity gets 1013 and no Begin",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const served = serveGateway();
    const ws = `${served.wsUrl}/v3/ws?${QUERY}`;
    try {
      served.transport.answer = "capacity";
      const refused = await expectRefusal(ws, 1013, { Authorization: "k" });
      deepStrictEqual(refused.messages.map((m) => m.type), ["Error"], "no Begin before the refusal");

      // Audio sent before the stream is accepted reaches the link; Begin follows ready.
      served.transport.answer = "hold";
      const client = new TestClient(ws);
      await client.opened();
      client.send(new Uint8Array(3200));
      const link = () => served.transport.links.at(-1);
      await until(() => link()?.received.some((f) => f.kind === "audio") ?? false, "audio on the link");
      strictEqual(client.messages.length, 0, "no Begin before ready");
      link()!.ready();
      const begin = await client.waitFor("Begin");
      ok(typeof begin.id === "string");
      link()!.ready(); // a failover's later ready changes nothing
      client.send(JSON.stringify({ type: "Terminate" }));
      await client.waitFor("Termination");
      strictEqual((await client.closed).code, 1000);
      deepStrictEqual(client.messages.map((m) => m.type), ["Begin", "Termination"]);
      const metrics = await (await fetch(`${served.url}/metrics`)).text();
      ok(/earshot_begin_latency_seconds_count 1\n/.test(metrics), "Begin latency measured once, at Begin");
    } finally {
      await served.close();
    }
  },
});

Deno.test({
  name: "gateway: a client flooding audio sees its Error and close 3007, not a dropped connection",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const served = serveGateway(); // the default burst of 5 s
    try {
      for (let i = 0; i < 5; i++) {
        const client = new TestClient(`${served.wsUrl}/v3/ws?${QUERY}`);
        await client.waitFor("Begin");
        // as fast as it can, and on after the Error, as a careless client would
        for (let n = 0; n < 2000 && client.isOpen; n++) {
          for (let j = 0; j < 10; j++) client.send(new Uint8Array(3200));
          await new Promise((r) => setTimeout(r, 0));
        }
        const closed = await client.closed;
        strictEqual(client.messages.find((m) => m.type === "Error")?.error_code, 3007);
        strictEqual(closed.code, 3007, `attempt ${i}: ${JSON.stringify(closed)}`);
        ok(closed.reason.startsWith("Audio Transmission Rate Exceeded"), closed.reason);
      }
    } finally {
      await served.close();
    }
  },
});

Deno.test({
  name: "gateway: a connection dropped without a close frame counts as close_code 1006",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const served = serveGateway();
    try {
      const conn = await Deno.connect({ hostname: "127.0.0.1", port: Number(new URL(served.url).port) });
      const key = btoa("0123456789abcdef");
      await conn.write(new TextEncoder().encode(
        `GET /v3/ws?${QUERY} HTTP/1.1\r\nHost: x\r\nAuthorization: k\r\nUpgrade: websocket\r\n` +
          `Connection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      ));
      await conn.read(new Uint8Array(4096)); // 101 Switching Protocols (and maybe Begin)
      await until(() => served.gateway.sessions.size === 1, "the session to start");
      conn.close();
      await until(() => served.gateway.sessions.size === 0, "the session to end");
      const metrics = await (await fetch(`${served.url}/metrics`)).text();
      ok(metrics.includes('earshot_sessions_total{close_code="1006"} 1'), metrics);
      ok(!metrics.includes('close_code="0"'), metrics);
    } finally {
      await served.close();
    }
  },
});
