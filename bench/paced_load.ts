// Real-time paced streams against running ASR services (`deno task asr`), from several client
// isolates so that the load generator is not what saturates: the most streams a service holds
// with audio -> words p99 under a bound is read off a ramp of these runs.
import { percentile } from "./audio.ts";
import type { ClientPlan, ClientReport } from "./paced_load_worker.ts";

export interface PacedLoadPlan {
  urls: string[];
  route: string;
  streams: number;
  seconds: number;
  warmupSeconds: number;
  clients: number;
  clip: Uint8Array;
}

export interface PacedLoadFigures {
  streams: number;
  words: number;
  failed: number;
  firstFailure?: string;
  p50: number;
  p99: number;
  /** p99 of how late the clients sent their chunks: above a few ms the client, not the server, is slow */
  clientLatenessP99: number;
}

export async function runPacedLoad(plan: PacedLoadPlan): Promise<PacedLoadFigures> {
  const clients = Math.min(plan.clients, plan.streams);
  const per = Math.ceil(plan.streams / clients);
  const reports = await Promise.all(
    Array.from({ length: clients }, (_, c) => {
      const first = c * per;
      const count = Math.min(per, plan.streams - first);
      const worker = new Worker(new URL("./paced_load_worker.ts", import.meta.url), { type: "module" });
      const done = new Promise<ClientReport>((resolve, reject) => {
        worker.onmessage = (e: MessageEvent<ClientReport>) => (worker.terminate(), resolve(e.data));
        worker.onerror = (e) => (worker.terminate(), reject(new Error(e.message)));
      });
      const clientPlan: ClientPlan = {
        urls: plan.urls,
        route: plan.route,
        first,
        count,
        streams: plan.streams,
        seconds: plan.seconds,
        warmupSeconds: plan.warmupSeconds,
        clip: plan.clip,
      };
      worker.postMessage(clientPlan);
      return done;
    }),
  );
  const latencies = reports.flatMap((r) => r.latencies);
  const failed = reports.flatMap((r) => r.failed);
  return {
    streams: plan.streams,
    words: latencies.length,
    failed: failed.length,
    firstFailure: failed[0],
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    clientLatenessP99: percentile(reports.flatMap((r) => r.tickLateness), 99),
  };
}
