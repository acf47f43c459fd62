// The front door on the shipped model (CPU backend): a stream of real speech gives turn events and
// its end through its handlers; a stream the backend has no room for is refused as CapacityError.
import { deepStrictEqual, ok, strictEqual, throws } from "node:assert/strict";
import { readWav } from "../client/wav.ts";
import type { Backend, BatchOutput } from "./backend.ts";
import { createBackend } from "./backend.ts";
import { loadModelDir } from "./model_dir.ts";
import { CapacityError, OnlineRecognizer } from "./recognizer.ts";
import type { TurnEvent } from "./stream_types.ts";
import { universalStream } from "./turns.ts";

const model = await loadModelDir(new URL("../../models/en-default", import.meta.url).pathname);
const SPEC = universalStream("t");

Deno.test("recognizer: a stream of speech reports its turns, then its end", async () => {
  const recognizer = new OnlineRecognizer(model, await createBackend("node", model), {
    maxBatch: 8,
    maxWaitMs: 0,
    decoder: { choice: "greedy" },
    onFatal: (e) => {
      throw e;
    },
  });
  const events: TurnEvent[] = [];
  const finished = Promise.withResolvers<number>();
  const stream = recognizer.createStream("a", SPEC, {
    onEvent: (e) => events.push(e),
    onFinished: finished.resolve,
    onFailed: finished.reject,
  });
  strictEqual(recognizer.openStreams, 1);
  stream.acceptAudio(
    readWav(Deno.readFileSync(new URL("../../tests/fixtures/weather.wav", import.meta.url))).data,
  );
  stream.finish();
  const seconds = await finished.promise;
  ok(seconds > 1, `${seconds} s of audio`);
  const final = events.filter((e) => e.kind === "turn" && e.turn.end_of_turn);
  strictEqual(final.length, 1);
  const words = final[0].kind === "turn" ? final[0].turn.words.map((w) => w.text) : [];
  ok(words.includes("weather"), words.join(" "));
  strictEqual(recognizer.openStreams, 0, "a finished stream is forgotten");
  await recognizer.release();
});

/** A backend double with room for one stream. */
class OneSlotBackend implements Backend {
  readonly name = "node";
  private used = false;
  openSlot(): number {
    if (this.used) throw new Error("all 1 stream state slots are in use");
    this.used = true;
    return 0;
  }
  closeSlot(): void {
    this.used = false;
  }
  run(): Promise<BatchOutput> {
    return Promise.reject(new Error("not called"));
  }
  release(): Promise<void> {
    return Promise.resolve();
  }
}

Deno.test("recognizer: a stream beyond the backend's room is refused; a closed one makes room", () => {
  const recognizer = new OnlineRecognizer(model, new OneSlotBackend(), {
    maxBatch: 8,
    maxWaitMs: 0,
    decoder: { choice: "greedy" },
    onFatal: () => {},
  });
  const handlers = { onEvent: () => {}, onFinished: () => {}, onFailed: () => {} };
  const first = recognizer.createStream("a", SPEC, handlers);
  throws(() => recognizer.createStream("b", SPEC, handlers), CapacityError);
  first.close();
  deepStrictEqual(recognizer.openStreams, 0);
  recognizer.createStream("c", SPEC, handlers);
});
