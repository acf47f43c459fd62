// `deno task eval DIR [--url ws://host:port] [--record MODEL] [--sets a,b] [--hyps FILE]`: streams every evaluation set under DIR (made by
// models/recipe/eval_prep.py: <set>/manifest.jsonl + WAV files) through the server's WebSocket
// API and prints WER per set. Without --url it starts the all-in-one server itself, with the
// real-time rate check relaxed so that evaluation runs faster than real time.
// Rows that name a `language` (the multilingual sets) go to the multilingual model with
// language_detection on, and the set also reports language identification accuracy: the share
// of utterances whose final turns name that language. --record MODEL writes the results into
// models/MODEL/model.json's `evaluation` block (other sets already there are kept), so the
// manifest's numbers are the server's. --sets limits the run to the named sets; --hyps FILE writes
// every utterance's reference and hypothesis as JSON lines, for error analysis. Each set's references
// are fingerprinted (./set_fingerprint.ts): --record stores it, and a run warns when the model's
// manifest recorded the set with other sentences.
import { V3Session } from "../client/v3_session.ts";
import { chunks, readWav } from "../client/wav.ts";
import { startServer } from "../../tools/server.ts";
import { fingerprintWarning, referencesFingerprint } from "./set_fingerprint.ts";
import { WerCounter } from "./wer.ts";

const args = [...Deno.args];
const urlIndex = args.indexOf("--url");
const givenUrl = urlIndex >= 0 ? args.splice(urlIndex, 2)[1] : undefined;
const recordIndex = args.indexOf("--record");
const recordModel = recordIndex >= 0 ? args.splice(recordIndex, 2)[1] : undefined;
const setsIndex = args.indexOf("--sets");
const onlySets = setsIndex >= 0 ? new Set(args.splice(setsIndex, 2)[1].split(",")) : undefined;
const hypsIndex = args.indexOf("--hyps");
const hypsFile = hypsIndex >= 0 ? args.splice(hypsIndex, 2)[1] : undefined;
const hypLines: string[] = [];
const dir = args[0];
if (!dir) {
  console.error(
    "usage: deno task eval DIR [--url ws://host:port] [--record MODEL] [--sets a,b] [--hyps FILE]",
  );
  Deno.exit(2);
}
const PARALLEL = 8;

interface Transcript {
  text: string;
  /** language_code of each final turn (multilingual sets only). */
  languages: string[];
}

async function transcribe(baseUrl: string, wavPath: string, multilingual: boolean): Promise<Transcript> {
  const wav = readWav(await Deno.readFile(wavPath));
  const query = multilingual
    ? "speech_model=universal-streaming-multilingual&language_detection=true"
    : "speech_model=universal-streaming-english";
  const session = new V3Session(`${baseUrl}/v3/ws?sample_rate=${wav.sampleRate}&${query}`, {
    headers: { Authorization: "eval" },
  });
  await session.opened();
  for (const chunk of chunks(wav, 100)) session.send(chunk);
  session.send(JSON.stringify({ type: "Terminate" }));
  await session.closed;
  const error = session.messages.find((m) => m.type === "Error");
  if (error) throw new Error(`${wavPath}: ${error.error}`);
  const finals = session.finalTurns();
  return {
    text: finals.map((t) => t.transcript).join(" "),
    languages: finals.flatMap((t) => t.language_code ? [String(t.language_code)] : []),
  };
}

const server = givenUrl
  ? undefined
  : await startServer({ RATE_BURST_SECONDS: "100000", MAX_SESSIONS_PER_KEY: "1000" });
const baseUrl = givenUrl ?? server!.wsUrl;
interface SetResult {
  wer: number;
  words: number;
  sentences: number;
  sentence_accuracy: number;
  language_accuracy?: number;
  references: string;
}
const results: Record<string, SetResult> = {};
const warnings: string[] = [];
try {
  for await (const entry of Deno.readDir(dir)) {
    if (!entry.isDirectory || (onlySets && !onlySets.has(entry.name))) continue;
    const setDir = `${dir}/${entry.name}`;
    const items = (await Deno.readTextFile(`${setDir}/manifest.jsonl`)).trim().split("\n").map((l) =>
      JSON.parse(l)
    );
    const multilingual = items.some((it) => it.language);
    const references = await referencesFingerprint(items.map((it) => it.text));
    // The server's default model for the set, unless the run records into another.
    const model = recordModel ?? (multilingual ? "ml-default" : "en-default");
    const recorded = (await readManifest(model))?.evaluation?.[entry.name]?.references;
    const warning = fingerprintWarning(entry.name, model, recorded, references);
    if (warning) warnings.push(warning);
    const counter = new WerCounter();
    let languageRight = 0;
    for (let i = 0; i < items.length; i += PARALLEL) {
      const batch = items.slice(i, i + PARALLEL);
      const hyps = await Promise.all(
        batch.map((it) => transcribe(baseUrl, `${setDir}/${it.audio}`, multilingual)),
      );
      batch.forEach((it, j) => {
        counter.add(it.text, hyps[j].text);
        const said = hyps[j].languages;
        const languages = multilingual ? { language: it.language, said } : {};
        hypLines.push(
          JSON.stringify({ set: entry.name, audio: it.audio, ref: it.text, hyp: hyps[j].text, ...languages }),
        );
        if (said.length && said.every((code) => code === it.language)) languageRight++;
      });
    }
    const languageAccuracy = multilingual ? languageRight / items.length : undefined;
    results[entry.name] = {
      wer: counter.wer,
      words: counter.words,
      sentences: counter.sentences,
      sentence_accuracy: counter.exactSentences / counter.sentences,
      ...(languageAccuracy === undefined ? {} : { language_accuracy: languageAccuracy }),
      references,
    };
    console.log(
      `${entry.name}: WER ${(counter.wer * 100).toFixed(2)}% over ${counter.words} words, ` +
        `${
          (100 * counter.exactSentences / counter.sentences).toFixed(1)
        }% of ${counter.sentences} utterances exact` +
        (languageAccuracy === undefined
          ? ""
          : `, language identified in ${(100 * languageAccuracy).toFixed(1)}%`),
    );
  }
} finally {
  await server?.stop();
}
console.log(JSON.stringify(results));
for (const warning of warnings) console.warn(`warning: ${warning}`);
if (hypsFile) await Deno.writeTextFile(hypsFile, hypLines.join("\n") + "\n");
if (recordModel) await recordInManifest(recordModel);

function manifestPath(model: string): URL {
  return new URL(`../../models/${model}/model.json`, import.meta.url);
}

async function readManifest(model: string) {
  try {
    return JSON.parse(await Deno.readTextFile(manifestPath(model)));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
}

async function recordInManifest(model: string): Promise<void> {
  const path = manifestPath(model);
  const manifest = JSON.parse(await Deno.readTextFile(path));
  // The server inherits this environment, so its decoder settings are the ones recorded.
  const decoder = [
    "ASR_DECODER",
    "ASR_BEAM",
    "ASR_LM_WEIGHT",
    "ASR_LM_BONUS",
    "ASR_LEXICON_PENALTY",
    "ASR_SETTLE_MARGIN",
    "ASR_LM_SENTENCE_START",
  ]
    .filter((k) => Deno.env.get(k)).map((k) => `${k}=${Deno.env.get(k)}`).join(" ") || "ASR_DECODER=auto";
  const command = `deno task eval (through the server, ${decoder})`;
  for (const [name, r] of Object.entries(results)) {
    manifest.evaluation[name] = {
      wer: Number(r.wer.toFixed(4)),
      words: r.words,
      utterances: r.sentences,
      ...(r.language_accuracy === undefined
        ? {}
        : { language_accuracy: Number(r.language_accuracy.toFixed(4)) }),
      references: r.references,
      command,
    };
  }
  await Deno.writeTextFile(path, JSON.stringify(manifest, null, 2));
  console.log(`recorded in ${path.pathname}`);
}
