import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { UsageIncrements } from "./usage_increments.ts";

const T0 = Date.parse("2030-01-01T00:00:00Z");

Deno.test("usage increments: each covers the audio since the last, and together they add up", () => {
  const usage = new UsageIncrements("s1", "en-default", T0);
  const first = usage.take(30_000, T0 + 30_000, false)!;
  deepStrictEqual(first, {
    id: "s1/1",
    model: "en-default",
    audio_seconds: 30,
    started_at: "2030-01-01T00:00:00.000Z",
    ended_at: "2030-01-01T00:00:30.000Z",
  });
  strictEqual(usage.take(30_000, T0 + 45_000, false), null, "no new audio, no record");
  const second = usage.take(52_500, T0 + 60_000, false)!;
  strictEqual(second.id, "s1/2");
  strictEqual(second.audio_seconds, 22.5);
  strictEqual(second.started_at, "2030-01-01T00:00:30.000Z");
  const last = usage.take(61_000, T0 + 62_000, true)!;
  strictEqual(last.id, "s1/3");
  strictEqual(first.audio_seconds + second.audio_seconds + last.audio_seconds, 61);
  strictEqual(usage.take(70_000, T0 + 70_000, true), null, "nothing after the final record");
});

Deno.test("usage increments: a session without audio still reports one final record", () => {
  const usage = new UsageIncrements("s2", "ml-default", T0);
  strictEqual(usage.take(0, T0 + 5_000, false), null);
  const last = usage.take(0, T0 + 6_000, true)!;
  strictEqual(last.id, "s2/1");
  strictEqual(last.audio_seconds, 0);
});
