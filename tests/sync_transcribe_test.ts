// The sync API (POST /transcribe, /readyz) end to end: a real HTTP client against the real server
// (src/serve.ts) with the shipped models; the ASR side's readiness and the deadline through the
// gateway in-process with a transport double.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { startServer } from "../tools/server.ts";
import { fixture } from "./helpers/wav.ts";
import { finalTurnsOf } from "./helpers/ws_client.ts";
import type { AsrTransport } from "../src/asr/transport.ts";
import { createGateway } from "../src/gateway/app.ts";
import { Authenticator } from "../src/gateway/auth.ts";
import { TemporaryTokens } from "../src/gateway/temp_tokens.ts";
import { createLogger } from "../src/log.ts";
import { DEFAULT_SYNC_LIMITS } from "../src/sync/routes.ts";

const WEATHER = Deno.readFileSync(new URL("./fixtures/weather.wav", import.meta.url));
const WEATHER_PCM = fixture("weather.wav").data; // 16 kHz mono S16LE
const AUTH = { Authorization: "self-hosted" };

interface FormPart {
  name: string;
  data: Uint8Array | string;
  type?: string;
  filename?: string;
}

/** A multipart/form-data body written out by hand, so each test controls every byte. */
function form(parts: FormPart[]): { body: Uint8Array<ArrayBuffer>; contentType: string } {
  const boundary = `earshot-${crypto.randomUUID()}`;
  const enc = new TextEncoder();
  const chunks: Uint8Array[] = [];
  for (const p of parts) {
    const filename = p.filename ? `; filename="${p.filename}"` : "";
    const type = p.type ? `\r\nContent-Type: ${p.type}` : "";
    chunks.push(
      enc.encode(
        `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"${filename}${type}\r\n\r\n`,
      ),
    );
    chunks.push(typeof p.data === "string" ? enc.encode(p.data) : p.data);
    chunks.push(enc.encode("\r\n"));
  }
  chunks.push(enc.encode(`--${boundary}--\r\n`));
  const body = new Uint8Array(chunks.reduce((n, c) => n + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) (body.set(c, at), at += c.byteLength);
  return { body, contentType: `multipart/form-data; boundary=${boundary}` };
}

async function post(
  url: string,
  parts: FormPart[],
  headers: Record<string, string> = AUTH,
): Promise<{ status: number; json: Record<string, unknown>; type: string | null }> {
  const { body, contentType } = form(parts);
  const res = await fetch(`${url}/transcribe`, {
    method: "POST",
    headers: { "content-type": contentType, ...headers },
    body,
  });
  return { status: res.status, type: res.headers.get("content-type"), json: await res.json() };
}

const wavPart = (data: Uint8Array = WEATHER): FormPart => ({
  name: "audio",
  data,
  type: "audio/wav",
  filename: "a.wav",
});
const configPart = (config: unknown): FormPart => ({
  name: "config",
  data: typeof config === "string" ? config : JSON.stringify(config),
  type: "application/json",
});

/** Lower-case words without punctuation: the formatted text compared with the streaming words. */
const plainWords = (text: string) =>
  text.toLowerCase().replace(/[^\p{L}\p{N}' ]/gu, "").split(/\s+/).filter(Boolean);

function expectProblem(
  r: { status: number; json: Record<string, unknown>; type: string | null },
  status: number,
  title: string,
) {
  strictEqual(r.status, status, JSON.stringify(r.json));
  strictEqual(r.type, "application/problem+json");
  strictEqual(r.json.status, status);
  strictEqual(r.json.title, title);
  ok(typeof r.json.detail === "string" && r.json.detail.length > 0, "a detail saying what was wrong");
}

/** 16-bit WAV bytes around PCM frames (the header fields the tests vary). */
function wav(pcm: Uint8Array, o: { rate?: number; channels?: number; bits?: number; format?: number } = {}) {
  const rate = o.rate ?? 16000, channels = o.channels ?? 1, bits = o.bits ?? 16, format = o.format ?? 1;
  const out = new Uint8Array(44 + pcm.byteLength);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => [...s].forEach((ch, i) => (out[at + i] = ch.charCodeAt(0)));
  put(0, "RIFF"), v.setUint32(4, 36 + pcm.byteLength, true), put(8, "WAVE");
  put(12, "fmt "), v.setUint32(16, 16, true), v.setUint16(20, format, true), v.setUint16(22, channels, true);
  v.setUint32(24, rate, true), v.setUint32(28, rate * channels * bits / 8, true);
  v.setUint16(32, channels * bits / 8, true), v.setUint16(34, bits, true);
  put(36, "data"), v.setUint32(40, pcm.byteLength, true), out.set(pcm, 44);
  return out;
}

Deno.test({
  name: "sync: POST /transcribe against the real server",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const server = await startServer();
    try {
      await t.step("GET /readyz is 200 once the models are warm", async () => {
        const res = await fetch(`${server.url}/readyz`);
        strictEqual(res.status, 200);
        deepStrictEqual(await res.json(), { status: "ready" });
      });

      await t.step(
        "a WAV file gives the words the streaming path hears, formatted, with timings",
        async () => {
          const r = await post(server.url, [wavPart(), configPart({ language_code: "en" })]);
          strictEqual(r.status, 200, JSON.stringify(r.json));
          const streamed = await finalTurnsOf(
            server.wsUrl,
            new URLSearchParams({ sample_rate: "16000", speech_model: "universal-streaming-english" }),
            fixture("weather.wav"),
          );
          const streamedWords = streamed.map((m) => m.transcript).join(" ").split(/\s+/).filter(Boolean);
          ok(streamedWords.includes("weather"), `streaming heard: ${streamedWords.join(" ")}`);
          deepStrictEqual(plainWords(r.json.text as string), streamedWords);
          strictEqual(r.json.text, "What is the weather like in Boston today?");
          const words = r.json.words as { text: string; start: number; end: number; confidence: number }[];
          deepStrictEqual(words.map((w) => w.text).join(" "), r.json.text);
          for (const [i, w] of words.entries()) {
            ok(Number.isInteger(w.start) && Number.isInteger(w.end) && w.start <= w.end, JSON.stringify(w));
            ok(i === 0 || w.start >= words[i - 1].end, "words in order");
            ok(w.confidence >= 0 && w.confidence <= 1);
          }
          ok(words.at(-1)!.end <= 3663);
          strictEqual(r.json.audio_duration_ms, 3663);
          strictEqual(r.json.language_code, "en");
          ok(typeof r.json.confidence === "number" && r.json.confidence > 0.5);
          ok(/^[0-9a-f-]{36}$/.test(r.json.session_id as string));
          ok(typeof r.json.request_time_ms === "number" && r.json.request_time_ms > 0);
          ok(!("warning" in r.json), "no warning when everything asked for was done");
        },
      );

      await t.step("raw S16LE PCM (no WAV header) is read as 16 kHz mono", async () => {
        const r = await post(server.url, [{ name: "audio", data: WEATHER_PCM, type: "audio/pcm" }]);
        strictEqual(r.status, 200, JSON.stringify(r.json));
        strictEqual(r.json.text, "What is the weather like in Boston today?");
        strictEqual(r.json.audio_duration_ms, 3663);
      });

      await t.step("a non-English language_code takes the multilingual model", async () => {
        const hola = Deno.readFileSync(new URL("./fixtures/hola_es.wav", import.meta.url));
        const r = await post(server.url, [wavPart(hola), configPart({ language_code: "es" })]);
        strictEqual(r.status, 200, JSON.stringify(r.json));
        strictEqual(r.json.language_code, "es");
        ok(plainWords(r.json.text as string).includes("hola"), r.json.text as string);
      });

      await t.step("prompt is answered with a warning; word_boost is taken", async () => {
        const r = await post(server.url, [
          wavPart(),
          configPart({ prompt: "Transcribe verbatim.", word_boost: ["Boston"], unknown_field: 1 }),
        ]);
        strictEqual(r.status, 200, JSON.stringify(r.json));
        ok(/prompt was ignored/.test(r.json.warning as string), `warning: ${r.json.warning}`);
        ok((r.json.text as string).includes("Boston"), r.json.text as string);
      });

      await t.step("400: config that is not JSON", async () => {
        expectProblem(await post(server.url, [wavPart(), configPart("{language_code:")]), 400, "Bad Request");
      });
      await t.step("400: an unsupported language_code and a word_boost that is not a list", async () => {
        expectProblem(
          await post(server.url, [wavPart(), configPart({ language_code: "tlh" })]),
          400,
          "Bad Request",
        );
        expectProblem(
          await post(server.url, [wavPart(), configPart({ word_boost: "Boston" })]),
          400,
          "Bad Request",
        );
      });
      await t.step("400: audio under MIN_AUDIO_DURATION_MS (50 ms)", async () => {
        const r = await post(server.url, [wavPart(wav(WEATHER_PCM.slice(0, 1600)))]);
        expectProblem(r, 400, "Audio Too Short");
        ok((r.json.detail as string).includes("50 ms"));
      });
      await t.step("400: no audio part, a malformed multipart body, a WAV without data", async () => {
        expectProblem(await post(server.url, [configPart({})]), 400, "Bad Request");
        const res = await fetch(`${server.url}/transcribe`, {
          method: "POST",
          headers: { "content-type": "multipart/form-data; boundary=xyz", ...AUTH },
          body: '--xyz\r\nContent-Disposition: form-data; name="audio"\r\n\r\nnever closed',
        });
        expectProblem(
          { status: res.status, type: res.headers.get("content-type"), json: await res.json() },
          400,
          "Bad Request",
        );
        expectProblem(await post(server.url, [wavPart(WEATHER.slice(0, 36))]), 400, "Bad Audio");
      });
      await t.step("415: MP3, mu-law and 8-bit WAV, a body that is not multipart", async () => {
        const mp3 = new Uint8Array([0x49, 0x44, 0x33, 3, 0, 0, 0, 0, 0, 0, ...new Uint8Array(4000)]);
        expectProblem(
          await post(server.url, [{ name: "audio", data: mp3, filename: "a.mp3" }]),
          415,
          "Unsupported Media Type",
        );
        expectProblem(
          await post(server.url, [{ name: "audio", data: new Uint8Array(8000), type: "audio/mpeg" }]),
          415,
          "Unsupported Media Type",
        );
        const mulaw = Deno.readFileSync(new URL("./fixtures/thanks_8k_mulaw.wav", import.meta.url));
        expectProblem(await post(server.url, [wavPart(mulaw)]), 415, "Unsupported Media Type");
        expectProblem(
          await post(server.url, [wavPart(wav(WEATHER_PCM.slice(0, 16000), { bits: 8 }))]),
          415,
          "Unsupported Media Type",
        );
        const res = await fetch(`${server.url}/transcribe`, {
          method: "POST",
          headers: { "content-type": "audio/wav", ...AUTH },
          body: WEATHER,
        });
        expectProblem(
          { status: res.status, type: res.headers.get("content-type"), json: await res.json() },
          415,
          "Unsupported Media Type",
        );
      });
      await t.step("401: no Authorization (any non-empty value passes without API_KEYS_FILE)", async () => {
        expectProblem(await post(server.url, [wavPart()], {}), 401, "Unauthorized");
      });
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name: "sync: API keys, request size, audio length and the inference deadline",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn(t) {
    const keys = await Deno.makeTempFile({ suffix: ".keys" });
    await Deno.writeTextFile(keys, "good-key\n");
    const server = await startServer({
      API_KEYS_FILE: keys,
      MAX_REQUEST_BYTES: "200000",
      MAX_AUDIO_DURATION_MS: "2000",
    });
    const good = { Authorization: "good-key" };
    try {
      await t.step(
        "401: a key not in API_KEYS_FILE; a Bearer key or a temporary ?token= gets past",
        async () => {
          expectProblem(
            await post(server.url, [wavPart()], { Authorization: "bad-key" }),
            401,
            "Unauthorized",
          );
          expectProblem(await post(server.url, [wavPart()], {}), 401, "Unauthorized");
          // Past authentication the 3.7 s fixture meets the 2 s limit: 413, not 401.
          strictEqual(
            (await post(server.url, [wavPart()], { Authorization: "Bearer good-key" })).status,
            413,
          );
          const minted = await fetch(`${server.url}/v3/token?expires_in_seconds=60`, { headers: good });
          const { token } = await minted.json();
          const { body, contentType } = form([wavPart()]);
          const res = await fetch(`${server.url}/transcribe?token=${token}`, {
            method: "POST",
            headers: { "content-type": contentType },
            body,
          });
          strictEqual(res.status, 413, await res.text());
        },
      );
      await t.step("413: Content-Length over MAX_REQUEST_BYTES", async () => {
        const r = await post(server.url, [{
          name: "audio",
          data: new Uint8Array(300_000),
          type: "audio/pcm",
        }], good);
        expectProblem(r, 413, "Audio Too Large");
        // Refused on the declared length, before the body was read.
        ok(
          /request body of \d+ bytes exceeds limit 200000/.test(r.json.detail as string),
          r.json.detail as string,
        );
      });
      await t.step("413: a chunked upload (no Content-Length) counted as it is read", async () => {
        const { body, contentType } = form([{
          name: "audio",
          data: new Uint8Array(300_000),
          type: "audio/pcm",
        }]);
        const stream = new ReadableStream<Uint8Array>({
          start(c) {
            for (let at = 0; at < body.length; at += 16_384) c.enqueue(body.slice(at, at + 16_384));
            c.close();
          },
        });
        const res = await fetch(`${server.url}/transcribe`, {
          method: "POST",
          headers: { "content-type": contentType, ...good },
          body: stream,
        });
        const json = await res.json();
        expectProblem(
          { status: res.status, type: res.headers.get("content-type"), json },
          413,
          "Audio Too Large",
        );
        strictEqual(json.detail, "request body exceeds limit 200000 bytes (MAX_REQUEST_BYTES)");
      });
      await t.step("413: audio over MAX_AUDIO_DURATION_MS (3.7 s against 2 s)", async () => {
        const r = await post(server.url, [wavPart()], good);
        expectProblem(r, 413, "Audio Too Large");
        ok((r.json.detail as string).includes("3663 ms"));
      });
    } finally {
      await server.stop();
      await Deno.remove(keys);
    }
    // 1 ms: no request reaches the end of decoding in time, so the 504 is certain (a server of its
    // own, so that the refusals above cannot race the deadline).
    const hurried = await startServer({ INFERENCE_TIMEOUT_SECONDS: "0.001" });
    try {
      await t.step("504: the request outlives INFERENCE_TIMEOUT_SECONDS", async () => {
        const audio = { name: "audio", data: WEATHER_PCM.slice(0, 32000), type: "audio/pcm" };
        expectProblem(await post(hurried.url, [audio]), 504, "Inference Timeout");
      });
    } finally {
      await hurried.stop();
    }
  },
});

Deno.test("sync: /readyz is 503 until the ASR side is warm, and /transcribe refuses meanwhile", async () => {
  let ready = false;
  const opened: string[] = [];
  const transport: AsrTransport = {
    name: "double",
    open(route) {
      opened.push(route);
      return { send() {}, close() {} };
    },
  };
  const tokens = new TemporaryTokens();
  const gateway = createGateway({
    transport,
    auth: new Authenticator(tokens),
    tokens,
    log: createLogger({ service: "test", level: "error", structured: false }),
    maxSessionsPerKey: 10,
    maxSessionSeconds: 60,
    rateBurstSeconds: 5,
    isReady: () => ready,
    sync: DEFAULT_SYNC_LIMITS,
  });
  const readyz = () => gateway.app.request("/readyz");
  strictEqual((await readyz()).status, 503);
  deepStrictEqual(await (await readyz()).json(), { status: "not_ready" });
  const { body, contentType } = form([wavPart()]);
  const res = await gateway.app.request("/transcribe", {
    method: "POST",
    headers: { "content-type": contentType, ...AUTH },
    body,
  });
  strictEqual(res.status, 503);
  strictEqual((await res.json()).title, "Service Unavailable");
  deepStrictEqual(opened, [], "no stream opened before ready");
  ready = true;
  strictEqual((await readyz()).status, 200);
  strictEqual((await gateway.app.request("/healthz")).status, 200);
});
