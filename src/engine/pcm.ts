/** Decoding of raw telephony/PCM payloads to float samples in [-1, 1] (int16 full scale = 32768). */

const INT16_SCALE = 1 / 32768;

/**
 * pcm_s16le bytes to floats. Reads bytes directly, so unaligned views and big-endian hosts work.
 * An odd trailing byte is an error here; use Pcm16Decoder for streams that split samples.
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

/** Stateful pcm_s16le decoder for transports whose chunks may end mid-sample. */
export class Pcm16Decoder {
  private pending = -1; // carried low byte, or -1

  decode(bytes: Uint8Array): Float32Array {
    const carry = this.pending >= 0 ? 1 : 0;
    const total = carry + bytes.length;
    const out = new Float32Array(total >> 1);
    let i = 0;
    if (carry && bytes.length > 0) {
      out[0] = (((this.pending | (bytes[0] << 8)) << 16) >> 16) * INT16_SCALE;
      i = 1;
    }
    const rest = carry ? bytes.subarray(1) : bytes;
    for (let o = i; o < out.length; o++) {
      const b = 2 * (o - i);
      out[o] = (((rest[b] | (rest[b + 1] << 8)) << 16) >> 16) * INT16_SCALE;
    }
    if (total % 2 === 1) this.pending = bytes.length > 0 ? bytes[bytes.length - 1] : this.pending;
    else this.pending = -1;
    return out;
  }

  /** True when a half sample is waiting for its high byte. */
  get hasPending(): boolean {
    return this.pending >= 0;
  }

  reset(): void {
    this.pending = -1;
  }
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
