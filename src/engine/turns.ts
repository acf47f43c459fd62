// Turn detection: decides, after each model chunk, which Turn updates a stream emits.
//
// Silence is measured from the end of the last decoded word to the audio processed so far and,
// with Silero VAD, is at most the silence the VAD heard: a turn ends only when the words have
// stopped and the VAD hears no speech (noise or speech the model can't spell keeps a turn open).
// The universal end-of-turn confidence is that silence relative to max_turn_silence; when the
// words look complete (they don't end on a connecting word) it starts at 0.5 and covers the other
// half, so with the default threshold 0.4 a complete sentence ends at min_turn_silence and
// "book a table for" waits for 512 ms.
// The protocol's knobs keep their meaning: threshold 1 ends turns only at max_turn_silence,
// threshold 0 at the first silence of min_turn_silence. The pro rules end a turn at
// min_turn_silence when the turn looks complete (it does not end on a connecting word, which is
// where a formatter would put no terminal punctuation), else at max_turn_silence.
import type { OpenStream, TurnEvent, TurnSettings, Word } from "./stream_types.ts";
import type { DecodedWord } from "./tokens.ts";

/** The universal routes' defaults (protocol-v3.md: threshold 0.4, 400 / 1280 ms, VAD 0.4). */
export const UNIVERSAL_TURN_SETTINGS: Readonly<TurnSettings> = {
  end_of_turn_confidence_threshold: 0.4,
  min_turn_silence_ms: 400,
  max_turn_silence_ms: 1280,
  vad_threshold: 0.4,
  keyterms: [],
  pro_rules: false,
  continuous_partials: false,
  language_detection: false,
};

/** A new stream of 16 kHz PCM16 with the universal turn settings: what benchmarks and tests open. */
export function universalStream(sessionId: string, route = "en-default"): OpenStream {
  return {
    session_id: sessionId,
    route,
    sample_rate: 16000,
    encoding: "PCM_S16LE",
    settings: { ...UNIVERSAL_TURN_SETTINGS },
    resume_turn_order: 0,
    resume_offset_ms: 0,
  };
}

/** What the stream's VAD has heard (times in ms on the words' axis). */
export interface VadView {
  silenceMs: number;
  /** Start of the current run of speech frames (-1 before any), and its first frame's probability. */
  speechStartMs: number;
  speechStartProb: number;
}

const CONNECTING_WORDS = new Set(
  "a an the and or but so to of in on at for with from by as if because that which who my your our their his her its is are was were be i um uh like"
    .split(" "),
);
const EARLY_PARTIAL_MS = 750;
const CONTINUOUS_PARTIAL_MS = 3000;

/** A turn looks complete unless it ends on a connecting word (where no sentence ends). */
function looksComplete(words: readonly DecodedWord[]): boolean {
  return !CONNECTING_WORDS.has(words[words.length - 1].text);
}

/**
 * Why a turn ended, on its final update: `confident` (universal: the end-of-turn confidence reached
 * the threshold after at least min_turn_silence), `complete` (pro: the words looked complete after
 * min_turn_silence), `max_turn_silence` (the silence reached max_turn_silence), `force_endpoint`
 * (the client's ForceEndpoint), `end_of_stream` (the input ended: Terminate or the session's end).
 */
export type TurnEndReason =
  | "confident"
  | "complete"
  | "max_turn_silence"
  | "force_endpoint"
  | "end_of_stream";

export class TurnTracker {
  private emittedKey = "";
  /** The silence after the last word at the latest update (ms). */
  private silenceMs = 0;
  private speechStarted = false;
  private utteranceFlagged = false;
  private earlyPartialSent = false;
  private lastPartialMs = 0;

  constructor(private _settings: TurnSettings, public turnOrder = 0) {}

  get settings(): Readonly<TurnSettings> {
    return this._settings;
  }

  setSettings(settings: TurnSettings): void {
    this._settings = settings;
  }

  /** Called after each model chunk; returns the events and whether the turn ended. */
  update(
    words: readonly DecodedWord[],
    nowMs: number,
    vad?: VadView,
    /** Leading words no later audio can change (a beam search may still revise the rest). */
    settled = words.length - 1,
  ): { events: TurnEvent[]; ended: boolean } {
    const events: TurnEvent[] = [];
    if (words.length === 0) return { events, ended: false };
    const s = this._settings;
    if (!this.speechStarted) {
      this.speechStarted = true;
      if (s.pro_rules) {
        // The VAD's onset, when it heard this speech start before the first word was decoded.
        const heard = vad && vad.speechStartMs >= 0 && vad.speechStartMs <= words[0].startMs;
        events.push({
          kind: "speech_started",
          speech_started: heard
            ? { timestamp_ms: Math.round(vad.speechStartMs), confidence: vad.speechStartProb }
            : { timestamp_ms: Math.round(words[0].startMs), confidence: words[0].confidence },
        });
      }
    }
    const wordSilence = Math.max(0, nowMs - words[words.length - 1].endMs);
    const silence = vad ? Math.min(wordSilence, vad.silenceMs) : wordSilence;
    this.silenceMs = silence;
    const bySilence = Math.min(1, silence / Math.max(1, s.max_turn_silence_ms));
    const confidence = looksComplete(words) ? 0.5 + 0.5 * bySilence : bySilence;
    const reason = this.endReason(words, silence, confidence);
    if (reason) {
      events.push(this.finalTurn(words, s.pro_rules ? 1 : confidence, reason));
      return { events, ended: true };
    }
    if (s.pro_rules) {
      const key = words.map((w) => w.text).join(" ");
      const spoken = nowMs - words[0].startMs;
      const early = !this.earlyPartialSent && spoken >= EARLY_PARTIAL_MS;
      const continuous = s.continuous_partials && this.earlyPartialSent &&
        nowMs - this.lastPartialMs >= CONTINUOUS_PARTIAL_MS && key !== this.emittedKey;
      if (early || continuous) {
        this.earlyPartialSent = true;
        this.lastPartialMs = nowMs;
        this.emittedKey = key;
        events.push(this.turnMessage(words, { final: false, confidence: 0, utterance: false }));
      }
      return { events, ended: false };
    }
    const utterance = !this.utteranceFlagged && silence >= s.min_turn_silence_ms;
    if (utterance) this.utteranceFlagged = true;
    else if (silence < s.min_turn_silence_ms) this.utteranceFlagged = false;
    // Universal partials promise that every word but the last is final: show the settled words and
    // one more, and hold back the rest until it settles.
    const shown = words.slice(0, Math.max(0, Math.min(settled, words.length - 1)) + 1);
    const key = shown.map((w) => w.text).join(" ");
    if (key !== this.emittedKey || utterance) {
      this.emittedKey = key;
      events.push(this.turnMessage(shown, { final: false, confidence, utterance }));
    }
    return { events, ended: false };
  }

  /** Ends the current turn now (ForceEndpoint, end of stream); no-op without words. */
  endNow(words: readonly DecodedWord[], reason: "force_endpoint" | "end_of_stream"): TurnEvent[] {
    return words.length ? [this.finalTurn(words, 1, reason)] : [];
  }

  private endReason(
    words: readonly DecodedWord[],
    silence: number,
    confidence: number,
  ): TurnEndReason | undefined {
    const s = this._settings;
    if (silence >= s.max_turn_silence_ms) return "max_turn_silence";
    if (silence < s.min_turn_silence_ms) return undefined;
    if (s.pro_rules) return looksComplete(words) ? "complete" : undefined;
    return confidence >= s.end_of_turn_confidence_threshold ? "confident" : undefined;
  }

  private finalTurn(words: readonly DecodedWord[], confidence: number, reason: TurnEndReason): TurnEvent {
    const event = this.turnMessage(words, { final: true, confidence, utterance: true });
    if (event.kind === "turn") {
      event.turn.turn_end_reason = reason;
      event.turn.silence_before_eot_ms = Math.round(this.silenceMs);
    }
    this.silenceMs = 0;
    this.turnOrder++;
    this.emittedKey = "";
    this.speechStarted = false;
    this.utteranceFlagged = false;
    this.earlyPartialSent = false;
    return event;
  }

  private turnMessage(
    words: readonly DecodedWord[],
    o: { final: boolean; confidence: number; utterance: boolean },
  ): TurnEvent {
    const pro = this._settings.pro_rules;
    const out: Word[] = words.map((w, i) => ({
      text: w.text,
      start_ms: Math.round(w.startMs),
      end_ms: Math.round(w.endMs),
      confidence: w.confidence,
      // universal partials: every word but the last is final and never changes again
      is_final: o.final || (!pro && i < words.length - 1),
    }));
    return {
      kind: "turn",
      turn: {
        turn_order: this.turnOrder,
        words: out,
        end_of_turn: o.final,
        end_of_turn_confidence: o.confidence,
        utterance_end: o.utterance,
        language_code: "",
        language_confidence: 0,
      },
    };
  }
}
