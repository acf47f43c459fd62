// A directory that is not an Earshot model is refused by loadModelDir with what it holds.
import { rejects } from "node:assert/strict";
import { loadModelDir, ModelError } from "./model_dir.ts";

const SHIPPED = new URL("../../models/en-default", import.meta.url).pathname;

async function dirWith(files: Record<string, Uint8Array | string>): Promise<string> {
  const dir = await Deno.makeTempDir();
  for (const [name, content] of Object.entries(files)) {
    if (typeof content === "string") await Deno.writeTextFile(`${dir}/${name}`, content);
    else await Deno.writeFile(`${dir}/${name}`, content);
  }
  return dir;
}

const refused = (dir: string, words: RegExp) =>
  rejects(() => loadModelDir(dir), (e) => e instanceof ModelError && words.test(e.message));

Deno.test("model family: what a directory without model.json holds is named, with what is expected", async () => {
  const empty = await dirWith({});
  await refused(empty, /no model\.json and 0 \.onnx files; expected an Earshot model directory/);
  const transducer = await dirWith({
    "encoder-epoch-99.onnx": "x",
    "decoder-epoch-99.onnx": "x",
    "joiner-epoch-99.onnx": "x",
  });
  await refused(transducer, /streaming transducer .*cannot run yet/);
  const nemo = await dirWith({
    "model.onnx": await Deno.readFile(`${SHIPPED}/model.onnx`),
    "tokens.txt": await Deno.readTextFile(`${SHIPPED}/tokens.txt`),
  });
  await refused(nemo, /NeMo cache-aware streaming CTC export, but model\.json is missing/);
  for (const dir of [empty, transducer, nemo]) await Deno.remove(dir, { recursive: true });
});
