// The engine's front door, in the manner of sherpa-onnx's OnlineRecognizer: one model on one
// backend. A stream is created from its spec and takes audio, new settings (keyterms and turn
// rules), endpoints and the end of its input; it reports turn events, its end and its failure to
// the handlers it was created with. The scheduler batches every stream's forward calls.
import type { Backend } from "./backend.ts";
import { type DecoderSettings, makeDecoder, settingsForMode } from "./decoders.ts";
import type { ModelInfo } from "./model_dir.ts";
import { Scheduler, type SchedulerOptions } from "./scheduler.ts";
import { StreamPipeline } from "./stream.ts";
import type { OpenStream, TurnEvent, TurnSettings } from "./stream_types.ts";
import { type SileroVad, VadTrack } from "./vad.ts";

export interface StreamHandlers {
  onEvent(event: TurnEvent): void;
  /** The input ended and every window was decoded; the last turn has been reported. */
  onFinished(audioSeconds: number): void;
  /** This stream alone failed (its decoding threw); the recognizer's other streams go on. */
  onFailed(error: Error): void;
}

/** The backend holds its most streams. */
export class CapacityError extends Error {
  override name = "CapacityError";
}

export interface RecognizerOptions extends SchedulerOptions {
  decoder: DecoderSettings;
  /** Silero VAD for silence and speech start; without it silence is measured from the words. */
  vad?: SileroVad;
  /** A forward call failed: the backend is unusable and every stream with it. */
  onFatal(error: Error): void;
}

export class OnlineRecognizer {
  private readonly scheduler: Scheduler;
  private readonly streams = new Map<StreamPipeline, RecognizerStream>();

  constructor(
    readonly model: ModelInfo,
    private readonly backend: Backend,
    private readonly o: RecognizerOptions,
  ) {
    this.scheduler = new Scheduler(
      backend,
      model,
      o,
      (pipeline) => this.streams.get(pipeline)?.drained(),
      o.onFatal,
      (pipeline, error) => this.streams.get(pipeline)?.failed(error),
      o.vad,
    );
  }

  createStream(id: string, spec: OpenStream, handlers: StreamHandlers): RecognizerStream {
    const pipeline = new StreamPipeline(
      id,
      this.model,
      spec,
      makeDecoder(this.model, settingsForMode(this.o.decoder, spec.mode), spec.settings.keyterms),
      (event) => handlers.onEvent(event),
      this.o.vad ? new VadTrack(spec.settings.vad_threshold) : undefined,
    );
    try {
      this.scheduler.add(pipeline);
    } catch (error) {
      throw new CapacityError((error as Error).message);
    }
    const stream = new RecognizerStream(
      pipeline,
      handlers,
      this.scheduler,
      () => this.streams.delete(pipeline),
    );
    this.streams.set(pipeline, stream);
    return stream;
  }

  get openStreams(): number {
    return this.streams.size;
  }

  release(): Promise<void> {
    for (const stream of [...this.streams.values()]) stream.close();
    return this.backend.release();
  }
}

export class RecognizerStream {
  private closed = false;

  constructor(
    private readonly pipeline: StreamPipeline,
    private readonly handlers: StreamHandlers,
    private readonly scheduler: Scheduler,
    private readonly forget: () => void,
  ) {}

  acceptAudio(bytes: Uint8Array): void {
    this.step(() => this.pipeline.acceptAudio(bytes));
  }

  updateSettings(settings: TurnSettings): void {
    this.step(() => this.pipeline.updateSettings(settings));
  }

  forceEndpoint(): void {
    this.step(() => this.pipeline.forceEndpoint());
  }

  /** No more audio: the rest is decoded, the last turn ends, then onFinished. */
  finish(): void {
    this.step(() => this.pipeline.finishInput());
  }

  /** Forgets the stream (its client went away): no further handler calls. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.remove(this.pipeline);
    this.forget();
  }

  /** Called by the recognizer when every window of the finished input was decoded. */
  drained(): void {
    this.pipeline.forceEndpoint("end_of_stream");
    this.close();
    this.handlers.onFinished(this.pipeline.audioSeconds);
  }

  /** Called by the recognizer when this stream's decoding threw. */
  failed(error: unknown): void {
    this.close();
    this.handlers.onFailed(error instanceof Error ? error : new Error(String(error)));
  }

  private step(change: () => void): void {
    if (this.closed) return;
    try {
      change();
    } catch (error) {
      return this.failed(error);
    }
    this.scheduler.poke(this.pipeline);
  }
}
