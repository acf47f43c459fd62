// The 200 body: the upstream sync response (text, words, confidence, audio_duration_ms,
// session_id, request_time_ms) plus language_code and, when part of the request had no effect,
// warning. Each turn is formatted as a streaming formatted turn is (casing, punctuation, ITN).
import type { TurnUpdate } from "../asr/proto.ts";
import { formatWords } from "../format/format_turn.ts";
import type { PunctuationModel } from "../format/punctuation_model.ts";
import type { Route } from "../protocol/params.ts";

export interface SyncWord {
  text: string;
  /** ms from the start of the audio */
  start: number;
  end: number;
  confidence: number;
}

export interface SyncResponse {
  text: string;
  words: SyncWord[];
  /** Mean word confidence; 0 when no words were heard. */
  confidence: number;
  audio_duration_ms: number;
  language_code: string;
  session_id: string;
  request_time_ms: number;
  warning?: string;
}

export interface ResponseInput {
  id: string;
  route: Route;
  /** As requested; the first names the language when the model heard nothing to tell it by. */
  languages: readonly string[];
  turns: readonly TurnUpdate[];
  keyterms: readonly string[];
  punctuation?: PunctuationModel;
  audioDurationMs: number;
  requestStartedAt: number;
  warnings: readonly string[];
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;

export function buildResponse(r: ResponseInput): SyncResponse {
  const texts: string[] = [];
  const words: SyncWord[] = [];
  const wordsPerLanguage = new Map<string, number>();
  for (const turn of r.turns) {
    if (turn.words.length === 0) continue;
    const english = !turn.language_code || turn.language_code === "en";
    const f = formatWords(
      turn.words.map((w) => ({ text: w.text, start: w.start_ms, end: w.end_ms, confidence: w.confidence })),
      { keyterms: r.keyterms, punctuation: english ? r.punctuation : undefined },
    );
    if (f.transcript) texts.push(f.transcript);
    for (const w of f.words) {
      words.push({ text: w.text, start: w.start, end: w.end, confidence: round3(w.confidence) });
    }
    if (turn.language_code) {
      wordsPerLanguage.set(
        turn.language_code,
        (wordsPerLanguage.get(turn.language_code) ?? 0) + f.words.length,
      );
    }
  }
  // The English model knows one language; the multilingual one names each turn's, and the file's is
  // the one most words were heard in.
  const heard = [...wordsPerLanguage].sort((a, b) => b[1] - a[1])[0]?.[0];
  const language = r.route === "en-default"
    ? "en"
    : heard ?? r.languages.find((l) => l !== "en") ?? r.languages[0] ?? "en";
  const confidence = words.length ? words.reduce((s, w) => s + w.confidence, 0) / words.length : 0;
  return {
    text: texts.join(" "),
    words,
    confidence: round3(confidence),
    audio_duration_ms: Math.round(r.audioDurationMs),
    language_code: language,
    session_id: r.id,
    request_time_ms: Math.round((performance.now() - r.requestStartedAt) * 10) / 10,
    ...(r.warnings.length ? { warning: r.warnings.join("; ") } : {}),
  };
}
