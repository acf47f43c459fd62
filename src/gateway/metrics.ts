// Prometheus metrics in text exposition format: no client library needed for a few series.
export class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(readonly name: string, readonly help: string, private readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]) this.counts[i]++;
  }

  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`];
    this.buckets.forEach((b, i) => lines.push(`${this.name}_bucket{le="${b}"} ${this.counts[i]}`));
    lines.push(
      `${this.name}_bucket{le="+Inf"} ${this.count}`,
      `${this.name}_sum ${this.sum}`,
      `${this.name}_count ${this.count}`,
    );
    return lines.join("\n");
  }
}

/** RFC 6455 §7.1.5: the connection closed without a close frame (never sent on the wire). */
const ABNORMAL_CLOSURE = 1006;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 2, 5];

export class GatewayMetrics {
  activeSessions = 0;
  audioSeconds = 0;
  /** Usage records in the gateway's outbox (sidecar mode only). */
  usagePending: number | undefined;
  readonly sessionsByCode = new Map<number, number>();
  readonly beginLatency = new Histogram(
    "earshot_begin_latency_seconds",
    "Upgrade to Begin message",
    LATENCY_BUCKETS,
  );
  readonly turnLatency = new Histogram(
    "earshot_turn_latency_seconds",
    "Audio chunk relayed to ASR until the next Turn message of the session",
    LATENCY_BUCKETS,
  );
  readonly finalizeLatency = new Histogram(
    "earshot_finalize_latency_seconds",
    "Terminate or ForceEndpoint until the final Turn",
    LATENCY_BUCKETS,
  );

  sessionClosed(code: number): void {
    // Deno reports a connection that ended without a close frame as 0; RFC 6455 calls that 1006
    const key = code === 0 ? ABNORMAL_CLOSURE : code;
    this.sessionsByCode.set(key, (this.sessionsByCode.get(key) ?? 0) + 1);
  }

  render(): string {
    const total = [...this.sessionsByCode].map(([code, n]) =>
      `earshot_sessions_total{close_code="${code}"} ${n}`
    );
    return [
      "# HELP earshot_active_sessions Open streaming sessions",
      "# TYPE earshot_active_sessions gauge",
      `earshot_active_sessions ${this.activeSessions}`,
      "# HELP earshot_sessions_total Finished sessions by WebSocket close code",
      "# TYPE earshot_sessions_total counter",
      ...total,
      "# HELP earshot_audio_seconds_total Audio received from clients",
      "# TYPE earshot_audio_seconds_total counter",
      `earshot_audio_seconds_total ${this.audioSeconds}`,
      ...(this.usagePending === undefined ? [] : [
        "# HELP earshot_usage_outbox_pending Usage records kept until the license sidecar acknowledges them",
        "# TYPE earshot_usage_outbox_pending gauge",
        `earshot_usage_outbox_pending ${this.usagePending}`,
      ]),
      this.beginLatency.render(),
      this.turnLatency.render(),
      this.finalizeLatency.render(),
      "",
    ].join("\n");
  }
}
