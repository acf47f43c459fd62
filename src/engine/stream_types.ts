// The engine's own vocabulary for a stream: how it is opened, its turn settings, the words and
// turn updates it reports. The ASR contract (src/asr/proto.ts) carries these as they are; the
// engine depends on no transport.
export type Encoding = "PCM_S16LE" | "PCM_MULAW";

/** A session's decoding mode (the v3 `mode`; decoders.ts settingsForMode says what each does). */
export type DecodingMode = "min_latency" | "balanced" | "max_accuracy";
export const DECODING_MODES: readonly DecodingMode[] = ["min_latency", "balanced", "max_accuracy"];

export interface TurnSettings {
  end_of_turn_confidence_threshold: number;
  min_turn_silence_ms: number;
  max_turn_silence_ms: number;
  vad_threshold: number;
  keyterms: string[];
  pro_rules: boolean;
  continuous_partials: boolean;
  language_detection: boolean;
  /** Report the VAD's highest speech probability about once a second (a `speech_activity` event). */
  speech_activity?: boolean;
  /** A multilingual model reports each turn's language among these (all it knows when empty). */
  language_codes?: string[];
}

export interface OpenStream {
  session_id: string;
  route: string;
  sample_rate: number;
  encoding: Encoding;
  settings: TurnSettings;
  resume_turn_order: number;
  resume_offset_ms: number;
  /** The session's decoding mode (decoders.ts settingsForMode); absent or "" for balanced. */
  mode?: string;
}

export interface Word {
  text: string;
  start_ms: number;
  end_ms: number;
  confidence: number;
  is_final: boolean;
}

export interface TurnUpdate {
  turn_order: number;
  words: Word[];
  end_of_turn: boolean;
  end_of_turn_confidence: number;
  utterance_end: boolean;
  language_code: string;
  language_confidence: number;
  /** On the update that ends a turn: why it ended (absent or "" before); see TurnEndReason. */
  turn_end_reason?: string;
  /** On the update that ends a turn: the silence after its last word when it ended, in ms. */
  silence_before_eot_ms?: number;
}

/** What a stream reports as its audio is decoded. */
export type TurnEvent =
  | { kind: "turn"; turn: TurnUpdate }
  | { kind: "speech_started"; speech_started: { timestamp_ms: number; confidence: number } }
  | { kind: "speech_activity"; speech_activity: { max_speech_probability: number } };
