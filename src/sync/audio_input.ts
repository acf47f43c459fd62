// The `audio` part as mono 16-bit PCM: a 16-bit PCM WAV (mono or stereo, read from its header) or
// raw S16LE PCM (rate and channels from the config part, 16 kHz mono when not given). Compressed
// audio and other sample formats are refused with 415 rather than guessed at.
import { isWav, readRiffWav, WavFormatError } from "../audio/riff_wav.ts";
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
  let wav;
  try {
    wav = readRiffWav(b);
  } catch (e) {
    if (e instanceof WavFormatError) throw badAudio(e.message);
    throw e;
  }
  if (wav.format !== 1 || wav.bitsPerSample !== 16) {
    throw unsupported(`WAV must be 16-bit PCM (got format ${wav.format} with ${wav.bitsPerSample} bits)`);
  }
  if (wav.channels !== 1 && wav.channels !== 2) {
    throw unsupported(`WAV must be mono or stereo (got ${wav.channels} channels)`);
  }
  checkRate(wav.sampleRate);
  return pcmAudio(toMono(wav.data, wav.channels), wav.sampleRate);
}

/** Decodes the audio part; `contentType` is the part's own type (lower case, no parameters). */
export function decodeAudio(bytes: Uint8Array, contentType: string, raw: RawPcmFormat = {}): PcmAudio {
  // A part labelled as PCM is trusted: any two bytes can open raw PCM.
  const compressed = PCM_TYPES.includes(contentType) ? undefined : compressedFormat(bytes);
  if (compressed) {
    throw unsupported(`${compressed} audio is not supported: send 16-bit PCM WAV or raw S16LE PCM`);
  }
  if (isWav(bytes)) return readWav(bytes);
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
