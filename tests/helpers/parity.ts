// Earshot's engine and sherpa-onnx (npm:sherpa-onnx-node, NeMo CTC) on the same model directory and
// audio, each giving its greedy tokens as [symbol, seconds]; used by tests/sherpa_parity_test.ts on
// fixtures and by `deno task parity` on the evaluation sets.
import type { ServerFrame } from "../../src/asr/proto.ts";
import { type Backend, createBackend } from "../../src/engine/backend.ts";
import { GreedyCtcDecoder } from "../../src/engine/ctc.ts";
import { loadModelDir, type ModelInfo } from "../../src/engine/model_dir.ts";
import { StreamPipeline } from "../../src/engine/stream.ts";
import { sherpaRecognizer } from "./sherpa.ts";

/** One output frame of the shipped models (4x subsampling of 10 ms features). */
export const FRAME_S = 0.04;

export type Token = [symbol: string, seconds: number];

/** Earshot's engine on one stream, one window per call. */
export class EarshotGreedy {
  private constructor(private readonly model: ModelInfo, private readonly backend: Backend) {}

  static async open(modelDir: string): Promise<EarshotGreedy> {
    const model = await loadModelDir(modelDir);
    return new EarshotGreedy(model, await createBackend("node", model));
  }

  /** The tokens of 16 kHz PCM16 audio, decoded as one turn. */
  async tokens(pcm16: Uint8Array): Promise<Token[]> {
    const { model, backend } = this;
    const decoder = new GreedyCtcDecoder(model.tokens.blank);
    const frames: ServerFrame[] = [];
    const stream = new StreamPipeline(
      "p",
      model,
      {
        session_id: "p",
        route: "en-default",
        sample_rate: 16000,
        encoding: "PCM_S16LE",
        settings: {
          end_of_turn_confidence_threshold: 1,
          min_turn_silence_ms: 60_000,
          max_turn_silence_ms: 60_000, // one turn: the decoder is never reset
          vad_threshold: 0.4,
          keyterms: [],
          pro_rules: false,
          continuous_partials: false,
          language_detection: false,
        },
        resume_turn_order: 0,
        resume_offset_ms: 0,
      },
      decoder,
      (f) => frames.push(f),
    );
    stream.acceptAudio(pcm16);
    stream.finishInput();
    const s = model.streaming;
    while (stream.isReady()) {
      const features = new Float32Array(80 * s.window_size);
      stream.writeFeatures(features, 0);
      const out = await backend.run({
        batch: 1,
        features,
        cacheChannel: stream.cacheChannel,
        cacheTime: stream.cacheTime,
        cacheLen: new BigInt64Array([stream.cacheLen]),
      });
      stream.cacheChannel = out.cacheChannel;
      stream.cacheTime = out.cacheTime;
      stream.cacheLen = out.cacheLen[0];
      stream.acceptOutput(out.logProbs, 0, out.frames, s.vocab_size + 1);
    }
    return decoder.tokens().map((t) => [model.tokens.symbols[t.id], t.frame * FRAME_S]);
  }

  release(): Promise<void> {
    return this.backend.release();
  }
}

/** sherpa-onnx's streaming recognizer on the same model directory. */
export class SherpaGreedy {
  private readonly recognizer;

  constructor(modelDir: string) {
    this.recognizer = sherpaRecognizer(modelDir);
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
    return result.tokens.map((t, i) => [t.replace(/^ /, "\u2581"), result.timestamps[i]]);
  }
}

/** Why two token lists differ (symbols, or a time more than one frame apart); undefined if they agree. */
export function tokenMismatch(ours: readonly Token[], theirs: readonly Token[]): string | undefined {
  const a = ours.map((t) => t[0]).join(" "), b = theirs.map((t) => t[0]).join(" ");
  if (a !== b) return `tokens differ: "${a}" vs "${b}"`;
  const i = ours.findIndex(([, time], i) => Math.abs(time - theirs[i][1]) > FRAME_S + 1e-6);
  return i < 0 ? undefined : `token ${i} at ${ours[i][1]} s vs ${theirs[i][1]} s`;
}
