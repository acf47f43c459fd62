import assert from "node:assert/strict";
import { decodeMulaw, decodePcm16 } from "./pcm.ts";

Deno.test("pcm_s16le decodes known byte pairs", () => {
  const bytes = Uint8Array.of(
    0x00,
    0x00,
    0x01,
    0x00,
    0xff,
    0xff,
    0xff,
    0x7f,
    0x00,
    0x80,
    0x00,
    0x40,
    0x34,
    0x12,
  );
  const expected = [0, 1, -1, 32767, -32768, 16384, 0x1234].map((v) => v / 32768);
  assert.deepEqual([...decodePcm16(bytes)], expected.map((v) => Math.fround(v)));
  assert.equal(decodePcm16(bytes)[4], -1);
  assert.equal(decodePcm16(bytes)[5], 0.5);
  assert.throws(() => decodePcm16(Uint8Array.of(1, 2, 3)));
});

Deno.test("pcm_s16le works on unaligned views", () => {
  const backing = Uint8Array.of(0xaa, 0x00, 0xc0, 0x00, 0x20);
  assert.deepEqual([...decodePcm16(backing.subarray(1, 5))], [-0.5, 0.25]);
});

Deno.test("pcm_mulaw decodes to the G.711 table values", () => {
  // Reference int16 values from the ITU-T G.711 table (identical to Python's audioop.ulaw2lin).
  const cases: [number, number][] = [
    [0x00, -32124],
    [0x80, 32124],
    [0x7f, 0],
    [0xff, 0],
    [0xf0, 120],
    [0x70, -120],
    [0xef, 132],
    [0x6f, -132],
    [0xfe, 8],
    [0x7e, -8],
    [0x0f, -16764],
    [0x8f, 16764],
    [0x10, -15996],
    [0xa5, 6652],
    [0x3c, -2364],
  ];
  const got = decodeMulaw(Uint8Array.from(cases, ([b]) => b));
  cases.forEach(([byte, lin], i) =>
    assert.equal(got[i], Math.fround(lin / 32768), `byte 0x${byte.toString(16)}`)
  );
  // Full table: odd symmetry between the two sign halves, monotone within each.
  const all = decodeMulaw(Uint8Array.from({ length: 256 }, (_, i) => i));
  for (let b = 0; b < 128; b++) assert.equal(all[b], b === 0x7f ? 0 : -all[b + 128]);
  for (let b = 1; b < 128; b++) assert.ok(all[b] > all[b - 1] && all[b + 128] < all[b + 127]);
});
