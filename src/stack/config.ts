// `deno task stack` configuration from the environment, validated in one place. A port of 0 means
// "any free port", which is how tests run several stacks side by side.
import { existsSync } from "node:fs";
import { z } from "zod";
import { type Env, readEnv } from "../config/env.ts";

const MODELS = new URL("../../models/", import.meta.url).pathname;
const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const schema = z.object({
  /** Where the gateway listens; nginx and the ASR services stay on loopback. */
  STACK_HOST: z.string().default("127.0.0.1"),
  AAI_WSS_PORT: port(8080),
  STACK_NGINX_PORT: port(8090),
  /** First English ASR port; further replicas take the next ports. */
  STACK_ASR_ENGLISH_PORT: port(50051),
  STACK_ASR_MULTILINGUAL_PORT: port(50061),
  STACK_LICENSE_PORT: port(8091),
  STACK_ENGLISH_REPLICAS: z.coerce.number().int().min(1).max(8).default(1),
  STACK_ENGLISH_MODEL: z.string().default(`${MODELS}en-default`),
  STACK_MULTILINGUAL_MODEL: z.string().optional(),
  NGINX_BIN: z.string().optional(),
  LICENSE_FILE_PATH: z.string().optional(),
});

export interface StackConfig {
  host: string;
  gatewayPort: number;
  nginxPort: number;
  englishPorts: number[];
  multilingualPort: number;
  licensePort: number;
  englishModel: string;
  /** The shipped ml-default; a checkout without it runs the English model there. */
  multilingualModel: string;
  nginxBin: string;
  /** The license sidecar runs only when a license is configured. */
  withLicense: boolean;
}

export function freePort(hostname = "127.0.0.1"): number {
  const listener = Deno.listen({ port: 0, hostname });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

const orFree = (p: number) => (p === 0 ? freePort() : p);

export function loadStackConfig(env?: Env): StackConfig {
  const e = readEnv("stack", schema, env);
  const englishPorts = Array.from(
    { length: e.STACK_ENGLISH_REPLICAS },
    (_, i) => (e.STACK_ASR_ENGLISH_PORT === 0 ? freePort() : e.STACK_ASR_ENGLISH_PORT + i),
  );
  const shippedMultilingual = `${MODELS}ml-default`;
  return {
    host: e.STACK_HOST,
    gatewayPort: orFree(e.AAI_WSS_PORT),
    nginxPort: orFree(e.STACK_NGINX_PORT),
    englishPorts,
    multilingualPort: orFree(e.STACK_ASR_MULTILINGUAL_PORT),
    licensePort: orFree(e.STACK_LICENSE_PORT),
    englishModel: e.STACK_ENGLISH_MODEL,
    multilingualModel: e.STACK_MULTILINGUAL_MODEL ??
      (existsSync(`${shippedMultilingual}/model.json`) ? shippedMultilingual : e.STACK_ENGLISH_MODEL),
    nginxBin: e.NGINX_BIN ?? (existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : "nginx"),
    withLicense: !!e.LICENSE_FILE_PATH,
  };
}
