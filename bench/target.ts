// The server a benchmark talks to: one already running (its URL, and its pid to measure when
// given), or one started here as a subprocess on a free port.
import { type RunningServer, startServer } from "../tools/server.ts";

export interface Target {
  wsUrl: string;
  pid?: number;
  stop(): Promise<void>;
}

export async function startTarget(
  script: string,
  env: Record<string, string> = {},
  timeoutMs = 120_000,
): Promise<Target> {
  const server: RunningServer = await startServer(env, { script, timeoutMs });
  return { wsUrl: server.wsUrl, pid: server.process.pid, stop: () => server.stop() };
}

/** `--url` when given (with `--pid` to measure it), else the real server (src/serve.ts) started here. */
export async function openTarget(url?: string, pid?: number): Promise<Target> {
  if (url) {
    return {
      wsUrl: url.replace(/^http/, "ws").replace(/\/$/, ""),
      pid,
      stop: () => Promise.resolve(),
    };
  }
  return await startTarget("src/serve.ts", {
    // The benchmark looks for the CPU limit, not the configured admission caps.
    MAX_OPEN_STREAMS: "100000",
    MAX_SESSIONS_PER_KEY: "100000",
  });
}
