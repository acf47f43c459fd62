// Compressed input through a real WebSocket: an Ogg Opus file (opusenc 0.2, from weather.wav) as a
// byte stream (ogg_opus) and as raw Opus packets (opus, one per message), and an ADTS AAC file
// (ffmpeg 5.1, from weather.wav; decoded by ffmpeg); malformed input ends the session with a clear
// 3006, never a crash.
import { ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { oggPackets } from "./helpers/ogg.ts";
import { TestClient } from "./helpers/ws_client.ts";
import { named, unmet } from "../tools/requirements.ts";

const OGG = Deno.readFileSync(new URL("./fixtures/weather.opus", import.meta.url));
const AAC = Deno.readFileSync(new URL("./fixtures/weather.aac", import.meta.url));
const QUERY = "speech_model=universal-streaming-english";

async function transcript(client: TestClient, messages: Uint8Array[]): Promise<string> {
  await client.waitFor("Begin");
  for (const m of messages) client.send(m);
  client.send(JSON.stringify({ type: "Terminate" }));
  const termination = await client.waitFor("Termination");
  ok(Number(termination.audio_duration_seconds) >= 3, JSON.stringify(termination));
  return client.turns().filter((t) => t.end_of_turn).map((t) => t.transcript).join(" ");
}

Deno.test({
  name: "opus and ogg_opus input transcribe; malformed input is refused clearly",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startServer();
    const ws = (q: string) => `${server.wsUrl}/v3/ws?${QUERY}&${q}`;
    try {
      await t.step("ogg_opus: the file in 1 kB messages", async () => {
        const pieces: Uint8Array[] = [];
        for (let i = 0; i < OGG.length; i += 1000) pieces.push(OGG.subarray(i, i + 1000));
        const heard = await transcript(new TestClient(ws("encoding=ogg_opus")), pieces);
        ok(/weather/.test(heard) && /boston/.test(heard), heard);
      });
      await t.step("opus: one raw packet per message", async () => {
        const packets = oggPackets(OGG).slice(2); // OpusHead and OpusTags are not audio
        ok(packets.length > 100, `${packets.length} packets`);
        const client = new TestClient(ws("encoding=opus"));
        const begin = await client.waitFor("Begin");
        strictEqual((begin.configuration as { encoding?: string }).encoding, "opus");
        const heard = await transcript(client, packets);
        ok(/weather/.test(heard) && /boston/.test(heard), heard);
      });
      await t.step(
        "opus given Ogg pages, ogg_opus given something else → 3006 naming the problem",
        async () => {
          for (
            const [query, bytes, words] of [
              ["encoding=opus", OGG.subarray(0, 1000), /Ogg page.*ogg_opus/],
              ["encoding=ogg_opus", new Uint8Array(1000).fill(7), /not an Ogg stream/],
            ] as const
          ) {
            const client = new TestClient(ws(query));
            await client.waitFor("Begin");
            client.send(bytes);
            const closed = await client.closed;
            strictEqual(closed.code, 3006);
            const error = client.messages.find((m) => m.type === "Error");
            ok(error && words.test(String(error.error)), JSON.stringify(error));
          }
        },
      );
    } finally {
      await server.stop();
    }
  },
});

const NO_FFMPEG = unmet("ffmpeg");

Deno.test({
  name: named("aac (ADTS) input transcribes; a stream that is not AAC is refused clearly", NO_FFMPEG),
  ignore: !!NO_FFMPEG,
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const server = await startServer();
    const ws = (q: string) => `${server.wsUrl}/v3/ws?${QUERY}&${q}`;
    try {
      const pieces: Uint8Array[] = [];
      for (let i = 0; i < AAC.length; i += 1000) pieces.push(AAC.subarray(i, i + 1000));
      const heard = await transcript(new TestClient(ws("encoding=aac")), pieces);
      ok(/weather/.test(heard) && /boston/.test(heard), heard);

      const junk = new TestClient(ws("encoding=aac"));
      await junk.waitFor("Begin");
      junk.send(new Uint8Array(4000).fill(7));
      junk.send(JSON.stringify({ type: "Terminate" }));
      const closed = await junk.closed;
      strictEqual(closed.code, 3006);
      const error = junk.messages.find((m) => m.type === "Error");
      ok(error && /malformed AAC stream/.test(String(error.error)), JSON.stringify(error));
    } finally {
      await server.stop();
    }
  },
});
