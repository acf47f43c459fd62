import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import type { TurnEvent, TurnSettings } from "./stream_types.ts";
import type { DecodedWord } from "./tokens.ts";
import { TurnTracker, UNIVERSAL_TURN_SETTINGS } from "./turns.ts";

const universal: TurnSettings = { ...UNIVERSAL_TURN_SETTINGS };
const pro: TurnSettings = {
  ...universal,
  min_turn_silence_ms: 100,
  max_turn_silence_ms: 1000,
  pro_rules: true,
};

const w = (text: string, startMs: number, endMs: number): DecodedWord => ({
  text,
  startMs,
  endMs,
  confidence: 0.9,
});
const turns = (events: TurnEvent[]) => events.flatMap((e) => (e.kind === "turn" ? [e.turn] : []));

Deno.test("universal partials: every word but the last is final; unchanged words emit nothing", () => {
  const t = new TurnTracker(universal);
  const a = t.update([w("book", 0, 300)], 320);
  deepStrictEqual(turns(a.events).map((u) => u.words.map((x) => x.is_final)), [[false]]);
  const b = t.update([w("book", 0, 300), w("a", 320, 400)], 480);
  deepStrictEqual(turns(b.events)[0].words.map((x) => x.is_final), [true, false]);
  strictEqual(t.update([w("book", 0, 300), w("a", 320, 400)], 560).events.length, 0);
});

Deno.test("universal partials hold back words a beam search may still revise", () => {
  const t = new TurnTracker(universal);
  const words = [w("the", 0, 200), w("can", 300, 500), w("oe", 520, 600)];
  // Only "the" is settled: the partial shows it (final) and one more word (not final).
  const a = turns(t.update(words, 640, undefined, 1).events);
  deepStrictEqual(a[0].words.map((x) => [x.text, x.is_final]), [["the", true], ["can", false]]);
  // Once everything settles, the rest appears.
  const b = turns(t.update(words, 720, undefined, 2).events);
  deepStrictEqual(b[0].words.map((x) => [x.text, x.is_final]), [["the", true], ["can", true], ["oe", false]]);
  // A final turn carries every word, settled or not.
  const end = turns(t.update(words, 5000, undefined, 0).events);
  strictEqual(end[0].end_of_turn, true);
  deepStrictEqual(end[0].words.map((x) => x.text), ["the", "can", "oe"]);
});

Deno.test("universal end of turn: confidence threshold after min silence, forced at max silence", () => {
  // A complete sentence: confidence 0.5 + 0.5 * 400/1280 = 0.66 >= 0.4 at min_turn_silence.
  const complete = new TurnTracker(universal);
  complete.update([w("hello", 0, 400)], 420);
  strictEqual(complete.update([w("hello", 0, 400)], 400 + 399).ended, false);
  const atMin = complete.update([w("hello", 0, 400)], 400 + 400);
  strictEqual(atMin.ended, true);
  ok(Math.abs(turns(atMin.events)[0].end_of_turn_confidence - (0.5 + 0.5 * 400 / 1280)) < 1e-9);

  // Ending on a connecting word: 400 ms gives 400/1280 = 0.31 < 0.4, an utterance boundary but no end.
  const words = [w("hello", 0, 200), w("and", 220, 400)];
  const t = new TurnTracker(universal);
  t.update(words, 420);
  const mid = turns(t.update(words, 800).events);
  strictEqual(mid[0].end_of_turn, false);
  strictEqual(mid[0].utterance_end, true);
  const end = t.update(words, 400 + 520);
  strictEqual(end.ended, true);
  const final = turns(end.events)[0];
  ok(final.end_of_turn && final.words.every((x) => x.is_final));
  strictEqual(final.turn_order, 0);
  strictEqual(t.turnOrder, 1);

  const silenceOnly = new TurnTracker({ ...universal, end_of_turn_confidence_threshold: 1 });
  strictEqual(silenceOnly.update([w("hello", 0, 400)], 400 + 1200).ended, false);
  strictEqual(silenceOnly.update(words, 400 + 1200).ended, false);
  strictEqual(silenceOnly.update(words, 400 + 1280).ended, true);
  const eager = new TurnTracker({ ...universal, end_of_turn_confidence_threshold: 0 });
  strictEqual(eager.update(words, 400 + 399).ended, false);
  strictEqual(eager.update(words, 400 + 400).ended, true);
});

Deno.test("pro rules: SpeechStarted, early partial at 750 ms, end at min silence unless on a connecting word", () => {
  const t = new TurnTracker(pro, 3);
  const first = t.update([w("my", 880, 1000)], 1040);
  deepStrictEqual(first.events.map((e) => e.kind), ["speech_started"]);
  const early = turns(t.update([w("my", 880, 1000), w("card", 1100, 1600)], 1640).events);
  strictEqual(early.length, 1);
  ok(early[0].words.every((x) => !x.is_final));
  // ends on "is": a connecting word waits for max_turn_silence
  const open = [w("my", 880, 1000), w("card", 1100, 1600), w("is", 1650, 1750)];
  strictEqual(t.update(open, 1750 + 300).ended, false);
  strictEqual(t.update(open, 1750 + 1000).ended, true);
  const done = new TurnTracker(pro);
  strictEqual(done.update([w("thanks", 0, 500)], 500 + 100).ended, true);
});

Deno.test("endNow ends a turn with words and is a no-op without", () => {
  const t = new TurnTracker(universal);
  strictEqual(t.endNow([], "force_endpoint").length, 0);
  t.update([w("stop", 0, 200)], 320);
  const e = turns(t.endNow([w("stop", 0, 200)], "force_endpoint"));
  strictEqual(e[0].end_of_turn, true);
  deepStrictEqual([e[0].turn_end_reason, e[0].silence_before_eot_ms], ["force_endpoint", 120]);
  strictEqual(t.turnOrder, 1);
  strictEqual(turns(t.endNow([w("bye", 400, 600)], "end_of_stream"))[0].turn_end_reason, "end_of_stream");
});

Deno.test("a final turn says why it ended and after how much silence; partials say nothing", () => {
  const words = [w("what", 0, 200), w("time", 240, 500)];
  const u = new TurnTracker(universal);
  const partial = turns(u.update(words, 600).events)[0];
  strictEqual(partial.turn_end_reason, undefined);
  // complete-looking words at min_turn_silence: confidence 0.5 + 0.5 * 400/1280 passes 0.4
  const done = turns(u.update(words, 900).events)[0];
  deepStrictEqual([done.end_of_turn, done.turn_end_reason, done.silence_before_eot_ms], [
    true,
    "confident",
    400,
  ]);
  // a threshold of 1 waits for max_turn_silence
  const strict = new TurnTracker({ ...universal, end_of_turn_confidence_threshold: 1 });
  strict.update(words, 900);
  const late = turns(strict.update(words, 500 + 1280).events)[0];
  deepStrictEqual([late.turn_end_reason, late.silence_before_eot_ms], ["max_turn_silence", 1280]);
  // the pro rules end a complete-looking turn at min_turn_silence
  const p = new TurnTracker(pro);
  const proDone = turns(p.update(words, 600).events).at(-1)!;
  deepStrictEqual([proDone.turn_end_reason, proDone.silence_before_eot_ms], ["complete", 100]);
});

Deno.test("with the VAD: speech it still hears keeps the turn open; its onset times SpeechStarted", () => {
  const words = [w("hello", 200, 400)];
  const t = new TurnTracker(universal);
  t.update(words, 420, { silenceMs: 0, speechStartMs: 120, speechStartProb: 0.97 });
  // 1.6 s past the last word, but the VAD heard speech 100 ms ago (a word the model can't spell).
  const open = t.update(words, 2000, { silenceMs: 100, speechStartMs: 120, speechStartProb: 0.97 });
  strictEqual(open.ended, false);
  strictEqual(turns(open.events)[0]?.end_of_turn ?? false, false);
  // Once the VAD hears silence too, the forced end applies.
  strictEqual(
    t.update(words, 2100, { silenceMs: 1300, speechStartMs: 120, speechStartProb: 0.97 }).ended,
    true,
  );

  const p = new TurnTracker(pro);
  const first = p.update(words, 420, { silenceMs: 0, speechStartMs: 120, speechStartProb: 0.97 });
  deepStrictEqual(first.events[0], {
    kind: "speech_started",
    speech_started: { timestamp_ms: 120, confidence: 0.97 },
  });
});
