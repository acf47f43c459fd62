// The figures of a session's Heartbeat: audio received against time, the ingest rate over a recent
// window (1 is real time; well above 1 is a client heading for close 3007), and the VAD's highest
// speech probability since the previous Heartbeat, as the ASR side reports it.
import { heartbeat, type HeartbeatMessage } from "../protocol/server_messages.ts";

/** The window the ingest rate is measured over. */
const WINDOW_MS = 5000;

export class HeartbeatMeter {
  private audioMs = 0;
  /** [wall-clock ms, audio ms received then], oldest first, within the window */
  private readonly recent: [number, number][] = [];
  private maxSpeechProbability = 0;

  constructor(private readonly startedAt: number) {}

  audio(ms: number, now: number): void {
    this.audioMs += ms;
    this.recent.push([now, ms]);
  }

  speechProbability(p: number): void {
    this.maxSpeechProbability = Math.max(this.maxSpeechProbability, p);
  }

  /** The Heartbeat due now; the speech probability starts again from 0. */
  take(now: number): HeartbeatMessage {
    while (this.recent.length && this.recent[0][0] < now - WINDOW_MS) this.recent.shift();
    const span = Math.min(WINDOW_MS, now - this.startedAt);
    const received = this.recent.reduce((n, [, ms]) => n + ms, 0);
    const message = heartbeat({
      audioMs: this.audioMs,
      durationMs: now - this.startedAt,
      realtimeFactor: span > 0 ? received / span : 0,
      maxSpeechProbability: this.maxSpeechProbability,
    });
    this.maxSpeechProbability = 0;
    return message;
  }
}
