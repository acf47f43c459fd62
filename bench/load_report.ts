// bench/results/load.md (a Markdown table) and load.svg (latency vs load) from a load run.
import { held, STEP_HEADER, type StepFigures, stepLine } from "./load_step.ts";
import { lineChart } from "./svg_plot.ts";

export interface LoadResult {
  target: string;
  audio_seconds: number;
  bound_ms: number;
  query: string;
  capacity: number;
  sessions_per_core: number | null;
  at_fraction_of_capacity: {
    fraction: number;
    sessions: number;
    end_of_turn_ms: StepFigures["end_of_turn_ms"];
  }[];
  steps: StepFigures[];
}

const RESULTS = new URL("./results/", import.meta.url);

export function loadSvg(r: LoadResult): string {
  const series = (name: string, color: string, pick: (s: StepFigures) => number) => ({
    name,
    color,
    points: r.steps.map((s): [number, number] => [s.sessions, pick(s)]),
  });
  return lineChart({
    title: "Latency vs concurrent sessions (real-time audio)",
    xLabel: "concurrent sessions",
    yLabel: "latency (ms)",
    series: [
      series("end of turn p99", "#d62728", (s) => s.end_of_turn_ms.p99),
      series("end of turn p50", "#ff9896", (s) => s.end_of_turn_ms.p50),
      series("word p99", "#1f77b4", (s) => s.word_ms.p99),
      series("word p50", "#aec7e8", (s) => s.word_ms.p50),
    ],
    marks: [{ y: r.bound_ms, label: `bound ${r.bound_ms} ms` }],
  });
}

export function loadMarkdown(r: LoadResult, date: string): string {
  const header = STEP_HEADER.split(" | ");
  const rows = r.steps.map((s) => `| ${stepLine(s, r.bound_ms)} |`);
  return [
    "# Load benchmark",
    "",
    `${date}, ${navigator.hardwareConcurrency} CPUs, target: ${r.target}, query \`${r.query}\`.`,
    `Each session streams ${
      r.audio_seconds.toFixed(1)
    } s of speech (then silence) in 100 ms chunks at real time.`,
    "",
    `**Capacity: ${r.capacity} sessions** held (no errors, p99 end-of-turn latency, else word latency, <= ${r.bound_ms} ms)` +
    (r.sessions_per_core ? `, ${r.sessions_per_core.toFixed(0)} sessions per busy server core.` : "."),
    "",
    ...r.at_fraction_of_capacity.map((f) =>
      `- at ${Math.round(f.fraction * 100)}% of capacity (${f.sessions} sessions): end of turn p50 ${
        f.end_of_turn_ms.p50.toFixed(0)
      } ms, p99 ${f.end_of_turn_ms.p99.toFixed(0)} ms`
    ),
    "",
    `| ${header.join(" | ")} |`,
    `|${header.map(() => "---").join("|")}|`,
    ...rows,
    "",
    "Word latency: from the send of the chunk holding a word's audio end to the first message holding",
    "the word. End of turn: from the send of the chunk holding the turn's last word end (end of speech)",
    "to its end-of-turn Turn; it includes the silence the turn detector waits for (turns ended by",
    "Terminate are left out; a step without any other is judged on word p99 instead). Server cores: CPU",
    "seconds / wall seconds while all sessions stream. Client lag: how late the load generator sent",
    `chunks (a large value means the generator, not the server, was the limit). Held: ${
      r.steps.filter((s) => held(s, r.bound_ms)).length
    } of ${r.steps.length} steps.`,
    "",
    "![latency vs load](load.svg)",
    "",
  ].join("\n");
}

export async function writeLoadReport(r: LoadResult): Promise<void> {
  await Deno.mkdir(RESULTS, { recursive: true });
  await Deno.writeTextFile(new URL("load.svg", RESULTS), loadSvg(r));
  await Deno.writeTextFile(new URL("load.md", RESULTS), loadMarkdown(r, new Date().toISOString()));
}
