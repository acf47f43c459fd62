// `deno task bench [asr|gateway|all]`: prints figures (no pass/fail); JSON under bench/results/.
import { benchAsr } from "./asr.ts";

const what = Deno.args[0] ?? "all";
const results: Record<string, unknown> = { date: new Date().toISOString(), cpus: navigator.hardwareConcurrency };
if (what === "asr" || what === "all") {
  results.asr = await benchAsr({ streams: [1, 8, 32, 64], pacedFraction: 0.5 });
}
if (what === "gateway" || what === "all") {
  const { benchGateway } = await import("./gateway.ts");
  results.gateway = await benchGateway();
}
await Deno.mkdir(new URL("./results/", import.meta.url), { recursive: true });
await Deno.writeTextFile(new URL(`./results/${what}.json`, import.meta.url), JSON.stringify(results, null, 2) + "\n");
Deno.exit(0);
