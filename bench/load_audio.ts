// The load generator's audio: the benchmark clip padded to whole 100 ms chunks and followed by
// silence, so the last turn ends on its own (end of turn by silence, not by Terminate).
import { benchClip, CHUNK_BYTES } from "./audio.ts";

export function loadChunks(trailingSilenceMs: number): Uint8Array[] {
  const clip = benchClip();
  const padded = Math.ceil(clip.length / CHUNK_BYTES) * CHUNK_BYTES;
  const silence = Math.ceil(trailingSilenceMs * 32 / CHUNK_BYTES) * CHUNK_BYTES; // 32 bytes per ms
  const audio = new Uint8Array(padded + silence);
  audio.set(clip);
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < audio.length; o += CHUNK_BYTES) chunks.push(audio.subarray(o, o + CHUNK_BYTES));
  return chunks;
}
