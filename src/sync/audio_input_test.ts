import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { decodeAudio } from "./audio_input.ts";
import { SyncProblem } from "./problem.ts";

function pcm(samples: number[]): Uint8Array {
  const out = new Uint8Array(samples.length * 2);
  const v = new DataView(out.buffer);
  samples.forEach((s, i) => v.setInt16(i * 2, s, true));
  return out;
}

function wav(
  data: Uint8Array,
  o: { rate?: number; channels?: number; bits?: number; extensible?: boolean } = {},
) {
  const rate = o.rate ?? 16000, channels = o.channels ?? 1, bits = o.bits ?? 16;
  const fmtSize = o.extensible ? 40 : 16;
  const out = new Uint8Array(28 + fmtSize + data.byteLength);
  const v = new DataView(out.buffer);
  const put = (at: number, s: string) => [...s].forEach((c, i) => (out[at + i] = c.charCodeAt(0)));
  put(0, "RIFF"), v.setUint32(4, out.byteLength - 8, true), put(8, "WAVE"), put(12, "fmt ");
  v.setUint32(16, fmtSize, true), v.setUint16(20, o.extensible ? 0xfffe : 1, true);
  v.setUint16(22, channels, true), v.setUint32(24, rate, true), v.setUint16(34, bits, true);
  if (o.extensible) v.setUint16(20 + 24, 1, true); // the sub-format GUID starts with 1 (PCM)
  put(20 + fmtSize, "data"), v.setUint32(24 + fmtSize, data.byteLength, true), out.set(data, 28 + fmtSize);
  return out;
}

const status = (f: () => unknown) => {
  try {
    f();
  } catch (e) {
    if (e instanceof SyncProblem) return e.status;
    throw e;
  }
  return 200;
};

Deno.test("sync audio: stereo WAV is averaged to mono at its own rate", () => {
  const a = decodeAudio(wav(pcm([100, 300, -50, -150]), { channels: 2, rate: 44100 }), "audio/wav");
  deepStrictEqual(a.pcm, pcm([200, -100]));
  strictEqual(a.sampleRate, 44100);
  strictEqual(a.durationMs, 2 / 44.1);
});

Deno.test("sync audio: WAVE_FORMAT_EXTENSIBLE PCM is read; other formats, widths, rates are 415", () => {
  strictEqual(decodeAudio(wav(pcm([1, 2]), { extensible: true }), "").pcm.byteLength, 4);
  strictEqual(status(() => decodeAudio(wav(pcm([1, 2]), { bits: 24 }), "audio/wav")), 415);
  strictEqual(status(() => decodeAudio(wav(pcm([1, 2]), { rate: 11025 }), "audio/wav")), 415);
  strictEqual(status(() => decodeAudio(wav(pcm([1, 2, 3]), { channels: 3 }), "audio/wav")), 415);
  strictEqual(status(() => decodeAudio(new TextEncoder().encode("fLaC...."), "")), 415);
  strictEqual(status(() => decodeAudio(pcm([1, 2]), "audio/mpeg")), 415);
});

Deno.test("sync audio: raw PCM defaults to 16 kHz mono, takes the config's format, refuses part frames", () => {
  deepStrictEqual(decodeAudio(pcm([1, 2, 3]), "application/octet-stream"), {
    pcm: pcm([1, 2, 3]),
    sampleRate: 16000,
    durationMs: 3 / 16,
  });
  strictEqual(
    decodeAudio(pcm([1, 3, 5, 7]), "audio/pcm", { sampleRate: 8000, channels: 2 }).durationMs,
    2 / 8,
  );
  strictEqual(status(() => decodeAudio(new Uint8Array(3), "audio/pcm")), 400);
  strictEqual(status(() => decodeAudio(pcm([1]), "audio/pcm", { sampleRate: 12345 })), 415);
  // A part labelled as PCM is trusted even when its first bytes spell a container's magic.
  strictEqual(decodeAudio(new TextEncoder().encode("ID3x"), "audio/pcm").pcm.byteLength, 4);
  throws(() => decodeAudio(new TextEncoder().encode("RIFF"), "audio/wav"), /no RIFF\/WAVE header/);
});
