// `deno task models add` against a local HTTP server with archives the test builds (never the
// internet): an Earshot model and a model of each family as the sherpa-onnx zoo packs it (no
// model.json) install; a transducer of no family it serves, a wrong checksum, a missing archive and
// something that is no archive are refused with what went wrong, installing nothing.
import { ok, strictEqual } from "node:assert/strict";
import { freePort } from "../src/stack/config.ts";
import { SILERO_VAD_PATH } from "../src/engine/vad.ts";

const ROOT = new URL("../", import.meta.url).pathname;
const SHIPPED = `${ROOT}models/en-default`;
/** A small stand-in for a zoo NeMo streaming CTC model (src/engine/testdata/make_nemo_ctc_fixture.py). */
const NEMO_EXPORT = `${ROOT}src/engine/testdata/nemo-streaming-ctc-80ms-fixture`;
const ZOO_NAME = "sherpa-onnx-nemo-streaming-fast-conformer-ctc-test-80ms-int8";
/** A small stand-in for a zoo Zipformer CTC model (src/engine/testdata/make_zipformer_ctc_fixture.py). */
const ZIPFORMER_CTC = `${ROOT}src/engine/testdata/zipformer-ctc-fixture`;
const ZIPFORMER_ONNX = "ctc-epoch-30-avg-3-chunk-16-left-128.onnx";
const ZIPFORMER_ZOO_NAME = "sherpa-onnx-streaming-zipformer-ctc-test-2024-03-18";
/** A small stand-in for a zoo Zipformer transducer (src/engine/testdata/make_zipformer_transducer_fixture.py). */
const ZIPFORMER_TRANSDUCER = `${ROOT}src/engine/testdata/zipformer-transducer-fixture`;
const TRANSDUCER_ZOO_NAME = "sherpa-onnx-streaming-zipformer-en-test-2023-06-26";
/** A small stand-in for a zoo NeMo streaming transducer (src/engine/testdata/make_nemo_transducer_fixture.py). */
const NEMO_TRANSDUCER = `${ROOT}src/engine/testdata/nemo-streaming-transducer-80ms-fixture`;
const NEMO_TRANSDUCER_ZOO_NAME = "sherpa-onnx-nemo-streaming-fast-conformer-transducer-en-test";

async function tarball(
  dir: string,
  name: string,
  files: Record<string, string | Uint8Array>,
): Promise<string> {
  const src = `${dir}/src/${name}`;
  await Deno.mkdir(src, { recursive: true });
  for (const [file, content] of Object.entries(files)) {
    if (typeof content === "string") await Deno.writeTextFile(`${src}/${file}`, content);
    else await Deno.writeFile(`${src}/${file}`, content);
  }
  const archive = `${dir}/www/${name}.tar.gz`;
  await Deno.mkdir(`${dir}/www`, { recursive: true });
  const out = await new Deno.Command("tar", { args: ["-czf", archive, "-C", `${dir}/src`, name] }).output();
  ok(out.success, "tar made the archive");
  return archive;
}

async function modelsAdd(...args: string[]): Promise<{ code: number; text: string }> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "src/models/main.ts", "add", ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
  return { code: out.code, text };
}

async function sha256(path: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", await Deno.readFile(path));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

Deno.test({
  name: "models add: fetches, checks, unpacks and installs only what the engine can load",
  sanitizeResources: false,
  sanitizeOps: false,
  async fn() {
    const dir = await Deno.makeTempDir();
    const installed = `${dir}/models`;
    const files: Record<string, Uint8Array> = {};
    for (const f of ["model.json", "model.onnx", "tokens.txt", "lm.bin", "words.txt"]) {
      files[f] = await Deno.readFile(`${SHIPPED}/${f}`);
    }
    const good = await tarball(dir, "my-english", files);
    await tarball(dir, ZOO_NAME, {
      "model.int8.onnx": await Deno.readFile(`${NEMO_EXPORT}/model.onnx`),
      "tokens.txt": await Deno.readFile(`${NEMO_EXPORT}/tokens.txt`),
    });
    // as the zoo ships it: the float and the int8 model side by side
    await tarball(dir, ZIPFORMER_ZOO_NAME, {
      [ZIPFORMER_ONNX]: await Deno.readFile(`${ZIPFORMER_CTC}/${ZIPFORMER_ONNX}`),
      [ZIPFORMER_ONNX.replace(".onnx", ".int8.onnx")]: await Deno.readFile(
        `${ZIPFORMER_CTC}/${ZIPFORMER_ONNX}`,
      ),
      "tokens.txt": await Deno.readFile(`${ZIPFORMER_CTC}/tokens.txt`),
    });
    const part = (name: string) => `${name}-epoch-99-avg-1-chunk-16-left-128.onnx`;
    await tarball(dir, TRANSDUCER_ZOO_NAME, {
      [part("encoder")]: await Deno.readFile(`${ZIPFORMER_TRANSDUCER}/${part("encoder")}`),
      [part("decoder")]: await Deno.readFile(`${ZIPFORMER_TRANSDUCER}/${part("decoder")}`),
      [part("joiner")]: await Deno.readFile(`${ZIPFORMER_TRANSDUCER}/${part("joiner")}`),
      "tokens.txt": await Deno.readFile(`${ZIPFORMER_TRANSDUCER}/tokens.txt`),
    });
    await tarball(dir, NEMO_TRANSDUCER_ZOO_NAME, {
      "encoder.onnx": await Deno.readFile(`${NEMO_TRANSDUCER}/encoder.onnx`),
      "decoder.onnx": await Deno.readFile(`${NEMO_TRANSDUCER}/decoder.onnx`),
      "joiner.onnx": await Deno.readFile(`${NEMO_TRANSDUCER}/joiner.onnx`),
      "tokens.txt": await Deno.readFile(`${NEMO_TRANSDUCER}/tokens.txt`),
    });
    await tarball(dir, "sherpa-onnx-offline-transducer-test", {
      // a readable ONNX model of neither streaming family (Silero VAD's) as a transducer's encoder
      "encoder.onnx": await Deno.readFile(SILERO_VAD_PATH),
      "decoder.onnx": "x",
      "joiner.onnx": "x",
      "tokens.txt": "a 0",
    });
    await Deno.writeTextFile(`${dir}/www/not-an-archive.tar.gz`, "hello");
    const port = freePort();
    const server = Deno.serve({ port, hostname: "127.0.0.1", onListen: () => {} }, async (req) => {
      try {
        return new Response(await Deno.readFile(`${dir}/www${new URL(req.url).pathname}`));
      } catch {
        return new Response("no", { status: 404 });
      }
    });
    const url = (name: string) => `http://127.0.0.1:${port}/${name}`;
    try {
      const wrongSum = await modelsAdd(
        url("my-english.tar.gz"),
        "--dir",
        installed,
        "--sha256",
        "0".repeat(64),
      );
      strictEqual(wrongSum.code, 1);
      ok(wrongSum.text.includes("expected 0000"), wrongSum.text);

      const added = await modelsAdd(
        url("my-english.tar.gz"),
        "--dir",
        installed,
        "--sha256",
        await sha256(good),
      );
      strictEqual(added.code, 0, added.text);
      ok(added.text.includes(`installed ${installed}/my-english`), added.text);
      strictEqual((await Deno.stat(`${installed}/my-english/model.onnx`)).isFile, true);

      const again = await modelsAdd(url("my-english.tar.gz"), "--dir", installed);
      ok(again.code === 1 && again.text.includes("already exists"), again.text);

      const zoo = await modelsAdd(url(`${ZOO_NAME}.tar.gz`), "--dir", installed);
      strictEqual(zoo.code, 0, zoo.text);
      strictEqual((await Deno.stat(`${installed}/${ZOO_NAME}/model.int8.onnx`)).isFile, true);

      const zipformer = await modelsAdd(url(`${ZIPFORMER_ZOO_NAME}.tar.gz`), "--dir", installed);
      strictEqual(zipformer.code, 0, zipformer.text);
      strictEqual((await Deno.stat(`${installed}/${ZIPFORMER_ZOO_NAME}/${ZIPFORMER_ONNX}`)).isFile, true);

      const transducer = await modelsAdd(url(`${TRANSDUCER_ZOO_NAME}.tar.gz`), "--dir", installed);
      strictEqual(transducer.code, 0, transducer.text);

      const nemoTransducer = await modelsAdd(url(`${NEMO_TRANSDUCER_ZOO_NAME}.tar.gz`), "--dir", installed);
      strictEqual(nemoTransducer.code, 0, nemoTransducer.text);

      const offline = await modelsAdd(url("sherpa-onnx-offline-transducer-test.tar.gz"), "--dir", installed);
      ok(offline.code === 1 && /nothing installed: .*transducer/.test(offline.text), offline.text);

      const missing = await modelsAdd(url("nope.tar.gz"), "--dir", installed);
      ok(missing.code === 1 && missing.text.includes("HTTP 404"), missing.text);

      const junk = await modelsAdd(url("not-an-archive.tar.gz"), "--dir", installed);
      ok(junk.code === 1 && junk.text.includes("not an archive"), junk.text);

      const names = [...Deno.readDirSync(installed)].map((e) => e.name).sort();
      strictEqual(
        names.join(),
        [`my-english`, ZOO_NAME, ZIPFORMER_ZOO_NAME, TRANSDUCER_ZOO_NAME, NEMO_TRANSDUCER_ZOO_NAME].sort()
          .join(),
        "only the loadable models were installed",
      );
    } finally {
      await server.shutdown();
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test("models add: a name is a sherpa-onnx release archive; anything else must be a URL", async () => {
  const { archiveUrl, SHERPA_RELEASES } = await import("../src/models/add.ts");
  strictEqual(
    archiveUrl("sherpa-onnx-streaming-zipformer-en-2023-06-26"),
    `${SHERPA_RELEASES}/sherpa-onnx-streaming-zipformer-en-2023-06-26.tar.bz2`,
  );
  strictEqual(archiveUrl("https://example.org/m.tar.gz"), "https://example.org/m.tar.gz");
  let refused = "";
  try {
    archiveUrl("../etc");
  } catch (e) {
    refused = (e as Error).message;
  }
  ok(refused.includes("neither a model name nor a URL"), refused);
});
