// The deployment topology on one machine, without Docker: nginx routing by X-Model-Version in front
// of the English and multilingual ASR services, the gateway behind it, and the license sidecar when
// a license is configured. Each part is its own process, started like its deno.json task.
import type { StackConfig } from "./config.ts";
import { type Child, startChild } from "./child.ts";
import { nginxStackConf } from "./nginx_conf.ts";
import { routesOfModel } from "../routes.ts";

const ROOT = new URL("../../", import.meta.url).pathname;
const LOOPBACK = "127.0.0.1";

export interface StackOptions extends StackConfig {
  /** Extra environment for the gateway (DRAIN_SECONDS, API_KEYS_FILE, ...). */
  gatewayEnv?: Record<string, string>;
  /** Extra environment for every ASR service. */
  asrEnv?: Record<string, string>;
  /** Extra environment for the license sidecar (LICENSE_*, USAGE_*), beyond the inherited one. */
  licenseEnv?: Record<string, string>;
  /** Receives every child's output line, prefixed with its name. */
  echo?: (line: string) => void;
  readyTimeoutMs?: number;
}

export interface Stack {
  gatewayUrl: string;
  nginxUrl: string;
  gateway: Child;
  nginx: Child;
  english: Child[];
  multilingual: Child;
  license?: Child;
  /** Health URL of each ASR service, by child name. */
  asrHealth: Record<string, string>;
  /** Stops the gateway with `signal` (SIGTERM drains), then everything else. */
  stop(signal?: Deno.Signal): Promise<void>;
}

/** The `deno run ...` arguments of a deno.json task, so children get the task's permissions. */
async function taskArgs(task: string): Promise<string[]> {
  const config = JSON.parse(await Deno.readTextFile(`${ROOT}deno.json`)) as { tasks: Record<string, string> };
  const words = (config.tasks[task] ?? "").split(/\s+/).filter(Boolean);
  if (words[0] !== "deno" || words[1] !== "run") throw new Error(`task ${task} is not a plain "deno run"`);
  return words.slice(1);
}

/**
 * The gateway's usage outbox: USAGE_OUTBOX_DIR when given, else beside the sidecar's queue
 * (`.../usage` -> `.../gateway-usage`), so both survive the stack's restarts.
 */
function gatewayOutboxDir(o: StackOptions): string {
  const given = o.gatewayEnv?.USAGE_OUTBOX_DIR ?? Deno.env.get("USAGE_OUTBOX_DIR");
  if (given) return given;
  const queue = o.licenseEnv?.USAGE_QUEUE_DIR ?? Deno.env.get("USAGE_QUEUE_DIR") ?? "/var/lib/earshot/usage";
  return queue.replace(/\/+$/, "").replace(/[^/]*$/, "gateway-usage");
}

/** Polls a health URL until it answers 200; fails early when the child exits. */
async function waitHealthy(child: Child, url: string, deadline: number): Promise<void> {
  let exit: number | undefined;
  child.exited.then((code) => (exit = code));
  while (Date.now() < deadline) {
    if (exit !== undefined) throw new Error(`${child.name} exited with ${exit}:\n${child.output()}`);
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
      await res.body?.cancel();
      if (res.ok) return;
    } catch { /* not listening yet */ }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${child.name} not healthy at ${url} in time:\n${child.output()}`);
}

export async function startStack(o: StackOptions): Promise<Stack> {
  const children: Child[] = [];
  const deadline = Date.now() + (o.readyTimeoutMs ?? 120_000);
  const spawn = (name: string, command: string, args: string[], env: Record<string, string>) => {
    const child = startChild({ name, command, args, env, cwd: ROOT, echo: o.echo });
    children.push(child);
    return child;
  };
  const prefix = await Deno.makeTempDir({ prefix: "earshot-stack-" });
  const stopAll = async () => {
    await Promise.all(children.map((c) => c.stop("SIGTERM", 10_000)));
    await Deno.remove(prefix, { recursive: true }).catch(() => {});
  };

  try {
    const healthChecks: Promise<void>[] = [];
    let license: Child | undefined;
    if (o.withLicense) {
      license = spawn("license", Deno.execPath(), await taskArgs("license-proxy"), {
        ...o.licenseEnv,
        HTTP_PORT: String(o.licensePort),
      });
      healthChecks.push(waitHealthy(license, `http://${LOOPBACK}:${o.licensePort}/health`, deadline));
    }

    const asrArgs = await taskArgs("asr");
    const asrHealth: Record<string, string> = {};
    const asr = (name: string, port: number, model: string, routes: string) => {
      const child = spawn(name, Deno.execPath(), asrArgs, {
        ...o.asrEnv,
        SERVER_PORT: String(port),
        MODEL: model,
        ROUTES: routes,
      });
      asrHealth[name] = `http://${LOOPBACK}:${port}/health`;
      healthChecks.push(waitHealthy(child, asrHealth[name], deadline));
      return child;
    };
    const english = o.englishPorts.map((port, i) =>
      asr(`asr-en-${i + 1}`, port, o.englishModel, routesOfModel("en-default").join(","))
    );
    const multilingual = asr(
      "asr-ml",
      o.multilingualPort,
      o.multilingualModel,
      routesOfModel("ml-default").join(","),
    );

    await Deno.mkdir(`${prefix}/tmp`, { recursive: true });
    await Deno.writeTextFile(
      `${prefix}/nginx.conf`,
      nginxStackConf({
        prefix,
        listenHost: LOOPBACK,
        port: o.nginxPort,
        english: o.englishPorts.map((p) => `${LOOPBACK}:${p}`),
        multilingual: [`${LOOPBACK}:${o.multilingualPort}`],
      }),
    );
    const nginx = spawn("nginx", o.nginxBin, [
      "-p",
      prefix,
      "-c",
      `${prefix}/nginx.conf`,
      "-e",
      "stderr",
      "-g",
      "daemon off;",
    ], {});
    healthChecks.push(waitHealthy(nginx, `http://${LOOPBACK}:${o.nginxPort}/nginx_health`, deadline));
    await Promise.all(healthChecks);

    // The gateway last: it is healthy only when its ASR path is.
    const gateway = spawn("gateway", Deno.execPath(), await taskArgs("serve"), {
      ...o.gatewayEnv,
      AAI_WSS_PORT: String(o.gatewayPort),
      AAI_HOSTNAME: o.host,
      AAI_ASR_ENDPOINT: `http://${LOOPBACK}:${o.nginxPort}`,
      ...(license
        ? {
          AAI_LICENSE_AND_USAGE_PROXY_ENDPOINT: `http://${LOOPBACK}:${o.licensePort}`,
          USAGE_OUTBOX_DIR: gatewayOutboxDir(o),
        }
        : {}),
    });
    const gatewayHost = o.host === "0.0.0.0" ? LOOPBACK : o.host;
    await waitHealthy(gateway, `http://${gatewayHost}:${o.gatewayPort}/v3/health`, deadline);

    return {
      gatewayUrl: `ws://${gatewayHost}:${o.gatewayPort}`,
      nginxUrl: `http://${LOOPBACK}:${o.nginxPort}`,
      gateway,
      nginx,
      english,
      multilingual,
      license,
      asrHealth,
      async stop(signal: Deno.Signal = "SIGTERM") {
        // The gateway first, so sessions end with their ASR services still there.
        await gateway.stop(signal, 60_000);
        await stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
