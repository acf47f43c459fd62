/** Decoding of raw telephony/PCM payloads to float samples in [-1, 1] (int16 full scale = 32768). */

const INT16_SCALE = 1 / 32768;

/**
 * pcm_s16le bytes to floats. Reads bytes directly, so unaligned views and big-endian hosts work.
 * An odd trailing byte is an error (the gateway refuses such chunks before they get here).
 */
export function decodePcm16(bytes: Uint8Array): Float32Array {
  if (bytes.length % 2 !== 0) throw new RangeError(`pcm_s16le needs an even byte count, got ${bytes.length}`);
  const out = new Float32Array(bytes.length >> 1);
  for (let i = 0; i < out.length; i++) {
    // Shift up then arithmetic-shift down to sign-extend the 16-bit value.
    out[i] = (((bytes[2 * i] | (bytes[2 * i + 1] << 8)) << 16) >> 16) * INT16_SCALE;
  }
  return out;
}

/** G.711 mu-law byte to linear int16 (ITU-T G.711; +-32124 at full scale). */
function muLawToLinear(byte: number): number {
  const u = ~byte & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + 0x84) << exponent) - 0x84;
  // `0 - m` rather than `-m` so code 0x7F decodes to +0, not -0.
  return u & 0x80 ? 0 - magnitude : magnitude;
}

// 256 entries, built once: decoding is then one lookup per byte.
const MULAW_TABLE = Float32Array.from({ length: 256 }, (_, b) => muLawToLinear(b) * INT16_SCALE);

/** pcm_mulaw (G.711 u-law) bytes to floats, on the same int16 scale as decodePcm16. */
export function decodeMulaw(bytes: Uint8Array): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = MULAW_TABLE[bytes[i]];
  return out;
}
