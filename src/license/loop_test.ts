import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { startLoop } from "./loop.ts";
import { waitFor } from "./testing.ts";

Deno.test("loop: runs steps on their delays, recovers from errors, wakes early and stops cleanly", async () => {
  const events: string[] = [];
  let round = 0;
  const loop = startLoop(() => {
    round++;
    events.push(`step ${round}`);
    if (round === 2) return Promise.reject(new Error("boom"));
    return Promise.resolve(round >= 3 ? 60_000 : 1);
  }, (error) => {
    events.push(`error ${(error as Error).message}`);
    return 1;
  });
  await waitFor(() => round === 3, "three rounds");
  loop.wake();
  await waitFor(() => round === 4, "the woken round");
  await loop.stop();
  loop.wake();
  deepStrictEqual(events, ["step 1", "step 2", "error boom", "step 3", "step 4"]);
  strictEqual(round, 4, "nothing runs after stop");
});
