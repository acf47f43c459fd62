// The optional `config` part: language, keyterms (`word_boost`) and the fields our models cannot
// honour (`prompt`, `conversation_context`), which are accepted and answered with a warning.
// Unknown fields are ignored, as upstream documents.
import { normalizeTerms } from "../protocol/keyterms.ts";
import type { Route } from "../protocol/params.ts";
import { SyncProblem } from "./problem.ts";

/** The languages our routes know: English alone on en-default, these on ml-default. */
export const LANGUAGES = ["en", "es", "fr", "de", "it", "pt"] as const;
const MAX_PROMPT_CHARS = 4096;
const MAX_WORD_BOOST_CHARS = 2048;

export interface SyncConfig {
  route: Route;
  /** The requested languages, primary subtags in lower case; empty when none was named. */
  languages: string[];
  keyterms: string[];
  /** For raw PCM only; a WAV names its own. */
  sampleRate?: number;
  channels?: number;
  /** Why part of the request had no effect; never silently. */
  warnings: string[];
}

const bad = (detail: string) => new SyncProblem(400, "Bad Request", `config: ${detail}`);

function language(value: unknown): string {
  if (typeof value !== "string" || value.trim() === "") throw bad("language_code must be a language code");
  // "en-US", "pt_BR": the primary subtag chooses the model.
  const code = value.trim().toLowerCase().split(/[-_]/)[0];
  if (!(LANGUAGES as readonly string[]).includes(code)) {
    throw bad(`language_code ${JSON.stringify(value)} is not supported (supported: ${LANGUAGES.join(", ")})`);
  }
  return code;
}

function positiveInteger(name: string, value: unknown): number | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value <= 0) {
    throw bad(`${name} must be a positive integer`);
  }
  return value;
}

/** Parses the config part's text (undefined when the part is absent). */
export function parseSyncConfig(text: string | undefined): SyncConfig {
  let json: unknown = {};
  if (text !== undefined && text.trim() !== "") {
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw bad(`not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) throw bad("must be a JSON object");
  const c = json as Record<string, unknown>;
  const warnings: string[] = [];

  const rawLang = c.language_code ?? undefined;
  const languages = rawLang === undefined || rawLang === null
    ? []
    : [...new Set((Array.isArray(rawLang) ? rawLang : [rawLang]).map(language))];
  // The streaming rule: English unless some other language is named.
  const route: Route = languages.some((l) => l !== "en") ? "ml-default" : "en-default";

  let keyterms: string[] = [];
  if (c.word_boost !== undefined && c.word_boost !== null) {
    const list = c.word_boost;
    if (!Array.isArray(list) || !list.every((t) => typeof t === "string")) {
      throw bad("word_boost must be an array of strings");
    }
    if (list.join("").length > MAX_WORD_BOOST_CHARS) {
      throw bad(`word_boost must have at most ${MAX_WORD_BOOST_CHARS} characters in all`);
    }
    const terms = normalizeTerms(list);
    if (!terms.ok) throw bad(`word_boost ${terms.error}`);
    keyterms = terms.terms;
    if (keyterms.length < new Set(list.map((t) => t.trim()).filter((t) => t)).size) {
      warnings.push("word_boost terms over 50 characters were ignored");
    }
  }

  if (c.prompt !== undefined && c.prompt !== null) {
    if (typeof c.prompt !== "string") throw bad("prompt must be a string");
    if (c.prompt.length > MAX_PROMPT_CHARS) {
      throw bad(`prompt must have at most ${MAX_PROMPT_CHARS} characters`);
    }
    if (c.prompt.trim() !== "") {
      warnings.push("prompt was ignored: this server's models take no prompt (use word_boost for key terms)");
    }
  }
  if (c.conversation_context !== undefined && c.conversation_context !== null) {
    warnings.push("conversation_context was ignored: this server's models take no context");
  }

  const channels = positiveInteger("channels", c.channels);
  if (channels !== undefined && channels > 2) {
    throw new SyncProblem(
      415,
      "Unsupported Media Type",
      `audio must be mono or stereo (got ${channels} channels)`,
    );
  }
  return {
    route,
    languages,
    keyterms,
    sampleRate: positiveInteger("sample_rate", c.sample_rate),
    channels,
    warnings,
  };
}
