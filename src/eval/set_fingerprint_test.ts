import { ok, strictEqual } from "node:assert/strict";
import { fingerprintWarning, referencesFingerprint } from "./set_fingerprint.ts";

Deno.test("a set's fingerprint changes with any sentence, or their order", async () => {
  const set = ["please transfer two hundred dollars", "what time is it"];
  const fingerprint = await referencesFingerprint(set);
  ok(/^[0-9a-f]{16}$/.test(fingerprint), fingerprint);
  strictEqual(await referencesFingerprint([...set]), fingerprint);
  ok(await referencesFingerprint([set[1], set[0]]) !== fingerprint);
  ok(await referencesFingerprint([set[0], "what time is it now"]) !== fingerprint);
});

Deno.test("only a recorded fingerprint that differs gives a warning", () => {
  strictEqual(fingerprintWarning("heldout-voice", "en-default", undefined, "aa"), undefined);
  strictEqual(fingerprintWarning("heldout-voice", "en-default", "aa", "aa"), undefined);
  const warning = fingerprintWarning("heldout-voice", "en-default", "aa", "bb");
  ok(warning?.includes("not the sentences en-default recorded"), String(warning));
});
