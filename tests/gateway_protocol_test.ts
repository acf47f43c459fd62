// The v3 protocol end to end against the real server: happy path, every bad input of
// protocol-v3.md §2.6 and §5 with its close code and Error frame, and isolation between sessions.
// The hostile-client findings are in gateway_hostile_client_test.ts.
import { ok, strictEqual } from "node:assert/strict";
import { chunks, fixture } from "./helpers/wav.ts";
import { startServer } from "../tools/server.ts";
import { expectRefusal, TestClient } from "./helpers/ws_client.ts";

const speech = fixture("weather.wav");
const QUERY = "sample_rate=16000&speech_model=universal-streaming-english";

function isInt(v: unknown): boolean {
  return typeof v === "number" && Number.isInteger(v);
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
