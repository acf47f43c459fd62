// Streams a WAV file (PCM) or an Ogg Opus file (.opus: encoding ogg_opus, with session_heartbeat)
// through the official AssemblyAI JS SDK (unmodified) and prints every event as a JSON line. Run
// with DENO_CERT pointing at the test CA: the SDK only connects over wss://.
// Usage: deno run -A sdk_stream.ts <wss base url> <wav or opus file> [api key | token:<token>]
import { AssemblyAI } from "assemblyai";
import { chunks, readWav } from "../../src/client/wav.ts";

const [baseUrl, path, credential = "self-hosted"] = Deno.args;
const opus = path.endsWith(".opus");
const bytes = Deno.readFileSync(path);
const wav = opus ? undefined : readWav(bytes);
const auth = credential.startsWith("token:") ? { token: credential.slice(6) } : { apiKey: credential };
const client = new AssemblyAI({ apiKey: "unused", streamingBaseUrl: baseUrl.replace(/^wss/, "https") });
const transcriber = client.streaming.transcriber({
  ...auth,
  websocketBaseUrl: `${baseUrl}/v3/ws`,
  ...(wav ? { sampleRate: wav.sampleRate } : { encoding: "ogg_opus" as const, sessionHeartbeat: true }),
  speechModel: "universal-streaming-english",
  formatTurns: true,
});
const print = (event: string, data: unknown) => console.log(JSON.stringify({ event, data }));
transcriber.on("open", (e) => print("open", e));
transcriber.on("turn", (e) => print("turn", e));
transcriber.on("heartbeat", (e) => print("heartbeat", e));
transcriber.on("error", (e) => print("error", String(e)));
transcriber.on("close", (code, reason) => print("close", { code, reason }));
await transcriber.connect();
// PCM in 50 ms chunks; Ogg Opus in 1 kB pieces (about 0.4 s each at 24 kbit/s), both paced
const pieces = wav
  ? chunks(wav, 50)
  : Array.from({ length: Math.ceil(bytes.length / 1000) }, (_, i) => bytes.slice(i * 1000, (i + 1) * 1000));
for (const piece of pieces) {
  transcriber.sendAudio(piece.buffer as ArrayBuffer);
  await new Promise((r) => setTimeout(r, wav ? 50 : 300));
}
await transcriber.close(true);
print("done", null);
