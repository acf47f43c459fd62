// `deno task bench [asr|settle|gateway|load|soak|all|gpu|cpuside] [--flag value ...]`: prints
// figures (no pass/fail); `all` (the default) runs the first five in turn and reproduces the
// README's figures (about 25 min); `gpu` runs on a machine with a GPU (bench/gpu.sh); `cpuside`
// times a model worker's CPU work per part. JSON under bench/results/. Flags per benchmark: see
// asrOptions, settleOptions, gatewayOptions, loadOptions, soakOptions, gpuOptions,
// cpuSideOptions.
import { Flags } from "./flags.ts";

const what = Deno.args[0] ?? "all";
const flags = new Flags(Deno.args.slice(1));
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpus: navigator.hardwareConcurrency,
};
if (what === "asr" || what === "all") {
  // imported when asked for, as the others: a GPU machine's kit may lack sherpa-onnx
  const { asrOptions, benchAsr } = await import("./asr.ts");
  results.asr = await benchAsr(asrOptions(flags));
}
if (what === "settle" || what === "all") {
  const { benchSettle, settleOptions } = await import("./settle.ts");
  results.settle = await benchSettle(settleOptions(flags));
}
if (what === "gateway" || what === "all") {
  const { benchGateway, gatewayOptions } = await import("./gateway.ts");
  results.gateway = await benchGateway(gatewayOptions(flags));
}
if (what === "load" || what === "all") {
  const { benchLoad, loadOptions } = await import("./load.ts");
  results.load = await benchLoad(loadOptions(flags));
}
if (what === "soak" || what === "all") {
  const { benchSoak, soakOptions } = await import("./soak.ts");
  const o = soakOptions(flags);
  // In `all`, the soak runs at its fraction of the capacity the load ramp just found.
  const capacity = (results.load as { capacity?: number } | undefined)?.capacity;
  if (o.sessions === undefined && capacity) o.sessions = Math.max(1, Math.round(capacity * o.fraction));
  results.soak = await benchSoak(o);
}
if (what === "cpuside") {
  const { benchCpuSide, cpuSideOptions } = await import("./cpu_side.ts");
  results.cpuside = await benchCpuSide(cpuSideOptions(flags));
}
if (what === "gpu") {
  const { benchGpu, gpuOptions } = await import("./gpu.ts");
  results.gpu = await benchGpu(gpuOptions(flags));
}
flags.assertAllRead();
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
// Another model's ASR rows go beside the shipped model's, not over them.
const model = flags.string("model");
const name = what === "asr" && model ? `asr-${model.replace(/\/+$/, "").split("/").pop()}` : what;
await Deno.writeTextFile(
  new URL(`./results/${name}.json`, import.meta.url),
  JSON.stringify(results, null, 2) + "\n",
);
Deno.exit(0);
