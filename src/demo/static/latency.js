// Word latency: wall time from sending the audio chunk that holds a word's end to that word
// showing up (first as a partial, then as final). Word times are ms of audio from stream start,
// so chunks are indexed by how much audio had been sent when each went out.

export class LatencyMeter {
  constructor() {
    this.reset();
  }

  reset() {
    /** @type {{ endMs: number, at: number }[]} */
    this.sent = [];
    this.audioMs = 0;
    this.seen = new Set();
    this.finals = new Set();
    this.samples = { first: [], final: [] };
  }

  chunkSent(ms) {
    this.audioMs += ms;
    this.sent.push({ endMs: this.audioMs, at: performance.now() });
  }

  /** Records words of a Turn message that are new, or newly final. */
  observe(turn) {
    if (turn.turn_is_formatted) return; // same words again, formatted
    const now = performance.now();
    turn.words.forEach((w, i) => {
      const key = `${turn.turn_order}:${i}`;
      if (!this.seen.has(key)) {
        this.seen.add(key);
        this.record("first", w.end, now);
      }
      if (w.word_is_final && !this.finals.has(key)) {
        this.finals.add(key);
        this.record("final", w.end, now);
      }
    });
  }

  record(kind, wordEndMs, now) {
    const chunk = this.chunkHolding(wordEndMs);
    if (chunk) this.samples[kind].push(now - chunk.at);
  }

  /** The first chunk whose audio reaches the word's end (binary search: `sent` is sorted). */
  chunkHolding(ms) {
    let lo = 0;
    let hi = this.sent.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sent[mid].endMs < ms) lo = mid + 1;
      else hi = mid;
    }
    return this.sent[lo];
  }

  /** "last 180 ms, median 210 ms (12 words)" or "–". */
  describe(kind) {
    const xs = this.samples[kind];
    if (!xs.length) return "–";
    const sorted = [...xs].sort((a, b) => a - b);
    const median = sorted[sorted.length >> 1];
    const r = (x) => Math.round(x);
    return `last ${r(xs.at(-1))} ms, median ${r(median)} ms (${xs.length} words)`;
  }
}
