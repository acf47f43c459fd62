// Earshot's engine and sherpa-onnx (npm:sherpa-onnx-node, its streaming CTC recognizer) on the same model directory and
// audio, each giving its greedy tokens as [symbol, seconds]; used by tests/sherpa_parity_test.ts on
// fixtures and by `deno task parity` on the evaluation sets.
import type { OpenStream } from "../asr/proto.ts";
import { type Backend, createBackend } from "../engine/backend.ts";
import { type DecoderSettings, makeDecoder } from "../engine/decoders.ts";
import { loadModelDir, type ModelInfo } from "../engine/model_dir.ts";
import { Scheduler } from "../engine/scheduler.ts";
import { StreamPipeline } from "../engine/stream.ts";
import { sherpaRecognizer } from "./sherpa.ts";

/** One output frame of the shipped models (4x subsampling of 10 ms features). */
export const FRAME_S = 0.04;

/** One output frame of a model, in seconds (0.08 for NVIDIA's 8x NeMo exports). */
export function frameSeconds(model: ModelInfo): number {
  return (model.features.frameShiftMs * model.streaming.subsampling_factor) / 1000;
}

export type Token = [symbol: string, seconds: number];

/** Earshot's engine (backend and scheduler, as in a model worker) on one stream at a time. */
export class EarshotGreedy {
  private constructor(
    readonly model: ModelInfo,
    private readonly backend: Backend,
    private readonly decoder: DecoderSettings,
  ) {}

  /**
   * `maxStreams`: how many streams tokensBatched may decode in one batch; `decoder`: greedy, or a
   * transducer's modified beam search (`{ choice: "beam", beam }`).
   */
  static async open(
    modelDir: string,
    maxStreams = 1,
    decoder: DecoderSettings = { choice: "greedy" },
  ): Promise<EarshotGreedy> {
    const model = await loadModelDir(modelDir);
    return new EarshotGreedy(model, await createBackend("node", model, { maxStreams }), decoder);
  }

  /** The tokens of 16 kHz PCM16 audio, decoded as one turn. */
  async tokens(pcm16: Uint8Array): Promise<Token[]> {
    return (await this.tokensBatched([pcm16]))[0];
  }

  /**
   * The tokens of several recordings decoded side by side, their windows batched into one call
   * (up to the backend's streams): each stream's states stacked with the others'.
   */
  async tokensBatched(recordings: readonly Uint8Array[]): Promise<Token[][]> {
    const { model } = this;
    const decoders = recordings.map(() => makeDecoder(model, this.decoder, []));
    const done = Promise.withResolvers<void>();
    const drained = new Set<StreamPipeline>();
    const scheduler = new Scheduler(
      this.backend,
      model,
      { maxBatch: recordings.length, maxWaitMs: 0 },
      (stream) => drained.add(stream).size === recordings.length && done.resolve(),
      done.reject,
      (_, error) => done.reject(error),
    );
    const streams = decoders.map((d, i) => new StreamPipeline(`p${i}`, model, ONE_TURN, d, () => {}));
    streams.forEach((stream) => scheduler.add(stream));
    try {
      streams.forEach((stream, i) => (stream.acceptAudio(recordings[i]), stream.finishInput()));
      streams.forEach((stream) => scheduler.poke(stream));
      await done.promise;
    } finally {
      streams.forEach((stream) => scheduler.remove(stream));
    }
    return decoders.map((d) =>
      d.tokens().map((t): Token => [model.tokens.symbols[t.id], t.frame * frameSeconds(model)])
    );
  }

  release(): Promise<void> {
    return this.backend.release();
  }
}

/** One turn: with these settings the decoder is never reset. */
const ONE_TURN: OpenStream = {
  session_id: "p",
  route: "en-default",
  sample_rate: 16000,
  encoding: "PCM_S16LE",
  settings: {
    end_of_turn_confidence_threshold: 1,
    min_turn_silence_ms: 60_000,
    max_turn_silence_ms: 60_000,
    vad_threshold: 0.4,
    keyterms: [],
    pro_rules: false,
    continuous_partials: false,
    language_detection: false,
  },
  resume_turn_order: 0,
  resume_offset_ms: 0,
};

/** sherpa-onnx's streaming recognizer on the same model directory and file. */
export class SherpaGreedy {
  private readonly recognizer;
  /** What sherpa-onnx's times are multiplied by to be the model's. */
  private readonly timeScale: number;

  /** `search.beam`: a transducer's modified beam search with that many paths; greedy without. */
  constructor(model: ModelInfo, search: { beam?: number } = {}) {
    this.recognizer = sherpaRecognizer(
      model.dir,
      model.onnxPath.slice(model.onnxPath.lastIndexOf("/") + 1),
      search,
    );
    // (a transducer's times are t * 40 ms too: its Zipformer's frames are 40 ms, so the scale is 1)
    // sherpa-onnx's streaming CTC recognizer reports output frame t at t * 40 ms whatever the
    // model's subsampling (online-recognizer-ctc-impl.h GetResult: "TODO ... subsampling_factor =
    // 4"), half the time of an 8x NeMo export's frame; its frames are taken as the model's
    // (its transducer recognizers use the model's subsampling: a NeMo transducer's 80 ms frames too)
    this.timeScale = model.transducer ? 1 : frameSeconds(model) / FRAME_S;
  }

  /** The tokens of 16 kHz float audio. */
  tokens(samples: Float32Array): Token[] {
    const stream = this.recognizer.createStream();
    stream.acceptWaveform({ samples, sampleRate: 16000 });
    // the same 0.3 s of trailing silence Earshot appends, plus one feature frame so that sherpa's
    // strict readiness rule (processed + window < available) reaches the same last window
    stream.acceptWaveform({ samples: new Float32Array(16000 * 0.3 + 160), sampleRate: 16000 });
    stream.inputFinished();
    while (this.recognizer.isReady(stream)) this.recognizer.decode(stream);
    const result = this.recognizer.getResult(stream) as { tokens: string[]; timestamps: number[] };
    // sherpa-onnx shows the word-start mark as a space
    return result.tokens.map((t, i) => [t.replace(/^ /, "\u2581"), result.timestamps[i] * this.timeScale]);
  }
}

/**
 * Why two token lists differ (symbols, or a time more than `tolerance` seconds apart: one output
 * frame of the shipped models unless told); undefined if they agree.
 */
export function tokenMismatch(
  ours: readonly Token[],
  theirs: readonly Token[],
  tolerance = FRAME_S,
): string | undefined {
  const a = ours.map((t) => t[0]).join(" "), b = theirs.map((t) => t[0]).join(" ");
  if (a !== b) return `tokens differ: "${a}" vs "${b}"`;
  const i = ours.findIndex(([, time], i) => Math.abs(time - theirs[i][1]) > tolerance + 1e-6);
  return i < 0 ? undefined : `token ${i} at ${ours[i][1]} s vs ${theirs[i][1]} s`;
}
