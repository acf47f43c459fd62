import assert from "node:assert/strict";
import { acceptableAsFinalChunk, bytesPerMs, checkChunk, durationMs } from "./audio.ts";

Deno.test("audio: bytes per ms for each encoding", () => {
  assert.equal(bytesPerMs("pcm_s16le", 16000), 32);
  assert.equal(bytesPerMs("pcm_mulaw", 8000), 8);
  assert.equal(bytesPerMs("pcm_s16le", 8000), 16);
  assert.equal(bytesPerMs("pcm_mulaw", 16000), 16);
  assert.equal(durationMs("pcm_s16le", 44100, 4410), 50);
});

Deno.test("audio: documented sizes — 16 kHz s16le 1600..32000 B, 8 kHz mulaw 400..8000 B", () => {
  assert.deepEqual(checkChunk("pcm_s16le", 16000, 1600), { ok: true, durationMs: 50 });
  assert.deepEqual(checkChunk("pcm_s16le", 16000, 32000), { ok: true, durationMs: 1000 });
  assert.deepEqual(checkChunk("pcm_s16le", 16000, 3200), { ok: true, durationMs: 100 });
  assert.deepEqual(checkChunk("pcm_mulaw", 8000, 400), { ok: true, durationMs: 50 });
  assert.deepEqual(checkChunk("pcm_mulaw", 8000, 8000), { ok: true, durationMs: 1000 });
});

Deno.test("audio: <50 ms and >1000 ms → 3007 with the documented reason", () => {
  const short = checkChunk("pcm_s16le", 16000, 640);
  assert.ok(!short.ok);
  assert.equal(short.problem, "too_short");
  assert.equal(short.code, 3007);
  assert.equal(short.reason, "Input duration violation: 20 ms. Expected between 50 and 1000 ms");

  const long = checkChunk("pcm_mulaw", 8000, 8008);
  assert.ok(!long.ok);
  assert.equal(long.problem, "too_long");
  assert.equal(long.reason, "Input duration violation: 1001 ms. Expected between 50 and 1000 ms");

  const justUnder = checkChunk("pcm_s16le", 16000, 1598); // 49.9375 ms
  assert.ok(!justUnder.ok);
  assert.equal(justUnder.reason, "Input duration violation: 49.93 ms. Expected between 50 and 1000 ms");
});

Deno.test("audio: one sample of rounding allowed where 50 ms is not whole samples", () => {
  assert.ok(checkChunk("pcm_s16le", 22050, 1102 * 2).ok); // 49.98 ms
  assert.ok(!checkChunk("pcm_s16le", 22050, 1101 * 2).ok);
});

Deno.test("audio: odd byte count for s16le → 3006", () => {
  const odd = checkChunk("pcm_s16le", 16000, 3201);
  assert.ok(!odd.ok);
  assert.equal(odd.problem, "odd_length");
  assert.equal(odd.code, 3006);
  assert.match(odd.reason, /^Invalid Message: audio frame of 3201 bytes/);
  assert.ok(checkChunk("pcm_mulaw", 8000, 401).ok); // mulaw has no alignment
});

Deno.test("audio: short final chunk helper", () => {
  assert.ok(acceptableAsFinalChunk(checkChunk("pcm_s16le", 16000, 640)));
  assert.ok(acceptableAsFinalChunk(checkChunk("pcm_s16le", 16000, 0)));
  assert.ok(acceptableAsFinalChunk(checkChunk("pcm_s16le", 16000, 3200)));
  assert.ok(!acceptableAsFinalChunk(checkChunk("pcm_s16le", 16000, 64000)));
  assert.ok(!acceptableAsFinalChunk(checkChunk("pcm_s16le", 16000, 641)));
});
