// Starts the real server (`src/serve.ts`) as a subprocess on a free port and waits for
// "Ready to serve!"; tests, benchmarks and the evaluation talk to it over real sockets.
import { freePort } from "../src/stack/config.ts";

const ROOT = new URL("../", import.meta.url).pathname;

export interface RunningServer {
  port: number;
  url: string;
  wsUrl: string;
  output: () => string;
  process: Deno.ChildProcess;
  stop(signal?: Deno.Signal): Promise<void>;
}

export async function startServer(
  env: Record<string, string> = {},
  opts: { script?: string; readyLine?: string; tls?: boolean; timeoutMs?: number } = {},
): Promise<RunningServer> {
  const port = Number(env.AAI_WSS_PORT ?? env.SERVER_PORT ?? freePort());
  const process = new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-all", opts.script ?? "src/serve.ts"],
    cwd: ROOT,
    env: { AAI_WSS_PORT: String(port), AAI_HOSTNAME: "127.0.0.1", ...env },
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let log = "";
  const readyLine = opts.readyLine ?? "Ready to serve!";
  const ready = Promise.withResolvers<void>();
  const pump = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      log += decoder.decode(chunk);
      if (log.includes(readyLine)) ready.resolve();
    }
  };
  const pumps = Promise.all([pump(process.stdout), pump(process.stderr)]);
  process.status.then((s) => ready.reject(new Error(`server exited with ${s.code} before ready:\n${log}`)));
  const timer = setTimeout(
    () => ready.reject(new Error(`server not ready in time:\n${log}`)),
    opts.timeoutMs ?? 60_000,
  );
  try {
    await ready.promise;
  } catch (e) {
    try {
      process.kill("SIGKILL");
    } catch { /* already gone */ }
    await process.status;
    await pumps;
    throw e;
  } finally {
    clearTimeout(timer);
  }
  const scheme = opts.tls ? "s" : "";
  return {
    port,
    url: `http${scheme}://localhost:${port}`,
    wsUrl: `ws${scheme}://localhost:${port}`,
    output: () => log,
    process,
    async stop(signal: Deno.Signal = "SIGINT") {
      try {
        process.kill(signal);
      } catch { /* already gone */ }
      const killer = setTimeout(() => {
        try {
          process.kill("SIGKILL");
        } catch { /* gone */ }
      }, 15_000);
      await process.status;
      clearTimeout(killer);
      await pumps;
    },
  };
}
