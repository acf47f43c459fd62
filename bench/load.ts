// `deno task bench load`: the load generator. Opens N concurrent sessions over the real v3
// WebSocket API, streams the benchmark speech at real time, and ramps N (1, 2, 4, ...) to the most
// sessions held with p99 end-of-turn latency under a bound and no session failing. Against
// `--url` (with `--pid` for the server's CPU and memory), else src/serve.ts started here.
// Writes bench/results/load.md and load.svg (bench/main.ts writes load.json).
import type { Flags } from "./flags.ts";
import { loadChunks } from "./load_audio.ts";
import { writeLoadReport } from "./load_report.ts";
import { held, loadStep, STEP_HEADER, type StepFigures, stepLine } from "./load_step.ts";
import { openTarget } from "./target.ts";

export interface LoadOptions {
  url?: string;
  pid?: number;
  sessions: number[];
  /** p99 end-of-turn latency (ms) a step must stay under to count as held. */
  boundMs: number;
  query: string;
  key: string;
  trailingSilenceMs: number;
}

export function loadOptions(flags: Flags): LoadOptions {
  return {
    url: flags.string("url"),
    pid: flags.number("pid"),
    sessions: flags.numbers("sessions", [1, 2, 4, 8, 16, 32, 64, 128, 256]),
    boundMs: flags.number("bound-ms", 500),
    query: flags.string("query") ?? "sample_rate=16000&speech_model=universal-streaming-english",
    key: flags.string("key") ?? "bench",
    trailingSilenceMs: flags.number("silence-ms", 2000),
  };
}

export async function benchLoad(o: LoadOptions): Promise<Record<string, unknown>> {
  const chunks = loadChunks(o.trailingSilenceMs);
  const target = await openTarget(o.url, o.pid);
  const steps: StepFigures[] = [];
  try {
    console.log(
      `Load against ${target.wsUrl}: ${
        (chunks.length / 10).toFixed(1)
      } s of speech per session at real time, ` +
        `held = no errors and p99 end of turn (else word) latency <= ${o.boundMs} ms`,
    );
    await loadStep(target, 1, chunks.slice(0, 30), o.query, o.key); // warm-up
    console.log(STEP_HEADER);
    for (const n of o.sessions) {
      const step = await loadStep(target, n, chunks, o.query, o.key);
      steps.push(step);
      console.log(stepLine(step, o.boundMs));
      if (!held(step, o.boundMs)) break;
    }
  } finally {
    await target.stop();
  }
  const capacity = steps.filter((s) => held(s, o.boundMs)).at(-1)?.sessions ?? 0;
  const atCapacity = steps.find((s) => s.sessions === capacity);
  const perCore = atCapacity?.server_cores ? capacity / atCapacity.server_cores : undefined;
  console.log(
    `capacity: ${capacity} sessions held at real time` +
      (perCore ? ` (${perCore.toFixed(0)} sessions per busy server core)` : ""),
  );
  const result = {
    target: o.url ?? "src/serve.ts started by the benchmark",
    audio_seconds: chunks.length / 10,
    bound_ms: o.boundMs,
    query: o.query,
    capacity,
    sessions_per_core: perCore ?? null,
    steps,
  };
  await writeLoadReport(result);
  return result;
}
