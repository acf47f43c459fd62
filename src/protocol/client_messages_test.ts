import assert from "node:assert/strict";
import {
  applyUpdate,
  type ClientMessage,
  type ConfigurationUpdate,
  parseClientMessage,
} from "./client_messages.ts";
import { parseSessionParams, type SessionParams } from "./params.ts";

function msg(text: string): ClientMessage {
  const r = parseClientMessage(text);
  if (!r.ok) throw new Error(`expected ok, got ${r.error}`);
  return r.message;
}

function bad(text: string): string {
  const r = parseClientMessage(text);
  if (r.ok) throw new Error(`expected an error for ${text}`);
  assert.equal(r.code, 3006);
  return r.error;
}

function update(text: string): ConfigurationUpdate {
  const m = msg(text);
  if (m.type !== "UpdateConfiguration") throw new Error(`not an update: ${m.type}`);
  return m.update;
}

function params(query = ""): SessionParams {
  const r = parseSessionParams(new URLSearchParams(query));
  if (!r.ok) throw new Error(r.error);
  return r.params;
}

Deno.test("client: ForceEndpoint, KeepAlive, Terminate (compact, spaced, extra fields)", () => {
  assert.deepEqual(msg('{"type":"ForceEndpoint"}'), { type: "ForceEndpoint" });
  assert.deepEqual(msg('{"type":"KeepAlive"}'), { type: "KeepAlive" });
  assert.deepEqual(msg('{"type":"Terminate"}'), { type: "Terminate" });
  assert.deepEqual(msg('{"type": "Terminate"}'), { type: "Terminate" }); // self-hosted example
  assert.deepEqual(msg(' \n{ "type" :  "Terminate" }\n'), { type: "Terminate" });
  assert.deepEqual(msg('{"extra":1,"type":"Terminate"}'), { type: "Terminate" });
});

Deno.test("client: UpdateConfiguration with type last (pydantic order)", () => {
  assert.deepEqual(update('{"max_turn_silence":5000,"type":"UpdateConfiguration"}'), {
    max_turn_silence: 5000,
  });
});

Deno.test("client: UpdateConfiguration fields of §2.2", () => {
  const u = update(JSON.stringify({
    type: "UpdateConfiguration",
    keyterms_prompt: ["routing number"],
    min_turn_silence: 200,
    max_turn_silence: 3000,
    end_of_turn_confidence_threshold: 0.6,
    vad_threshold: 0.5,
    format_turns: true,
    filter_profanity: true,
    prompt: "Be terse.",
    agent_context: "What is your account number?",
    interruption_delay: 250,
    continuous_partials: true,
    mode: "max_accuracy", // a connection parameter: ignored in an update
    language_codes: ["en"],
  }));
  assert.deepEqual(u, {
    keyterms_prompt: ["routing number"],
    min_turn_silence: 200,
    max_turn_silence: 3000,
    end_of_turn_confidence_threshold: 0.6,
    vad_threshold: 0.5,
    format_turns: true,
    filter_profanity: true,
    prompt: "Be terse.",
    agent_context: "What is your account number?",
    interruption_delay: 250,
    continuous_partials: true,
    language_codes: ["en"],
  });
});

Deno.test("client: both silence names in UpdateConfiguration", () => {
  assert.deepEqual(
    update('{"type":"UpdateConfiguration","min_end_of_turn_silence_when_confident":160}'),
    { min_turn_silence: 160 },
  );
  assert.deepEqual(
    update(
      '{"type":"UpdateConfiguration","min_end_of_turn_silence_when_confident":160,"min_turn_silence":300}',
    ),
    { min_turn_silence: 300 },
  );
});

Deno.test("client: null fields count as absent; keyterms [] clears", () => {
  assert.deepEqual(update('{"type":"UpdateConfiguration","prompt":null,"max_turn_silence":null}'), {});
  assert.deepEqual(update('{"type":"UpdateConfiguration","keyterms_prompt":[]}'), { keyterms_prompt: [] });
});

Deno.test("client: keyterm limits in UpdateConfiguration (101 refused, 51 chars dropped)", () => {
  const many = Array.from({ length: 101 }, (_, i) => `t${i}`);
  assert.equal(
    bad(JSON.stringify({ type: "UpdateConfiguration", keyterms_prompt: many })),
    "Invalid Message: keyterms_prompt must have at most 100 terms (got 101)",
  );
  assert.deepEqual(
    update(JSON.stringify({ type: "UpdateConfiguration", keyterms_prompt: ["x".repeat(51), "ok"] })),
    { keyterms_prompt: ["ok"] },
  );
  assert.match(
    bad('{"type":"UpdateConfiguration","keyterms_prompt":"[\\"a\\"]"}'),
    /keyterms_prompt must be an array/,
  );
});

Deno.test("client: invalid UpdateConfiguration fields → 3006 Invalid Message", () => {
  assert.equal(
    bad('{"type":"UpdateConfiguration","max_turn_silence":"5000"}'),
    'Invalid Message: max_turn_silence must be an integer from 0 to 60000 (got "5000")',
  );
  assert.match(
    bad('{"type":"UpdateConfiguration","vad_threshold":2}'),
    /^Invalid Message: vad_threshold must be a number from 0 to 1/,
  );
  assert.match(
    bad('{"type":"UpdateConfiguration","format_turns":"true"}'),
    /^Invalid Message: format_turns must be true or false/,
  );
  assert.match(bad('{"type":"UpdateConfiguration","interruption_delay":1500}'), /interruption_delay/);
});

Deno.test("client: malformed JSON → Invalid JSON: <json>", () => {
  assert.equal(bad('{"type":"Terminate"'), 'Invalid JSON: {"type":"Terminate"');
  assert.equal(bad(""), "Invalid JSON: ");
  assert.equal(bad("Terminate"), "Invalid JSON: Terminate");
});

Deno.test("client: non-object JSON ([] , null, numbers, strings) → Invalid Message: <msg>", () => {
  assert.equal(bad("[]"), "Invalid Message: []");
  assert.equal(bad("null"), "Invalid Message: null");
  assert.equal(bad("42"), "Invalid Message: 42");
  assert.equal(bad('"Terminate"'), 'Invalid Message: "Terminate"');
});

Deno.test("client: unknown or missing type → Invalid Message Type: <msg>", () => {
  assert.equal(bad('{"type":"Flush"}'), 'Invalid Message Type: {"type":"Flush"}');
  assert.equal(bad('{"type":"terminate"}'), 'Invalid Message Type: {"type":"terminate"}');
  assert.equal(bad("{}"), "Invalid Message Type: {}");
  assert.equal(bad('{"terminate_session":true}'), 'Invalid Message Type: {"terminate_session":true}');
});

Deno.test("client: huge invalid frames are echoed capped", () => {
  const e = bad("[" + "1,".repeat(10000) + "1]");
  assert.ok(e.length < 300);
});

Deno.test("applyUpdate: returns new params, leaves the old ones and absent fields unchanged", () => {
  const before = params("speech_model=u3-rt-pro&keyterms_prompt=a");
  const r = applyUpdate(before, { max_turn_silence: 3000, keyterms_prompt: ["b"], prompt: "P" });
  assert.ok(r.ok);
  assert.equal(r.params.max_turn_silence, 3000);
  assert.deepEqual(r.params.keyterms_prompt, ["b"]);
  assert.equal(r.params.prompt, "P");
  assert.equal(r.params.min_turn_silence, 100);
  assert.equal(before.max_turn_silence, 1000);
  assert.deepEqual(before.keyterms_prompt, ["a"]);

  const cleared = applyUpdate(r.params, { keyterms_prompt: [], prompt: "" });
  assert.ok(cleared.ok);
  assert.deepEqual(cleared.params.keyterms_prompt, []);
  assert.equal(cleared.params.prompt, null);
});

Deno.test("applyUpdate: out-of-range values are refused even when built in code", () => {
  const r = applyUpdate(params(), { end_of_turn_confidence_threshold: 1.2 });
  assert.ok(!r.ok);
  assert.match(r.error, /^Invalid Message: end_of_turn_confidence_threshold must be a number from 0 to 1/);
  const k = applyUpdate(params(), { keyterms_prompt: Array.from({ length: 101 }, (_, i) => `k${i}`) });
  assert.ok(!k.ok);
});

Deno.test("client: language_codes in an update are checked against the route's model", () => {
  const ml = parseSessionParams(new URLSearchParams("speech_model=universal-streaming-multilingual"));
  if (!ml.ok) throw new Error(ml.error);
  const next = applyUpdate(ml.params, { language_codes: ["ES", "fr-CA"] });
  assert.ok(next.ok && next.params.language_codes.join() === "es,fr");
  const bad = applyUpdate(ml.params, { language_codes: ["ja"] });
  assert.ok(!bad.ok && bad.error.includes("ja") && bad.error.includes("en, es, fr, de, it, pt"));
});
