// Terminal punctuation. The model gives no prosody cue here, so a turn is a question when it opens
// like one: a wh-word or an auxiliary verb ("can you…", "is it…"); everything else ends with ".".

import type { Piece } from "./pieces.ts";

const QUESTION_OPENERS: ReadonlySet<string> = new Set(
  ("what when where who whom whose which why how what's where's who's how's when's why's " +
    "is are am was were can could do does did will would should shall have has " +
    "isn't aren't wasn't weren't can't couldn't don't doesn't didn't won't wouldn't shouldn't haven't hasn't")
    .split(" "),
);

/** Fillers and discourse markers skipped before looking for the opener: "um so what is it". */
const LEAD_INS: ReadonlySet<string> = new Set([
  "um",
  "uh",
  "er",
  "hmm",
  "so",
  "and",
  "but",
  "okay",
  "ok",
  "well",
  // Greetings and answers that open a request: "hey can you…", "yes is it…".
  "hey",
  "hi",
  "hello",
  "yes",
  "yeah",
  "actually",
  "please",
]);

/** "hi there how are you": "there" after a greeting is part of it, unless a verb makes it the
 * statement "hello, there is a problem". */
const GREETINGS: ReadonlySet<string> = new Set(["hey", "hi", "hello"]);
const EXISTENTIAL_VERBS: ReadonlySet<string> = new Set(["is", "are", "was", "were", "isn't", "aren't"]);

/** Openers that also start statements ("may fifth is…"); a question only before a subject pronoun. */
const PRONOUN_QUESTION_OPENERS: ReadonlySet<string> = new Set(["may", "might", "must"]);
const SUBJECT_PRONOUNS: ReadonlySet<string> = new Set(["i", "we", "you", "he", "she", "it", "they"]);

export function isQuestion(keys: readonly string[]): boolean {
  let at = keys.findIndex((key) => !LEAD_INS.has(key));
  const greetingThere = at > 0 && keys[at] === "there" && GREETINGS.has(keys[at - 1]);
  if (greetingThere && !EXISTENTIAL_VERBS.has(keys[at + 1] ?? "")) {
    at = keys.findIndex((key, i) => i > at && !LEAD_INS.has(key));
  }
  if (at < 0) return false;
  const opener = keys[at];
  if (PRONOUN_QUESTION_OPENERS.has(opener)) return SUBJECT_PRONOUNS.has(keys[at + 1] ?? "");
  return QUESTION_OPENERS.has(opener);
}

/** Appends "?" or "." to the last piece unless it already ends a sentence. */
export function addTerminalPunctuation(pieces: readonly Piece[], question: boolean): Piece[] {
  const result = [...pieces];
  const last = result[result.length - 1];
  if (!last || /[.?!]$/.test(last.text)) return result;
  result[result.length - 1] = { ...last, text: last.text + (question ? "?" : ".") };
  return result;
}
