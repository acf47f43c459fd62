// The gateway's durable usage outbox (sidecar mode): a usage record is on the gateway's disk before
// the session is forgotten, and leaves it only once the license sidecar has acknowledged it (stored
// durably on its side). Delivery retries with capped backoff for as long as the process lives; a
// restart reloads what is left. The record id is the idempotency key, so a record delivered twice
// (acknowledgement lost to a crash) is counted once by the usage server.
import { type Logger, silentLogger } from "../log.ts";
import { errorMessage } from "../license/http.ts";
import { type BackgroundLoop, startLoop } from "../license/loop.ts";
import { DurableUsageQueue } from "../license/usage_queue.ts";
import type { UsageRecord } from "../license/usage_record.ts";

export interface UsageOutboxOptions {
  /** Hands one record to the sidecar; resolves once the sidecar holds it durably. */
  deliver(record: UsageRecord): Promise<void>;
  /** An error that says the record itself is invalid: sending it again cannot succeed. */
  isRejection?(error: unknown): boolean;
  log?: Logger;
  /** Records in flight at once. */
  concurrency?: number;
  /** First pause after a failed round; doubles up to maxRetryDelayMs. */
  retryDelayMs?: number;
  maxRetryDelayMs?: number;
  /** How often a failing outbox says so in the log. */
  warnEveryMs?: number;
  now?: () => number;
}

/** With nothing queued the loop sleeps this long; add() wakes it. */
const IDLE_MS = 60_000;

export class UsageOutbox {
  #queue: DurableUsageQueue;
  #options: UsageOutboxOptions;
  #log: Logger;
  #loop: BackgroundLoop | null = null;
  #failures = 0;
  #failingSinceMs: number | null = null;
  #lastWarningMs = -Infinity;
  #lastError: string | null = null;

  private constructor(queue: DurableUsageQueue, options: UsageOutboxOptions) {
    this.#queue = queue;
    this.#options = options;
    this.#log = options.log ?? silentLogger;
  }

  /** Opens the outbox directory (creating it) and starts delivering what a previous run left. */
  static async open(dir: string, options: UsageOutboxOptions): Promise<UsageOutbox> {
    const queue = await DurableUsageQueue.open(dir, { logger: options.log, now: options.now });
    const outbox = new UsageOutbox(queue, options);
    if (queue.size > 0) {
      outbox.#log.info(`usage outbox: ${queue.size} records from an earlier run to deliver`);
    }
    outbox.#loop = startLoop(() => outbox.#round(), (error) => outbox.#failed(error), 0);
    return outbox;
  }

  get dir(): string {
    return this.#queue.dir;
  }

  /** Records not yet acknowledged by the sidecar. */
  get pending(): number {
    return this.#queue.size;
  }

  /** Since when delivery has been failing; null while it works. */
  get failingSinceMs(): number | null {
    return this.#failingSinceMs;
  }

  /** Resolves once the record is on disk: from then on neither an outage nor a crash loses it. */
  async add(record: UsageRecord): Promise<void> {
    await this.#queue.enqueue(record);
    this.#loop?.wake();
  }

  /**
   * Stops delivering, after trying for up to flushMs to hand over what is queued (a drained pod whose
   * disk goes with it); what is left stays on disk for the next start.
   */
  async stop(flushMs = 0): Promise<void> {
    const loop = this.#loop;
    this.#loop = null;
    await loop?.stop();
    const deadline = Date.now() + flushMs;
    while (this.#queue.size > 0 && Date.now() < deadline) {
      const pause = await this.#round().catch((error) => this.#failed(error));
      if (this.#failingSinceMs !== null) {
        await new Promise((r) => setTimeout(r, Math.min(pause, Math.max(0, deadline - Date.now()))));
      }
    }
  }

  /** Delivers the oldest records; returns the pause before the next round. */
  async #round(): Promise<number> {
    const records = this.#queue.peek(this.#options.concurrency ?? 8);
    if (records.length === 0) return IDLE_MS;
    const results = await Promise.allSettled(records.map((r) => this.#options.deliver(r)));
    const delivered: string[] = [];
    let failure: unknown = null;
    for (const [i, result] of results.entries()) {
      const record = records[i];
      if (result.status === "fulfilled") delivered.push(record.id);
      else if (this.#options.isRejection?.(result.reason)) await this.#setAside(record, result.reason);
      else failure ??= result.reason;
    }
    // recovered before the acknowledgement's file removals: whoever sees the records gone also
    // sees delivery working again
    if (failure === null) this.#recovered();
    await this.#queue.acknowledge(delivered);
    if (failure !== null) return this.#failed(failure);
    return this.#queue.size > 0 ? 0 : IDLE_MS;
  }

  async #setAside(record: UsageRecord, reason: unknown): Promise<void> {
    const kept = await this.#queue.setAside(record.id);
    this.#log.error(`usage record refused by the license sidecar; kept for inspection`, {
      id: record.id,
      file: kept ?? undefined,
      error: errorMessage(reason),
    });
  }

  #failed(error: unknown): number {
    const now = (this.#options.now ?? Date.now)();
    this.#failures++;
    this.#failingSinceMs ??= now;
    this.#lastError = errorMessage(error);
    if (now - this.#lastWarningMs >= (this.#options.warnEveryMs ?? 60_000)) {
      this.#lastWarningMs = now;
      this.#log.warn(`usage outbox: the license sidecar does not take usage; records kept, retrying`, {
        pending: this.#queue.size,
        failing_for_s: Math.round((now - this.#failingSinceMs) / 1000),
        error: this.#lastError,
      });
    }
    const first = this.#options.retryDelayMs ?? 250;
    const delay = Math.min(first * 2 ** (this.#failures - 1), this.#options.maxRetryDelayMs ?? 10_000);
    // Jitter keeps many gateways from retrying in lockstep after a shared outage.
    return Math.round(delay * (0.8 + Math.random() * 0.4));
  }

  #recovered(): void {
    if (this.#failingSinceMs === null) return;
    const now = (this.#options.now ?? Date.now)();
    this.#log.info(`usage outbox: delivering again`, {
      failed_for_s: Math.round((now - this.#failingSinceMs) / 1000),
      pending: this.#queue.size,
      last_error: this.#lastError,
    });
    this.#failures = 0;
    this.#failingSinceMs = null;
    this.#lastWarningMs = -Infinity;
  }
}
