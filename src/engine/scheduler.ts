// Batches the ready windows of many streams into one forward call; each stream's model state sits
// in a slot of the backend (host or device memory), taken when the stream is added. A batch starts
// when maxBatch streams are ready or the first ready stream has waited maxWaitMs; while a batch
// runs, audio keeps arriving, so batches grow with load.
// A stream whose own handling fails (decoding its output, ending it) is dropped and reported
// through onStreamError; the batch and the other streams go on. A failed forward call is the
// worker's failure (onError).
import type { Backend } from "./backend.ts";
import type { ModelInfo } from "./model_dir.ts";
import type { StreamPipeline } from "./stream.ts";
import {
  type GreedyOptions,
  greedySearch,
  TransducerHypothesis,
  type TransducerNets,
} from "./transducer_greedy.ts";
import { modifiedBeamSearch, TransducerBeamHypotheses } from "./transducer_beam.ts";
import type { SileroVad, VadTrack } from "./vad.ts";

export interface SchedulerOptions {
  maxBatch: number;
  maxWaitMs: number;
}

export class Scheduler {
  /** Each stream with its backend state slot. */
  private readonly streams = new Map<StreamPipeline, number>();
  private running = false;
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly backend: Backend,
    private readonly model: ModelInfo,
    private readonly opts: SchedulerOptions,
    private readonly onDrained: (stream: StreamPipeline) => void,
    private readonly onError: (error: Error) => void,
    private readonly onStreamError: (stream: StreamPipeline, error: unknown) => void,
    private readonly vad?: SileroVad,
  ) {}

  /** Takes a state slot for the stream; throws when the backend holds its most streams. */
  add(stream: StreamPipeline): void {
    this.streams.set(stream, this.backend.openSlot());
  }

  remove(stream: StreamPipeline): void {
    const slot = this.streams.get(stream);
    if (slot === undefined) return;
    this.streams.delete(stream);
    this.backend.closeSlot(slot);
  }

  /** Something changed for a stream (audio arrived, input finished): maybe start a batch. */
  poke(stream: StreamPipeline): void {
    if (stream.drained) {
      this.onDrained(stream);
      return;
    }
    if (this.running || !stream.isReady()) return;
    if (this.readyStreams().length >= this.opts.maxBatch || stream.finishing) {
      this.runSoon(0);
    } else {
      this.runSoon(this.opts.maxWaitMs);
    }
  }

  private runSoon(delay: number): void {
    if (this.timer !== undefined) {
      if (delay > 0) return;
      clearTimeout(this.timer);
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.loop().catch(this.onError);
    }, delay);
  }

  private readyStreams(): StreamPipeline[] {
    return [...this.streams.keys()].filter((s) => s.isReady());
  }

  private async loop(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let ready = this.readyStreams(); ready.length; ready = this.readyStreams()) {
        await this.runBatch(ready.slice(0, this.opts.maxBatch));
        for (const s of ready) {
          if (this.streams.has(s) && s.drained) this.guarded(s, () => this.onDrained(s));
        }
      }
    } finally {
      this.running = false;
    }
  }

  private async runBatch(batch: StreamPipeline[]): Promise<void> {
    const s = this.model.streaming;
    const featSize = 80 * s.window_size;
    const features = new Float32Array(batch.length * featSize);
    batch.forEach((stream, i) => stream.writeFeatures(features, i * featSize));
    // The VAD runs while the model does (on a GPU its call is mostly waiting), and both finish
    // before the turn decisions after this window, which need its silence.
    const [out] = await Promise.all([
      this.backend.run(batch.map((stream) => this.streams.get(stream)!), features),
      this.vad?.run(batch.map((s) => s.vad).filter((t): t is VadTrack => t !== undefined)),
    ]);
    const nets = this.backend.transducer;
    if (nets) {
      // the whole batch, closed streams too: their hypotheses are simply not read again
      await searchTransducer(nets, batch, out.logProbs, out.frames, this.transducerOptions());
      for (const stream of batch) {
        if (this.streams.has(stream)) this.guarded(stream, () => stream.acceptDecoded(out.frames));
      }
      return;
    }
    const vocab = s.vocab_size + 1;
    batch.forEach((stream, i) => {
      if (!this.streams.has(stream)) return; // closed while the batch ran
      this.guarded(
        stream,
        () => stream.acceptOutput(out.logProbs, i * out.frames * vocab, out.frames, vocab),
      );
    });
  }

  private transducerOptions(): GreedyOptions {
    return { blank: this.model.tokens.blank, unk: this.model.transducer?.unk };
  }

  private guarded(stream: StreamPipeline, step: () => void): void {
    try {
      step();
    } catch (error) {
      this.remove(stream);
      this.onStreamError(stream, error);
    }
  }
}

/**
 * A transducer's search over the batch's encoder frames: the greedy streams together, the beam
 * streams (keyterms, a beam asked for) together, each on its rows of encoderOut.
 */
async function searchTransducer(
  nets: TransducerNets,
  batch: readonly StreamPipeline[],
  encoderOut: Float32Array,
  frames: number,
  options: GreedyOptions,
): Promise<void> {
  const rows = (picked: number[]) => {
    if (picked.length === batch.length) return encoderOut;
    const size = frames * nets.encoderDim;
    const out = new Float32Array(picked.length * size);
    picked.forEach((i, j) => out.set(encoderOut.subarray(i * size, (i + 1) * size), j * size));
    return out;
  };
  const greedy: number[] = [], beam: number[] = [];
  batch.forEach((stream, i) => {
    if (stream.decoder instanceof TransducerHypothesis) greedy.push(i);
    else if (stream.decoder instanceof TransducerBeamHypotheses) beam.push(i);
    else throw new Error(`stream ${stream.id}: a transducer model's stream without a transducer search`);
  });
  const of = <T>(picked: number[]) => picked.map((i) => batch[i].decoder as T);
  if (greedy.length) await greedySearch(nets, of(greedy), rows(greedy), frames, options);
  if (beam.length) await modifiedBeamSearch(nets, of(beam), rows(beam), frames, options);
}
