import assert from "node:assert/strict";
import { crc32 } from "./crc32.ts";

const utf8 = (s: string) => new TextEncoder().encode(s);

Deno.test("crc32 matches zlib's, which hashed the punctuation model's features in training", () => {
  // Expected values from Python's zlib.crc32.
  assert.equal(crc32(utf8("")), 0);
  assert.equal(crc32(utf8("123456789")), 0xcbf43926);
  assert.equal(crc32(utf8("w=café")), 1388875776);
});
