// One client isolate of the paced load (paced_load.ts): opens its share of the streams to ASR
// services over the WebSocket transport, sends 100 ms chunks at real time, and reports the time
// from the chunk holding a word's end being sent to the word first showing.
/// <reference lib="deno.worker" />
import type { ServerFrame } from "../src/asr/proto.ts";
import { type AsrLink, WebSocketTransport } from "../src/asr/transport.ts";
import { universalStream } from "../src/engine/turns.ts";
import { CHUNK_BYTES, CHUNK_MS } from "./audio.ts";

export interface ClientPlan {
  urls: string[];
  route: string;
  /** Global indices of this client's streams; stream i starts i/streams of a second in. */
  first: number;
  count: number;
  streams: number;
  seconds: number;
  warmupSeconds: number;
  clip: Uint8Array;
}

export interface ClientReport {
  latencies: number[];
  failed: string[];
  /** How late the pacing ticks ran (ms), to tell a saturated client from a slow server. */
  tickLateness: number[];
}

interface Stream {
  link: AsrLink;
  startAt: number;
  sent: number[];
  clipOffset: number;
  done: Promise<void>;
}

self.onmessage = async (event: MessageEvent<ClientPlan>) => {
  const plan = event.data;
  const transports = plan.urls.map((u) => new WebSocketTransport(u));
  const report: ClientReport = { latencies: [], failed: [], tickLateness: [] };
  const begin = performance.now() + 1000; // time to connect first
  const countFrom = begin + plan.warmupSeconds * 1000;
  const chunksPerStream = Math.floor(plan.seconds * 1000 / CHUNK_MS);
  const streams: Stream[] = [];
  for (let k = 0; k < plan.count; k++) {
    const i = plan.first + k;
    const finished = Promise.withResolvers<void>();
    const seen = new Set<string>();
    const stream: Stream = {
      link: undefined as unknown as AsrLink,
      startAt: begin + (i / plan.streams) * 1000,
      sent: [],
      // streams start at different places in the clip, so their words do not line up
      clipOffset: ((i * 7919) % Math.floor(plan.clip.length / CHUNK_BYTES)) * CHUNK_BYTES,
      done: finished.promise,
    };
    stream.link = transports[i % transports.length].open(plan.route, {
      onFrame: (f: ServerFrame) => {
        if (f.kind === "turn") {
          const now = performance.now();
          for (const w of f.turn.words) {
            const key = `${f.turn.turn_order}:${w.start_ms}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const sentAt = stream.sent[Math.min(stream.sent.length - 1, Math.floor(w.end_ms / CHUNK_MS))];
            if (sentAt !== undefined && sentAt >= countFrom) report.latencies.push(now - sentAt);
          }
        } else if (f.kind === "error") {
          report.failed.push(`${f.error.kind}: ${f.error.message}`);
        }
        if (f.kind === "finished" || f.kind === "error") finished.resolve();
      },
      onLost: (reason) => (report.failed.push(reason), finished.resolve()),
    });
    stream.link.send({
      kind: "open",
      open: universalStream(`load-${i}`, plan.route),
    });
    streams.push(stream);
  }
  // One pacing loop for all streams: every tick sends each stream's chunks that are due.
  let active = streams.length;
  while (active > 0) {
    const now = performance.now();
    active = 0;
    for (const s of streams) {
      if (s.sent.length >= chunksPerStream) continue;
      active++;
      const due = s.startAt + s.sent.length * CHUNK_MS;
      if (due > now) continue;
      if (s.sent.length > 0) report.tickLateness.push(now - due);
      s.sent.push(now);
      const at = (s.clipOffset + (s.sent.length - 1) * CHUNK_BYTES) % (plan.clip.length - CHUNK_BYTES);
      s.link.send({ kind: "audio", audio: { data: plan.clip.slice(at, at + CHUNK_BYTES) } });
      if (s.sent.length === chunksPerStream) s.link.send({ kind: "finish", finish: {} });
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await Promise.race([
    Promise.all(streams.map((s) => s.done)),
    new Promise((r) => setTimeout(r, 30_000)),
  ]);
  for (const s of streams) s.link.close();
  self.postMessage(report);
};
