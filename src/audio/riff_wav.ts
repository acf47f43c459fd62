// The one RIFF/WAVE reader: its fmt fields and data, for clients and tools (src/client/wav.ts) and
// for the sync API's input checks (src/sync/audio_input.ts), which each decide what they accept.
export interface WavContents {
  /** 1 PCM, 7 mu-law, ...; WAVE_FORMAT_EXTENSIBLE resolved to its sub-format */
  format: number;
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  /** The data chunk (to the end of the file when a streamed WAV left its size a placeholder). */
  data: Uint8Array;
}

export class WavFormatError extends Error {
  override name = "WavFormatError";
}

function tag(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

export function isWav(bytes: Uint8Array): boolean {
  return bytes.length >= 12 && tag(bytes, 0) === "RIFF" && tag(bytes, 8) === "WAVE";
}

export function readRiffWav(bytes: Uint8Array): WavContents {
  if (!isWav(bytes)) throw new WavFormatError("not a WAV file (no RIFF/WAVE header)");
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let fmt: Omit<WavContents, "data"> | undefined;
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (tag(bytes, at) === "fmt ") {
      if (size < 16 || body + 16 > bytes.length) throw new WavFormatError("malformed WAV: short fmt chunk");
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
      if (format === 0xfffe && size >= 40 && body + 26 <= bytes.length) {
        format = view.getUint16(body + 24, true);
      }
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        sampleRate: view.getUint32(body + 4, true),
        bitsPerSample: view.getUint16(body + 14, true),
      };
    } else if (tag(bytes, at) === "data") {
      if (!fmt) throw new WavFormatError("malformed WAV: data chunk before the fmt chunk");
      return { ...fmt, data: bytes.subarray(body, Math.min(bytes.length, body + size)) };
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new WavFormatError(fmt ? "malformed WAV: no data chunk" : "malformed WAV: no fmt chunk");
}
