// `deno task bench gpu`: GPU serving on this machine. First the forward pass alone per batch size
// (states kept on the device), then the whole ASR service (`deno task asr` processes: admission,
// worker isolates, fbank, Silero VAD, greedy decoding unless --decoder says, turn logic) at rising numbers of
// real-time paced streams, on the GPU backend and then on the CPU backend beside it, reporting the
// most streams held with audio -> words p99 under the bound.
import type { BackendName } from "../src/engine/backend.ts";
import { freePort } from "../src/stack/config.ts";
import { startServer } from "../tools/server.ts";
import { benchClip } from "./audio.ts";
import type { Flags } from "./flags.ts";
import { benchForward } from "./gpu_forward.ts";
import { type PacedLoadFigures, runPacedLoad } from "./paced_load.ts";
import { coresUsed, sampleProcess } from "./proc.ts";

const MODEL = new URL("../models/en-default", import.meta.url).pathname;

export interface GpuBenchOptions {
  backend: BackendName;
  batches: number[];
  streams: number[];
  cpuStreams: number[];
  processes: number;
  cpuProcesses: number;
  workers: number;
  cpuWorkers: number;
  maxBatch: number;
  waitMs: number;
  decoder: string;
  seconds: number;
  warmupSeconds: number;
  clients: number;
  boundMs: number;
  /** Which parts run: forward, gpu (the service on the GPU backend), cpu (on the CPU backend). */
  parts: string[];
}

export function gpuOptions(flags: Flags): GpuBenchOptions {
  const cores = navigator.hardwareConcurrency;
  return {
    backend: (flags.string("backend") ?? "webgpu") as BackendName,
    batches: flags.numbers("batches", [64, 256, 1024, 2048, 4096]),
    streams: flags.numbers("streams", [1000, 2000, 3000, 4000, 6000, 8000, 10000]),
    cpuStreams: flags.numbers("cpu-streams", [200, 400, 600, 800]),
    processes: flags.number("processes", 4),
    cpuProcesses: flags.number("cpu-processes", 1),
    workers: flags.number("workers", 3),
    cpuWorkers: flags.number("cpu-workers", Math.max(1, cores - 2)),
    maxBatch: flags.number("max-batch", 1024),
    waitMs: flags.number("wait-ms", 20),
    // greedy: the default beam decoder shows a word first up to ~440 ms after its audio even unloaded
    // (p99, 8 streams on an idle CPU), above the bound before any load
    decoder: flags.string("decoder") ?? "greedy",
    seconds: flags.number("seconds", 15),
    warmupSeconds: flags.number("warmup", 4),
    clients: flags.number("clients", 4),
    boundMs: flags.number("bound", 300),
    parts: (flags.string("parts") ?? "forward,gpu,cpu").split(","),
  };
}

interface RampResult {
  backend: BackendName;
  processes: number;
  workers_per_process: number;
  held: number;
  steps: (PacedLoadFigures & { service_cores: number })[];
}

/** The service on one backend, streams rising until p99 passes the bound or a stream fails. */
async function ramp(
  o: GpuBenchOptions,
  backend: BackendName,
  processes: number,
  workers: number,
  streams: number[],
): Promise<RampResult> {
  const perProcess = Math.ceil(Math.max(...streams) / processes);
  const services = await Promise.all(
    Array.from({ length: processes }, () =>
      startServer({
        SERVER_PORT: String(freePort()),
        ASR_BACKEND: backend,
        ASR_WORKERS: String(Math.max(1, Math.round(workers / processes))),
        MAX_OPEN_STREAMS: String(perProcess + 16),
        ASR_MAX_BATCH: String(o.maxBatch),
        ASR_BATCH_WAIT_MS: String(o.waitMs),
        ASR_DECODER: o.decoder,
      }, { script: "src/asr/main.ts", timeoutMs: 300_000 })),
  );
  const result: RampResult = {
    backend,
    processes,
    workers_per_process: Math.max(1, Math.round(workers / processes)),
    held: 0,
    steps: [],
  };
  console.log(
    `\nwhole ASR service, ${backend}: ${processes} process(es) x ${result.workers_per_process} workers, ` +
      `decoder ${o.decoder}, Silero VAD on, max batch ${o.maxBatch}, wait ${o.waitMs} ms; ` +
      `${o.seconds} s per step, the first ${o.warmupSeconds} s not counted`,
  );
  console.log(
    "streams | words | failed | audio->words p50 / p99 ms | service cores | client lateness p99 ms",
  );
  try {
    for (const n of streams) {
      const before = services.map((s) => sampleProcess(s.process.pid));
      const figures = await runPacedLoad({
        urls: services.map((s) => s.url),
        route: "en-default",
        streams: n,
        seconds: o.seconds,
        warmupSeconds: o.warmupSeconds,
        clients: o.clients,
        clip: benchClip(),
      });
      const cores = services.reduce(
        (sum, s, i) => sum + coresUsed(before[i], sampleProcess(s.process.pid)),
        0,
      );
      result.steps.push({ ...figures, service_cores: cores });
      console.log(
        `${n} | ${figures.words} | ${figures.failed}${
          figures.firstFailure ? ` (${figures.firstFailure})` : ""
        } | ` +
          `${figures.p50.toFixed(0)} / ${figures.p99.toFixed(0)} | ${cores.toFixed(1)} | ${
            figures.clientLatenessP99.toFixed(0)
          }`,
      );
      if (figures.failed > 0 || !(figures.p99 <= o.boundMs)) break;
      result.held = n;
    }
  } finally {
    await Promise.all(services.map((s) => s.stop()));
  }
  console.log(`${backend}: held ${result.held} real-time streams with audio -> words p99 <= ${o.boundMs} ms`);
  return result;
}

export async function benchGpu(o: GpuBenchOptions): Promise<Record<string, unknown>> {
  const forward = o.parts.includes("forward") ? await benchForward(o.backend, MODEL, o.batches) : [];
  const gpu = o.parts.includes("gpu")
    ? await ramp(o, o.backend, o.processes, o.processes * o.workers, o.streams)
    : undefined;
  const cpu = o.parts.includes("cpu")
    ? await ramp(o, "node", o.cpuProcesses, o.cpuWorkers, o.cpuStreams)
    : undefined;
  if (gpu && cpu) {
    console.log(
      `\nheld with p99 <= ${o.boundMs} ms: ${o.backend} ${gpu.held}, CPU ${cpu.held} (${
        cpu.held ? (gpu.held / cpu.held).toFixed(1) : "-"
      }x)`,
    );
  }
  return { options: o, forward, gpu, cpu };
}
