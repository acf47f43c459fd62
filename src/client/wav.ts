// Just enough of WAV for clients, tools and tests: mono PCM16 or mu-law, the two encodings the
// server takes.
import { readRiffWav } from "../audio/riff_wav.ts";
export interface Wav {
  sampleRate: number;
  encoding: "pcm_s16le" | "pcm_mulaw";
  /** bytes per millisecond of audio */
  bytesPerMs: number;
  data: Uint8Array;
}

export function readWav(bytes: Uint8Array): Wav {
  const wav = readRiffWav(bytes);
  if (wav.channels !== 1) throw new Error(`need mono audio, got ${wav.channels} channels`);
  const encoding = wav.format === 1 && wav.bitsPerSample === 16
    ? "pcm_s16le"
    : wav.format === 7
    ? "pcm_mulaw"
    : undefined;
  if (!encoding) {
    throw new Error(`need 16-bit PCM or mu-law, got format ${wav.format} with ${wav.bitsPerSample} bits`);
  }
  const bytesPerMs = wav.sampleRate * (wav.bitsPerSample / 8) / 1000;
  return { sampleRate: wav.sampleRate, encoding, bytesPerMs, data: wav.data };
}

/** Splits the audio into chunks of `ms` milliseconds (the last may be shorter). */
export function chunks(wav: Wav, ms: number): Uint8Array[] {
  const size = Math.round(wav.bytesPerMs * ms);
  const out: Uint8Array[] = [];
  for (let i = 0; i < wav.data.length; i += size) out.push(wav.data.slice(i, i + size));
  return out;
}
