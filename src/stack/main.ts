// `deno task stack`: the multi-process deployment on one machine (see src/stack/stack.ts).
// Ctrl-C stops everything at once; SIGTERM lets the gateway drain its sessions first.
import { loadStackConfig } from "./config.ts";
import { startStack } from "./stack.ts";

const config = loadStackConfig();
const stack = await startStack({ ...config, echo: (line) => console.log(line) });

const where = [
  `gateway      ${stack.gatewayUrl}/v3/ws`,
  `nginx        ${stack.nginxUrl} (routes on X-Model-Version)`,
  ...stack.english.map((c, i) => `${c.name}     127.0.0.1:${config.englishPorts[i]} (en-default, u3-pro)`),
  `asr-ml       127.0.0.1:${config.multilingualPort} (ml-default, model ${config.multilingualModel})`,
  stack.license ? `license      http://127.0.0.1:${config.licensePort}` : "license      none (unlicensed)",
];
for (const line of where) console.log(`[stack] ${line}`);
console.log("[stack] Ready to serve!");

let stopping = false;

// An ASR instance that dies is reported, not fatal: sessions fail over to the others.
for (const child of [...stack.english, stack.multilingual, stack.nginx]) {
  child.exited.then((code) => !stopping && console.error(`[stack] ${child.name} exited with ${code}`));
}

const stop = async (signal: Deno.Signal) => {
  if (stopping) return;
  stopping = true;
  console.log(`[stack] ${signal}: stopping`);
  await stack.stop(signal);
  Deno.exit(0);
};
Deno.addSignalListener("SIGINT", () => void stop("SIGINT"));
Deno.addSignalListener("SIGTERM", () => void stop("SIGTERM"));
stack.gateway.exited.then((code) => {
  if (stopping) return;
  console.error(`[stack] gateway exited with ${code}; stopping`);
  void stop("SIGTERM");
});
