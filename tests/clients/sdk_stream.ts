// Streams a WAV file through the official AssemblyAI JS SDK (unmodified) and prints every event
// as a JSON line. Run with DENO_CERT pointing at the test CA: the SDK only connects over wss://.
// Usage: deno run -A sdk_stream.ts <wss base url> <wav file> [api key | token:<token>]
import { AssemblyAI } from "assemblyai";
import { chunks, readWav } from "../../src/client/wav.ts";

const [baseUrl, wavPath, credential = "self-hosted"] = Deno.args;
const wav = readWav(Deno.readFileSync(wavPath));
const auth = credential.startsWith("token:") ? { token: credential.slice(6) } : { apiKey: credential };
const client = new AssemblyAI({ apiKey: "unused", streamingBaseUrl: baseUrl.replace(/^wss/, "https") });
const transcriber = client.streaming.transcriber({
  ...auth,
  websocketBaseUrl: `${baseUrl}/v3/ws`,
  sampleRate: wav.sampleRate,
  speechModel: "universal-streaming-english",
  formatTurns: true,
});
const print = (event: string, data: unknown) => console.log(JSON.stringify({ event, data }));
transcriber.on("open", (e) => print("open", e));
transcriber.on("turn", (e) => print("turn", e));
transcriber.on("error", (e) => print("error", String(e)));
transcriber.on("close", (code, reason) => print("close", { code, reason }));
await transcriber.connect();
for (const chunk of chunks(wav, 50)) {
  transcriber.sendAudio(chunk.buffer as ArrayBuffer);
  await new Promise((r) => setTimeout(r, 50));
}
await transcriber.close(true);
print("done", null);
