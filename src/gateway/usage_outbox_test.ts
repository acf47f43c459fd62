import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { usageRecord, waitFor } from "../license/testing.ts";
import type { UsageRecord } from "../license/usage_record.ts";
import { UsageOutbox } from "./usage_outbox.ts";

class Refused extends Error {}

/** A sidecar double: down until `up` is set, refuses ids in `invalid`, remembers what it took. */
function fakeSidecar() {
  const state = { up: false, attempts: 0, taken: [] as string[], invalid: new Set<string>() };
  const deliver = (record: UsageRecord) => {
    state.attempts++;
    if (state.invalid.has(record.id)) return Promise.reject(new Refused("400"));
    if (!state.up) return Promise.reject(new Error("connection refused"));
    state.taken.push(record.id);
    return Promise.resolve();
  };
  return { state, deliver };
}

async function withDir(run: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "earshot-outbox-test-" });
  try {
    await run(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const fast = { retryDelayMs: 2, maxRetryDelayMs: 10 };

Deno.test("usage outbox: a sidecar down for many retries loses nothing; records arrive once it is back", async () => {
  await withDir(async (dir) => {
    const sidecar = fakeSidecar();
    const outbox = await UsageOutbox.open(dir, { deliver: sidecar.deliver, ...fast });
    try {
      for (const i of [1, 2, 3]) await outbox.add(usageRecord(i));
      // Far more attempts than the gateway's old 5-try window, which then dropped the record.
      await waitFor(() => sidecar.state.attempts >= 40, "40 failed attempts", 10_000, 5);
      strictEqual(outbox.pending, 3);
      ok(outbox.failingSinceMs !== null);
      sidecar.state.up = true;
      await waitFor(() => outbox.pending === 0, "the outbox to empty", 10_000, 5);
      deepStrictEqual(sidecar.state.taken.sort(), ["session-00001", "session-00002", "session-00003"]);
      strictEqual(outbox.failingSinceMs, null);
    } finally {
      await outbox.stop();
    }
  });
});

Deno.test("usage outbox: what a stopped (or crashed) gateway left is delivered by the next one", async () => {
  await withDir(async (dir) => {
    const down = fakeSidecar();
    const first = await UsageOutbox.open(dir, { deliver: down.deliver, ...fast });
    await first.add(usageRecord(7));
    await first.add(usageRecord(8));
    await first.stop();

    const up = fakeSidecar();
    up.state.up = true;
    const second = await UsageOutbox.open(dir, { deliver: up.deliver, ...fast });
    try {
      await waitFor(() => second.pending === 0, "the reloaded records to be delivered", 10_000, 5);
      deepStrictEqual(up.state.taken, ["session-00007", "session-00008"], "in the order they were kept");
    } finally {
      await second.stop();
    }
  });
});

Deno.test("usage outbox: a record the sidecar refuses as invalid is set aside on disk, the rest go on", async () => {
  await withDir(async (dir) => {
    const sidecar = fakeSidecar();
    sidecar.state.up = true;
    sidecar.state.invalid.add("session-00002");
    const outbox = await UsageOutbox.open(dir, {
      deliver: sidecar.deliver,
      isRejection: (e) => e instanceof Refused,
      ...fast,
    });
    try {
      for (const i of [1, 2, 3]) await outbox.add(usageRecord(i));
      await waitFor(() => outbox.pending === 0, "the outbox to empty", 10_000, 5);
      deepStrictEqual(sidecar.state.taken.sort(), ["session-00001", "session-00003"]);
      const kept: string[] = [];
      for await (const entry of Deno.readDir(dir)) kept.push(entry.name);
      strictEqual(kept.length, 1);
      ok(kept[0].startsWith("rejected-usage-"), kept[0]);
    } finally {
      await outbox.stop();
    }
  });
});

Deno.test("usage outbox: stopping hands over what is queued when the sidecar answers, within the flush time", async () => {
  await withDir(async (dir) => {
    const sidecar = fakeSidecar();
    const outbox = await UsageOutbox.open(dir, { deliver: sidecar.deliver, ...fast });
    await outbox.add(usageRecord(1));
    sidecar.state.up = true;
    await outbox.stop(2_000);
    strictEqual(outbox.pending, 0);
    deepStrictEqual(sidecar.state.taken, ["session-00001"]);
  });
});
