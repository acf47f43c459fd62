// Keyterm lists (protocol-v3.md §1.4 keyterms row, §1.6, §2.2): the wire forms seen in the wild and
// the limits (more than 100 terms is an error, terms over 50 characters are silently dropped).

export const MAX_KEYTERMS = 100;
export const MAX_KEYTERM_CHARS = 50;

/** `error` is a predicate for the parameter name, e.g. `must have at most 100 terms (got 101)`. */
export type TermsResult = { ok: true; terms: string[] } | { ok: false; error: string };

/**
 * Terms from the values of one query parameter. Each value may be a JSON array
 * (`["a","b"]`), a Python list repr (`['a', 'b']`, Python SDK 0.44–0.45), or one plain term; repeated
 * parameters (the spec's "allow-multiple") are concatenated.
 */
// [U] choice: whether the cloud accepts repeated keyterms_prompt is unconfirmed (§8.10); we do.
export function parseQueryTerms(values: readonly string[]): TermsResult {
  const terms: string[] = [];
  for (const value of values) {
    const trimmed = value.trim();
    if (trimmed === "") continue;
    if (!trimmed.startsWith("[")) {
      terms.push(trimmed);
      continue;
    }
    const list = parseJsonList(trimmed) ?? parsePythonList(trimmed);
    if (list === undefined) return { ok: false, error: "must be a JSON array of strings" };
    terms.push(...list);
  }
  return { ok: true, terms };
}

/**
 * Apply the limits: trim, drop empty and duplicate terms, reject more than 100, then drop terms
 * longer than 50 characters (counted in code points).
 */
export function normalizeTerms(terms: readonly string[]): TermsResult {
  // [U] choice: the count is taken after de-duplication and before long terms are dropped, so a
  // client sending the same list under `keyterms` and `keyterms_prompt` is not refused.
  const unique = [...new Set(terms.map((t) => t.trim()).filter((t) => t !== ""))];
  if (unique.length > MAX_KEYTERMS) {
    return { ok: false, error: `must have at most ${MAX_KEYTERMS} terms (got ${unique.length})` };
  }
  return { ok: true, terms: unique.filter((t) => [...t].length <= MAX_KEYTERM_CHARS) };
}

function parseJsonList(text: string): string[] | undefined {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return isStringArray(value) ? value : undefined;
}

function isStringArray(value: unknown): value is string[] {
  return Array.isArray(value) && value.every((v) => typeof v === "string");
}

const PY_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\",
  "'": "'",
  '"': '"',
  n: "\n",
  t: "\t",
  r: "\r",
  "0": "\0",
};

/** Parse `['a', "it's", 'x\\'y']`: a Python list of str literals, as `repr(list)` writes it. */
export function parsePythonList(text: string): string[] | undefined {
  let i = 0;
  const skipSpace = () => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };
  const out: string[] = [];
  skipSpace();
  if (text[i] !== "[") return undefined;
  i++;
  skipSpace();
  if (text[i] === "]") {
    i++;
    skipSpace();
    return i === text.length ? out : undefined;
  }
  for (;;) {
    skipSpace();
    const quote = text[i];
    if (quote !== "'" && quote !== '"') return undefined;
    i++;
    let s = "";
    for (;;) {
      if (i >= text.length) return undefined;
      const c = text[i++];
      if (c === quote) break;
      if (c !== "\\") {
        s += c;
        continue;
      }
      const e = text[i++];
      if (e === undefined) return undefined;
      if (e === "x" || e === "u" || e === "U") {
        const len = e === "x" ? 2 : e === "u" ? 4 : 8;
        const hex = text.slice(i, i + len);
        if (!/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) return undefined;
        const cp = parseInt(hex, 16);
        if (cp > 0x10ffff) return undefined;
        s += String.fromCodePoint(cp);
        i += len;
      } else {
        s += PY_ESCAPES[e] ?? "\\" + e; // Python keeps unknown escapes verbatim
      }
    }
    out.push(s);
    skipSpace();
    if (text[i] === ",") {
      i++;
      skipSpace();
      if (text[i] === "]") break; // trailing comma
      continue;
    }
    if (text[i] === "]") break;
    return undefined;
  }
  i++;
  skipSpace();
  return i === text.length ? out : undefined;
}
