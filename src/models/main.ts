// `deno task models add NAME|URL [--sha256 HEX] [--dir DIR]`: installs a model under models/ (see add.ts).
import { addModel, ModelInstallError } from "./add.ts";

const MODELS = new URL("../../models", import.meta.url).pathname;
const USAGE = "usage: deno task models add NAME|URL [--sha256 HEX] [--dir DIR]";

const [verb, source, ...rest] = Deno.args;
if (verb !== "add" || !source) {
  console.error(USAGE);
  Deno.exit(2);
}
const flag = (name: string) => {
  const i = rest.indexOf(`--${name}`);
  return i >= 0 ? rest[i + 1] : undefined;
};
try {
  const dir = await addModel({ source, sha256: flag("sha256"), modelsDir: flag("dir") ?? MODELS });
  console.log(
    `installed ${dir}; serve it with ROUTE_MODELS (deno task serve) or MODEL and ROUTES (deno task asr); README, "Serving a model of your own"`,
  );
} catch (e) {
  if (!(e instanceof ModelInstallError)) throw e;
  console.error(e.message);
  Deno.exit(1);
}
