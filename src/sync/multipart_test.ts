import { deepStrictEqual, strictEqual, throws } from "node:assert/strict";
import { multipartBoundary, parseMultipart } from "./multipart.ts";

const enc = new TextEncoder();
const concat = (...parts: (string | Uint8Array)[]) => {
  const bytes = parts.map((p) => typeof p === "string" ? enc.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.byteLength, 0));
  let at = 0;
  for (const b of bytes) (out.set(b, at), at += b.byteLength);
  return out;
};

Deno.test("multipart: binary parts keep every byte, with or without a filename", () => {
  // Bytes that are not UTF-8, and that contain CRLF and a near-delimiter.
  const audio = new Uint8Array([0xff, 0xfe, 13, 10, 45, 45, 0x80, 0]);
  const body = concat(
    "preamble\r\n--b0\r\n",
    'Content-Disposition: form-data; name="audio"\r\nContent-Type: Audio/WAV; x=1\r\n\r\n',
    audio,
    '\r\n--b0\r\nContent-Disposition: form-data; name="config"; filename="c.json"\r\n\r\n{"a":1}',
    "\r\n--b0--\r\n",
  );
  const parts = parseMultipart(body, multipartBoundary('multipart/form-data; boundary="b0"'));
  strictEqual(parts.length, 2);
  deepStrictEqual([parts[0].name, parts[0].contentType, parts[0].filename], [
    "audio",
    "audio/wav",
    undefined,
  ]);
  deepStrictEqual(parts[0].data, audio);
  deepStrictEqual([parts[1].name, parts[1].filename, new TextDecoder().decode(parts[1].data)], [
    "config",
    "c.json",
    '{"a":1}',
  ]);
});

Deno.test("multipart: other content types are 415, broken bodies 400", () => {
  throws(() => multipartBoundary("application/json"), (e: { status: number }) => e.status === 415);
  throws(() => multipartBoundary("multipart/form-data"), (e: { status: number }) => e.status === 400);
  throws(() => parseMultipart(enc.encode("--b\r\nno end"), "b"), (e: { status: number }) => e.status === 400);
  throws(
    () => parseMultipart(enc.encode("--b\r\nContent-Type: x\r\n\r\nv\r\n--b--"), "b"),
    /without Content-Disposition/,
  );
});
