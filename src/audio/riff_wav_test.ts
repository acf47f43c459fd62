import { deepStrictEqual, throws } from "node:assert/strict";
import { readRiffWav, WavFormatError } from "./riff_wav.ts";

/** A WAV file: its fmt chunk body and data, and a data size that may differ from the data's. */
function wav(fmt: number[], data: number[], dataSize = data.length): Uint8Array {
  const bytes = new Uint8Array(12 + 8 + fmt.length + 8 + data.length);
  const view = new DataView(bytes.buffer);
  const put = (at: number, s: string) => [...s].forEach((c, i) => (bytes[at + i] = c.charCodeAt(0)));
  put(0, "RIFF");
  put(8, "WAVE");
  put(12, "fmt ");
  view.setUint32(16, fmt.length, true);
  bytes.set(fmt, 20);
  put(20 + fmt.length, "data");
  view.setUint32(24 + fmt.length, dataSize, true);
  bytes.set(data, 28 + fmt.length);
  return bytes;
}

/** fmt body: format, channels, rate, byte rate, block align, bits (16 bytes, little-endian). */
function fmtBody(format: number, channels: number, rate: number, bits: number): number[] {
  const b = new DataView(new ArrayBuffer(16));
  b.setUint16(0, format, true);
  b.setUint16(2, channels, true);
  b.setUint32(4, rate, true);
  b.setUint16(14, bits, true);
  return [...new Uint8Array(b.buffer)];
}

Deno.test("riff wav: fmt fields and data; a placeholder data size runs to the end", () => {
  const w = readRiffWav(wav(fmtBody(1, 2, 22050, 16), [1, 2, 3, 4], 0xffffffff));
  deepStrictEqual([w.format, w.channels, w.sampleRate, w.bitsPerSample, [...w.data]], [1, 2, 22050, 16, [
    1,
    2,
    3,
    4,
  ]]);
});

Deno.test("riff wav: WAVE_FORMAT_EXTENSIBLE names its sub-format; broken files are named", () => {
  const extensible = [...fmtBody(0xfffe, 1, 16000, 16), ...new Array(24).fill(0)];
  extensible[24] = 1; // sub-format GUID starts with the format code
  deepStrictEqual(readRiffWav(wav(extensible, [0, 0])).format, 1);
  throws(() => readRiffWav(new Uint8Array(16)), WavFormatError);
  throws(() => readRiffWav(wav(fmtBody(1, 1, 16000, 16), []).subarray(0, 36)), /no data chunk/);
});
