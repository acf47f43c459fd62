// What a compressed-input decoder gives the session (./compressed_audio.ts, ./ffmpeg_aac.ts).
export const DECODED_SAMPLE_RATE = 48000;

export interface DecodedAudio {
  /** PCM16 little-endian mono at DECODED_SAMPLE_RATE */
  pcm: Uint8Array;
  ms: number;
}

export interface CompressedAudio {
  /** The audio of the next message; throws CompressedAudioError on input that does not decode. */
  decode(bytes: Uint8Array): Promise<DecodedAudio>;
  /** What the decoder still holds at the end of the stream. */
  flush(): Promise<DecodedAudio>;
  close(): void;
}

export class CompressedAudioError extends Error {
  override name = "CompressedAudioError";
}
