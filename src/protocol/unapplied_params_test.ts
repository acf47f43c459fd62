import { deepStrictEqual, ok, strictEqual } from "node:assert/strict";
import { parseSessionParams } from "./params.ts";
import { unappliedParams, unappliedWarning } from "./unapplied_params.ts";

function params(query: string) {
  const r = parseSessionParams(new URLSearchParams(query));
  if (!r.ok) throw new Error(r.error);
  return r.params;
}

Deno.test("unapplied params: defaults and applied parameters give no warning", () => {
  strictEqual(unappliedWarning(params("sample_rate=16000&format_turns=true&keyterms_prompt=a")), undefined);
});

Deno.test("unapplied params: each set one is named with why", () => {
  const names = unappliedParams(
    params("sample_rate=16000&speaker_labels=true&max_speakers=2&prompt=x&filter_profanity=true"),
  );
  deepStrictEqual(names.map((n) => n.split(" ")[0]), [
    "speaker_labels",
    "max_speakers",
    "prompt",
    "filter_profanity",
  ]);
  ok(names[0].includes("speaker-embedding"));
});

Deno.test("unapplied params: an update names only what it sets", () => {
  deepStrictEqual(unappliedParams({ agent_context: "the agent said hi" }).map((n) => n.split(" ")[0]), [
    "agent_context",
  ]);
  strictEqual(unappliedWarning({ keyterms_prompt: ["a"] } as never), undefined);
});
