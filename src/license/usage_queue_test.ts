import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { createMemoryLogger } from "./testing.ts";
import { DurableUsageQueue } from "./usage_queue.ts";
import { usageRecord } from "./testing.ts";

async function withTempDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "earshot-queue-test-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

async function filesIn(dir: string): Promise<string[]> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(dir)) names.push(entry.name);
  return names.sort();
}

Deno.test("queue: records survive a reopen, in the order they were queued", async () => {
  await withTempDir(async (dir) => {
    let t = 1000;
    const queue = await DurableUsageQueue.open(dir, { now: () => t++ });
    for (const i of [3, 1, 2]) await queue.enqueue(usageRecord(i));
    strictEqual(queue.size, 3);
    strictEqual((await filesIn(dir)).length, 3, "one file per record");

    const reopened = await DurableUsageQueue.open(dir);
    deepStrictEqual(reopened.peek(10).map((r) => r.id), ["session-00003", "session-00001", "session-00002"]);
    deepStrictEqual(reopened.peek(2).length, 2);
    deepStrictEqual(reopened.peek(10)[0], usageRecord(3));
    strictEqual(reopened.oldestQueuedAtMs(), 1000);
  });
});

Deno.test("queue: the same record id is stored once and keeps its place", async () => {
  await withTempDir(async (dir) => {
    const queue = await DurableUsageQueue.open(dir);
    await queue.enqueue(usageRecord(1));
    await queue.enqueue(usageRecord(2));
    await queue.enqueue(usageRecord(1));
    deepStrictEqual(queue.peek(10).map((r) => r.id), ["session-00001", "session-00002"]);
    strictEqual((await filesIn(dir)).length, 2);
  });
});

Deno.test("queue: acknowledged records are removed from disk, others stay", async () => {
  await withTempDir(async (dir) => {
    const queue = await DurableUsageQueue.open(dir);
    for (let i = 0; i < 5; i++) await queue.enqueue(usageRecord(i));
    await queue.acknowledge(["session-00000", "session-00002", "session-00004", "never-queued"]);
    deepStrictEqual(queue.peek(10).map((r) => r.id), ["session-00001", "session-00003"]);
    const reopened = await DurableUsageQueue.open(dir);
    deepStrictEqual(reopened.peek(10).map((r) => r.id), ["session-00001", "session-00003"]);
    await reopened.acknowledge(["session-00001", "session-00003"]);
    deepStrictEqual(await filesIn(dir), []);
  });
});

Deno.test("queue: a torn write from a crash is discarded, a corrupt record is set aside", async () => {
  await withTempDir(async (dir) => {
    const queue = await DurableUsageQueue.open(dir);
    await queue.enqueue(usageRecord(1));
    // What a crash between open() and rename() leaves behind: never acknowledged, safe to drop.
    await Deno.writeTextFile(`${dir}/.tmp-crashed`, '{"queued_at_ms": 1, "rec');
    await Deno.writeTextFile(`${dir}/usage-bogus.json`, "not json");
    const logger = createMemoryLogger();
    const reopened = await DurableUsageQueue.open(dir, { logger });
    deepStrictEqual(reopened.peek(10).map((r) => r.id), ["session-00001"]);
    const files = await filesIn(dir);
    ok(!files.includes(".tmp-crashed"));
    ok(files.includes("corrupt-usage-bogus.json"), "kept for a human to look at");
    ok(logger.lines.some((l) => l.level === "error" && l.message.includes("unreadable usage record")));
  });
});
