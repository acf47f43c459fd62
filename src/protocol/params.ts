// Session configuration from the upgrade request's query string (protocol-v3.md §1.4–1.6, §7).
// Field names are the wire names, so the doc, the query, UpdateConfiguration and
// Begin.configuration share one vocabulary.

import { z } from "zod";
import { normalizeTerms, parseQueryTerms } from "./keyterms.ts";
import { parseLanguageCodes } from "./language_codes.ts";
import { DECODING_MODES, type DecodingMode } from "../engine/stream_types.ts";
import { type Route, ROUTES, SPEECH_MODEL_ROUTES, type SpeechModel, type TurnDefaults } from "../routes.ts";

export type PcmEncoding = "pcm_s16le" | "pcm_mulaw";
/** Self-describing compressed input, decoded by the gateway (src/gateway/compressed_audio.ts). */
export type CompressedEncoding = "opus" | "ogg_opus" | "aac";
export type Encoding = PcmEncoding | CompressedEncoding;
// Routes, the speech models that select them and their turn defaults: the one route table.
export { type Route, ROUTES, SPEECH_MODEL_ROUTES, type SpeechModel, type TurnDefaults } from "../routes.ts";

export const ENCODINGS: readonly Encoding[] = ["pcm_s16le", "pcm_mulaw", "opus", "ogg_opus", "aac"];
// Documented encodings this server does not decode: refused by name rather than as "unknown".
const UNSUPPORTED_ENCODINGS: string[] = [];

export function isCompressed(encoding: Encoding): encoding is CompressedEncoding {
  return encoding === "opus" || encoding === "ogg_opus" || encoding === "aac";
}

/** Compressed input is decoded at 48 kHz whatever sample_rate says (the stream describes itself). */
export const COMPRESSED_SAMPLE_RATE = 48000;

export interface SessionParams {
  readonly sample_rate: number;
  readonly encoding: Encoding;
  /** The model name echoed to the client: as requested, or the one `language` selected. */
  readonly speech_model: string;
  readonly route: Route;
  readonly format_turns: boolean;
  readonly end_of_turn_confidence_threshold: number;
  /** ms; also set by the alias `min_end_of_turn_silence_when_confident` */
  readonly min_turn_silence: number;
  /** ms */
  readonly max_turn_silence: number;
  readonly vad_threshold: number;
  /** also fed by the legacy `keyterms` parameter */
  readonly keyterms_prompt: readonly string[];
  readonly prompt: string | null;
  readonly agent_context: string | null;
  readonly language_detection: boolean;
  /** seconds; null = no inactivity timeout */
  readonly inactivity_timeout: number | null;
  readonly filter_profanity: boolean;
  readonly speaker_labels: boolean;
  readonly max_speakers: number | null;
  readonly continuous_partials: boolean;
  /** ms */
  readonly interruption_delay: number;
  /** a Heartbeat message about once a second */
  readonly session_heartbeat: boolean;
  /** decoding mode (src/engine/decoders.ts settingsForMode) */
  readonly mode: DecodingMode;
  /** the languages the session expects (empty: any the model knows); updatable */
  readonly language_codes: readonly string[];
  /** temporary token from `?token=`; never echoed */
  readonly token: string | null;
}

export type ParamsResult = { ok: true; params: SessionParams } | { ok: false; error: string };

// ---- numeric limits, shared with UpdateConfiguration ----

interface Limit {
  readonly min: number;
  readonly max: number;
  readonly integer: boolean;
}

export const NUMERIC_LIMITS = {
  // [U] choice: 8000–48000; the doc gives no range (a third party says up to 96000 on one model).
  sample_rate: { min: 8000, max: 48000, integer: true },
  end_of_turn_confidence_threshold: { min: 0, max: 1, integer: false },
  // [U] choice: the doc gives no range; a third party says 50–10000 on the newest model. We accept
  // 0 (Python sends it, JS omits it) up to 10000 and refuse the rest.
  min_turn_silence: { min: 0, max: 10000, integer: true },
  // [U] choice: no documented range; 60 s matches the longest stitched turn of the reference stack.
  max_turn_silence: { min: 0, max: 60000, integer: true },
  vad_threshold: { min: 0, max: 1, integer: false },
  inactivity_timeout: { min: 5, max: 3600, integer: true },
  // [U] choice: out-of-range max_speakers "reportedly rejects the session"; we reject it too.
  max_speakers: { min: 1, max: 10, integer: true },
  interruption_delay: { min: 0, max: 1000, integer: true },
} as const satisfies Record<string, Limit>;
export type NumericParam = keyof typeof NUMERIC_LIMITS;

function limitText(l: Limit): string {
  return `must be ${l.integer ? "an integer" : "a number"} from ${l.min} to ${l.max}`;
}

/** A short rendering of an offending value for error texts (strings quoted). */
function shown(value: unknown): string {
  const s = typeof value === "number" ? String(value) : JSON.stringify(value) ?? String(value);
  return s.length > 24 ? s.slice(0, 24) + "…" : s;
}

/** Error text (without the parameter name) when `n` breaks the limit of `name`, else undefined. */
export function checkLimit(name: NumericParam, n: number): string | undefined {
  const l: Limit = NUMERIC_LIMITS[name];
  const ok = Number.isFinite(n) && n >= l.min && n <= l.max && (!l.integer || Number.isInteger(n));
  return ok ? undefined : `${limitText(l)} (got ${shown(n)})`;
}

/**
 * A zod schema for an optional JSON number within the limit of `name` (UpdateConfiguration):
 * null and undefined give undefined, anything else must be a number in range.
 */
export function optionalLimitedNumber(name: NumericParam): z.ZodType<number | undefined, unknown> {
  return z.unknown().transform((v, ctx) => {
    if (v === null || v === undefined) return undefined;
    const err = typeof v === "number"
      ? checkLimit(name, v)
      : `${limitText(NUMERIC_LIMITS[name])} (got ${shown(v)})`;
    if (err === undefined) return v as number;
    ctx.addIssue({ code: "custom", message: err });
    return z.NEVER;
  }).optional(); // lets an object key be absent
}

// ---- query value schemas (every value arrives as a string) ----

const DECIMAL = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function numberParam(name: NumericParam) {
  return z.string().transform((s, ctx) => {
    const n = DECIMAL.test(s) ? Number(s) : NaN;
    const err = Number.isNaN(n)
      ? `${limitText(NUMERIC_LIMITS[name])} (got ${shown(s)})`
      : checkLimit(name, n);
    if (err === undefined) return n;
    ctx.addIssue({ code: "custom", message: err });
    return z.NEVER;
  });
}

// Python sends True/False, JS true/false (§1.5). `1`/`0` are accepted too: harmless, and what
// hand-written clients send. Anything else is refused rather than guessed.
const boolParam = z.string().transform((s, ctx) => {
  const v = s.toLowerCase();
  if (v === "true" || v === "1") return true;
  if (v === "false" || v === "0") return false;
  ctx.addIssue({ code: "custom", message: `must be true or false (got ${shown(s)})` });
  return z.NEVER;
});

const modeParam = z.string().transform((s, ctx): DecodingMode => {
  const v = s.toLowerCase();
  if ((DECODING_MODES as readonly string[]).includes(v)) return v as DecodingMode;
  ctx.addIssue({ code: "custom", message: `must be one of ${DECODING_MODES.join(", ")} (got ${shown(s)})` });
  return z.NEVER;
});

const encodingParam = z.string().transform((s, ctx): Encoding => {
  const v = s.toLowerCase();
  if ((ENCODINGS as readonly string[]).includes(v)) return v as Encoding;
  ctx.addIssue({
    code: "custom",
    message: UNSUPPORTED_ENCODINGS.includes(v)
      ? `${v} is not supported by this server (supported: ${ENCODINGS.join(", ")})`
      : `must be one of ${ENCODINGS.join(", ")} (got ${shown(s)})`,
  });
  return z.NEVER;
});

const speechModelParam = z.string().transform((s, ctx): SpeechModel => {
  const v = s.toLowerCase();
  if (Object.hasOwn(SPEECH_MODEL_ROUTES, v)) return v as SpeechModel;
  ctx.addIssue({
    code: "custom",
    message: `must be one of ${Object.keys(SPEECH_MODEL_ROUTES).join(", ")} (got ${shown(s)})`,
  });
  return z.NEVER;
});

const termsParam = z.array(z.string()).transform((values, ctx) => {
  const r = parseQueryTerms(values);
  if (r.ok) return r.terms;
  ctx.addIssue({ code: "custom", message: r.error });
  return z.NEVER;
});

const querySchema = z.object({
  sample_rate: numberParam("sample_rate").optional(),
  encoding: encodingParam.optional(),
  speech_model: speechModelParam.optional(),
  language: z.string().optional(),
  format_turns: boolParam.optional(),
  end_of_turn_confidence_threshold: numberParam("end_of_turn_confidence_threshold").optional(),
  min_turn_silence: numberParam("min_turn_silence").optional(),
  min_end_of_turn_silence_when_confident: numberParam("min_turn_silence").optional(),
  max_turn_silence: numberParam("max_turn_silence").optional(),
  vad_threshold: numberParam("vad_threshold").optional(),
  keyterms_prompt: termsParam,
  keyterms: termsParam,
  prompt: z.string().optional(),
  agent_context: z.string().optional(),
  language_detection: boolParam.optional(),
  inactivity_timeout: numberParam("inactivity_timeout").optional(),
  filter_profanity: boolParam.optional(),
  speaker_labels: boolParam.optional(),
  max_speakers: numberParam("max_speakers").optional(),
  continuous_partials: boolParam.optional(),
  interruption_delay: numberParam("interruption_delay").optional(),
  session_heartbeat: boolParam.optional(),
  mode: modeParam.optional(),
  language_codes: z.array(z.string()),
  token: z.string().optional(),
});

type QueryKey = keyof typeof querySchema.shape;
const LIST_KEYS: readonly QueryKey[] = ["keyterms_prompt", "keyterms", "language_codes"];
// Free text keeps its spaces; everything else is trimmed.
const FREE_TEXT_KEYS: readonly QueryKey[] = ["prompt", "agent_context"];

/** First value of each known key; an empty value counts as absent. Unknown keys are ignored (§1.5). */
function collect(query: URLSearchParams): Record<string, string | string[]> {
  const raw: Record<string, string | string[]> = {};
  for (const key of Object.keys(querySchema.shape) as QueryKey[]) {
    if (LIST_KEYS.includes(key)) {
      raw[key] = query.getAll(key);
      continue;
    }
    const value = query.get(key);
    if (value === null) continue;
    const v = FREE_TEXT_KEYS.includes(key) ? value : value.trim();
    if (v.trim() !== "") raw[key] = v;
  }
  return raw;
}

// ---- route and defaults ----

/** Each route's turn defaults (the post-2025-09 defaults, §1.4), from the route table. */
export const ROUTE_DEFAULTS = Object.fromEntries(
  Object.entries(ROUTES).map(([route, spec]) => [route, spec.defaults]),
) as { readonly [R in Route]: TurnDefaults };

export const DEFAULT_SAMPLE_RATE = 16000;
export const DEFAULT_INTERRUPTION_DELAY_MS = 500;

/** `speech_model` wins; otherwise the v0.1–0.4 `language` rule: `en` or absent → English, else multilingual. */
function resolveModel(speechModel: SpeechModel | undefined, language: string | undefined): {
  speech_model: string;
  route: Route;
} {
  if (speechModel !== undefined) {
    return { speech_model: speechModel, route: SPEECH_MODEL_ROUTES[speechModel] };
  }
  // [U] choice: the newest docs make speech_model required; older docs and SDKs default to English,
  // and old Python SDKs never send it, so absence means English.
  if (language === undefined || language.toLowerCase() === "en") {
    return { speech_model: "universal-streaming-english", route: "en-default" };
  }
  return { speech_model: "universal-streaming-multilingual", route: "ml-default" };
}

export function parseSessionParams(query: URLSearchParams): ParamsResult {
  const parsed = querySchema.safeParse(collect(query));
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: `Invalid Parameter: ${String(issue.path[0] ?? "query")} ${issue.message}` };
  }
  const q = parsed.data;
  // Both names land in one list; the limits apply to the union.
  const terms = normalizeTerms([...q.keyterms_prompt, ...q.keyterms]);
  if (!terms.ok) return { ok: false, error: `Invalid Parameter: keyterms_prompt ${terms.error}` };

  const { speech_model, route } = resolveModel(q.speech_model, q.language);
  const d = ROUTE_DEFAULTS[route];
  const languages = parseLanguageCodes(q.language_codes, route);
  if (!languages.ok) return { ok: false, error: `Invalid Parameter: language_codes ${languages.error}` };
  return {
    ok: true,
    params: {
      sample_rate: q.encoding && isCompressed(q.encoding)
        ? COMPRESSED_SAMPLE_RATE
        : q.sample_rate ?? DEFAULT_SAMPLE_RATE,
      encoding: q.encoding ?? "pcm_s16le",
      speech_model,
      route,
      format_turns: q.format_turns ?? false,
      end_of_turn_confidence_threshold: q.end_of_turn_confidence_threshold ??
        d.end_of_turn_confidence_threshold,
      // [U] choice: when both names are sent, the current name wins over the legacy alias.
      min_turn_silence: q.min_turn_silence ?? q.min_end_of_turn_silence_when_confident ?? d.min_turn_silence,
      max_turn_silence: q.max_turn_silence ?? d.max_turn_silence,
      vad_threshold: q.vad_threshold ?? d.vad_threshold,
      keyterms_prompt: terms.terms,
      prompt: q.prompt ?? null,
      agent_context: q.agent_context ?? null,
      language_detection: q.language_detection ?? false,
      inactivity_timeout: q.inactivity_timeout ?? null,
      filter_profanity: q.filter_profanity ?? false,
      speaker_labels: q.speaker_labels ?? false,
      max_speakers: q.max_speakers ?? null,
      // [U] choice: opt-in, as in the reference stack v0.6 (a third party claims default-on).
      continuous_partials: q.continuous_partials ?? false,
      interruption_delay: q.interruption_delay ?? DEFAULT_INTERRUPTION_DELAY_MS,
      session_heartbeat: q.session_heartbeat ?? false,
      mode: q.mode ?? "balanced",
      language_codes: languages.codes,
      token: q.token ?? null,
    },
  };
}

// ---- Begin.configuration ----

/**
 * [U] choice: the key set is undocumented (§3.1, §8.7). We echo the cloud example's `model` and
 * `api_version`, plus every applied setting under its query name. Unset optional settings are left
 * out rather than sent as null; the token and the internal route are never echoed.
 */
export interface ConfigurationEcho {
  model: string;
  mode: DecodingMode;
  api_version: string;
  speech_model: string;
  sample_rate: number;
  encoding: Encoding;
  format_turns: boolean;
  end_of_turn_confidence_threshold: number;
  min_turn_silence: number;
  max_turn_silence: number;
  vad_threshold: number;
  keyterms_prompt: string[];
  language_detection: boolean;
  filter_profanity: boolean;
  speaker_labels: boolean;
  continuous_partials: boolean;
  interruption_delay: number;
  max_speakers?: number;
  inactivity_timeout?: number;
  prompt?: string;
  agent_context?: string;
}

/** The version string the Python SDK sends in `AssemblyAI-Version`. */
export const API_VERSION = "2025-05-12";

export function configurationEcho(p: SessionParams): ConfigurationEcho {
  const echo: ConfigurationEcho = {
    model: p.speech_model,
    mode: p.mode,
    api_version: API_VERSION,
    speech_model: p.speech_model,
    sample_rate: p.sample_rate,
    encoding: p.encoding,
    format_turns: p.format_turns,
    end_of_turn_confidence_threshold: p.end_of_turn_confidence_threshold,
    min_turn_silence: p.min_turn_silence,
    max_turn_silence: p.max_turn_silence,
    vad_threshold: p.vad_threshold,
    keyterms_prompt: [...p.keyterms_prompt],
    language_detection: p.language_detection,
    filter_profanity: p.filter_profanity,
    speaker_labels: p.speaker_labels,
    continuous_partials: p.continuous_partials,
    interruption_delay: p.interruption_delay,
  };
  if (p.max_speakers !== null) echo.max_speakers = p.max_speakers;
  if (p.inactivity_timeout !== null) echo.inactivity_timeout = p.inactivity_timeout;
  if (p.prompt !== null) echo.prompt = p.prompt;
  if (p.agent_context !== null) echo.agent_context = p.agent_context;
  return echo;
}
