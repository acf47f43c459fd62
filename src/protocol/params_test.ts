import assert from "node:assert/strict";
import { configurationEcho, parseSessionParams, type SessionParams } from "./params.ts";

function ok(query: string | URLSearchParams): SessionParams {
  const r = parseSessionParams(typeof query === "string" ? new URLSearchParams(query) : query);
  if (!r.ok) throw new Error(`expected ok, got: ${r.error}`);
  return r.params;
}

function err(query: string | URLSearchParams): string {
  const r = parseSessionParams(typeof query === "string" ? new URLSearchParams(query) : query);
  if (r.ok) throw new Error(`expected an error for ${query}`);
  return r.error;
}

Deno.test("params: defaults with an empty query (English, US defaults)", () => {
  assert.deepEqual(ok(""), {
    sample_rate: 16000,
    encoding: "pcm_s16le",
    speech_model: "universal-streaming-english",
    route: "en-default",
    format_turns: false,
    end_of_turn_confidence_threshold: 0.4,
    min_turn_silence: 400,
    max_turn_silence: 1280,
    vad_threshold: 0.4,
    keyterms_prompt: [],
    prompt: null,
    agent_context: null,
    language_detection: false,
    inactivity_timeout: null,
    filter_profanity: false,
    speaker_labels: false,
    max_speakers: null,
    continuous_partials: false,
    interruption_delay: 500,
    session_heartbeat: false,
    mode: "balanced",
    language_codes: [],
    token: null,
  });
});

Deno.test("params: sample_rate is an integer from 8000 to 48000", () => {
  assert.equal(ok("sample_rate=8000").sample_rate, 8000);
  assert.equal(ok("sample_rate=48000").sample_rate, 48000);
  assert.equal(ok("sample_rate=16000.0").sample_rate, 16000);
  for (const bad of ["7999", "48001", "16000.5", "abc", "0x3e80", "Infinity"]) {
    assert.match(
      err(`sample_rate=${bad}`),
      /^Invalid Parameter: sample_rate must be an integer from 8000 to 48000/,
    );
  }
});

Deno.test("params: encodings; compressed ones decode at 48 kHz whatever sample_rate says", () => {
  assert.equal(ok("encoding=pcm_mulaw").encoding, "pcm_mulaw");
  assert.equal(ok("encoding=pcm_s16le").encoding, "pcm_s16le");
  assert.deepEqual([ok("encoding=opus").encoding, ok("encoding=opus").sample_rate], ["opus", 48000]);
  assert.equal(ok("encoding=ogg_opus&sample_rate=16000").sample_rate, 48000);
  assert.equal(ok("encoding=AAC").encoding, "aac");
  assert.match(
    err("encoding=wav"),
    /^Invalid Parameter: encoding must be one of pcm_s16le, pcm_mulaw, opus, ogg_opus, aac/,
  );
});

Deno.test("params: speech_model routes and echo", () => {
  const cases: [string, string][] = [
    ["universal-streaming-english", "en-default"],
    ["universal-streaming-multilingual", "ml-default"],
    ["whisper-rt", "ml-default"],
    ["u3-rt-pro", "u3-pro"],
    ["u3-pro", "u3-pro"],
    ["u3-rt-pro-beta-1", "u3-pro"],
    ["universal-3-5-pro", "u3-pro"],
  ];
  for (const [model, route] of cases) {
    const p = ok(`speech_model=${model}`);
    assert.equal(p.route, route);
    assert.equal(p.speech_model, model);
  }
  assert.match(err("speech_model=nano"), /^Invalid Parameter: speech_model must be one of /);
});

Deno.test("params: legacy language rule (v0.1–0.4): en or absent → English, anything else → multilingual", () => {
  assert.equal(ok("").route, "en-default");
  assert.equal(ok("language=en").route, "en-default");
  assert.equal(ok("language=multi").route, "ml-default");
  assert.equal(ok("language=es").speech_model, "universal-streaming-multilingual");
  // speech_model wins over language
  assert.equal(ok("language=multi&speech_model=universal-streaming-english").route, "en-default");
});

Deno.test("params: U3 defaults differ from US defaults", () => {
  const p = ok("speech_model=u3-rt-pro");
  assert.equal(p.min_turn_silence, 100);
  assert.equal(p.max_turn_silence, 1000);
  assert.equal(p.vad_threshold, 0.3);
  const m = ok("speech_model=universal-streaming-multilingual");
  assert.deepEqual(
    [m.end_of_turn_confidence_threshold, m.min_turn_silence, m.max_turn_silence, m.vad_threshold],
    [0.4, 400, 1280, 0.4],
  );
});

Deno.test("params: booleans are case-insensitive (true/True/TRUE/1, false/False/0)", () => {
  for (const t of ["true", "True", "TRUE", "1"]) assert.equal(ok(`format_turns=${t}`).format_turns, true);
  for (const f of ["false", "False", "FALSE", "0"]) assert.equal(ok(`format_turns=${f}`).format_turns, false);
  const p = ok(
    "language_detection=True&filter_profanity=True&speaker_labels=True&continuous_partials=True",
  );
  assert.deepEqual(
    [p.language_detection, p.filter_profanity, p.speaker_labels, p.continuous_partials],
    [true, true, true, true],
  );
  assert.equal(err("format_turns=yes"), 'Invalid Parameter: format_turns must be true or false (got "yes")');
});

Deno.test("params: turn detection numbers and ranges", () => {
  const p = ok(
    "end_of_turn_confidence_threshold=0.7&min_turn_silence=160&max_turn_silence=2400&vad_threshold=0.5",
  );
  assert.deepEqual(
    [p.end_of_turn_confidence_threshold, p.min_turn_silence, p.max_turn_silence, p.vad_threshold],
    [0.7, 160, 2400, 0.5],
  );
  assert.equal(ok("end_of_turn_confidence_threshold=0").end_of_turn_confidence_threshold, 0);
  assert.equal(ok("end_of_turn_confidence_threshold=1").end_of_turn_confidence_threshold, 1);
  assert.match(
    err("end_of_turn_confidence_threshold=1.5"),
    /end_of_turn_confidence_threshold must be a number from 0 to 1/,
  );
  assert.match(err("vad_threshold=-0.1"), /vad_threshold must be a number from 0 to 1/);
  assert.match(err("min_turn_silence=12.5"), /min_turn_silence must be an integer/);
  assert.match(err("max_turn_silence=-1"), /max_turn_silence must be an integer/);
});

Deno.test("params: both silence names; the current name wins over the legacy alias", () => {
  assert.equal(ok("min_end_of_turn_silence_when_confident=160").min_turn_silence, 160);
  assert.equal(ok("min_turn_silence=200").min_turn_silence, 200);
  assert.equal(ok("min_turn_silence=200&min_end_of_turn_silence_when_confident=160").min_turn_silence, 200);
  assert.match(
    err("min_end_of_turn_silence_when_confident=abc"),
    /^Invalid Parameter: min_end_of_turn_silence_when_confident /,
  );
});

Deno.test("params: keyterms as one JSON array value", () => {
  const q = new URLSearchParams({ keyterms_prompt: JSON.stringify(["AssemblyAI", "Keanu Reeves"]) });
  assert.deepEqual(ok(q).keyterms_prompt, ["AssemblyAI", "Keanu Reeves"]);
});

Deno.test("params: keyterms as repeated parameters", () => {
  assert.deepEqual(ok("keyterms_prompt=alpha&keyterms_prompt=beta%20gamma").keyterms_prompt, [
    "alpha",
    "beta gamma",
  ]);
});

Deno.test("params: keyterms as a Python list repr (SDK 0.44–0.45)", () => {
  const q = new URLSearchParams({ keyterms_prompt: `['AssemblyAI', "it's", 'Keanu Reeves']` });
  assert.deepEqual(ok(q).keyterms_prompt, ["AssemblyAI", "it's", "Keanu Reeves"]);
});

Deno.test("params: legacy `keyterms` name, merged with keyterms_prompt", () => {
  const q = new URLSearchParams({ keyterms: '["one","two"]' });
  assert.deepEqual(ok(q).keyterms_prompt, ["one", "two"]);
  q.set("keyterms_prompt", '["two","three"]');
  assert.deepEqual(ok(q).keyterms_prompt, ["two", "three", "one"]);
});

Deno.test("params: 100 keyterms accepted, 101 refused", () => {
  const terms = Array.from({ length: 101 }, (_, i) => `term${i}`);
  assert.equal(
    ok(new URLSearchParams({ keyterms_prompt: JSON.stringify(terms.slice(0, 100)) })).keyterms_prompt.length,
    100,
  );
  assert.equal(
    err(new URLSearchParams({ keyterms_prompt: JSON.stringify(terms) })),
    "Invalid Parameter: keyterms_prompt must have at most 100 terms (got 101)",
  );
});

Deno.test("params: a 51-character term is silently dropped, 50 kept", () => {
  const t50 = "a".repeat(50);
  const t51 = "b".repeat(51);
  const q = new URLSearchParams({ keyterms_prompt: JSON.stringify([t50, t51, "ok"]) });
  assert.deepEqual(ok(q).keyterms_prompt, [t50, "ok"]);
});

Deno.test("params: malformed keyterms list is an error naming the parameter", () => {
  assert.equal(
    err(new URLSearchParams({ keyterms_prompt: '["a", 1]' })),
    "Invalid Parameter: keyterms_prompt must be a JSON array of strings",
  );
  assert.match(err(new URLSearchParams({ keyterms: "[broken" })), /^Invalid Parameter: keyterms /);
});

Deno.test("params: other ranges (inactivity_timeout, max_speakers, interruption_delay)", () => {
  const p = ok("inactivity_timeout=5&max_speakers=10&interruption_delay=0");
  assert.deepEqual([p.inactivity_timeout, p.max_speakers, p.interruption_delay], [5, 10, 0]);
  assert.equal(ok("inactivity_timeout=3600").inactivity_timeout, 3600);
  assert.match(err("inactivity_timeout=4"), /inactivity_timeout must be an integer from 5 to 3600/);
  assert.match(err("inactivity_timeout=3601"), /inactivity_timeout/);
  assert.match(err("max_speakers=0"), /max_speakers must be an integer from 1 to 10/);
  assert.match(err("max_speakers=11"), /max_speakers/);
  assert.match(err("interruption_delay=1001"), /interruption_delay must be an integer from 0 to 1000/);
});

Deno.test("params: prompt, agent_context and token are kept; empty values count as absent", () => {
  const p = ok(
    new URLSearchParams({ prompt: " Transcribe verbatim. ", agent_context: "How can I help?", token: "abc" }),
  );
  assert.equal(p.prompt, " Transcribe verbatim. ");
  assert.equal(p.agent_context, "How can I help?");
  assert.equal(p.token, "abc");
  const e = ok("prompt=&sample_rate=&format_turns=");
  assert.deepEqual([e.prompt, e.sample_rate, e.format_turns], [null, 16000, false]);
});

Deno.test("params: unknown and cloud-only parameters are ignored", () => {
  const p = ok(
    "sample_rate=8000&formatted_finals=true&word_finalization_max_wait_time=1&redact_pii=true&mode=balanced" +
      "&domain=medical-v1&llm_gateway=%7B%7D&language_codes=%5B%22en%22%5D&samplerate=99",
  );
  assert.equal(p.sample_rate, 8000);
});

Deno.test("params: the first of repeated single-valued parameters is used", () => {
  assert.equal(ok("sample_rate=8000&sample_rate=16000").sample_rate, 8000);
});

Deno.test("configurationEcho: model, api_version and applied settings; no token, no route", () => {
  const p = ok("speech_model=u3-rt-pro&token=secret&sample_rate=8000&max_speakers=2&keyterms_prompt=x");
  const echo = configurationEcho(p);
  assert.equal(echo.model, "u3-rt-pro");
  assert.equal(echo.mode, "balanced");
  assert.equal(echo.api_version, "2025-05-12");
  assert.equal(echo.sample_rate, 8000);
  assert.equal(echo.max_speakers, 2);
  assert.deepEqual(echo.keyterms_prompt, ["x"]);
  const json = JSON.stringify(echo);
  assert.ok(!json.includes("secret"));
  assert.ok(!("route" in echo) && !("token" in echo));
  assert.ok(!("inactivity_timeout" in echo) && !("prompt" in echo)); // unset → omitted
  assert.ok(!("error" in echo));
});

Deno.test("params: mode is min_latency, balanced or max_accuracy (any case); Begin echoes it", () => {
  assert.equal(ok("mode=MIN_LATENCY").mode, "min_latency");
  assert.equal(configurationEcho(ok("mode=max_accuracy")).mode, "max_accuracy");
  const bad = parseSessionParams(new URLSearchParams("mode=fastest"));
  assert.ok(!bad.ok && bad.error.includes("mode") && bad.error.includes("min_latency"));
});

Deno.test("params: language_codes as a JSON array or a list, checked against the route's model", () => {
  assert.deepEqual(
    ok('speech_model=universal-streaming-multilingual&language_codes=["es","FR"]').language_codes,
    [
      "es",
      "fr",
    ],
  );
  assert.deepEqual(ok("speech_model=universal-streaming-multilingual&language_codes=de,it").language_codes, [
    "de",
    "it",
  ]);
  const english = parseSessionParams(new URLSearchParams("language_codes=es"));
  assert.ok(!english.ok && english.error.includes("language_codes") && english.error.includes("knows en"));
});
