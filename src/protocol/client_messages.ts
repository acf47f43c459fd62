// Client → server text frames (protocol-v3.md §2.2–2.6) and applying UpdateConfiguration.

import { z } from "zod";
import {
  CloseCode,
  invalidJsonReason,
  invalidMessageReason,
  invalidMessageTypeReason,
} from "./close_codes.ts";
import { normalizeTerms } from "./keyterms.ts";
import { optionalLimitedNumber, type ParamsResult, type SessionParams } from "./params.ts";
import { checkLanguageCodes } from "./language_codes.ts";

/** Partial update: an absent field leaves the setting unchanged (§2.2). */
export interface ConfigurationUpdate {
  end_of_turn_confidence_threshold?: number;
  /** also from the alias `min_end_of_turn_silence_when_confident` */
  min_turn_silence?: number;
  max_turn_silence?: number;
  vad_threshold?: number;
  format_turns?: boolean;
  /** replaces the list; `[]` clears it */
  keyterms_prompt?: string[];
  filter_profanity?: boolean;
  prompt?: string;
  agent_context?: string;
  interruption_delay?: number;
  continuous_partials?: boolean;
  /** replaces the list; `[]` allows every language the model knows */
  language_codes?: string[];
}

export type ClientMessage =
  | { type: "UpdateConfiguration"; update: ConfigurationUpdate }
  | { type: "ForceEndpoint" }
  | { type: "KeepAlive" }
  | { type: "Terminate" };

/** On failure, send an Error frame with `code` and `error`, then close (see `errorClose`). */
export type ClientMessageResult =
  | { ok: true; message: ClientMessage }
  | { ok: false; code: typeof CloseCode.InvalidMessage; error: string };

// null is treated like an absent field: pydantic-built clients may send it for "unset".
const optionalBool = z.boolean({ error: "must be true or false" }).nullish();
const optionalString = z.string({ error: "must be a string" }).nullish();

// Unknown fields (mode, turn_left_pad_ms, session_heartbeat, …) are stripped:
// cloud features with no effect here.
const updateSchema = z.object({
  end_of_turn_confidence_threshold: optionalLimitedNumber("end_of_turn_confidence_threshold"),
  min_turn_silence: optionalLimitedNumber("min_turn_silence"),
  min_end_of_turn_silence_when_confident: optionalLimitedNumber("min_turn_silence"),
  max_turn_silence: optionalLimitedNumber("max_turn_silence"),
  vad_threshold: optionalLimitedNumber("vad_threshold"),
  format_turns: optionalBool,
  keyterms_prompt: z.array(z.string({ error: "must be an array of strings" }), {
    error: "must be an array of strings",
  }).nullish(),
  filter_profanity: optionalBool,
  prompt: optionalString,
  agent_context: optionalString,
  interruption_delay: optionalLimitedNumber("interruption_delay"),
  continuous_partials: optionalBool,
  language_codes: z.array(z.string({ error: "must be an array of strings" }), {
    error: "must be an array of strings",
  }).nullish(),
});

type UpdateCheck = { ok: true; update: ConfigurationUpdate } | { ok: false; error: string };

/** Types, ranges and keyterm limits of an update; the error is a full 3006 reason text. */
function checkUpdate(fields: unknown): UpdateCheck {
  const parsed = updateSchema.safeParse(fields);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return { ok: false, error: invalidMessageReason(`${String(issue.path[0])} ${issue.message}`) };
  }
  const f = parsed.data;
  const update: ConfigurationUpdate = {};
  if (f.end_of_turn_confidence_threshold != null) {
    update.end_of_turn_confidence_threshold = f.end_of_turn_confidence_threshold;
  }
  // [U] choice: as in the query, the current name wins when both are sent.
  const minSilence = f.min_turn_silence ?? f.min_end_of_turn_silence_when_confident;
  if (minSilence != null) update.min_turn_silence = minSilence;
  if (f.max_turn_silence != null) update.max_turn_silence = f.max_turn_silence;
  if (f.vad_threshold != null) update.vad_threshold = f.vad_threshold;
  if (f.format_turns != null) update.format_turns = f.format_turns;
  if (f.keyterms_prompt != null) {
    const terms = normalizeTerms(f.keyterms_prompt);
    if (!terms.ok) return { ok: false, error: invalidMessageReason(`keyterms_prompt ${terms.error}`) };
    update.keyterms_prompt = terms.terms;
  }
  if (f.filter_profanity != null) update.filter_profanity = f.filter_profanity;
  if (f.prompt != null) update.prompt = f.prompt;
  if (f.agent_context != null) update.agent_context = f.agent_context;
  if (f.interruption_delay != null) update.interruption_delay = f.interruption_delay;
  if (f.continuous_partials != null) update.continuous_partials = f.continuous_partials;
  if (f.language_codes != null) update.language_codes = f.language_codes;
  return { ok: true, update };
}

function fail(error: string): ClientMessageResult {
  return { ok: false, code: CloseCode.InvalidMessage, error };
}

/** Parse one text frame. `type` may be anywhere in the object; extra fields are ignored. */
export function parseClientMessage(text: string): ClientMessageResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return fail(invalidJsonReason(text));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return fail(invalidMessageReason(text));
  }
  const type: unknown = (value as Record<string, unknown>).type;
  switch (type) {
    case "ForceEndpoint":
    case "KeepAlive":
    case "Terminate":
      return { ok: true, message: { type } };
    case "UpdateConfiguration": {
      const checked = checkUpdate(value);
      return checked.ok
        ? { ok: true, message: { type: "UpdateConfiguration", update: checked.update } }
        : fail(checked.error);
    }
    default:
      return fail(invalidMessageTypeReason(text));
  }
}

/**
 * New params with the update applied. The update is checked again (ranges, keyterm limits), so an
 * update built elsewhere cannot bypass the limits; the error is a 3006 reason text.
 */
export function applyUpdate(params: SessionParams, update: ConfigurationUpdate): ParamsResult {
  const checked = checkUpdate(update);
  if (!checked.ok) return checked;
  const { prompt, agent_context, language_codes, ...rest } = checked.update;
  let codes = params.language_codes;
  if (language_codes) {
    const checked = checkLanguageCodes(language_codes, params.route);
    if (!checked.ok) return { ok: false, error: invalidMessageReason(`language_codes ${checked.error}`) };
    codes = checked.codes;
  }
  const next: SessionParams = { ...params, ...rest, language_codes: codes };
  // An empty string returns to "not set" (the built-in prompt), as an empty query value does.
  return {
    ok: true,
    params: {
      ...next,
      prompt: prompt === undefined ? params.prompt : prompt === "" ? null : prompt,
      agent_context: agent_context === undefined
        ? params.agent_context
        : agent_context === ""
        ? null
        : agent_context,
    },
  };
}
