// `deno task bench [asr|settle|gateway|load|soak|all] [--flag value ...]`: prints figures (no pass/fail);
// `all` (the default) runs the five in turn and reproduces the README's figures (about 25 min).
// JSON under bench/results/. Flags per benchmark: see settleOptions, gatewayOptions, loadOptions, soakOptions.
import { benchAsr } from "./asr.ts";
import { Flags } from "./flags.ts";

const what = Deno.args[0] ?? "all";
const flags = new Flags(Deno.args.slice(1));
const results: Record<string, unknown> = {
  date: new Date().toISOString(),
  cpus: navigator.hardwareConcurrency,
};
if (what === "asr" || what === "all") {
  results.asr = await benchAsr({ streams: [1, 8, 32, 64], pacedFraction: 0.5 });
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
flags.assertAllRead();
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
await Deno.writeTextFile(
  new URL(`./results/${what}.json`, import.meta.url),
  JSON.stringify(results, null, 2) + "\n",
);
Deno.exit(0);
