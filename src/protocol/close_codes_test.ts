import assert from "node:assert/strict";
import {
  clipClientText,
  CLOSE_CODES,
  CloseCode,
  closeReason,
  errorClose,
  inputDurationReason,
  invalidJsonReason,
  MAX_CLOSE_REASON_BYTES,
  SEE_ERROR_MESSAGE,
  transmissionRateReason,
} from "./close_codes.ts";

const bytes = (s: string) => new TextEncoder().encode(s).byteLength;

Deno.test("close codes: the closed set of §5, each with a name and a reason", () => {
  assert.deepEqual(Object.values(CloseCode).sort(), [1000, 1008, 1013, 3005, 3006, 3007, 3008, 3009]);
  for (const code of Object.values(CloseCode)) {
    assert.equal(CLOSE_CODES[code].code, code);
    assert.ok(CLOSE_CODES[code].name.length > 0);
    assert.ok(bytes(CLOSE_CODES[code].defaultReason) <= MAX_CLOSE_REASON_BYTES);
  }
  assert.equal(CLOSE_CODES[3005].defaultReason, "Session Cancelled: An error occurred");
  assert.equal(CLOSE_CODES[3008].defaultReason, "Session Expired: Maximum session duration exceeded");
  assert.equal(CLOSE_CODES[3009].defaultReason, "Unauthorized Connection: Too many concurrent sessions");
  assert.ok(CLOSE_CODES[1008].defaultReason.startsWith("Unauthorized Connection: "));
});

Deno.test("close codes: documented reason forms", () => {
  assert.equal(inputDurationReason(20), "Input duration violation: 20 ms. Expected between 50 and 1000 ms");
  assert.equal(
    transmissionRateReason(12.5, 10),
    "Audio Transmission Rate Exceeded: Received 12.5 sec. audio in 10 sec",
  );
  assert.equal(invalidJsonReason("{oops"), "Invalid JSON: {oops");
});

Deno.test("close reason: kept when ≤123 UTF-8 bytes, stand-in when longer", () => {
  const exact = "x".repeat(123);
  assert.equal(closeReason(exact), exact);
  assert.equal(closeReason(exact + "x"), SEE_ERROR_MESSAGE);
  // 41 three-byte characters = 123 bytes fit; 42 (126 bytes, only 42 UTF-16 units) do not.
  assert.equal(closeReason("€".repeat(41)), "€".repeat(41));
  assert.equal(closeReason("€".repeat(42)), SEE_ERROR_MESSAGE);
});

Deno.test("errorClose: Error frame, same code, reason fitted", () => {
  const short = errorClose(CloseCode.SessionExpired);
  assert.deepEqual(JSON.parse(short.frame), {
    type: "Error",
    error_code: 3008,
    error: "Session Expired: Maximum session duration exceeded",
  });
  assert.equal(short.code, 3008);
  assert.equal(short.reason, "Session Expired: Maximum session duration exceeded");

  const longText = invalidJsonReason("{" + "a".repeat(200));
  const long = errorClose(CloseCode.InvalidMessage, longText);
  assert.equal(JSON.parse(long.frame).error, longText); // full text only in the frame
  assert.equal(long.reason, SEE_ERROR_MESSAGE);
  assert.ok(bytes(long.reason) <= 123);
});

Deno.test("echo: long client text is capped without splitting a surrogate pair", () => {
  assert.equal(clipClientText("abc"), "abc");
  const capped = clipClientText("a".repeat(255) + "😀" + "b".repeat(10));
  assert.ok(capped.endsWith("a…"));
  assert.ok(capped.length <= 257);
});
