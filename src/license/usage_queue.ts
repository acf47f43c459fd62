// Durable usage queue: one file per record, written with temp+fsync+rename before the record is
// acknowledged, removed only after the usage server accepted it. The file name derives from the
// record id, so a record posted twice is stored once.
import { removeLeftoverTempFiles, syncDirectory, writeFileDurably } from "./durable_file.ts";
import { type Logger, silentLogger } from "../log.ts";
import { UsageRecord, usageRecordSchema } from "./usage_record.ts";

const RECORD_PREFIX = "usage-";
const RECORD_SUFFIX = ".json";
const REJECTED_PREFIX = "rejected-";

interface QueueEntry {
  record: UsageRecord;
  queuedAtMs: number;
  fileName: string;
}

export interface UsageQueueOptions {
  logger?: Logger;
  now?: () => number;
}

export class DurableUsageQueue {
  readonly dir: string;
  #entries = new Map<string, QueueEntry>();
  #logger: Logger;
  #now: () => number;

  private constructor(dir: string, options: UsageQueueOptions) {
    this.dir = dir;
    this.#logger = options.logger ?? silentLogger;
    this.#now = options.now ?? Date.now;
  }

  /** Opens (creating if needed) the queue directory and reloads what a previous run left. */
  static async open(dir: string, options: UsageQueueOptions = {}): Promise<DurableUsageQueue> {
    const queue = new DurableUsageQueue(dir, options);
    await Deno.mkdir(dir, { recursive: true });
    const removed = await removeLeftoverTempFiles(dir);
    if (removed > 0) {
      queue.#logger.info("Removed unfinished usage writes from an earlier crash", { count: removed });
    }
    await queue.#reload();
    return queue;
  }

  get size(): number {
    return this.#entries.size;
  }

  oldestQueuedAtMs(): number | null {
    for (const entry of this.#entries.values()) return entry.queuedAtMs;
    return null;
  }

  /** Resolves only once the record is on disk; a crash after that cannot lose it. */
  async enqueue(record: UsageRecord): Promise<void> {
    const existing = this.#entries.get(record.id);
    const queuedAtMs = existing?.queuedAtMs ?? this.#now();
    const fileName = await fileNameFor(record.id);
    const body = JSON.stringify({ queued_at_ms: queuedAtMs, record });
    await writeFileDurably(this.dir, fileName, new TextEncoder().encode(body));
    // A repeat of a queued id keeps its place in line.
    if (!existing) this.#entries.set(record.id, { record, queuedAtMs, fileName });
    else existing.record = record;
  }

  /** The oldest records, in the order they were queued. */
  peek(limit: number): UsageRecord[] {
    const records: UsageRecord[] = [];
    for (const entry of this.#entries.values()) {
      if (records.length >= limit) break;
      records.push(entry.record);
    }
    return records;
  }

  /** Forgets records the usage server has accepted. */
  async acknowledge(ids: readonly string[]): Promise<void> {
    for (const id of ids) {
      const entry = this.#entries.get(id);
      if (!entry) continue;
      this.#entries.delete(id);
      try {
        await Deno.remove(`${this.dir}/${entry.fileName}`);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    // Without this a crash could bring files back; harmless (the server dedupes) but wasteful.
    await syncDirectory(this.dir);
  }

  /** Moves a record the usage path refuses as invalid out of the line, kept on disk for a human. */
  async setAside(id: string): Promise<string | null> {
    const entry = this.#entries.get(id);
    if (!entry) return null;
    this.#entries.delete(id);
    const kept = `${this.dir}/${REJECTED_PREFIX}${entry.fileName}`;
    await Deno.rename(`${this.dir}/${entry.fileName}`, kept);
    await syncDirectory(this.dir);
    return kept;
  }

  async #reload(): Promise<void> {
    const loaded: QueueEntry[] = [];
    for await (const item of Deno.readDir(this.dir)) {
      if (!item.isFile || !item.name.startsWith(RECORD_PREFIX) || !item.name.endsWith(RECORD_SUFFIX)) {
        continue;
      }
      const entry = await this.#readEntry(item.name);
      if (entry) loaded.push(entry);
    }
    loaded.sort((a, b) => a.queuedAtMs - b.queuedAtMs || a.record.id.localeCompare(b.record.id));
    for (const entry of loaded) this.#entries.set(entry.record.id, entry);
    if (loaded.length > 0) this.#logger.info("Reloaded queued usage records", { count: loaded.length });
  }

  async #readEntry(fileName: string): Promise<QueueEntry | null> {
    const path = `${this.dir}/${fileName}`;
    try {
      const parsed = JSON.parse(await Deno.readTextFile(path)) as {
        queued_at_ms?: unknown;
        record?: unknown;
      };
      const record = usageRecordSchema.parse(parsed.record);
      const queuedAtMs = typeof parsed.queued_at_ms === "number" ? parsed.queued_at_ms : 0;
      return { record, queuedAtMs, fileName };
    } catch (error) {
      // Never delete what might be billable: set it aside for a human and keep going.
      const quarantined = `${this.dir}/corrupt-${fileName}`;
      await Deno.rename(path, quarantined);
      this.#logger.error("Set aside an unreadable usage record file", {
        file: quarantined,
        error: error instanceof Error ? error.message : String(error),
      });
      return null;
    }
  }
}

async function fileNameFor(id: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(id));
  const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  return `${RECORD_PREFIX}${hex}${RECORD_SUFFIX}`;
}
