// The two engines under test, driven the same way: N streams of the same clip, either all audio
// at once (throughput) or paced at real time in 100 ms chunks (latency: audio arriving -> words).
import type { DecoderSettings } from "../src/engine/decoders.ts";
import process from "node:process";
import { UNIVERSAL_TURN_SETTINGS } from "../src/engine/turns.ts";
import { sherpaRecognizer } from "../src/eval/sherpa.ts";
import { loadModelDir } from "../src/engine/model_dir.ts";
import type { ServerFrame, TurnSettings } from "../src/asr/proto.ts";
import { AsrService } from "../src/asr/service.ts";
import { InProcessTransport } from "../src/asr/transport.ts";
import { decodePcm16 } from "../src/engine/pcm.ts";
import { CHUNK_BYTES, CHUNK_MS } from "./audio.ts";

export const MODEL = new URL("../models/en-default", import.meta.url).pathname;

const settings: TurnSettings = { ...UNIVERSAL_TURN_SETTINGS };

export interface RunResult {
  wallSeconds: number;
  /** CPU time of the whole process (all threads: main, worker isolates, runtime pools) */
  cpuSeconds: number;
  audioSeconds: number;
  /** ms from the audio at a word's end reaching the engine to the word being emitted (or settled) */
  latencies: number[];
}

/**
 * What a latency measures: `shown`, a word's first appearance in any turn; `settled`, its first
 * appearance marked final (word.is_final), which a beam search delays until every live prefix agrees.
 */
export type LatencyMark = "shown" | "settled";

function chunksOf(clip: Uint8Array): Uint8Array[] {
  const out = [];
  for (let i = 0; i < clip.length; i += CHUNK_BYTES) out.push(clip.slice(i, i + CHUNK_BYTES));
  return out;
}

export async function earshotService(
  vad = true,
  decoder: DecoderSettings = { choice: "greedy" },
  modelDir = MODEL,
): Promise<AsrService> {
  // The model is served on the English route whatever its family (ROUTE_MODELS does the same).
  const service = new AsrService({
    models: { "en-default": modelDir },
    backend: "node",
    workers: 1,
    threadsPerWorker: 1,
    maxOpenStreams: 10_000,
    maxBatch: 128,
    maxWaitMs: 10,
    decoder,
    vad,
    log: () => {},
  });
  await service.start();
  return service;
}

/** One stream per clip (clips may differ in length); paced sends 100 ms chunks at real time. */
export async function runEarshot(
  service: AsrService,
  clips: Uint8Array[],
  paced: boolean,
  mark: LatencyMark = "shown",
): Promise<RunResult> {
  const transport = new InProcessTransport(service);
  const chunks = clips.map(chunksOf);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const sendTimes: number[][] = [];
  const done = clips.map((_, i) => {
    const finished = Promise.withResolvers<void>();
    const seen = new Set<string>();
    sendTimes[i] = [];
    const link = transport.open("en-default", {
      onFrame: (f: ServerFrame) => {
        if (f.kind === "turn") {
          const now = performance.now();
          for (const w of f.turn.words) {
            if (mark === "settled" && !w.is_final) continue;
            const key = `${f.turn.turn_order}:${w.start_ms}`;
            if (seen.has(key)) continue;
            seen.add(key);
            const sentAt = sendTimes[i][Math.min(sendTimes[i].length - 1, Math.floor(w.end_ms / CHUNK_MS))];
            if (paced && sentAt !== undefined) latencies.push(now - sentAt);
          }
        }
        if (f.kind === "finished" || f.kind === "error") finished.resolve();
      },
      onLost: () => finished.resolve(),
    });
    link.send({
      kind: "open",
      open: {
        session_id: `b${i}`,
        route: "en-default",
        sample_rate: 16000,
        encoding: "PCM_S16LE",
        settings,
        resume_turn_order: 0,
        resume_offset_ms: 0,
      },
    });
    return { link, finished: finished.promise };
  });
  const longest = Math.max(...chunks.map((c) => c.length));
  for (let c = 0; c < longest; c++) {
    const at = started + c * CHUNK_MS;
    if (paced) await new Promise((r) => setTimeout(r, Math.max(0, at - performance.now())));
    done.forEach(({ link }, i) => {
      if (c >= chunks[i].length) return;
      sendTimes[i].push(performance.now());
      link.send({ kind: "audio", audio: { data: chunks[i][c].slice() } });
      if (c === chunks[i].length - 1) link.send({ kind: "finish", finish: {} });
    });
  }
  await Promise.all(done.map((d) => d.finished));
  return {
    wallSeconds: (performance.now() - started) / 1000,
    cpuSeconds: cpuSince(cpu),
    audioSeconds: clips.reduce((n, c) => n + c.length, 0) / 32000,
    latencies,
  };
}

/** sherpa-onnx-node on the same ONNX file the engine loads from `modelDir`. */
export async function runSherpa(
  streams: number,
  clip: Uint8Array,
  paced: boolean,
  modelDir = MODEL,
): Promise<RunResult> {
  const onnx = (await loadModelDir(modelDir)).onnxPath;
  const recognizer = sherpaRecognizer(modelDir, onnx.slice(onnx.lastIndexOf("/") + 1));
  const chunks = chunksOf(clip).map((c) => decodePcm16(c));
  const all = Array.from({ length: streams }, () => recognizer.createStream());
  const seen = all.map(() => 0);
  const sendTimes: number[][] = all.map(() => []);
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const started = performance.now();
  const decodeReady = () => {
    for (
      let ready = all.filter((s) => recognizer.isReady(s));
      ready.length;
      ready = all.filter((s) => recognizer.isReady(s))
    ) {
      recognizer.decodeStreams(ready);
    }
    if (!paced) return;
    const now = performance.now();
    all.forEach((s, i) => {
      const r = recognizer.getResult(s) as { tokens: string[]; timestamps: number[] };
      for (; seen[i] < r.tokens.length; seen[i]++) {
        const sentAt = sendTimes[i][
          Math.min(sendTimes[i].length - 1, Math.floor(r.timestamps[seen[i]] * 1000 / CHUNK_MS))
        ];
        if (r.tokens[seen[i]].startsWith(" ") && sentAt !== undefined) latencies.push(now - sentAt);
      }
    });
  };
  return (async () => {
    for (let c = 0; c < chunks.length; c++) {
      if (paced) {
        await new Promise((r) => setTimeout(r, Math.max(0, started + c * CHUNK_MS - performance.now())));
      }
      all.forEach((s, i) => {
        sendTimes[i].push(performance.now());
        s.acceptWaveform({ samples: chunks[c], sampleRate: 16000 });
      });
      decodeReady();
    }
    for (const s of all) {
      s.acceptWaveform({ samples: new Float32Array(16000 * 0.3 + 160), sampleRate: 16000 });
      s.inputFinished();
    }
    decodeReady();
    return {
      wallSeconds: (performance.now() - started) / 1000,
      cpuSeconds: cpuSince(cpu),
      audioSeconds: streams * clip.length / 32000,
      latencies,
    };
  })();
}

function cpuSince(start: NodeJS.CpuUsage): number {
  const d = process.cpuUsage(start);
  return (d.user + d.system) / 1e6;
}
