// One client session: the v3 protocol state machine between a client WebSocket and an ASR link.
import type { ServerFrame, TurnSettings } from "../asr/proto.ts";
import type { AsrLink, AsrTransport } from "../asr/transport.ts";
import type { Logger } from "../log.ts";
import { acceptableAsFinalChunk, checkChunk, durationMs } from "../protocol/audio.ts";
import { applyUpdate, parseClientMessage } from "../protocol/client_messages.ts";
import {
  CloseCode,
  type ErrorClose,
  errorClose,
  type ErrorCloseCode,
  inactivityReason,
  inputDurationReason,
  invalidMessageReason,
} from "../protocol/close_codes.ts";
import { configurationEcho, isCompressed, type PcmEncoding, type SessionParams } from "../protocol/params.ts";
import {
  begin,
  serializeServerMessage,
  type ServerMessage,
  speechStarted,
  termination,
  warningMessage,
} from "../protocol/server_messages.ts";
import type { GatewayMetrics } from "./metrics.ts";
import { RealTimeGuard } from "./rate_limit.ts";
import { sendErrorClose } from "./error_close.ts";
import { HeartbeatMeter } from "./heartbeat.ts";
import {
  type CompressedAudio,
  compressedAudio,
  CompressedAudioError,
  type DecodedAudio,
} from "./compressed_audio.ts";
import { type Settable, UNAPPLIED_WARNING_CODE, unappliedWarning } from "../protocol/unapplied_params.ts";
import { ROUTES } from "../routes.ts";
import { turnMessages } from "./turn_messages.ts";
import type { PunctuationModel } from "../format/punctuation_model.ts";
import type { UsageRecord } from "../license/usage_record.ts";
import { UsageIncrements } from "./usage_increments.ts";

export type { UsageRecord };

export interface SessionDeps {
  transport: AsrTransport;
  metrics: GatewayMetrics;
  log: Logger;
  rateBurstSeconds: number;
  /** Usage is reported in increments of this length (a crash loses at most one) and at the end. */
  usageIncrementMs: number;
  /** A session without its own inactivity_timeout ends after this long without audio or messages. */
  idleSeconds: number;
  /** Upper bound of a session's Termination wait after Finish before closing anyway. */
  finishTimeoutMs: number;
  /** Learned English casing and punctuation for formatted turns. */
  punctuation?: PunctuationModel;
  reportUsage(record: UsageRecord): void;
  onClosed(session: Session): void;
}

/** Why the session is finishing; decides what follows Termination. */
type Ending = { kind: "terminate" } | { kind: "expired" } | { kind: "inactive" } | { kind: "drain" };

/** [U] choice: the issue asks for about once a second (the cloud was seen every 5 s). */
const HEARTBEAT_INTERVAL_MS = 1000;

export function turnSettings(p: SessionParams): TurnSettings {
  return {
    end_of_turn_confidence_threshold: p.end_of_turn_confidence_threshold,
    min_turn_silence_ms: p.min_turn_silence,
    max_turn_silence_ms: p.max_turn_silence,
    vad_threshold: p.vad_threshold,
    keyterms: [...p.keyterms_prompt],
    pro_rules: ROUTES[p.route].profile === "pro",
    continuous_partials: p.continuous_partials,
    language_detection: p.language_detection,
    // the Heartbeat's max_speech_probability comes from the ASR side's VAD
    speech_activity: p.session_heartbeat,
    language_codes: [...p.language_codes],
  };
}

export class Session {
  readonly id = crypto.randomUUID();
  private readonly startedAt = Date.now();
  private readonly guard: RealTimeGuard;
  private link: AsrLink | undefined;
  private ending: Ending | undefined;
  private begun = false;
  private closed = false;
  private audioMs = 0;
  private pendingShortChunk: Uint8Array | undefined;
  private timers: ReturnType<typeof setTimeout>[] = [];
  /** Figures for the Heartbeat, when the session asked for one. */
  private heartbeat?: HeartbeatMeter;
  /** The decoder of compressed input (opus, ogg_opus); messages decode in order through audioChain. */
  private decoder?: Promise<CompressedAudio>;
  private audioChain: Promise<void> = Promise.resolve();
  private inactivityTimer: ReturnType<typeof setTimeout> | undefined;
  private finalizeStartedAt: number | undefined;
  private lastAudioAt = 0;
  private readonly usage: UsageIncrements;

  constructor(
    private readonly socket: WebSocket,
    private params: SessionParams,
    private readonly maxSessionSeconds: number,
    private readonly deps: SessionDeps,
    private readonly upgradedAt: number,
  ) {
    this.guard = new RealTimeGuard(deps.rateBurstSeconds);
    this.usage = new UsageIncrements(this.id, params.route, this.startedAt);
    this.timers.push(setInterval(() => this.reportUsage(false), deps.usageIncrementMs));
  }

  /** The socket is open: connect the ASR stream; Begin follows once the ASR side accepts it. */
  start(): void {
    if (isCompressed(this.params.encoding)) {
      this.decoder = compressedAudio(this.params.encoding);
      // a decoder that fails to load is reported by the first message that needs it, not as unhandled
      this.decoder.catch(() => {});
    }
    this.link = this.deps.transport.open(this.params.route, {
      onFrame: (frame) => this.onAsrFrame(frame),
      onLost: (reason) => this.fail(CloseCode.ServerError, `Session Cancelled: ${reason}`),
    });
    this.link.send({
      kind: "open",
      open: {
        session_id: this.id,
        route: this.params.route,
        sample_rate: this.params.sample_rate,
        encoding: this.params.encoding === "pcm_mulaw" ? "PCM_MULAW" : "PCM_S16LE",
        settings: turnSettings(this.params),
        resume_turn_order: 0,
        resume_offset_ms: 0,
        mode: this.params.mode,
      },
    });
    this.timers.push(setTimeout(() => this.finish({ kind: "expired" }), this.maxSessionSeconds * 1000));
    if (this.params.session_heartbeat) this.heartbeat = new HeartbeatMeter(this.startedAt);
    this.touch();
  }

  /** The ASR side accepted the stream: only now Begin, so that a refused session never gets one.
   * Audio sent before this waits in the link. A failover's later `ready` frames change nothing. */
  private onReady(): void {
    if (this.begun) return;
    this.begun = true;
    const expiresAtMs = this.startedAt + this.maxSessionSeconds * 1000;
    this.send(begin({ id: this.id, expiresAtMs, configuration: configurationEcho(this.params) }));
    this.warnUnapplied(this.params);
    this.deps.metrics.beginLatency.observe((performance.now() - this.upgradedAt) / 1000);
    const meter = this.heartbeat;
    if (meter) this.timers.push(setInterval(() => this.send(meter.take(Date.now())), HEARTBEAT_INTERVAL_MS));
  }

  onMessage(data: unknown): void {
    if (this.closed) return;
    this.touch();
    if (typeof data === "string") this.onText(data);
    else if (data instanceof ArrayBuffer) this.onAudio(new Uint8Array(data));
  }

  /** The server is draining: finish the session with its final turn and Termination. */
  drain(): void {
    this.finish({ kind: "drain" });
  }

  /** The client went away: release everything without sending. */
  onSocketClosed(code: number): void {
    if (this.closed) return;
    this.cleanup(code);
  }

  private onText(text: string): void {
    const message = parseClientMessage(text);
    if (!message.ok) return this.fail(CloseCode.InvalidMessage, message.error);
    switch (message.message.type) {
      case "Terminate":
        return this.finish({ kind: "terminate" });
      case "KeepAlive":
        return;
      case "ForceEndpoint":
        if (this.ending) return;
        this.finalizeStartedAt = performance.now();
        return this.link?.send({ kind: "force_endpoint", force_endpoint: {} });
      case "UpdateConfiguration": {
        const updated = applyUpdate(this.params, message.message.update);
        if (!updated.ok) return this.fail(CloseCode.InvalidMessage, updated.error);
        this.params = updated.params;
        this.warnUnapplied(message.message.update);
        return this.link?.send({ kind: "update", update: { settings: turnSettings(this.params) } });
      }
    }
  }

  /** Parameters accepted but not acted on are named to the client, never ignored in silence. */
  private warnUnapplied(fields: Settable): void {
    const warning = unappliedWarning(fields);
    if (warning) this.send(warningMessage(UNAPPLIED_WARNING_CODE, warning));
  }

  private onAudio(bytes: Uint8Array): void {
    if (this.ending) return;
    const { encoding, sample_rate } = this.params;
    // Compressed messages carry packets or pages, not durations: the decoded audio is what counts.
    if (isCompressed(encoding)) return void this.decodeInOrder((d) => d.decode(bytes));
    if (this.pendingShortChunk) {
      // A short chunk is only accepted as the last one before Terminate.
      return this.fail(
        CloseCode.InputViolation,
        inputDurationReason(durationMs(encoding, sample_rate, this.pendingShortChunk.byteLength)),
      );
    }
    const check = checkChunk(encoding, sample_rate, bytes.byteLength);
    if (!check.ok && acceptableAsFinalChunk(check)) {
      this.pendingShortChunk = bytes;
      return;
    }
    if (!check.ok) return this.fail(check.code, check.reason);
    this.relayAudio(bytes, check.durationMs);
  }

  /** Decodes compressed input in arrival order and relays it; input that does not decode ends the session (3006). */
  private decodeInOrder(step: (decoder: CompressedAudio) => Promise<DecodedAudio>): Promise<void> {
    const decoder = this.decoder!;
    this.audioChain = this.audioChain.then(async () => {
      if (this.closed) return;
      const { pcm, ms } = await step(await decoder);
      if (ms > 0 && !this.closed) this.relayAudio(pcm, ms);
    }).catch((e: Error) =>
      e instanceof CompressedAudioError
        ? this.fail(CloseCode.InvalidMessage, invalidMessageReason(`Invalid Audio: ${e.message}`))
        : this.fail(CloseCode.ServerError, `Session Cancelled: audio decoder failed: ${e.message}`)
    );
    return this.audioChain;
  }

  private relayAudio(bytes: Uint8Array, ms: number): void {
    const violation = this.guard.add(ms / 1000);
    if (violation) return this.fail(CloseCode.InputViolation, violation);
    this.audioMs += ms;
    this.heartbeat?.audio(ms, Date.now());
    this.deps.metrics.audioSeconds += ms / 1000;
    this.lastAudioAt = performance.now();
    this.link?.send({ kind: "audio", audio: { data: bytes } });
  }

  private onAsrFrame(frame: ServerFrame): void {
    if (this.closed) return;
    switch (frame.kind) {
      case "turn": {
        const p = this.params;
        const messages = turnMessages(frame.turn, {
          pro: ROUTES[p.route].profile === "pro",
          formatTurns: p.format_turns,
          languageDetection: p.language_detection,
          keyterms: p.keyterms_prompt,
          punctuation: this.deps.punctuation,
        });
        if (frame.turn.end_of_turn && this.finalizeStartedAt !== undefined) {
          this.deps.metrics.finalizeLatency.observe((performance.now() - this.finalizeStartedAt) / 1000);
          this.finalizeStartedAt = undefined;
        } else if (this.lastAudioAt) {
          this.deps.metrics.turnLatency.observe((performance.now() - this.lastAudioAt) / 1000);
        }
        for (const m of messages) this.send(m);
        return;
      }
      case "speech_started":
        if (ROUTES[this.params.route].profile === "pro") {
          this.send(
            speechStarted({
              timestampMs: frame.speech_started.timestamp_ms,
              confidence: frame.speech_started.confidence,
            }),
          );
        }
        return;
      case "speech_activity":
        return this.heartbeat?.speechProbability(frame.speech_activity.max_speech_probability);
      case "finished":
        return this.terminate();
      case "error": {
        const { kind, message } = frame.error;
        const code: ErrorCloseCode = kind === "CAPACITY" || kind === "SHUTTING_DOWN"
          ? CloseCode.TryAgainLater
          : kind === "BAD_REQUEST"
          ? CloseCode.InvalidMessage
          : CloseCode.ServerError;
        return this.fail(code, code === CloseCode.ServerError ? `Session Cancelled: ${message}` : message);
      }
      case "ready":
        return this.onReady();
    }
  }

  /** Flushes the ASR stream; Termination follows its `finished` frame. */
  private finish(ending: Ending): void {
    if (this.ending || this.closed) return;
    this.ending = ending;
    this.finalizeStartedAt = performance.now();
    if (this.pendingShortChunk) {
      const chunk = this.pendingShortChunk;
      this.pendingShortChunk = undefined;
      this.audioMs += durationMs(
        this.params.encoding as PcmEncoding,
        this.params.sample_rate,
        chunk.byteLength,
      );
      this.link?.send({ kind: "audio", audio: { data: chunk } });
    }
    this.timers.push(setTimeout(() => this.terminate(), this.deps.finishTimeoutMs));
    // compressed input: what the decoder still holds goes first
    const flushed = this.decoder ? this.decodeInOrder((d) => d.flush()) : Promise.resolve();
    flushed.then(() => this.link?.send({ kind: "finish", finish: {} }));
  }

  private terminate(): void {
    if (this.closed) return;
    this.send(termination({ audioDurationMs: this.audioMs, sessionDurationMs: Date.now() - this.startedAt }));
    const ending = this.ending;
    if (ending?.kind === "expired") return this.closeWithError(errorClose(CloseCode.SessionExpired));
    const reason = ending?.kind === "inactive"
      ? inactivityReason(this.idleSeconds)
      : ending?.kind === "drain"
      ? "Server shutting down"
      : "";
    this.close(1000, reason);
  }

  private fail(code: ErrorCloseCode, text: string): void {
    if (this.closed) return;
    this.deps.log.info(`session ${this.id} closing with ${code}: ${text}`);
    this.closeWithError(errorClose(code, text));
  }

  /** An Error frame, then its close code a moment later (error_close.ts says why). */
  private closeWithError(e: ErrorClose): void {
    if (this.closed) return;
    sendErrorClose(this.socket, e);
    this.cleanup(e.code);
  }

  private touch(): void {
    // A client that stops sending is not held open forever: the server's idle limit applies when
    // the session set no inactivity_timeout of its own.
    const seconds = this.idleSeconds;
    if (!seconds || this.ending) return;
    clearTimeout(this.inactivityTimer);
    this.inactivityTimer = setTimeout(() => this.finish({ kind: "inactive" }), seconds * 1000);
  }

  private get idleSeconds(): number {
    return this.params.inactivity_timeout ?? this.deps.idleSeconds;
  }

  private send(message: ServerMessage): void {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(serializeServerMessage(message));
  }

  private close(code: number, reason: string): void {
    if (this.closed) return;
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
    this.cleanup(code);
  }

  private cleanup(code: number): void {
    this.closed = true;
    for (const t of this.timers) clearTimeout(t);
    this.decoder?.then((d) => d.close(), () => {});
    clearTimeout(this.inactivityTimer);
    this.link?.close();
    this.deps.metrics.sessionClosed(code);
    this.reportUsage(true);
    this.deps.onClosed(this);
  }

  private reportUsage(final: boolean): void {
    const record = this.usage.take(this.audioMs, Date.now(), final);
    if (record) this.deps.reportUsage(record);
  }
}
