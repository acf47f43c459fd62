import { deepStrictEqual, rejects, strictEqual } from "node:assert/strict";
import type { ClientFrame, ServerFrame, TurnUpdate } from "../asr/proto.ts";
import type { AsrTransport, LinkHandlers } from "../asr/transport.ts";
import { SyncProblem } from "./problem.ts";
import { transcribe } from "./transcribe.ts";

/** A transport that records what the stream was sent and answers `finish` with `reply`. */
function double(reply: (h: LinkHandlers) => void) {
  const sent: ClientFrame[] = [];
  let closed = 0;
  const transport: AsrTransport = {
    name: "double",
    open: (_route, h) => ({
      send: (f) => {
        sent.push(f);
        if (f.kind === "finish") queueMicrotask(() => reply(h));
      },
      close: () => void closed++,
    }),
  };
  return { transport, sent, closed: () => closed };
}

const turn = (order: number, text: string, final = true): ServerFrame => ({
  kind: "turn",
  turn: {
    turn_order: order,
    words: [{ text, start_ms: 0, end_ms: 10, confidence: 1, is_final: final }],
    end_of_turn: final,
    end_of_turn_confidence: 1,
    utterance_end: false,
    language_code: "",
    language_confidence: 0,
  } satisfies TurnUpdate,
});

const job = (signal = new AbortController().signal) => ({
  id: "t",
  route: "en-default" as const,
  audio: { pcm: new Uint8Array(32000 * 2), sampleRate: 16000, durationMs: 2000 },
  keyterms: ["Boston"],
  signal,
});

Deno.test("sync transcribe: whole file at once, turns in order as they stood at `finished`", async () => {
  const d = double((h) => {
    for (const f of [turn(1, "b", false), turn(0, "a"), turn(1, "b2")]) h.onFrame(f);
    h.onFrame({ kind: "finished", finished: { audio_seconds: 2 } });
  });
  const turns = await transcribe(d.transport, job());
  deepStrictEqual(turns.map((t) => t.words[0].text), ["a", "b2"]);
  deepStrictEqual(d.sent.map((f) => f.kind), ["open", "audio", "audio", "audio", "audio", "finish"]);
  const open = d.sent[0].kind === "open" ? d.sent[0].open : undefined;
  deepStrictEqual(open?.settings.keyterms, ["Boston"]);
  strictEqual(d.closed(), 1);
});

Deno.test("sync transcribe: the deadline ends the stream with 504; ASR refusals map to 503 and 500", async () => {
  const silent = double(() => {});
  const deadline = new AbortController();
  const run = transcribe(silent.transport, job(deadline.signal));
  setTimeout(() => deadline.abort(), 5);
  await rejects(run, (e: SyncProblem) => e.status === 504 && e.title === "Inference Timeout");
  strictEqual(silent.closed(), 1, "the stream is released");

  const full = double((h) => h.onFrame({ kind: "error", error: { kind: "CAPACITY", message: "full" } }));
  await rejects(transcribe(full.transport, job()), (e: SyncProblem) => e.status === 503);
  const lost = double((h) => h.onLost("gone"));
  await rejects(transcribe(lost.transport, job()), (e: SyncProblem) => e.status === 500);
});
