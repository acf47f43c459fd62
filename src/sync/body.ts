// The request body under MAX_REQUEST_BYTES: a declared Content-Length over the cap is refused
// before a byte is read, and the bytes actually read are counted too (chunked uploads declare
// none, and a client may send more than it declared).
import { SyncProblem } from "./problem.ts";

const tooLarge = (detail: string) => new SyncProblem(413, "Audio Too Large", detail);

/** A 413 problem when the declared length is over the cap, a 400 one when it is not a length. */
export function checkContentLength(header: string | undefined, maxBytes: number): void {
  if (header === undefined) return;
  if (!/^\d+$/.test(header.trim())) throw new SyncProblem(400, "Bad Request", "invalid Content-Length");
  const n = Number(header);
  if (n > maxBytes) {
    throw tooLarge(`request body of ${n} bytes exceeds limit ${maxBytes} bytes (MAX_REQUEST_BYTES)`);
  }
}

/** Reads the whole body, giving up (and cancelling the upload) once it passes maxBytes. */
export async function readLimited(
  body: ReadableStream<Uint8Array> | null,
  maxBytes: number,
): Promise<Uint8Array> {
  if (!body) return new Uint8Array(0);
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`request body exceeds limit ${maxBytes} bytes (MAX_REQUEST_BYTES)`);
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let at = 0;
  for (const c of chunks) (out.set(c, at), at += c.byteLength);
  return out;
}
