// A transport that survives the loss of an ASR service: when a link breaks before its stream
// finished, it opens a new one (next endpoint, or the same nginx endpoint which picks another
// backend), resumes at the next turn order and the stream time of the replayed audio, replays the
// audio kept since the last finalized turn, the latest settings and a Finish already sent. The
// gateway's session sees one uninterrupted link; finalized turns are never emitted twice.
import type { ClientFrame, OpenStream, ServerFrame, TurnSettings } from "./proto.ts";
import { ReplayBuffer } from "./replay_buffer.ts";
import { type AsrLink, type AsrTransport, type LinkHandlers, WebSocketTransport } from "./transport.ts";

export interface FailoverOptions {
  /** Longest audio kept for replay (ms): the start of a longer unfinished turn is lost on failover. */
  replayCapMs: number;
  /** How long a stream may go without an accepting ASR service before the session is cancelled. */
  giveUpAfterMs: number;
  /** How long one attempt may take to be accepted (its `ready` frame). */
  attemptTimeoutMs: number;
  log: (message: string) => void;
}

const DEFAULTS: FailoverOptions = {
  replayCapMs: 10_000,
  giveUpAfterMs: 5_000,
  attemptTimeoutMs: 2_000,
  log: () => {},
};

/** Refusals that another ASR instance may not give: try elsewhere instead of failing the session. */
const RETRYABLE_ERRORS = new Set(["CAPACITY", "SHUTTING_DOWN", "WORKER_DIED"]);

export class FailoverTransport implements AsrTransport {
  readonly name: string;
  private readonly options: FailoverOptions;
  private next = 0;

  constructor(private readonly endpoints: readonly AsrTransport[], options: Partial<FailoverOptions> = {}) {
    if (endpoints.length === 0) throw new Error("FailoverTransport needs at least one endpoint");
    this.options = { ...DEFAULTS, ...options };
    this.name = `failover over ${endpoints.map((e) => e.name).join(", ")}`;
  }

  open(route: string, handlers: LinkHandlers): AsrLink {
    // Sessions start on successive endpoints so that a list of endpoints also spreads load.
    const first = this.next++ % this.endpoints.length;
    return new ResilientLink(route, handlers, this.endpoints, first, this.options);
  }
}

/** `AAI_ASR_ENDPOINT` may list several comma-separated ASR endpoints (or one nginx in front of many). */
export function webSocketFailover(endpoints: string, log: (message: string) => void): FailoverTransport {
  const urls = endpoints.split(",").map((u) => u.trim()).filter(Boolean);
  return new FailoverTransport(urls.map((u) => new WebSocketTransport(u)), { log });
}

class ResilientLink implements AsrLink {
  private open: OpenStream | undefined;
  private settings: TurnSettings | undefined;
  private buffer: ReplayBuffer | undefined;
  /** Frames sent before the OpenStream (none in practice), kept in order. */
  private early: ClientFrame[] = [];
  private finishSent = false;
  private current: AsrLink | undefined;
  private attempt = 0;
  private endpoint: number;
  private accepted = false;
  private everAccepted = false;
  /** When the stream lost (or never had) an accepting ASR service. */
  private unacceptedSince = Date.now();
  private refusalsBeforeAccepted = 0;
  private retriesSinceAccepted = 0;
  private nextTurnOrder = 0;
  private ended = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastProblem = "";

  constructor(
    private readonly route: string,
    private readonly handlers: LinkHandlers,
    private readonly endpoints: readonly AsrTransport[],
    first: number,
    private readonly o: FailoverOptions,
  ) {
    this.endpoint = first;
  }

  send(frame: ClientFrame): void {
    if (this.ended) return;
    switch (frame.kind) {
      case "open":
        this.open = frame.open;
        this.settings = frame.open.settings;
        this.nextTurnOrder = frame.open.resume_turn_order;
        this.buffer = new ReplayBuffer(frame.open.encoding, frame.open.sample_rate, this.o.replayCapMs);
        for (const f of this.early) this.record(f);
        this.early = [];
        return this.connect();
      case "finish":
        this.finishSent = true;
        break;
      default:
        if (!this.buffer) return void this.early.push(frame);
        this.record(frame);
    }
    this.current?.send(frame);
  }

  close(): void {
    this.ended = true;
    clearTimeout(this.timer);
    this.current?.close();
    this.current = undefined;
  }

  private record(frame: ClientFrame): void {
    if (frame.kind === "audio") this.buffer?.addAudio(frame.audio.data);
    else if (frame.kind === "force_endpoint") this.buffer?.addForceEndpoint();
    else if (frame.kind === "update") this.settings = frame.update.settings;
  }

  /** Opens a link on the current endpoint and brings it up to date. */
  private connect(): void {
    const open = this.open;
    const buffer = this.buffer;
    if (this.ended || !open || !buffer) return;
    const id = ++this.attempt;
    const inner = this.endpoints[this.endpoint];
    const resuming = this.everAccepted || this.retriesSinceAccepted > 0;
    this.accepted = false;
    this.current = inner.open(this.route, {
      onFrame: (frame) => id === this.attempt && this.onFrame(frame),
      onLost: (reason) => id === this.attempt && this.onLost(reason),
    });
    this.current.send({
      kind: "open",
      open: {
        ...open,
        settings: this.settings ?? open.settings,
        resume_turn_order: this.nextTurnOrder,
        resume_offset_ms: buffer.startMs,
      },
    });
    for (const entry of buffer.replay()) {
      this.current.send(
        entry.kind === "audio"
          ? { kind: "audio", audio: { data: entry.data } }
          : { kind: "force_endpoint", force_endpoint: {} },
      );
    }
    if (this.finishSent) this.current.send({ kind: "finish", finish: {} });
    if (resuming) {
      this.o.log(
        `ASR stream ${open.session_id} resuming on ${inner.name}: turn ${this.nextTurnOrder}, ` +
          `offset ${buffer.startMs} ms, replaying ${Math.round(buffer.keptMs)} ms`,
      );
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      if (id === this.attempt && !this.accepted) this.retry("no answer from the ASR service");
    }, this.o.attemptTimeoutMs);
  }

  private onFrame(frame: ServerFrame): void {
    if (this.ended) return;
    switch (frame.kind) {
      case "ready":
        this.accepted = this.everAccepted = true;
        this.refusalsBeforeAccepted = 0;
        this.retriesSinceAccepted = 0;
        clearTimeout(this.timer);
        return this.handlers.onFrame(frame);
      case "turn":
        // A replayed turn that was already finalized before the failover is not shown again.
        if (frame.turn.turn_order < this.nextTurnOrder) return;
        if (frame.turn.end_of_turn) this.finalized(frame.turn.words.at(-1)?.end_ms);
        return this.handlers.onFrame(frame);
      case "error":
        if (RETRYABLE_ERRORS.has(frame.error.kind)) return this.refused(frame);
        this.end();
        return this.handlers.onFrame(frame);
      case "finished":
        this.end();
        return this.handlers.onFrame(frame);
      default:
        return this.handlers.onFrame(frame);
    }
  }

  /** A final turn: its audio is done with; the next stream resumes after it. */
  private finalized(lastWordEndMs: number | undefined): void {
    const buffer = this.buffer;
    if (!buffer) return;
    this.nextTurnOrder++;
    // A silence-ended turn is followed by at least min_turn_silence of silence: cutting half of it
    // in keeps the last word's tail out of the replay without reaching the next word. A
    // ForceEndpoint in that gap ends the turn there. Never later: audio the service had not
    // decoded yet when it ended the turn belongs to the next one.
    const wordsEnd = lastWordEndMs ?? 0;
    const guard = (this.settings?.min_turn_silence_ms ?? 0) / 2;
    const cut = Math.min(wordsEnd + guard, buffer.forceEndpointAfter(wordsEnd) ?? Infinity);
    buffer.finalizedUpTo(Math.min(cut, buffer.endMs));
  }

  private refused(frame: Extract<ServerFrame, { kind: "error" }>): void {
    this.lastProblem = `${frame.error.kind}: ${frame.error.message}`;
    this.refusalsBeforeAccepted++;
    // A stream that never started takes a few refusals as the answer (the session says "try
    // again later"): enough to go round the endpoints, or past a draining instance behind nginx.
    // A stream in progress keeps trying until the deadline.
    if (!this.everAccepted && this.refusalsBeforeAccepted >= Math.max(3, this.endpoints.length)) {
      this.end();
      return this.handlers.onFrame(frame);
    }
    this.retry(this.lastProblem);
  }

  private onLost(reason: string): void {
    if (this.ended) return;
    this.retry(reason);
  }

  /** Drops the current link and tries the next endpoint, unless the deadline has passed. */
  private retry(problem: string): void {
    if (this.ended) return;
    this.lastProblem = problem;
    const wasAccepted = this.accepted;
    this.accepted = false;
    this.attempt++; // silences the old link's late callbacks
    this.current?.close();
    this.current = undefined;
    clearTimeout(this.timer);
    if (wasAccepted) {
      this.unacceptedSince = Date.now();
      this.o.log(`ASR stream ${this.open?.session_id} lost (${problem}); failing over`);
    }
    const waited = Date.now() - this.unacceptedSince;
    if (waited >= this.o.giveUpAfterMs) {
      this.end();
      return this.handlers.onLost(
        `no ASR service took the stream within ${Math.round(this.o.giveUpAfterMs / 1000)} s ` +
          `(last problem: ${this.lastProblem})`,
      );
    }
    this.endpoint = (this.endpoint + 1) % this.endpoints.length;
    // The first retry is immediate; later ones back off a little so a restarting pool is not hammered.
    const delay = this.retriesSinceAccepted === 0 ? 0 : Math.min(500, 50 * 2 ** this.retriesSinceAccepted);
    this.retriesSinceAccepted++;
    this.timer = setTimeout(() => this.connect(), Math.min(delay, this.o.giveUpAfterMs - waited));
  }

  private end(): void {
    this.ended = true;
    clearTimeout(this.timer);
  }
}
