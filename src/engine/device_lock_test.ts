import { deepStrictEqual } from "node:assert/strict";
import { DeviceLock } from "./device_lock.ts";

Deno.test("device lock: calls through two handles of one buffer never overlap", async () => {
  const a = new DeviceLock();
  const b = new DeviceLock(a.buffer); // as a second worker sees it
  const events: string[] = [];
  const call = (name: string, lock: DeviceLock) =>
    lock.hold(async () => {
      events.push(`${name} in`);
      await new Promise((r) => setTimeout(r, 20));
      events.push(`${name} out`);
    });
  await Promise.all([call("1", a), call("2", b), call("3", a)]);
  for (let i = 0; i < events.length; i += 2) {
    deepStrictEqual(
      events[i].split(" ")[0],
      events[i + 1].split(" ")[0],
      `interleaved: ${events.join(", ")}`,
    );
  }
  deepStrictEqual(events.length, 6);
});
