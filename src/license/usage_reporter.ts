// Moves usage records from the durable queue to the usage server in batches: every few seconds,
// with exponential backoff on failure, deleting records only after a 2xx. Warns when a backlog
// builds up and gives up (so the orchestrator restarts the sidecar) once reporting has failed for
// longer than the configured limit.
import { errorMessage } from "./http.ts";
import { type Logger, silentLogger } from "../log.ts";
import { BackgroundLoop, startLoop } from "./loop.ts";
import { UsageRecord } from "./usage_record.ts";
import { batchIdFor, UsageBatch } from "./usage_sender.ts";

export const BACKLOG_WARNING_THRESHOLD = 1000;
const BACKLOG_WARNING_EVERY_MS = 60_000;

/** What the reporter needs from the queue. */
export interface ReportableQueue {
  readonly size: number;
  peek(limit: number): UsageRecord[];
  acknowledge(ids: readonly string[]): Promise<void>;
}

export interface UsageReporterOptions {
  queue: ReportableQueue;
  send: (batch: UsageBatch) => Promise<void>;
  now: () => number;
  intervalMs: number;
  batchSize: number;
  failureLimitMs: number;
  /** Called once when reporting has failed for longer than failureLimitMs. */
  onFatal: (reason: string) => void;
  maxBackoffMs?: number;
  backlogWarningThreshold?: number;
  logger?: Logger;
}

export class UsageReporter {
  #options: UsageReporterOptions;
  #logger: Logger;
  #loop: BackgroundLoop | null = null;
  #consecutiveFailures = 0;
  #failingSinceMs: number | null = null;
  #lastError: string | null = null;
  #lastBacklogWarningMs: number | null = null;
  #fatalSignalled = false;

  constructor(options: UsageReporterOptions) {
    this.#options = options;
    this.#logger = options.logger ?? silentLogger;
  }

  /** When the current run of failures began; null while reporting works. */
  get failingSinceMs(): number | null {
    return this.#failingSinceMs;
  }

  get lastError(): string | null {
    return this.#lastError;
  }

  start(): void {
    if (this.#loop) return;
    this.#loop = startLoop(() => this.reportOnce(), (error) => {
      this.#logger.error("Usage reporter step crashed", { error: errorMessage(error) });
      return this.#options.intervalMs;
    }, this.#options.intervalMs);
  }

  /** Reports now rather than at the next tick (for example when a batch fills up). */
  wake(): void {
    this.#loop?.wake();
  }

  async stop(): Promise<void> {
    const loop = this.#loop;
    this.#loop = null;
    await loop?.stop();
  }

  /** Sends at most one batch; returns how long to wait before the next attempt. */
  async reportOnce(): Promise<number> {
    const { queue, batchSize, intervalMs } = this.#options;
    this.#warnAboutBacklog();
    const records = queue.peek(batchSize);
    if (records.length === 0) {
      this.#recovered();
      return intervalMs;
    }
    try {
      const batch = { batch_id: await batchIdFor(records), records };
      await this.#options.send(batch);
      await queue.acknowledge(records.map((r) => r.id));
      this.#logger.debug("Reported usage batch", { batch_id: batch.batch_id, records: records.length });
    } catch (error) {
      return this.#failed(error);
    }
    this.#recovered();
    // A full batch suggests more are waiting: keep going without the pause.
    return records.length === batchSize && queue.size > 0 ? 0 : intervalMs;
  }

  #recovered(): void {
    if (this.#failingSinceMs !== null) {
      this.#logger.info("Usage reporting recovered", { failed_attempts: this.#consecutiveFailures });
    }
    this.#consecutiveFailures = 0;
    this.#failingSinceMs = null;
    this.#lastError = null;
  }

  #failed(error: unknown): number {
    const now = this.#options.now();
    this.#consecutiveFailures++;
    this.#failingSinceMs ??= now;
    this.#lastError = errorMessage(error);
    const failingForMs = now - this.#failingSinceMs;
    this.#logger.warn("Usage reporting failed; will retry", {
      error: this.#lastError,
      attempt: this.#consecutiveFailures,
      failing_for_s: Math.round(failingForMs / 1000),
      pending: this.#options.queue.size,
    });
    if (failingForMs >= this.#options.failureLimitMs && !this.#fatalSignalled) {
      this.#fatalSignalled = true;
      this.#options.onFatal(
        `usage reporting has failed for ${Math.round(failingForMs / 60_000)} min ` +
          `(limit ${Math.round(this.#options.failureLimitMs / 60_000)} min): ${this.#lastError}`,
      );
    }
    return this.#backoffMs();
  }

  #backoffMs(): number {
    const maxBackoffMs = this.#options.maxBackoffMs ?? 60_000;
    const base = Math.min(this.#options.intervalMs * 2 ** (this.#consecutiveFailures - 1), maxBackoffMs);
    // Jitter keeps many sidecars from retrying in lockstep after a shared outage.
    return Math.round(base * (0.8 + Math.random() * 0.4));
  }

  #warnAboutBacklog(): void {
    const threshold = this.#options.backlogWarningThreshold ?? BACKLOG_WARNING_THRESHOLD;
    const pending = this.#options.queue.size;
    if (pending <= threshold) return;
    const now = this.#options.now();
    if (this.#lastBacklogWarningMs !== null && now - this.#lastBacklogWarningMs < BACKLOG_WARNING_EVERY_MS) {
      return;
    }
    this.#lastBacklogWarningMs = now;
    this.#logger.warn("Usage queue backlog is large", { pending, threshold, last_error: this.#lastError });
  }
}
