// `deno task parity DIR [--sets a,b] [--model MODEL_DIR]`: every utterance of the evaluation sets under DIR (made by
// models/recipe/eval_prep.py) through Earshot's engine and through sherpa-onnx on the same shipped
// model (en-default; ml-default for the multilingual sets), both greedy, one turn per utterance.
// Prints per set how many token sequences are identical with times within one output frame, and
// each engine's greedy WER; lists the first differences; exits 1 if any utterance differs.
// --model runs every set on another model directory instead.
import { decodePcm16 } from "../engine/pcm.ts";
import { readWav } from "../client/wav.ts";
import { EarshotGreedy, frameSeconds, SherpaGreedy, type Token, tokenMismatch } from "./parity.ts";
import { WerCounter } from "./wer.ts";

const args = [...Deno.args];
const setsIndex = args.indexOf("--sets");
const onlySets = setsIndex >= 0 ? new Set(args.splice(setsIndex, 2)[1].split(",")) : undefined;
const modelIndex = args.indexOf("--model");
const givenModel = modelIndex >= 0 ? args.splice(modelIndex, 2)[1] : undefined;
const dir = args[0];
if (!dir) {
  console.error("usage: deno task parity DIR [--sets a,b] [--model MODEL_DIR]");
  Deno.exit(2);
}
const MODELS = new URL("../../models/", import.meta.url).pathname;

/** Word-piece tokens as words; language tags ("<en>") are not words. */
function text(tokens: readonly Token[]): string {
  return tokens.map((t) => t[0]).join("").replace(/<[a-z]{2}>/g, "").replaceAll("\u2581", " ").trim();
}

let differing = 0;
for await (const entry of Deno.readDir(dir)) {
  if (!entry.isDirectory || (onlySets && !onlySets.has(entry.name))) continue;
  const setDir = `${dir}/${entry.name}`;
  const items = (await Deno.readTextFile(`${setDir}/manifest.jsonl`)).trim().split("\n").map((l) =>
    JSON.parse(l)
  );
  const modelDir = givenModel ?? `${MODELS}${items.some((it) => it.language) ? "ml-default" : "en-default"}`;
  const earshot = await EarshotGreedy.open(modelDir);
  const sherpa = new SherpaGreedy(earshot.model);
  const ourWer = new WerCounter(), theirWer = new WerCounter();
  const differences: string[] = [];
  try {
    for (const item of items) {
      const wav = readWav(await Deno.readFile(`${setDir}/${item.audio}`));
      if (wav.sampleRate !== 16000) {
        throw new Error(`${setDir}/${item.audio}: ${wav.sampleRate} Hz, not 16000`);
      }
      const ours = await earshot.tokens(wav.data);
      const theirs = sherpa.tokens(decodePcm16(wav.data));
      ourWer.add(item.text, text(ours));
      theirWer.add(item.text, text(theirs));
      const mismatch = tokenMismatch(ours, theirs, frameSeconds(earshot.model));
      if (mismatch) differences.push(`${item.audio}: ${mismatch}`);
    }
  } finally {
    await earshot.release();
  }
  differing += differences.length;
  const pct = (w: WerCounter) => `${(100 * w.wer).toFixed(2)}%`;
  console.log(
    `${entry.name}: ${items.length - differences.length} of ${items.length} utterances identical ` +
      `(tokens, times within one frame); greedy WER Earshot ${pct(ourWer)}, sherpa-onnx ${pct(theirWer)}`,
  );
  for (const line of differences.slice(0, 5)) console.log(`  ${line}`);
}
if (differing) Deno.exit(1);
