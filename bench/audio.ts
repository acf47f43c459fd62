// Benchmark audio: the committed speech fixtures joined into one clip of 16 kHz PCM16.
import { readWav } from "../src/client/wav.ts";

/** The committed speech fixtures, one 16 kHz PCM16 clip each. */
export function benchClipParts(): Uint8Array[] {
  return ["weather.wav", "order.wav", "numbers.wav"].map((n) =>
    readWav(Deno.readFileSync(new URL(`../tests/fixtures/${n}`, import.meta.url))).data
  );
}

export function benchClip(): Uint8Array {
  const parts = benchClipParts();
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) (out.set(p, o), o += p.length);
  return out;
}

export const CHUNK_MS = 100;
export const CHUNK_BYTES = 16000 * 2 * CHUNK_MS / 1000;

export function percentile(values: number[], p: number): number {
  if (!values.length) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p / 100 * sorted.length))];
}

/**
 * The session a voice agent opens: universal streaming with a 160 ms minimum end-of-turn silence
 * (AssemblyAI's recommendation for agents; the default 400 ms alone would put every end of turn
 * near the 500 ms latency bound before any processing).
 */
export const VOICE_AGENT_QUERY =
  "sample_rate=16000&speech_model=universal-streaming-english&min_turn_silence=160";
