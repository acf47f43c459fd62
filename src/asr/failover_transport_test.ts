// The failover transport against a fake inner transport: what a resumed stream is sent, which
// frames reach the session, and when it gives up.
import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { UNIVERSAL_TURN_SETTINGS } from "../engine/turns.ts";
import { FailoverTransport } from "./failover_transport.ts";
import type { ClientFrame, ServerFrame, TurnSettings, Word } from "./proto.ts";
import type { AsrLink, AsrTransport, LinkHandlers } from "./transport.ts";

class FakeLink implements AsrLink {
  readonly sent: ClientFrame[] = [];
  closed = false;
  constructor(readonly handlers: LinkHandlers) {}
  send(frame: ClientFrame): void {
    this.sent.push(frame);
  }
  close(): void {
    this.closed = true;
  }
  emit(frame: ServerFrame): void {
    this.handlers.onFrame(frame);
  }
  lose(reason = "connection reset"): void {
    this.handlers.onLost(reason);
  }
  get open() {
    const f = this.sent[0];
    if (f?.kind !== "open") throw new Error("first frame is not open");
    return f.open;
  }
  audioBytes(): number {
    return this.sent.reduce((n, f) => n + (f.kind === "audio" ? f.audio.data.byteLength : 0), 0);
  }
  kinds(): string[] {
    return this.sent.map((f) => f.kind);
  }
}

class FakeTransport implements AsrTransport {
  readonly links: FakeLink[] = [];
  /** How the fake service answers each new link (nothing: it never answers). */
  constructor(readonly name: string, public onOpen?: (link: FakeLink) => void) {}
  open(_route: string, handlers: LinkHandlers): AsrLink {
    const link = new FakeLink(handlers);
    this.links.push(link);
    if (this.onOpen) queueMicrotask(() => this.onOpen?.(link));
    return link;
  }
}

const acceptAll = (link: FakeLink) => link.emit({ kind: "ready", ready: { model: "en-default" } });

const settings: TurnSettings = { ...UNIVERSAL_TURN_SETTINGS };

/** 16 kHz s16le: 32 bytes per ms. */
const audio = (ms: number, fill = 0): ClientFrame => ({
  kind: "audio",
  audio: { data: new Uint8Array(ms * 32).fill(fill) },
});

const openFrame: ClientFrame = {
  kind: "open",
  open: {
    session_id: "s1",
    route: "en-default",
    sample_rate: 16000,
    encoding: "PCM_S16LE",
    settings,
    resume_turn_order: 0,
    resume_offset_ms: 0,
  },
};

const word = (text: string, start: number, end: number): Word => ({
  text,
  start_ms: start,
  end_ms: end,
  confidence: 0.9,
  is_final: true,
});

function turn(order: number, words: Word[], final: boolean): ServerFrame {
  return {
    kind: "turn",
    turn: {
      turn_order: order,
      words,
      end_of_turn: final,
      end_of_turn_confidence: final ? 1 : 0,
      utterance_end: final,
      language_code: "",
      language_confidence: 0,
    },
  };
}

function session(transport: AsrTransport) {
  const frames: ServerFrame[] = [];
  const lost: string[] = [];
  const link = transport.open("en-default", {
    onFrame: (f) => frames.push(f),
    onLost: (r) => lost.push(r),
  });
  return { link, frames, lost };
}

const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));

Deno.test("failover: a healthy stream passes through unchanged", async () => {
  const a = new FakeTransport("a", acceptAll);
  const s = session(new FailoverTransport([a]));
  s.link.send(openFrame);
  s.link.send(audio(100));
  await tick();
  a.links[0].emit(turn(0, [word("hello", 0, 80)], true));
  a.links[0].emit({ kind: "finished", finished: { audio_seconds: 0.1 } });
  deepStrictEqual(a.links[0].kinds(), ["open", "audio"]);
  strictEqual(a.links[0].open.resume_turn_order, 0);
  deepStrictEqual(s.frames.map((f) => f.kind), ["ready", "turn", "finished"]);
  s.link.close();
  ok(a.links[0].closed);
});

Deno.test("failover: resumes after the last final turn on the next endpoint", async () => {
  const a = new FakeTransport("a", acceptAll);
  const b = new FakeTransport("b", acceptAll);
  const logs: string[] = [];
  const s = session(new FailoverTransport([a, b], { log: (m) => logs.push(m) }));
  s.link.send(openFrame);
  s.link.send(audio(1000, 1));
  s.link.send(audio(1000, 2));
  await tick();
  a.links[0].emit(turn(0, [word("first", 100, 900)], true));
  s.link.send({ kind: "update", update: { settings: { ...settings, max_turn_silence_ms: 2000 } } });
  s.link.send(audio(500, 3));
  a.links[0].emit(turn(1, [word("second", 1300, 1500)], false));
  s.link.send({ kind: "finish", finish: {} });
  a.links[0].lose();
  await tick();

  strictEqual(b.links.length, 1, "the stream moved to endpoint b");
  const resumed = b.links[0];
  // Turn 0 ended at 900 ms; half of min_turn_silence (200 ms) later is where the replay starts.
  strictEqual(resumed.open.resume_turn_order, 1);
  strictEqual(resumed.open.resume_offset_ms, 1100);
  strictEqual(resumed.open.settings.max_turn_silence_ms, 2000, "the latest settings");
  strictEqual(resumed.audioBytes(), (2500 - 1100) * 32, "audio since the cut, nothing before");
  strictEqual(resumed.kinds().at(-1), "finish", "Finish is sent again");
  const firstReplayed = resumed.sent.find((f) => f.kind === "audio");
  ok(firstReplayed?.kind === "audio" && firstReplayed.audio.data[0] === 2, "1100 ms is in the second chunk");
  ok(logs.some((l) => l.includes("resuming on b")), logs.join("\n"));

  // A stale turn is dropped; the resumed turn and the end pass.
  resumed.emit(turn(0, [word("first", 100, 900)], true));
  resumed.emit(turn(1, [word("second", 1300, 1500)], true));
  resumed.emit({ kind: "finished", finished: { audio_seconds: 1.4 } });
  const turns = s.frames.filter((f) => f.kind === "turn");
  deepStrictEqual(turns.map((f) => f.kind === "turn" && [f.turn.turn_order, f.turn.end_of_turn]), [
    [0, true],
    [1, false],
    [1, true],
  ]);
  strictEqual(s.frames.at(-1)?.kind, "finished");
  deepStrictEqual(s.lost, []);
  s.link.close();
});

Deno.test("failover: audio sent while reconnecting reaches the new link once", async () => {
  const a = new FakeTransport("a", acceptAll);
  const b = new FakeTransport("b"); // accepts only when told
  const s = session(new FailoverTransport([a, b]));
  s.link.send(openFrame);
  s.link.send(audio(200));
  await tick();
  a.links[0].lose();
  s.link.send(audio(300));
  await tick();
  strictEqual(b.links[0].audioBytes(), 500 * 32);
  acceptAll(b.links[0]);
  s.link.send(audio(100));
  strictEqual(b.links[0].audioBytes(), 600 * 32);
  s.link.close();
});

Deno.test("failover: a ForceEndpoint marks the cut of the turn it ended", async () => {
  const a = new FakeTransport("a", acceptAll);
  const s = session(new FailoverTransport([a]));
  s.link.send(openFrame);
  s.link.send(audio(700));
  s.link.send({ kind: "force_endpoint", force_endpoint: {} });
  s.link.send(audio(300));
  await tick();
  a.links[0].emit(turn(0, [word("stop", 200, 650)], true));
  a.links[0].lose();
  await tick();
  const resumed = a.links[1];
  strictEqual(resumed.open.resume_offset_ms, 700);
  strictEqual(resumed.audioBytes(), 300 * 32);
  ok(!resumed.kinds().includes("force_endpoint"), "the used ForceEndpoint is not replayed");
  s.link.close();
});

Deno.test("failover: a ForceEndpoint ahead of the decoded audio stays in the replay", async () => {
  const a = new FakeTransport("a", acceptAll);
  const s = session(new FailoverTransport([a]));
  s.link.send(openFrame);
  s.link.send(audio(700));
  s.link.send({ kind: "force_endpoint", force_endpoint: {} });
  s.link.send(audio(300));
  await tick();
  // The service had decoded only up to ~450 ms when it ended the turn.
  a.links[0].emit(turn(0, [word("go", 200, 400)], true));
  a.links[0].lose();
  await tick();
  const resumed = a.links[1];
  strictEqual(resumed.open.resume_offset_ms, 600);
  deepStrictEqual(resumed.kinds(), ["open", "audio", "force_endpoint", "audio"]);
  strictEqual(resumed.audioBytes(), 400 * 32);
  s.link.close();
});

Deno.test("failover: replay is capped; the offset follows the oldest kept audio", async () => {
  const a = new FakeTransport("a", acceptAll);
  const s = session(new FailoverTransport([a], { replayCapMs: 1000 }));
  s.link.send(openFrame);
  for (let i = 0; i < 25; i++) s.link.send(audio(100));
  await tick();
  a.links[0].lose();
  await tick();
  strictEqual(a.links[1].open.resume_offset_ms, 1500);
  strictEqual(a.links[1].audioBytes(), 1000 * 32);
  s.link.close();
});

Deno.test("failover: gives up with onLost when no endpoint takes the stream in time", async () => {
  const a = new FakeTransport("a", acceptAll);
  const dead = new FakeTransport("dead", (link) => link.lose("connection refused"));
  const s = session(new FailoverTransport([a, dead], { giveUpAfterMs: 300, attemptTimeoutMs: 100 }));
  s.link.send(openFrame);
  await tick();
  a.links[0].lose();
  // From now on "a" never answers and "dead" refuses connections.
  a.onOpen = undefined;
  a.links.length = 0;
  await tick(600);
  strictEqual(s.lost.length, 1);
  ok(s.lost[0].includes("no ASR service took the stream within"), s.lost[0]);
  ok(s.lost[0].includes("connection refused") || s.lost[0].includes("no answer"), s.lost[0]);
  const attempts = a.links.length + dead.links.length;
  ok(attempts >= 2, `several attempts (${attempts})`);
  s.link.close();
});

Deno.test("failover: a new stream refused everywhere gets the refusal", async () => {
  const refuse = (link: FakeLink) =>
    link.emit({ kind: "error", error: { kind: "CAPACITY", message: "at capacity" } });
  const a = new FakeTransport("a", refuse);
  const b = new FakeTransport("b", refuse);
  const s = session(new FailoverTransport([a, b]));
  s.link.send(openFrame);
  await tick(200);
  strictEqual(a.links.length + b.links.length, 3, "a few attempts, round the endpoints");
  deepStrictEqual(s.frames.map((f) => f.kind), ["error"]);
  deepStrictEqual(s.lost, []);
  s.link.close();
});

Deno.test("failover: a draining service during a resume sends the stream elsewhere", async () => {
  const a = new FakeTransport("a", acceptAll);
  const draining = new FakeTransport(
    "b",
    (link) => link.emit({ kind: "error", error: { kind: "SHUTTING_DOWN", message: "draining" } }),
  );
  const s = session(new FailoverTransport([a, draining]));
  s.link.send(openFrame); // starts on a
  await tick();
  s.link.send(audio(100));
  a.links[0].lose(); // resumes on b, which refuses, then on a again
  await tick(300);
  strictEqual(draining.links.length, 1);
  strictEqual(a.links.length, 2);
  ok(!a.links[1].closed);
  strictEqual(a.links[1].audioBytes(), 100 * 32);
  deepStrictEqual(s.frames.map((f) => f.kind), ["ready", "ready"], "the refusal is not the session's");
  s.link.close();
});

Deno.test("failover: a new stream refused by a draining instance tries again", async () => {
  let refusals = 1;
  const nginx = new FakeTransport("nginx", (link) => {
    if (refusals-- > 0) link.emit({ kind: "error", error: { kind: "SHUTTING_DOWN", message: "draining" } });
    else acceptAll(link);
  });
  const s = session(new FailoverTransport([nginx]));
  s.link.send(openFrame);
  await tick(200);
  strictEqual(nginx.links.length, 2);
  deepStrictEqual(s.frames.map((f) => f.kind), ["ready"]);
  s.link.close();
});

Deno.test("failover: close() stops reconnecting", async () => {
  const a = new FakeTransport("a", acceptAll);
  const s = session(new FailoverTransport([a]));
  s.link.send(openFrame);
  await tick();
  s.link.close();
  a.links[0].lose();
  await tick(50);
  strictEqual(a.links.length, 1);
  deepStrictEqual(s.lost, []);
});
