// `deno task models add NAME|URL`: fetches a model archive (a sherpa-onnx release by its name, from
// its public release address, or any URL), checks it (its SHA-256 when given), unpacks it and
// installs it under models/ only when the engine can load it; otherwise it says what the archive
// holds and installs nothing.
import { loadModelDir, ModelError } from "../engine/model_dir.ts";

/** Where sherpa-onnx publishes its streaming ASR models. */
export const SHERPA_RELEASES = "https://github.com/k2-fsa/sherpa-onnx/releases/download/asr-models";

export interface AddOptions {
  /** A sherpa-onnx model name (e.g. sherpa-onnx-streaming-zipformer-en-2023-06-26) or an http(s) URL. */
  source: string;
  /** The directory models are installed in. */
  modelsDir: string;
  /** The archive's expected SHA-256 (hex), checked before it is unpacked. */
  sha256?: string;
}

export class ModelInstallError extends Error {
  override name = "ModelInstallError";
}

export function archiveUrl(source: string): string {
  if (/^https?:\/\//.test(source)) return source;
  if (!/^[\w.-]+$/.test(source)) throw new ModelInstallError(`"${source}" is neither a model name nor a URL`);
  return `${SHERPA_RELEASES}/${source}.tar.bz2`;
}

/** Installs the archive's model; returns its directory. */
export async function addModel(o: AddOptions): Promise<string> {
  const url = archiveUrl(o.source);
  const work = await Deno.makeTempDir({ prefix: "earshot-model-" });
  try {
    const archive = `${work}/archive`;
    const digest = await download(url, archive);
    if (o.sha256 && digest !== o.sha256.toLowerCase()) {
      throw new ModelInstallError(`${url} has SHA-256 ${digest}, expected ${o.sha256}`);
    }
    const unpacked = `${work}/unpacked`;
    await Deno.mkdir(unpacked);
    await unpack(archive, unpacked);
    const dir = modelRoot(unpacked);
    const name = dir === unpacked ? nameOf(url) : dir.slice(dir.lastIndexOf("/") + 1);
    try {
      await loadModelDir(dir);
    } catch (e) {
      if (e instanceof ModelError) {
        throw new ModelInstallError(`${url}: nothing installed: ${e.message.replace(`model ${dir}: `, "")}`);
      }
      throw e;
    }
    const target = `${o.modelsDir}/${name}`;
    if (exists(target)) throw new ModelInstallError(`${target} already exists; remove it first`);
    await Deno.mkdir(o.modelsDir, { recursive: true });
    await Deno.rename(dir, target).catch(() => copyDir(dir, target));
    return target;
  } finally {
    await Deno.remove(work, { recursive: true }).catch(() => {});
  }
}

async function download(url: string, path: string): Promise<string> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (e) {
    throw new ModelInstallError(`cannot fetch ${url}: ${(e as Error).message}`);
  }
  if (!res.ok || !res.body) {
    await res.body?.cancel();
    throw new ModelInstallError(`cannot fetch ${url}: HTTP ${res.status}`);
  }
  const bytes = new Uint8Array(await res.arrayBuffer());
  await Deno.writeFile(path, bytes);
  const digest = await crypto.subtle.digest("SHA-256", bytes);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** GNU tar recognises gzip, bzip2 and xz by their magic bytes. */
async function unpack(archive: string, into: string): Promise<void> {
  const out = await new Deno.Command("tar", { args: ["-xf", archive, "-C", into], stderr: "piped" }).output()
    .catch((e) => {
      throw new ModelInstallError(`cannot run tar to unpack the archive: ${(e as Error).message}`);
    });
  if (!out.success) {
    throw new ModelInstallError(
      `not an archive tar can unpack: ${new TextDecoder().decode(out.stderr).trim()}`,
    );
  }
}

/** The archive's one top-level directory, or the unpacked root when files lie there. */
function modelRoot(unpacked: string): string {
  const entries = [...Deno.readDirSync(unpacked)];
  return entries.length === 1 && entries[0].isDirectory ? `${unpacked}/${entries[0].name}` : unpacked;
}

function nameOf(url: string): string {
  const file = new URL(url).pathname.split("/").pop() ?? "model";
  return file.replace(/\.(tar\.(bz2|gz|xz)|tgz|tbz2)$/, "") || "model";
}

function exists(path: string): boolean {
  try {
    Deno.statSync(path);
    return true;
  } catch {
    return false;
  }
}

async function copyDir(from: string, to: string): Promise<void> {
  await Deno.mkdir(to, { recursive: true });
  for await (const e of Deno.readDir(from)) {
    if (e.isDirectory) await copyDir(`${from}/${e.name}`, `${to}/${e.name}`);
    else await Deno.copyFile(`${from}/${e.name}`, `${to}/${e.name}`);
  }
}
