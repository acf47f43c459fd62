// The `audio` part as mono 16-bit PCM: a 16-bit PCM WAV (mono or stereo, read from its header) or
// raw S16LE PCM (rate and channels from the config part, 16 kHz mono when not given). Compressed
// audio and other sample formats are refused with 415 rather than guessed at.
import { SyncProblem } from "./problem.ts";

/** The rates the upstream sync service accepts; the engine resamples each to 16 kHz. */
export const SAMPLE_RATES = [8000, 16000, 22050, 24000, 32000, 44100, 48000] as const;

export interface PcmAudio {
  /** mono S16LE */
  pcm: Uint8Array;
  sampleRate: number;
  durationMs: number;
}

export interface RawPcmFormat {
  sampleRate?: number;
  channels?: number;
}

const WAV_TYPES = ["audio/wav", "audio/wave", "audio/x-wav", "audio/vnd.wave"];
// Raw PCM may arrive with a PCM type, as octet-stream (curl's default for -F @file) or untyped.
const PCM_TYPES = ["audio/pcm", "audio/l16", "audio/raw", "audio/x-raw"];
const RAW_TYPES = ["", "application/octet-stream", ...PCM_TYPES];

const unsupported = (detail: string) => new SyncProblem(415, "Unsupported Media Type", detail);
const badAudio = (detail: string) => new SyncProblem(400, "Bad Audio", detail);

function tag(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(...bytes.subarray(at, at + 4));
}

/** Names a compressed container by its magic bytes, so a mislabelled MP3 gets a 415 and not noise. */
function compressedFormat(b: Uint8Array): string | undefined {
  if (tag(b, 0) === "OggS") return "Ogg";
  if (tag(b, 0) === "fLaC") return "FLAC";
  if (b[0] === 0x49 && b[1] === 0x44 && b[2] === 0x33) return "MP3 (ID3)";
  if (tag(b, 4) === "ftyp") return "MP4/M4A";
  if (b[0] === 0x1a && b[1] === 0x45 && b[2] === 0xdf && b[3] === 0xa3) return "WebM/Matroska";
  return undefined;
}

function checkRate(rate: number): void {
  if (!(SAMPLE_RATES as readonly number[]).includes(rate)) {
    throw unsupported(`sample rate ${rate} Hz is not supported (supported: ${SAMPLE_RATES.join(", ")})`);
  }
}

/** Interleaved S16LE frames of 1 or 2 channels to mono (stereo is averaged). */
function toMono(data: Uint8Array, channels: number): Uint8Array {
  const frames = Math.floor(data.byteLength / (2 * channels));
  if (channels === 1) return data.slice(0, frames * 2);
  const src = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(frames * 2);
  const dst = new DataView(out.buffer);
  for (let f = 0; f < frames; f++) {
    const l = src.getInt16(f * 4, true), r = src.getInt16(f * 4 + 2, true);
    dst.setInt16(f * 2, Math.round((l + r) / 2), true);
  }
  return out;
}

function pcmAudio(mono: Uint8Array, sampleRate: number): PcmAudio {
  return { pcm: mono, sampleRate, durationMs: (mono.byteLength / 2 / sampleRate) * 1000 };
}

function readWav(b: Uint8Array): PcmAudio {
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let fmt: { format: number; channels: number; rate: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= b.length;) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (tag(b, at) === "fmt ") {
      if (size < 16 || body + 16 > b.length) throw badAudio("malformed WAV: short fmt chunk");
      let format = view.getUint16(body, true);
      // WAVE_FORMAT_EXTENSIBLE names the real format in the first two bytes of its sub-format GUID.
      if (format === 0xfffe && size >= 40 && body + 26 <= b.length) format = view.getUint16(body + 24, true);
      fmt = {
        format,
        channels: view.getUint16(body + 2, true),
        rate: view.getUint32(body + 4, true),
        bits: view.getUint16(body + 14, true),
      };
    } else if (tag(b, at) === "data") {
      if (!fmt) throw badAudio("malformed WAV: data chunk before the fmt chunk");
      if (fmt.format !== 1 || fmt.bits !== 16) {
        throw unsupported(`WAV must be 16-bit PCM (got format ${fmt.format} with ${fmt.bits} bits)`);
      }
      if (fmt.channels !== 1 && fmt.channels !== 2) {
        throw unsupported(`WAV must be mono or stereo (got ${fmt.channels} channels)`);
      }
      checkRate(fmt.rate);
      // Streamed WAVs write a placeholder size; the data runs to the end of the file then.
      const data = b.subarray(body, Math.min(b.length, body + size));
      return pcmAudio(toMono(data, fmt.channels), fmt.rate);
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw badAudio(fmt ? "malformed WAV: no data chunk" : "malformed WAV: no fmt chunk");
}

/** Decodes the audio part; `contentType` is the part's own type (lower case, no parameters). */
export function decodeAudio(bytes: Uint8Array, contentType: string, raw: RawPcmFormat = {}): PcmAudio {
  // A part labelled as PCM is trusted: any two bytes can open raw PCM.
  const compressed = PCM_TYPES.includes(contentType) ? undefined : compressedFormat(bytes);
  if (compressed) {
    throw unsupported(`${compressed} audio is not supported: send 16-bit PCM WAV or raw S16LE PCM`);
  }
  if (bytes.length >= 12 && tag(bytes, 0) === "RIFF" && tag(bytes, 8) === "WAVE") return readWav(bytes);
  if (WAV_TYPES.includes(contentType)) throw badAudio("malformed WAV: no RIFF/WAVE header");
  if (!RAW_TYPES.includes(contentType)) {
    throw unsupported(
      `audio of type ${contentType} is not supported: send 16-bit PCM WAV (audio/wav) or raw S16LE PCM (audio/pcm)`,
    );
  }
  const rate = raw.sampleRate ?? 16000;
  const channels = raw.channels ?? 1;
  checkRate(rate);
  if (bytes.byteLength % (2 * channels) !== 0) {
    throw badAudio(
      `raw PCM of ${bytes.byteLength} bytes is not whole 16-bit frames of ${channels} channel(s)`,
    );
  }
  return pcmAudio(toMono(bytes, channels), rate);
}
