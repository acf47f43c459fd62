// `deno task bench load`: the load generator. Opens N concurrent sessions over the real v3
// WebSocket API, streams the benchmark speech at real time, and ramps N (1, 2, 4, ...) to the most
// sessions held with p99 end-of-turn latency under a bound and no session failing. Against
// `--url` (with `--pid` for the server's CPU and memory), else src/serve.ts started here.
// Writes bench/results/load.md and load.svg (bench/main.ts writes load.json).
import { VOICE_AGENT_QUERY } from "./audio.ts";
import type { Flags } from "./flags.ts";
import { loadChunks } from "./load_audio.ts";
import { type LoadResult, writeLoadReport } from "./load_report.ts";
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
    query: flags.string("query") ?? VOICE_AGENT_QUERY,
    key: flags.string("key") ?? "bench",
    trailingSilenceMs: flags.number("silence-ms", 2000),
  };
}

export async function benchLoad(o: LoadOptions): Promise<Record<string, unknown>> {
  const chunks = loadChunks(o.trailingSilenceMs);
  const target = await openTarget(o.url, o.pid);
  const steps: StepFigures[] = [];
  const fractions: LoadResult["at_fraction_of_capacity"] = [];
  let capacity = 0;
  try {
    console.log(
      `Load against ${target.wsUrl}: ${
        (chunks.length / 10).toFixed(1)
      } s of speech per session at real time, ` +
        `held = no errors and p99 end of turn (else word) latency <= ${o.boundMs} ms`,
    );
    await loadStep(target, 1, chunks.slice(0, 30), o.query, o.key); // warm-up
    console.log(STEP_HEADER);
    const run = async (n: number) => {
      const step = await loadStep(target, n, chunks, o.query, o.key);
      steps.push(step);
      console.log(stepLine(step, o.boundMs));
      return held(step, o.boundMs);
    };
    // Doubling to the first step that fails, then two bisections between it and the last held.
    let [lo, hi] = [0, 0];
    for (const n of o.sessions) {
      if (!(await run(n))) {
        hi = n;
        break;
      }
      lo = n;
    }
    for (let i = 0; i < 2 && hi - lo > 1; i++) {
      const mid = Math.floor((lo + hi) / 2);
      if (await run(mid)) lo = mid;
      else hi = mid;
    }
    capacity = lo;
    // The latencies a sizing decision needs: at half and at 90% of capacity.
    for (const fraction of [0.5, 0.9]) {
      const n = Math.max(1, Math.round(capacity * fraction));
      if (capacity === 0 || fractions.some((f) => f.sessions === n)) continue;
      const step = await loadStep(target, n, chunks, o.query, o.key);
      console.log(`${Math.round(fraction * 100)}% of capacity: ${stepLine(step, o.boundMs)}`);
      fractions.push({ fraction, sessions: n, end_of_turn_ms: step.end_of_turn_ms });
    }
  } finally {
    await target.stop();
  }
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
    at_fraction_of_capacity: fractions,
    steps: steps.sort((a, b) => a.sessions - b.sessions),
  };
  await writeLoadReport(result);
  return result;
}
