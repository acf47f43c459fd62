// A session's usage in increments: every few tens of seconds the audio received since the last
// increment becomes its own usage record, and the session's end reports the rest. A crash then loses
// at most one increment, never a whole session. Record ids are `<session id>/<n>` (n from 1), so each
// increment is counted once however often it is delivered.
import type { UsageRecord } from "../license/usage_record.ts";

export class UsageIncrements {
  #reportedMs = 0;
  #count = 0;
  #periodStartMs: number;
  #finished = false;

  constructor(
    readonly sessionId: string,
    readonly model: string,
    startedAtMs: number,
  ) {
    this.#periodStartMs = startedAtMs;
  }

  /**
   * The record for the audio since the last one, or null when there is none to report. The final
   * record is always made (even for no audio), so every session reaches the usage server.
   */
  take(totalAudioMs: number, nowMs: number, final: boolean): UsageRecord | null {
    if (this.#finished) return null;
    const audioMs = totalAudioMs - this.#reportedMs;
    if (!final && audioMs <= 0) return null;
    this.#finished = final;
    this.#count++;
    const record: UsageRecord = {
      id: `${this.sessionId}/${this.#count}`,
      model: this.model,
      audio_seconds: audioMs / 1000,
      started_at: new Date(this.#periodStartMs).toISOString(),
      ended_at: new Date(Math.max(nowMs, this.#periodStartMs)).toISOString(),
    };
    this.#reportedMs = totalAudioMs;
    this.#periodStartMs = nowMs;
    return record;
  }
}
