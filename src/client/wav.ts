// Just enough of WAV for clients, tools and tests: mono PCM16 or mu-law, the two encodings the
// server takes.
export interface Wav {
  sampleRate: number;
  encoding: "pcm_s16le" | "pcm_mulaw";
  /** bytes per millisecond of audio */
  bytesPerMs: number;
  data: Uint8Array;
}

export function readWav(bytes: Uint8Array): Wav {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const tag = (at: number) => String.fromCharCode(...bytes.subarray(at, at + 4));
  if (tag(0) !== "RIFF" || tag(8) !== "WAVE") throw new Error("not a WAV file");
  let format = 0, channels = 0, sampleRate = 0, bits = 0;
  for (let at = 12; at + 8 <= bytes.length;) {
    const size = view.getUint32(at + 4, true);
    const body = at + 8;
    if (tag(at) === "fmt ") {
      format = view.getUint16(body, true);
      channels = view.getUint16(body + 2, true);
      sampleRate = view.getUint32(body + 4, true);
      bits = view.getUint16(body + 14, true);
    } else if (tag(at) === "data") {
      if (channels !== 1) throw new Error(`need mono audio, got ${channels} channels`);
      const encoding = format === 1 && bits === 16 ? "pcm_s16le" : format === 7 ? "pcm_mulaw" : undefined;
      if (!encoding) throw new Error(`need 16-bit PCM or mu-law, got format ${format} with ${bits} bits`);
      const bytesPerMs = sampleRate * (bits / 8) / 1000;
      return { sampleRate, encoding, bytesPerMs, data: bytes.subarray(body, body + size) };
    }
    at = body + size + (size & 1); // chunks are padded to even sizes
  }
  throw new Error("WAV without a data chunk");
}

/** Splits the audio into chunks of `ms` milliseconds (the last may be shorter). */
export function chunks(wav: Wav, ms: number): Uint8Array[] {
  const size = Math.round(wav.bytesPerMs * ms);
  const out: Uint8Array[] = [];
  for (let i = 0; i < wav.data.length; i += size) out.push(wav.data.slice(i, i + size));
  return out;
}
