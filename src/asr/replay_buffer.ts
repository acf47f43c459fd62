// What a failover replays: the audio (and ForceEndpoint marks) sent since the last finalized
// turn, positioned in stream time, so that a new ASR stream can resume where the lost one stopped
// being final.
import type { Encoding } from "./proto.ts";

export type ReplayEntry =
  | { kind: "audio"; data: Uint8Array }
  | { kind: "force_endpoint" };

interface Positioned {
  entry: ReplayEntry;
  /** Stream position (samples) of the entry's first sample. */
  at: number;
}

export class ReplayBuffer {
  private entries: Positioned[] = [];
  /** Samples sent since the stream began. */
  private total = 0;
  /** Stream position of the oldest sample kept. */
  private start = 0;
  private readonly bytesPerSample: number;
  private readonly capSamples: number;

  constructor(encoding: Encoding, private readonly sampleRate: number, capMs: number) {
    this.bytesPerSample = encoding === "PCM_MULAW" ? 1 : 2;
    this.capSamples = Math.round(capMs * sampleRate / 1000);
  }

  /** Stream time (ms) of the first replayed sample: the resume offset. */
  get startMs(): number {
    // Rounded: the protocol carries whole milliseconds; the error is under one.
    return Math.round(this.start * 1000 / this.sampleRate);
  }

  /** Stream time (ms) of everything sent so far. */
  get endMs(): number {
    return this.total * 1000 / this.sampleRate;
  }

  get keptMs(): number {
    return (this.total - this.start) * 1000 / this.sampleRate;
  }

  addAudio(data: Uint8Array): void {
    this.entries.push({ entry: { kind: "audio", data }, at: this.total });
    this.total += Math.floor(data.byteLength / this.bytesPerSample);
    // Past the cap the oldest audio goes: a turn longer than the cap loses its start on failover.
    if (this.total - this.start > this.capSamples) this.dropBefore(this.total - this.capSamples);
  }

  addForceEndpoint(): void {
    this.entries.push({ entry: { kind: "force_endpoint" }, at: this.total });
  }

  /** Stream time (ms) of the first ForceEndpoint kept at or after `ms`, if any. */
  forceEndpointAfter(ms: number): number | undefined {
    for (const e of this.entries) {
      const at = e.at * 1000 / this.sampleRate;
      if (e.entry.kind === "force_endpoint" && at >= ms) return at;
    }
    return undefined;
  }

  /** A turn was finalized up to `ms`: what precedes it is never replayed. */
  finalizedUpTo(ms: number): void {
    const at = Math.min(this.total, Math.round(ms * this.sampleRate / 1000));
    if (at > this.start) this.dropBefore(at);
  }

  /** The entries to replay, in order. */
  replay(): ReplayEntry[] {
    return this.entries.map((e) => e.entry);
  }

  private dropBefore(at: number): void {
    const kept: Positioned[] = [];
    for (const e of this.entries) {
      if (e.entry.kind === "force_endpoint") {
        // One exactly at the cut is the one that ended the finalized turn.
        if (e.at > at) kept.push(e);
        continue;
      }
      const samples = Math.floor(e.entry.data.byteLength / this.bytesPerSample);
      const end = e.at + samples;
      if (end <= at) continue;
      if (e.at >= at) kept.push(e);
      else {
        const skip = (at - e.at) * this.bytesPerSample;
        kept.push({ entry: { kind: "audio", data: e.entry.data.subarray(skip) }, at });
      }
    }
    this.entries = kept;
    this.start = at;
  }
}
