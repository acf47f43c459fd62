// Real-time pacing: audio may not arrive faster than real time beyond a burst allowance.
export class RealTimeGuard {
  private audioSeconds = 0;
  private readonly startedAt: number;

  constructor(
    private readonly burstSeconds: number,
    private readonly now: () => number = performance.now.bind(performance),
  ) {
    this.startedAt = now();
  }

  /** Adds a chunk; returns the violation message when the client is ahead of real time. */
  add(seconds: number): string | undefined {
    this.audioSeconds += seconds;
    const elapsed = (this.now() - this.startedAt) / 1000;
    if (this.audioSeconds > elapsed + this.burstSeconds) {
      return `Audio Transmission Rate Exceeded: Received ${this.audioSeconds.toFixed(1)} sec. audio in ${
        elapsed.toFixed(1)
      } sec`;
    }
  }
}
