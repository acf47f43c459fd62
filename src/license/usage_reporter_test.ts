import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createMemoryLogger } from "./testing.ts";
import { DurableUsageQueue } from "./usage_queue.ts";
import { UsageRecord } from "./usage_record.ts";
import { ReportableQueue, UsageReporter } from "./usage_reporter.ts";
import { batchIdFor, createUsageSender, UsageBatch } from "./usage_sender.ts";
import {
  fetchInto,
  licenseFixture,
  ManualClock,
  referenceServerFor,
  T0,
  usageRecord,
  waitFor,
} from "./testing.ts";

const MINUTE_MS = 60_000;

function reporterFor(
  queue: ReportableQueue,
  send: (batch: UsageBatch) => Promise<void>,
  clock: ManualClock,
  extra: { onFatal?: (reason: string) => void; logger?: ReturnType<typeof createMemoryLogger> } = {},
): UsageReporter {
  return new UsageReporter({
    queue,
    send,
    now: clock.now,
    intervalMs: 1000,
    batchSize: 3,
    failureLimitMs: 5 * MINUTE_MS,
    maxBackoffMs: 30_000,
    onFatal: extra.onFatal ?? (() => {}),
    logger: extra.logger,
  });
}

Deno.test("reporter: sends batches oldest first and removes records only after success", async () => {
  const dir = await Deno.makeTempDir({ prefix: "earshot-reporter-test-" });
  try {
    const queue = await DurableUsageQueue.open(dir);
    for (let i = 0; i < 5; i++) await queue.enqueue(usageRecord(i));
    const clock = new ManualClock();
    const sent: UsageBatch[] = [];
    let failNext = true;
    const reporter = reporterFor(queue, (batch) => {
      sent.push(batch);
      if (failNext) return Promise.reject(new Error("usage server answered HTTP 503"));
      return Promise.resolve();
    }, clock);

    const backoff = await reporter.reportOnce();
    strictEqual(queue.size, 5, "nothing removed after a failure");
    ok(backoff >= 800 && backoff <= 1200, `first retry after about one interval, got ${backoff}`);
    strictEqual(reporter.failingSinceMs, T0);

    failNext = false;
    strictEqual(await reporter.reportOnce(), 0, "a full batch is followed at once by the next");
    strictEqual(sent[1].batch_id, sent[0].batch_id, "a retried batch keeps its idempotency key");
    strictEqual(await reporter.reportOnce(), 1000);
    deepStrictEqual(
      sent.slice(1).flatMap((b) => b.records.map((r) => r.id)),
      [0, 1, 2, 3, 4].map((i) => usageRecord(i).id),
    );
    strictEqual(queue.size, 0);
    strictEqual(reporter.failingSinceMs, null);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("reporter: backs off exponentially and gives up once failures outlast the limit", async () => {
  const clock = new ManualClock();
  const queue = memoryQueue([usageRecord(1)]);
  const fatal: string[] = [];
  const reporter = reporterFor(queue, () => Promise.reject(new Error("connection refused")), clock, {
    onFatal: (reason) => fatal.push(reason),
  });
  const delays: number[] = [];
  for (let minute = 0; minute <= 6; minute++) {
    delays.push(await reporter.reportOnce());
    if (minute < 5) strictEqual(fatal.length, 0, `not fatal after ${minute} min`);
    clock.advance(MINUTE_MS);
  }
  ok(delays[1] > delays[0] && delays[2] > delays[1], `delays grow: ${delays}`);
  ok(delays.every((d) => d <= 30_000 * 1.2), "delays are capped");
  strictEqual(fatal.length, 1, "the orchestrator is told once");
  ok(fatal[0].includes("5 min") && fatal[0].includes("connection refused"), fatal[0]);
  strictEqual(queue.size, 1, "the record stays queued for the next run");
});

Deno.test("reporter: a success before the limit resets the failure clock", async () => {
  const clock = new ManualClock();
  const queue = memoryQueue([usageRecord(1), usageRecord(2)]);
  let healthy = false;
  const fatal: string[] = [];
  const reporter = reporterFor(
    queue,
    () => healthy ? Promise.resolve() : Promise.reject(new Error("down")),
    clock,
    {
      onFatal: (reason) => fatal.push(reason),
    },
  );
  await reporter.reportOnce();
  clock.advance(4 * MINUTE_MS);
  healthy = true;
  await reporter.reportOnce();
  healthy = false;
  queue.items.push(usageRecord(3));
  clock.advance(2 * MINUTE_MS);
  await reporter.reportOnce();
  strictEqual(fatal.length, 0);
  strictEqual(reporter.failingSinceMs, clock.ms);
});

Deno.test("reporter: warns when more than 1000 records wait, at most once a minute", async () => {
  const clock = new ManualClock();
  const records = Array.from({ length: 1001 }, (_, i) => usageRecord(i));
  const queue = memoryQueue(records);
  const logger = createMemoryLogger();
  const reporter = reporterFor(queue, () => Promise.reject(new Error("down")), clock, { logger });
  await reporter.reportOnce();
  await reporter.reportOnce();
  const warnings = () => logger.lines.filter((l) => l.message.includes("backlog"));
  strictEqual(warnings().length, 1);
  strictEqual(warnings()[0].fields.pending, 1001);
  clock.advance(MINUTE_MS);
  await reporter.reportOnce();
  strictEqual(warnings().length, 2);
});

Deno.test("reporter: the background loop delivers to the usage server with key and idempotency headers", async () => {
  const fixture = await licenseFixture(T0);
  try {
    const server = await referenceServerFor(fixture);
    const seenHeaders: { auth: string | null; key: string | null }[] = [];
    const forward = fetchInto(server.app);
    const sender = createUsageSender({
      url: "http://usage.test",
      apiKey: "test-usage-key",
      fetch: (input, init) => {
        const headers = new Headers(init?.headers);
        seenHeaders.push({ auth: headers.get("Authorization"), key: headers.get("Idempotency-Key") });
        return forward(input, init);
      },
    });
    const queue = await DurableUsageQueue.open(`${fixture.dir}/queue`);
    for (let i = 0; i < 7; i++) await queue.enqueue(usageRecord(i));
    const reporter = new UsageReporter({
      queue,
      send: sender.send,
      now: Date.now,
      intervalMs: 20,
      batchSize: 3,
      failureLimitMs: 5 * MINUTE_MS,
      onFatal: () => {},
    });
    reporter.start();
    try {
      await waitFor(() => queue.size === 0, "the queue to drain");
    } finally {
      await reporter.stop();
    }
    strictEqual(server.stats().unique, 7);
    strictEqual(seenHeaders[0].auth, "test-usage-key");
    strictEqual(seenHeaders[0].key, await batchIdFor([0, 1, 2].map((i) => usageRecord(i))));
  } finally {
    await fixture.cleanup();
  }
});

function memoryQueue(initial: UsageRecord[]): ReportableQueue & { items: UsageRecord[] } {
  const items = [...initial];
  return {
    items,
    get size() {
      return items.length;
    },
    peek: (limit) => items.slice(0, limit),
    acknowledge: (ids) => {
      for (const id of ids) {
        const index = items.findIndex((r) => r.id === id);
        if (index >= 0) items.splice(index, 1);
      }
      return Promise.resolve();
    },
  };
}
