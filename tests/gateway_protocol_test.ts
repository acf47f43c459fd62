// The v3 protocol end to end against the real server: happy path, every bad input of
// protocol-v3.md §2.6 and §5 with its close code and Error frame, and isolation between sessions.
// Then the gateway in-process before a scripted ASR transport, where a test needs to choose the ASR
// side's answers (hostile-client findings of issue 26).
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { chunks, fixture } from "./helpers/wav.ts";
import { startServer } from "../tools/server.ts";
import { TestClient } from "./helpers/ws_client.ts";
import { serveGateway } from "./helpers/gateway_double.ts";

const speech = fixture("weather.wav");
const QUERY = "sample_rate=16000&speech_model=universal-streaming-english";

function isInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v);
}

/** Opens a session, expects an Error frame and the given close code. */
async function expectRefusal(url: string, code: number, headers?: Record<string, string>) {
  const client = new TestClient(url, headers);
  const closed = await client.closed;
  const error = client.messages.find((m) => m.type === "Error");
  strictEqual(closed.code, code, `close code for ${url}: ${JSON.stringify(closed)}`);
  ok(error, `an Error frame before close ${code}`);
  strictEqual(error.error_code, code);
  ok(typeof error.error === "string" && error.error.length > 0);
  ok(new TextEncoder().encode(closed.reason).length <= 123);
  return { closed, error, messages: client.messages };
}

async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

Deno.test({
  name: "gateway: v3 protocol against the real server",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const keys = await Deno.makeTempFile();
    await Deno.writeTextFile(keys, "good-key\nother-key\n");
    const server = await startServer({
      API_KEYS_FILE: keys,
      MAX_SESSIONS_PER_KEY: "2",
      RATE_BURST_SECONDS: "2",
    });
    const ws = (q = QUERY) => `${server.wsUrl}/v3/ws?${q}`;
    const auth = { Authorization: "good-key" };
    // A session that runs through all the bad inputs below and must be unaffected by them.
    const bystander = new TestClient(ws(), { Authorization: "other-key" });
    await bystander.waitFor("Begin");
    const bystanderAudio = bystander.stream(chunks(speech, 100), 100);
    try {
      await t.step("Begin, Turns with words, Termination, close 1000", async () => {
        const started = performance.now();
        const client = new TestClient(ws(`${QUERY}&format_turns=True`), auth);
        const begin = await client.waitFor("Begin");
        ok(performance.now() - started < 2000);
        ok(typeof begin.id === "string" && isInt(begin.expires_at));
        ok(begin.configuration && typeof begin.configuration === "object");
        await client.stream(chunks(speech, 50), 50);
        client.send(JSON.stringify({ type: "Terminate" }));
        const termination = await client.waitFor("Termination");
        ok(isInt(termination.audio_duration_seconds) && isInt(termination.session_duration_seconds));
        strictEqual((await client.closed).code, 1000);
        const turns = client.turns();
        ok(turns.length > 0, "at least one Turn");
        for (const turn of turns) {
          ok(isInt(turn.turn_order));
          ok(!("error" in turn));
          for (const w of turn.words as Record<string, unknown>[]) ok(isInt(w.start) && isInt(w.end));
        }
        const final = turns.filter((m) => m.end_of_turn);
        ok(final.length > 0, "a final Turn");
        // The shipped model hears the fixture word for word (espeak-ng en-us, a voice it trained on).
        const words = final.filter((m) => !m.turn_is_formatted).map((m) => m.transcript).join(" ");
        strictEqual(words, "what is the weather like in boston today");
        const formatted = turns.filter((m) => m.turn_is_formatted).map((m) => m.transcript as string);
        ok(formatted.length > 0, "format_turns=True gives a formatted final");
        ok(
          formatted.every((t) => /^[A-Z].*[.?!]$/.test(t)),
          `cased and punctuated: ${JSON.stringify(formatted)}`,
        );
        // Terminate is the last message and Termination the last frame.
        strictEqual(client.messages.at(-1)?.type, "Termination");
      });

      await t.step("auth: missing, wrong key → 1008", async () => {
        await expectRefusal(ws(), 1008, {});
        await expectRefusal(ws(), 1008, { Authorization: "bad-key" });
      });

      await t.step("invalid query parameters → 3006", async () => {
        await expectRefusal(ws("sample_rate=abc"), 3006, auth);
        await expectRefusal(ws("sample_rate=16000&encoding=flac"), 3006, auth);
        await expectRefusal(
          ws(
            `sample_rate=16000&keyterms_prompt=${
              encodeURIComponent(JSON.stringify(Array.from({ length: 101 }, (_, i) => `term${i}`)))
            }`,
          ),
          3006,
          auth,
        );
      });

      for (
        const [name, text, reason] of [
          ["malformed JSON", "{not json", "Invalid JSON"],
          ["unknown type", JSON.stringify({ type: "Dance" }), "Invalid Message Type"],
          ["non-object JSON", "[]", "Invalid Message"],
          [
            "invalid UpdateConfiguration",
            JSON.stringify({ type: "UpdateConfiguration", max_turn_silence: "long" }),
            "Invalid Message",
          ],
        ]
      ) {
        await t.step(`${name} → 3006`, async () => {
          const client = new TestClient(ws(), auth);
          await client.waitFor("Begin");
          client.send(text);
          const closed = await client.closed;
          strictEqual(closed.code, 3006);
          const error = client.messages.find((m) => m.type === "Error");
          ok(String(error?.error).startsWith(reason), `${error?.error} starts with ${reason}`);
        });
      }

      await t.step("chunks over 1000 ms, odd bytes, short chunk followed by audio → 3007/3006", async () => {
        for (const [bytes, code] of [[40000, 3007], [3201, 3006]] as const) {
          const client = new TestClient(ws(), auth);
          await client.waitFor("Begin");
          client.send(new Uint8Array(bytes));
          strictEqual((await client.closed).code, code);
        }
        const client = new TestClient(ws(), auth);
        await client.waitFor("Begin");
        client.send(new Uint8Array(800)); // 25 ms
        client.send(new Uint8Array(3200));
        const closed = await client.closed;
        strictEqual(closed.code, 3007);
        ok(closed.reason.startsWith("Input duration violation"));
      });

      await t.step("a short last chunk before Terminate is accepted", async () => {
        const client = new TestClient(ws(), auth);
        await client.waitFor("Begin");
        client.send(new Uint8Array(3200));
        client.send(new Uint8Array(640)); // 20 ms
        client.send(JSON.stringify({ type: "Terminate" }));
        await client.waitFor("Termination");
        strictEqual((await client.closed).code, 1000);
      });

      await t.step("mode: Begin echoes it; a min_latency session transcribes (greedy)", async () => {
        const client = new TestClient(ws(`${QUERY}&mode=min_latency`), auth);
        const begin = await client.waitFor("Begin");
        strictEqual((begin.configuration as { mode?: string }).mode, "min_latency");
        await client.stream(chunks(speech, 100), 100);
        client.send(JSON.stringify({ type: "Terminate" }));
        await client.waitFor("Termination");
        const final = client.turns().find((m) => m.end_of_turn);
        ok(String(final?.transcript).includes("weather"), JSON.stringify(final));
      });

      await t.step(
        "session_heartbeat: Heartbeats about once a second; final turns say why they ended",
        async () => {
          const client = new TestClient(ws(`${QUERY}&session_heartbeat=true`), auth);
          await client.waitFor("Begin");
          await client.stream(chunks(speech, 100), 100); // real time
          await new Promise((r) => setTimeout(r, 1200)); // the trailing silence ends the turn
          client.send(JSON.stringify({ type: "Terminate" }));
          await client.waitFor("Termination");
          const beats = client.messages.filter((m) => m.type === "Heartbeat");
          ok(beats.length >= 2, `${beats.length} Heartbeats`);
          for (const b of beats) {
            ok(isInt(b.total_audio_received_ms) && isInt(b.total_duration_ms));
            ok(typeof b.realtime_factor === "number" && typeof b.max_speech_probability === "number");
          }
          const last = beats.at(-1)!;
          ok(Number(last.total_audio_received_ms) > 1500, JSON.stringify(last));
          ok(
            beats.some((b) => Number(b.realtime_factor) > 0.5 && Number(b.realtime_factor) < 1.5),
            JSON.stringify(beats),
          );
          ok(beats.some((b) => Number(b.max_speech_probability) > 0.5), "the VAD heard the speech");
          const final = client.turns().find((m) => m.end_of_turn);
          ok(final, "a final turn");
          ok(
            ["confident", "max_turn_silence", "end_of_stream"].includes(String(final.turn_end_reason)),
            JSON.stringify(final),
          );
          ok(isInt(final.silence_before_eot_ms));
          const partial = client.turns().find((m) => !m.end_of_turn);
          strictEqual(partial?.turn_end_reason, undefined, "partials carry no end reason");
        },
      );

      await t.step(
        "parameters accepted but not applied get a Warning naming them, at Begin and at an update",
        async () => {
          const plain = new TestClient(ws(), auth);
          await plain.waitFor("Begin");
          const client = new TestClient(ws(`${QUERY}&speaker_labels=true&max_speakers=2`), auth);
          await client.waitFor("Begin");
          const atBegin = await client.waitFor("Warning");
          strictEqual(atBegin.warning_code, 3100);
          ok(/speaker_labels .*max_speakers/.test(String(atBegin.warning)), String(atBegin.warning));
          client.send(JSON.stringify({ type: "UpdateConfiguration", prompt: "be brief" }));
          client.send(new Uint8Array(3200));
          client.send(JSON.stringify({ type: "Terminate" }));
          await client.waitFor("Termination");
          const warnings = client.messages.filter((m) => m.type === "Warning");
          strictEqual(warnings.length, 2);
          ok(String(warnings[1].warning).includes("prompt"), String(warnings[1].warning));
          plain.send(JSON.stringify({ type: "Terminate" }));
          await plain.waitFor("Termination");
          strictEqual(
            plain.messages.filter((m) => m.type === "Warning").length,
            0,
            "none for a plain session",
          );
        },
      );

      await t.step("audio faster than real time beyond the burst → 3007", async () => {
        const client = new TestClient(ws(), auth);
        await client.waitFor("Begin");
        // 10 s of audio in well under 2 s of wall time (burst 2 s), however loaded the machine is
        const cut = () => client.messages.some((m) => m.type === "Error");
        for (let i = 0; i < 100 && !cut(); i++) {
          client.send(new Uint8Array(3200));
          await new Promise((r) => setTimeout(r, 0)); // stop as soon as the Error arrives
        }
        if (!cut()) client.send(JSON.stringify({ type: "Terminate" })); // never hang
        const closed = await client.closed;
        strictEqual(client.messages.find((m) => m.type === "Error")?.error_code, 3007);
        // the close frame too, though the client still had frames in flight (src/gateway/error_close.ts)
        strictEqual(closed.code, 3007);
        ok(closed.reason.startsWith("Audio Transmission Rate Exceeded"));
      });

      await t.step("concurrent sessions per key → 3009", async () => {
        const a = new TestClient(ws(), auth);
        const b = new TestClient(ws(), auth);
        await a.waitFor("Begin");
        await b.waitFor("Begin");
        await expectRefusal(ws(), 3009, auth);
        a.close();
        b.close();
        await a.closed;
        await b.closed;
      });

      await t.step("temporary token: ?token= and Authorization, single use, bad token → 1008", async () => {
        const res = await fetch(
          `${server.url}/v3/token?expires_in_seconds=60&max_session_duration_seconds=120`,
          {
            headers: auth,
          },
        );
        strictEqual(res.status, 200);
        const { token, expires_in_seconds } = await res.json();
        strictEqual(expires_in_seconds, 60);
        const client = new TestClient(ws(`${QUERY}&token=${token}`), {});
        const begin = await client.waitFor("Begin");
        const expected = Math.floor(Date.now() / 1000) + 120;
        ok(Math.abs(Number(begin.expires_at) - expected) <= 2, "token's max duration drives expires_at");
        client.close();
        await expectRefusal(ws(`${QUERY}&token=${token}`), 1008, {});
        await expectRefusal(ws(`${QUERY}&token=not-a-token`), 1008, {});
        const second = await (await fetch(`${server.url}/v3/token?expires_in_seconds=60`, { headers: auth }))
          .json();
        const viaHeader = new TestClient(ws(), { Authorization: second.token });
        await viaHeader.waitFor("Begin");
        viaHeader.close();
        strictEqual(
          (await fetch(`${server.url}/v3/token?expires_in_seconds=0`, { headers: auth })).status,
          400,
        );
        strictEqual((await fetch(`${server.url}/v3/token?expires_in_seconds=60`)).status, 401);
      });

      await t.step("health and metrics", async () => {
        strictEqual((await fetch(`${server.url}/v3/health`)).status, 200);
        strictEqual((await fetch(`${server.url}/v3/ws/health`)).status, 200);
        const metrics = await (await fetch(`${server.url}/metrics`)).text();
        ok(metrics.includes("earshot_active_sessions"));
        ok(/earshot_sessions_total\{close_code="3006"\} \d+/.test(metrics));
      });

      await t.step("the bystander session was not affected", async () => {
        await bystanderAudio;
        bystander.send(JSON.stringify({ type: "Terminate" }));
        await bystander.waitFor("Termination");
        strictEqual((await bystander.closed).code, 1000);
        ok(bystander.turns().length > 0);
      });
    } finally {
      bystander.close();
      await server.stop();
      await Deno.remove(keys);
    }
  },
});

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
