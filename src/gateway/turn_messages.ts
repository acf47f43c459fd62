// Builds the protocol's Turn messages from the ASR's turn updates, per route and format_turns.
//
// Universal routes: partial Turns carry every word (the last may still change) and a transcript
// of the final words only; the end of a turn is one unformatted message, followed by a formatted
// one when format_turns=true (the legacy two-message form the SDKs understand).
// Pro route: partials carry the whole turn text with no word final; the end of a turn is a single
// formatted message with end_of_turn_confidence 1 and utterance = transcript.
import type { TurnUpdate } from "../asr/proto.ts";
import { formatWords } from "../format/format_turn.ts";
import type { PunctuationModel } from "../format/punctuation_model.ts";
import { turn, type TurnMessage, type WordInput } from "../protocol/server_messages.ts";

export interface TurnOptions {
  pro: boolean;
  formatTurns: boolean;
  languageDetection: boolean;
  keyterms: readonly string[];
  /** Learned English casing and punctuation for formatted turns; rules alone without it. */
  punctuation?: PunctuationModel;
}

export function turnMessages(update: TurnUpdate, o: TurnOptions): TurnMessage[] {
  const words: WordInput[] = update.words.map((w) => ({
    text: w.text,
    start: w.start_ms,
    end: w.end_ms,
    confidence: w.confidence,
    word_is_final: w.is_final,
  }));
  // English-only models name no language; the multilingual one names each turn's.
  const english = !update.language_code || update.language_code === "en";
  const text = (ws: readonly WordInput[]) => ws.map((w) => w.text).join(" ");
  const formatted = () => {
    const f = formatWords(
      words.map(({ text, start, end, confidence }) => ({ text, start, end, confidence })),
      { keyterms: [...o.keyterms], punctuation: english ? o.punctuation : undefined },
    );
    return { transcript: f.transcript, words: f.words.map((w) => ({ ...w, word_is_final: true })) };
  };
  const language = o.languageDetection && update.language_code && (update.end_of_turn || update.utterance_end)
    ? { language_code: update.language_code, language_confidence: update.language_confidence }
    : {};
  // A final turn says why it ended and after how much silence (README, choices).
  const ending = update.end_of_turn && update.turn_end_reason
    ? { turn_end_reason: update.turn_end_reason, silence_before_eot_ms: update.silence_before_eot_ms ?? 0 }
    : {};
  const base = { turn_order: update.turn_order, end_of_turn: update.end_of_turn, ...language, ...ending };

  if (o.pro) {
    if (!update.end_of_turn) {
      return [
        turn({
          ...base,
          turn_is_formatted: false,
          transcript: text(words),
          end_of_turn_confidence: 0,
          words,
        }),
      ];
    }
    const f = formatted();
    return [turn({
      ...base,
      turn_is_formatted: true,
      transcript: f.transcript,
      utterance: f.transcript,
      end_of_turn_confidence: 1,
      words: f.words,
    })];
  }

  const eot = update.end_of_turn_confidence;
  if (!update.end_of_turn) {
    const utterance = update.utterance_end ? (o.formatTurns ? formatted().transcript : text(words)) : "";
    return [turn({
      ...base,
      turn_is_formatted: false,
      transcript: text(words.filter((w) => w.word_is_final)),
      end_of_turn_confidence: eot,
      utterance,
      words,
    })];
  }
  if (!o.formatTurns) {
    return [turn({
      ...base,
      turn_is_formatted: false,
      transcript: text(words),
      end_of_turn_confidence: eot,
      utterance: text(words),
      words,
    })];
  }
  const f = formatted();
  return [
    turn({
      ...base,
      turn_is_formatted: false,
      transcript: text(words),
      end_of_turn_confidence: eot,
      utterance: f.transcript,
      words,
    }),
    turn({
      ...base,
      turn_is_formatted: true,
      transcript: f.transcript,
      end_of_turn_confidence: eot,
      utterance: "",
      words: f.words,
    }),
  ];
}
