// One whole file through the ASR transport, as a streaming session would send it but without
// pacing: open, every chunk at once (the link queues them), finish, then the turns as they stand
// when the stream reports `finished`. The deadline and the link's failures become problems.
import type { TurnSettings, TurnUpdate } from "../asr/proto.ts";
import type { AsrTransport } from "../asr/transport.ts";
import { type Route, ROUTE_DEFAULTS } from "../protocol/params.ts";
import type { PcmAudio } from "./audio_input.ts";
import { SyncProblem } from "./problem.ts";

/** Audio per frame sent to the ASR service: big enough to keep the frame count low. */
const CHUNK_MS = 500;

export interface TranscribeJob {
  id: string;
  route: Route;
  audio: PcmAudio;
  keyterms: readonly string[];
  /** Aborting ends the stream and rejects with 504 Inference Timeout. */
  signal: AbortSignal;
}

function settings(route: Route, keyterms: readonly string[]): TurnSettings {
  const d = ROUTE_DEFAULTS[route];
  return {
    end_of_turn_confidence_threshold: d.end_of_turn_confidence_threshold,
    min_turn_silence_ms: d.min_turn_silence,
    max_turn_silence_ms: d.max_turn_silence,
    vad_threshold: d.vad_threshold,
    keyterms: [...keyterms],
    pro_rules: false,
    continuous_partials: false,
    language_detection: route === "ml-default",
  };
}

/** The turns of the file in order, each as its last update (final once the stream finished). */
export function transcribe(transport: AsrTransport, job: TranscribeJob): Promise<TurnUpdate[]> {
  const done = Promise.withResolvers<TurnUpdate[]>();
  const turns = new Map<number, TurnUpdate>();
  const timeout = () => job.signal.reason instanceof SyncProblem ? job.signal.reason : deadlinePassed();
  if (job.signal.aborted) return Promise.reject(timeout());
  const link = transport.open(job.route, {
    onFrame: (f) => {
      if (f.kind === "turn") turns.set(f.turn.turn_order, f.turn);
      else if (f.kind === "finished") {
        done.resolve([...turns.values()].sort((a, b) => a.turn_order - b.turn_order));
      } else if (f.kind === "error") {
        const { kind, message } = f.error;
        done.reject(
          kind === "CAPACITY"
            ? new SyncProblem(503, "Capacity Exceeded", message)
            : kind === "SHUTTING_DOWN"
            ? new SyncProblem(503, "Service Unavailable", message)
            : kind === "BAD_REQUEST"
            ? new SyncProblem(400, "Bad Request", message)
            : new SyncProblem(500, "Inference Error", `transcription failed (${kind}: ${message})`),
        );
      }
    },
    onLost: (reason) =>
      done.reject(new SyncProblem(500, "Inference Error", `transcription failed (${reason})`)),
  });
  const onAbort = () => done.reject(timeout());
  job.signal.addEventListener("abort", onAbort, { once: true });
  link.send({
    kind: "open",
    open: {
      session_id: job.id,
      route: job.route,
      sample_rate: job.audio.sampleRate,
      encoding: "PCM_S16LE",
      settings: settings(job.route, job.keyterms),
      resume_turn_order: 0,
      resume_offset_ms: 0,
    },
  });
  const size = Math.round(job.audio.sampleRate * CHUNK_MS / 1000) * 2;
  for (let at = 0; at < job.audio.pcm.byteLength; at += size) {
    link.send({ kind: "audio", audio: { data: job.audio.pcm.slice(at, at + size) } });
  }
  link.send({ kind: "finish", finish: {} });
  // Whatever ended it, the stream is released and the deadline listener dropped.
  return done.promise.finally(() => {
    job.signal.removeEventListener("abort", onAbort);
    link.close();
  });
}

function deadlinePassed(): SyncProblem {
  return new SyncProblem(
    504,
    "Inference Timeout",
    "transcription did not finish within INFERENCE_TIMEOUT_SECONDS",
  );
}
