// `language_codes`: the languages a session expects. On the multilingual route each turn's language
// is chosen among them; a code the route's model does not know is refused by name. Accepted as a
// JSON array (the SDKs' form for lists), a comma-separated list or repeated values; "en-US" is "en".
import { type Route, ROUTES } from "../routes.ts";

export type CodesResult = { ok: true; codes: string[] } | { ok: false; error: string };

export function parseLanguageCodes(values: readonly string[], route: Route): CodesResult {
  const raw: string[] = [];
  for (const value of values) {
    const text = value.trim();
    if (text.startsWith("[")) {
      let list: unknown;
      try {
        list = JSON.parse(text);
      } catch {
        return { ok: false, error: "must be a JSON array of language codes or a comma-separated list" };
      }
      if (!Array.isArray(list) || list.some((c) => typeof c !== "string")) {
        return { ok: false, error: "must be an array of language codes" };
      }
      raw.push(...list);
    } else {
      raw.push(...text.split(","));
    }
  }
  return checkLanguageCodes(raw, route);
}

/** Normalises codes ("ES", "es-MX" → "es") and refuses those the route's model does not know. */
export function checkLanguageCodes(codes: readonly string[], route: Route): CodesResult {
  const known: readonly string[] = ROUTES[route].languages;
  const out: string[] = [];
  for (const code of codes) {
    const c = code.trim().toLowerCase().split(/[-_]/)[0];
    if (!c) continue;
    if (!known.includes(c)) {
      return {
        ok: false,
        error: `has ${code}, which this route's model does not know (it knows ${known.join(", ")})`,
      };
    }
    if (!out.includes(c)) out.push(c);
  }
  return { ok: true, codes: out };
}
