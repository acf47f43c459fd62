// Compressed input (the v3 encodings `opus`: raw Opus packets, one per binary message, `ogg_opus`:
// an Ogg Opus byte stream as MediaRecorder, ffmpeg or opusenc write it, and `aac`: an ADTS stream),
// decoded in the gateway into 48 kHz mono PCM16, which the ASR stream resamples like any other
// rate: Opus with the wasm builds of libopus (npm opus-decoder and ogg-opus-decoder, MIT), AAC
// with ffmpeg (./ffmpeg_aac.ts).
import { OggOpusDecoder } from "ogg-opus-decoder";
import { OpusDecoder } from "opus-decoder";
import { ffmpegAac } from "./ffmpeg_aac.ts";
import {
  type CompressedAudio,
  CompressedAudioError,
  DECODED_SAMPLE_RATE,
  type DecodedAudio,
} from "./decoded_audio.ts";

export { type CompressedAudio, CompressedAudioError, type DecodedAudio } from "./decoded_audio.ts";

export type CompressedEncoding = "opus" | "ogg_opus" | "aac";
interface Decoded {
  channelData: Float32Array[];
  samplesDecoded: number;
  errors: { message: string }[];
}

const OGG_CAPTURE = [0x4f, 0x67, 0x67, 0x53]; // "OggS"

function startsWithOgg(bytes: Uint8Array): boolean {
  return OGG_CAPTURE.every((b, i) => bytes[i] === b);
}

export async function compressedAudio(encoding: CompressedEncoding): Promise<CompressedAudio> {
  if (encoding === "aac") return ffmpegAac();
  if (encoding === "opus") {
    const decoder = new OpusDecoder({ sampleRate: DECODED_SAMPLE_RATE });
    await decoder.ready;
    return {
      decode: (bytes) => {
        // libopus conceals a lost packet rather than refusing it: refuse what is plainly not a packet
        if (bytes.length === 0) throw new CompressedAudioError("an empty Opus packet");
        if (startsWithOgg(bytes)) {
          throw new CompressedAudioError("an Ogg page, not a raw Opus packet: use encoding=ogg_opus");
        }
        return Promise.resolve(toPcm(decoder.decodeFrame(bytes) as Decoded, "Opus packet"));
      },
      flush: () => Promise.resolve(toPcm({ channelData: [], samplesDecoded: 0, errors: [] }, "")),
      close: () => decoder.free(),
    };
  }
  const decoder = new OggOpusDecoder();
  await decoder.ready;
  let first = true;
  return {
    decode: async (bytes) => {
      // the decoder skips what is not Ogg without a word: a stream must start with a page
      if (first && !startsWithOgg(bytes)) throw new CompressedAudioError("not an Ogg stream (no OggS page)");
      first = false;
      return toPcm(await decoder.decode(bytes) as Decoded, "Ogg Opus stream");
    },
    flush: async () => toPcm(await decoder.flush() as Decoded, "Ogg Opus stream"),
    close: () => decoder.free(),
  };
}

/** Mono PCM16 from the decoder's float channels (averaged); a decoding error is the input's fault. */
function toPcm(decoded: Decoded, what: string): DecodedAudio {
  if (decoded.errors.length) {
    throw new CompressedAudioError(`malformed ${what}: ${decoded.errors[0].message}`);
  }
  const n = decoded.samplesDecoded;
  const channels = decoded.channelData;
  const pcm = new Uint8Array(n * 2);
  const view = new DataView(pcm.buffer);
  for (let i = 0; i < n; i++) {
    let sum = 0;
    for (const c of channels) sum += c[i];
    const v = Math.max(-1, Math.min(1, sum / Math.max(1, channels.length)));
    view.setInt16(i * 2, Math.round(v * 32767), true);
  }
  return { pcm, ms: (n * 1000) / DECODED_SAMPLE_RATE };
}
