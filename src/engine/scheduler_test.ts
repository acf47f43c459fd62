import { deepStrictEqual, strictEqual } from "node:assert/strict";
import type { Backend, BatchOutput } from "./backend.ts";
import type { ModelInfo } from "./model_dir.ts";
import { Scheduler } from "./scheduler.ts";
import type { StreamPipeline } from "./stream.ts";

const WINDOW = 4;
const VOCAB = 3;
const model = { streaming: { window_size: WINDOW, vocab_size: VOCAB } } as unknown as ModelInfo;

/** A backend double: one output frame per stream; it records which state slots are open. */
class EchoBackend implements Backend {
  readonly name = "node";
  runs = 0;
  readonly open = new Set<number>();
  private next = 0;
  openSlot(): number {
    this.open.add(this.next);
    return this.next++;
  }
  closeSlot(slot: number): void {
    if (!this.open.delete(slot)) throw new Error(`slot ${slot} closed twice`);
  }
  run(slots: readonly number[]): Promise<BatchOutput> {
    this.runs++;
    if (slots.some((s) => !this.open.has(s))) throw new Error("a call on a closed slot");
    return Promise.resolve({ logProbs: new Float32Array(slots.length * (VOCAB + 1)), frames: 1 });
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

/** A stream double with `windows` windows of finished input; `fails` makes its output handling throw. */
function fakeStream(id: string, windows: number, fails = false): StreamPipeline {
  let left = windows;
  return {
    id,
    finishing: true,
    isReady: () => left > 0,
    get drained() {
      return left === 0;
    },
    writeFeatures: () => {},
    acceptOutput: () => {
      left--;
      if (fails) throw new Error(`decoder failed on ${id}`);
    },
  } as unknown as StreamPipeline;
}

Deno.test("a stream whose decoding throws is dropped and reported; the others in its batch finish", async () => {
  const drained: string[] = [];
  const streamErrors: string[] = [];
  const done = Promise.withResolvers<void>();
  const backend = new EchoBackend();
  const scheduler = new Scheduler(
    backend,
    model,
    { maxBatch: 8, maxWaitMs: 0 },
    (s) => {
      drained.push(s.id);
      scheduler.remove(s);
      if (drained.length === 2) done.resolve();
    },
    (e) => done.reject(e), // the worker's failure: the test fails with it
    (s, e) => streamErrors.push(`${s.id}: ${(e as Error).message}`),
  );
  const streams = [fakeStream("a", 3), fakeStream("bad", 3, true), fakeStream("c", 3)];
  for (const s of streams) scheduler.add(s);
  scheduler.poke(streams[0]);
  await done.promise;

  deepStrictEqual(drained.sort(), ["a", "c"]);
  deepStrictEqual(streamErrors, ["bad: decoder failed on bad"]); // reported once, then left out
  strictEqual(backend.runs, 3);
  strictEqual(backend.open.size, 0, "every stream's state slot is given back");
});

Deno.test("a stream whose ending throws is reported alone", async () => {
  const streamErrors: string[] = [];
  const drained: string[] = [];
  const done = Promise.withResolvers<void>();
  const backend = new EchoBackend();
  const scheduler = new Scheduler(
    backend,
    model,
    { maxBatch: 8, maxWaitMs: 0 },
    (s) => {
      if (s.id === "bad") throw new Error("endpoint failed");
      drained.push(s.id);
      scheduler.remove(s);
    },
    (e) => done.reject(e), // the worker's failure: the test fails with it
    (s, e) => {
      streamErrors.push(`${s.id}: ${(e as Error).message}`);
      done.resolve();
    },
  );
  const streams = [fakeStream("a", 1), fakeStream("bad", 1)];
  for (const s of streams) scheduler.add(s);
  scheduler.poke(streams[0]);
  await done.promise;
  deepStrictEqual(streamErrors, ["bad: endpoint failed"]);
  deepStrictEqual(drained, ["a"]);
  strictEqual(backend.open.size, 0, "the failed stream's slot is given back too");
});
