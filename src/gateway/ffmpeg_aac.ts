// AAC input (an ADTS stream), decoded by one ffmpeg process per session: npm has no maintained AAC
// decoder in wasm, and ffmpeg (Debian's, in the gateway image) decodes ADTS as it streams. Bytes go
// to its stdin; 48 kHz mono PCM16 comes back on its stdout, handed out with the next message (or
// at the end), so AAC adds up to one message interval of latency.
import {
  type CompressedAudio,
  CompressedAudioError,
  DECODED_SAMPLE_RATE,
  type DecodedAudio,
} from "./decoded_audio.ts";

const ARGS = [
  ...["-hide_banner", "-loglevel", "error", "-nostdin"],
  // decide the format from the first bytes and start at once
  ...["-fflags", "nobuffer", "-probesize", "32", "-analyzeduration", "0", "-f", "aac", "-i", "pipe:0"],
  ...["-f", "s16le", "-ac", "1", "-ar", String(DECODED_SAMPLE_RATE), "pipe:1"],
];

export function ffmpegAac(): CompressedAudio {
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("ffmpeg", { args: ARGS, stdin: "piped", stdout: "piped", stderr: "piped" })
      .spawn();
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new CompressedAudioError("aac input needs ffmpeg on the server, and it is not installed");
    }
    throw e;
  }
  const writer = child.stdin.getWriter();
  const decoded: Uint8Array[] = [];
  let stderr = "";
  const reading = (async () => {
    for await (const chunk of child.stdout) decoded.push(chunk);
  })();
  const errors = (async () => {
    for await (const chunk of child.stderr) stderr += new TextDecoder().decode(chunk);
  })();
  const malformed = () =>
    new CompressedAudioError(`malformed AAC stream: ${stderr.trim() || "ffmpeg stopped"}`);

  /** What ffmpeg has decoded so far, in whole samples (an odd byte waits for the next piece). */
  const take = (): DecodedAudio => {
    const total = decoded.reduce((n, c) => n + c.length, 0);
    const whole = total - (total % 2);
    const pcm = new Uint8Array(whole);
    let offset = 0;
    while (decoded.length && offset < whole) {
      const chunk = decoded.shift()!;
      const n = Math.min(chunk.length, whole - offset);
      pcm.set(chunk.subarray(0, n), offset);
      offset += n;
      if (n < chunk.length) decoded.unshift(chunk.subarray(n));
    }
    return { pcm, ms: (whole / 2) * 1000 / DECODED_SAMPLE_RATE };
  };

  return {
    decode: async (bytes) => {
      try {
        await writer.write(bytes);
      } catch {
        await errors;
        throw malformed();
      }
      return take();
    },
    flush: async () => {
      await writer.close().catch(() => {});
      await Promise.all([reading, errors]);
      if (!(await child.status).success) throw malformed();
      return take();
    },
    close: () => {
      try {
        child.kill();
      } catch { /* already gone */ }
    },
  };
}
