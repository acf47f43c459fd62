import { deepStrictEqual, ok, rejects, strictEqual } from "node:assert/strict";
import type { BatchOutput } from "./backend.ts";
import { CallCoalescer } from "./call_coalescer.ts";
import type { RowRunner } from "./device_state_pool.ts";

const PER_STREAM = 2; // one frame of a two-symbol vocabulary

/** A runner double: each stream's output is its row number; calls finish when the test says. */
class GatedRunner implements RowRunner {
  readonly calls: { rows: number[]; fresh: boolean[]; features: number[] }[] = [];
  private gates: PromiseWithResolvers<void>[] = [];
  failNext = false;
  async run(
    rows: readonly number[],
    fresh: readonly boolean[],
    features: Float32Array,
  ): Promise<BatchOutput> {
    this.calls.push({ rows: [...rows], fresh: [...fresh], features: [...features] });
    const gate = Promise.withResolvers<void>();
    this.gates.push(gate);
    await gate.promise;
    if (this.failNext) throw new Error("device lost");
    return { logProbs: Float32Array.from(rows.flatMap((r) => [r, r])), frames: 1 };
  }
  open(): void {
    this.gates.shift()!.resolve();
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

const tick = () => new Promise((r) => setTimeout(r, 0));

Deno.test("coalescer: requests that arrive during a call go together into the next, each gets its own rows", async () => {
  const runner = new GatedRunner();
  const coalescer = new CallCoalescer(runner, 8);
  const a = coalescer.run([1], [true], Float32Array.from([10]));
  await tick();
  const b = coalescer.run([5, 6], [false, false], Float32Array.from([50, 60]));
  const c = coalescer.run([9], [false], Float32Array.from([90]));
  runner.open(); // the first call (a alone) ends
  strictEqual((await a).logProbs.length, PER_STREAM);
  await tick();
  runner.open(); // b and c ran as one call
  deepStrictEqual([...(await b).logProbs], [5, 5, 6, 6]);
  deepStrictEqual([...(await c).logProbs], [9, 9]);
  deepStrictEqual(runner.calls.map((x) => x.rows), [[1], [5, 6, 9]]);
  deepStrictEqual(runner.calls[1].fresh, [false, false, false]);
  deepStrictEqual(runner.calls[1].features, [50, 60, 90]);
});

Deno.test("coalescer: a call takes at most maxBatch streams; a failed call fails only its requests", async () => {
  const runner = new GatedRunner();
  const coalescer = new CallCoalescer(runner, 2);
  const first = coalescer.run([0], [false], new Float32Array(1));
  await tick();
  const big = coalescer.run([1, 2], [false, false], new Float32Array(2));
  const next = coalescer.run([3], [false], new Float32Array(1));
  runner.open();
  await first;
  await tick();
  runner.failNext = true;
  runner.open(); // [1, 2] alone: adding [3] would pass maxBatch
  await rejects(big, /device lost/);
  await tick();
  runner.failNext = false;
  runner.open();
  deepStrictEqual([...(await next).logProbs], [3, 3]);
  deepStrictEqual(runner.calls.map((x) => x.rows), [[0], [1, 2], [3]]);
});

Deno.test("coalescer: an idle runner waits for every client's request, or gatherMs, before a call", async () => {
  const runner = new GatedRunner();
  const coalescer = new CallCoalescer(runner, 8, 40, () => 2);
  const a = coalescer.run([1], [false], new Float32Array(1));
  await tick();
  strictEqual(runner.calls.length, 0, "one of two clients asked: wait");
  const b = coalescer.run([2], [false], new Float32Array(1));
  await tick();
  deepStrictEqual(runner.calls.map((x) => x.rows), [[1, 2]], "both asked: one call at once");
  runner.open();
  await Promise.all([a, b]);
  const started = performance.now();
  const alone = coalescer.run([3], [false], new Float32Array(1));
  while (runner.calls.length < 2) await tick();
  ok(performance.now() - started >= 35, "a lone request goes after gatherMs");
  runner.open();
  deepStrictEqual([...(await alone).logProbs], [3, 3]);
});
