// A small multipart/form-data reader that keeps every part as bytes. The platform's FormData turns
// a part without a filename into a string (curl `-F audio=<file.wav`, Python `files=` tuples with
// None as the name), which would corrupt binary audio; here each part keeps its bytes and headers.
import { SyncProblem } from "./problem.ts";

export interface Part {
  name: string;
  filename?: string;
  /** The part's own Content-Type, lower case without parameters; "" when absent. */
  contentType: string;
  data: Uint8Array;
}

const CRLF = [13, 10];

/** The boundary of a multipart/form-data Content-Type; a 415 problem for any other type. */
export function multipartBoundary(contentType: string | undefined): string {
  const [type, ...params] = (contentType ?? "").split(";").map((s) => s.trim());
  if (type.toLowerCase() !== "multipart/form-data") {
    throw new SyncProblem(
      415,
      "Unsupported Media Type",
      `the request must be multipart/form-data (got ${type ? JSON.stringify(type) : "no Content-Type"})`,
    );
  }
  for (const p of params) {
    const eq = p.indexOf("=");
    if (eq > 0 && p.slice(0, eq).trim().toLowerCase() === "boundary") {
      const b = p.slice(eq + 1).trim().replace(/^"(.*)"$/, "$1");
      if (b.length > 0 && b.length <= 70) return b;
    }
  }
  throw new SyncProblem(400, "Bad Request", "malformed multipart body: no boundary in Content-Type");
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  for (
    let i = hay.indexOf(first, from);
    i !== -1 && i + needle.length <= hay.length;
    i = hay.indexOf(first, i + 1)
  ) {
    let j = 1;
    while (j < needle.length && hay[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

function headerParam(value: string, name: string): string | undefined {
  const m = value.match(new RegExp(`(?:^|;)\\s*${name}\\s*=\\s*(?:"((?:[^"\\\\]|\\\\.)*)"|([^;]*))`, "i"));
  if (!m) return undefined;
  return m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2].trim();
}

/** Every part of a multipart/form-data body; a 400 problem when the body is malformed. */
export function parseMultipart(body: Uint8Array, boundary: string): Part[] {
  const bad = (why: string) => new SyncProblem(400, "Bad Request", `malformed multipart body: ${why}`);
  const enc = new TextEncoder();
  const delimiter = enc.encode(`--${boundary}`);
  const between = enc.encode(`\r\n--${boundary}`);
  // The first delimiter may open the body or follow a preamble line.
  let pos = indexOf(body, delimiter, 0);
  if (pos !== 0) {
    pos = indexOf(body, between, 0);
    if (pos === -1) throw bad("no part delimiter");
    pos += 2;
  }
  pos += delimiter.length;
  const parts: Part[] = [];
  const headerEnd = enc.encode("\r\n\r\n");
  const decoder = new TextDecoder();
  for (;;) {
    if (body[pos] === 45 && body[pos + 1] === 45) return parts; // "--": the closing delimiter
    while (body[pos] === 32 || body[pos] === 9) pos++; // transport padding
    if (body[pos] !== CRLF[0] || body[pos + 1] !== CRLF[1]) throw bad("no line break after a delimiter");
    pos += 2;
    const next = indexOf(body, between, pos);
    if (next === -1) throw bad("a part without a closing delimiter");
    const raw = body.subarray(pos, next);
    // A part with no headers starts with the blank line itself.
    const split = raw[0] === 13 && raw[1] === 10 ? 0 : indexOf(raw, headerEnd, 0);
    if (split === -1) throw bad("a part without a header end");
    const headers = new Map<string, string>();
    for (const line of decoder.decode(raw.subarray(0, split)).split("\r\n")) {
      const colon = line.indexOf(":");
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    const disposition = headers.get("content-disposition") ?? "";
    const name = headerParam(disposition, "name");
    if (!/^form-data\b/i.test(disposition) || name === undefined) {
      throw bad("a part without Content-Disposition: form-data; name=...");
    }
    parts.push({
      name,
      filename: headerParam(disposition, "filename"),
      contentType: (headers.get("content-type") ?? "").split(";")[0].trim().toLowerCase(),
      data: raw.subarray(split === 0 ? 2 : split + 4),
    });
    pos = next + between.length;
  }
}
