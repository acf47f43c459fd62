// `deno task eval [DIR] [--url ws://host:port]`: streams every evaluation set under DIR (made by
// models/recipe/eval_prep.py: <set>/manifest.jsonl + WAV files) through the server's WebSocket
// API and prints WER per set. Without --url it starts the all-in-one server itself, with the
// real-time rate check relaxed so that evaluation runs faster than real time.
import { readWav } from "../../tests/helpers/wav.ts";
import { startServer } from "../../tests/helpers/server.ts";
import { WerCounter } from "./wer.ts";

const args = [...Deno.args];
const urlIndex = args.indexOf("--url");
const givenUrl = urlIndex >= 0 ? args.splice(urlIndex, 2)[1] : undefined;
const dir = args[0] ?? "/work/data/eval";
const PARALLEL = 8;

async function transcribe(baseUrl: string, wavPath: string): Promise<string> {
  const wav = readWav(await Deno.readFile(wavPath));
  const ws = new WebSocket(
    `${baseUrl}/v3/ws?sample_rate=${wav.sampleRate}&speech_model=universal-streaming-english`,
    {
      headers: { Authorization: "eval" },
    } as unknown as string[],
  );
  ws.binaryType = "arraybuffer";
  const finals: string[] = [];
  const done = new Promise<void>((resolve, reject) => {
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.type === "Turn" && m.end_of_turn && !m.turn_is_formatted) finals.push(m.transcript);
      if (m.type === "Error") reject(new Error(`${wavPath}: ${m.error}`));
    };
    ws.onclose = () => resolve();
  });
  await new Promise((r) => (ws.onopen = r));
  const chunk = wav.sampleRate / 10 * 2; // 100 ms
  for (let i = 0; i < wav.data.length; i += chunk) ws.send(wav.data.slice(i, i + chunk));
  ws.send(JSON.stringify({ type: "Terminate" }));
  await done;
  return finals.join(" ");
}

const server = givenUrl
  ? undefined
  : await startServer({ RATE_BURST_SECONDS: "100000", MAX_SESSIONS_PER_KEY: "1000" });
const baseUrl = givenUrl ?? server!.wsUrl;
const results: Record<string, { wer: number; words: number; sentences: number; sentence_accuracy: number }> =
  {};
try {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory) continue;
    const setDir = `${dir}/${entry.name}`;
    const items = (await Deno.readTextFile(`${setDir}/manifest.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const counter = new WerCounter();
    for (let i = 0; i < items.length; i += PARALLEL) {
      const batch = items.slice(i, i + PARALLEL);
      const hyps = await Promise.all(batch.map((it) => transcribe(baseUrl, `${setDir}/${it.audio}`)));
      batch.forEach((it, j) => counter.add(it.text, hyps[j]));
    }
    results[entry.name] = {
      wer: counter.wer,
      words: counter.words,
      sentences: counter.sentences,
      sentence_accuracy: counter.exactSentences / counter.sentences,
    };
    console.log(
      `${entry.name}: WER ${(counter.wer * 100).toFixed(2)}% over ${counter.words} words, ` +
        `${
          (100 * counter.exactSentences / counter.sentences).toFixed(1)
        }% of ${counter.sentences} utterances exact`,
    );
  }
} finally {
  await server?.stop();
}
console.log(JSON.stringify(results));
