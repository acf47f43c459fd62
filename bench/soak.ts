// `deno task bench soak --minutes 10 --fraction 0.7`: holds a fixed load (a fraction of the
// capacity found by `bench load`, or `--sessions N`) for a while, each session slot streaming the
// load audio again and again; samples the server's RSS every `--sample-seconds` and reports whether
// memory stayed flat (least-squares slope after a warm-up) and whether any session failed.
import { VOICE_AGENT_QUERY } from "./audio.ts";
import { CHUNK_MS } from "./audio.ts";
import type { Flags } from "./flags.ts";
import { loadChunks } from "./load_audio.ts";
import { coresUsed, MIB, type ProcSample, sampleProcess } from "./proc.ts";
import { endOfTurnLatencies, summarize, wordLatencies } from "./session_figures.ts";
import { lineChart } from "./svg_plot.ts";
import { openTarget } from "./target.ts";
import { runSession } from "./ws_session.ts";

export interface SoakOptions {
  url?: string;
  pid?: number;
  minutes: number;
  fraction: number;
  /** The load itself, instead of fraction x capacity. */
  sessions?: number;
  sampleSeconds: number;
  query: string;
  key: string;
  trailingSilenceMs: number;
}

const RESULTS = new URL("./results/", import.meta.url);

export function soakOptions(flags: Flags): SoakOptions {
  return {
    url: flags.string("url"),
    pid: flags.number("pid"),
    minutes: flags.number("minutes", 10),
    fraction: flags.number("fraction", 0.7),
    sessions: flags.number("sessions"),
    sampleSeconds: flags.number("sample-seconds", 10),
    query: flags.string("query") ?? VOICE_AGENT_QUERY,
    key: flags.string("key") ?? "bench",
    trailingSilenceMs: flags.number("silence-ms", 2000),
  };
}

async function loadCapacity(): Promise<number> {
  try {
    const saved = JSON.parse(await Deno.readTextFile(new URL("load.json", RESULTS)));
    if (typeof saved?.load?.capacity === "number" && saved.load.capacity > 0) return saved.load.capacity;
  } catch { /* no load run yet */ }
  throw new Error("no capacity known: run `deno task bench load` first, or pass --sessions N");
}

/**
 * Growth of the median RSS from the first to the last third of the samples. Garbage collection
 * makes RSS a sawtooth of tens of MiB; medians of thirds follow the level a leak would raise
 * while a late GC peak moves them little (a least-squares slope swings with it).
 */
export function medianGrowth(points: readonly [number, number][]): number {
  if (points.length < 6) return NaN;
  const third = Math.floor(points.length / 3);
  const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  const first = median(points.slice(0, third).map((p) => p[1]));
  const last = median(points.slice(points.length - third).map((p) => p[1]));
  return last - first;
}

/** Least-squares slope of y over x. */
export function slope(points: readonly [number, number][]): number {
  const n = points.length;
  if (n < 2) return NaN;
  const mx = points.reduce((s, p) => s + p[0], 0) / n;
  const my = points.reduce((s, p) => s + p[1], 0) / n;
  const sxy = points.reduce((s, p) => s + (p[0] - mx) * (p[1] - my), 0);
  const sxx = points.reduce((s, p) => s + (p[0] - mx) ** 2, 0);
  return sxx ? sxy / sxx : NaN;
}

export async function benchSoak(o: SoakOptions): Promise<Record<string, unknown>> {
  const sessions = o.sessions ?? Math.max(1, Math.floor((await loadCapacity()) * o.fraction));
  const chunks = loadChunks(o.trailingSilenceMs);
  const target = await openTarget(o.url, o.pid);
  const url = `${target.wsUrl}/v3/ws?${o.query}`;
  const started = performance.now();
  const deadline = started + o.minutes * 60_000;
  console.log(`Soak: ${sessions} sessions for ${o.minutes} min against ${target.wsUrl}`);

  const memory: [number, number][] = []; // [minutes since start, RSS MiB]
  const cpu: ProcSample[] = [];
  const sample = () => {
    if (target.pid === undefined) return;
    const s = sampleProcess(target.pid);
    cpu.push(s);
    memory.push([(s.at - started) / 60_000, s.rssBytes / MIB]);
  };
  sample();
  const sampler = setInterval(sample, o.sampleSeconds * 1000);

  let run = 0;
  const failures: string[] = [];
  const words: number[] = [];
  const turns: number[] = [];
  const slot = async (i: number) => {
    let streamAt = performance.now() + i * CHUNK_MS / sessions;
    while (performance.now() < deadline) {
      const trace = await runSession({
        url,
        headers: { Authorization: o.key },
        chunks,
        chunkMs: CHUNK_MS,
        streamAt,
        timeoutMs: 30_000,
      });
      run++;
      if (trace.error) failures.push(trace.error);
      words.push(...wordLatencies(trace, CHUNK_MS));
      turns.push(...endOfTurnLatencies(trace, CHUNK_MS));
      streamAt = performance.now();
    }
  };
  try {
    await Promise.all(Array.from({ length: sessions }, (_, i) => slot(i)));
  } finally {
    clearInterval(sampler);
    await target.stop();
  }

  const minutes = (performance.now() - started) / 60_000;
  const warm = memory.filter(([t]) => t >= Math.min(1, minutes / 4)); // after the warm-up
  const perMinute = slope(warm);
  const meanRss = warm.reduce((s, p) => s + p[1], 0) / (warm.length || 1);
  const growth = medianGrowth(warm);
  const flat = Number.isFinite(growth) ? Math.abs(growth) <= Math.max(8, 0.05 * meanRss) : null;
  const result = {
    sessions,
    minutes,
    sessions_run: run,
    sessions_failed: failures.length,
    failure_examples: [...new Set(failures)].slice(0, 5),
    word_ms: summarize(words),
    end_of_turn_ms: summarize(turns),
    server_cores: cpu.length >= 2 ? coresUsed(cpu[0], cpu[cpu.length - 1]) : null,
    rss_mib: memory.map(([t, m]) => [+t.toFixed(3), +m.toFixed(1)]),
    rss_slope_mib_per_min: Number.isFinite(perMinute) ? perMinute : null,
    rss_growth_mib: Number.isFinite(growth) ? growth : null,
    memory_flat: flat,
  };
  const ms = (n: number) => Number.isFinite(n) ? n.toFixed(0) : "-";
  const verdict = flat === null ? "too few samples" : flat ? "flat" : "NOT FLAT";
  console.log(`${run} sessions run, ${failures.length} failed`);
  console.log(
    `word p50/p99 ${ms(result.word_ms.p50)}/${ms(result.word_ms.p99)} ms, end of turn p50/p99 ${
      ms(result.end_of_turn_ms.p50)
    }/${ms(result.end_of_turn_ms.p99)} ms`,
  );
  console.log(
    memory.length
      ? `server RSS ${ms(memory[0][1])} -> ${ms(memory[memory.length - 1][1])} MiB, ` +
        `median growth ${growth.toFixed(1)} MiB from the first to the last third after warm-up ` +
        `(least-squares slope ${perMinute.toFixed(2)} MiB/min): ${verdict}`
      : "server RSS not measured (give --pid with --url)",
  );
  if (memory.length) {
    await Deno.mkdir(RESULTS, { recursive: true });
    await Deno.writeTextFile(
      new URL("soak.svg", RESULTS),
      lineChart({
        title: `Server RSS under ${sessions} sessions`,
        xLabel: "minutes",
        yLabel: "RSS (MiB)",
        series: [{ name: "server RSS", color: "#1f77b4", points: memory }],
      }),
    );
  }
  return result;
}
