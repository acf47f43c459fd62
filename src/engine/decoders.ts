// Which CTC decoder a stream gets: greedy is cheapest; the beam search is needed to boost keyterms
// and to fuse the model's language model.
import { BeamCtcDecoder } from "./ctc_beam.ts";
import { GreedyCtcDecoder, type TokenDecoder } from "./ctc.ts";
import { TransducerHypothesis } from "./transducer_greedy.ts";
import { TransducerBeamHypotheses } from "./transducer_beam.ts";

/**
 * A transducer's beam runs a joiner row per hypothesis and frame (a CTC beam costs no model call):
 * sherpa-onnx's default is 4 paths; more than 8 costs far more than it finds.
 */
export const TRANSDUCER_MAX_BEAM = 8;
import type { ModelInfo } from "./model_dir.ts";

/**
 * auto: beam search with the model's language model where it ships one, else greedy;
 * greedy: greedy, the language model unused; beam: always the beam search, with the language model
 * where there is one. Sessions with keyterms always get the beam search.
 */
export type DecoderChoice = "auto" | "greedy" | "beam";

/**
 * The server's beam: 32 prefixes, settling on what those within 2.5 log units of the best agree on.
 * On the development sets 32 beat 8 (dev-festival 11.7% vs 12.5% WER) and, with the margin, words
 * settle no later than 8 prefixes did without one (p90 1.7 s vs 1.8 s; deno task bench settle).
 */
export const DEFAULT_BEAM = 32;
export const DEFAULT_SETTLE_MARGIN = 2.5;

export interface DecoderSettings {
  choice: DecoderChoice;
  /** Override the manifest's fusion weight / per-piece bonus (for tuning on a development set). */
  lmWeight?: number;
  lmBonus?: number;
  /** Override the manifest's choice to score turns' first words as sentence starts (LmFusion.sentenceStart). */
  lmSentenceStart?: boolean;
  /** Override the manifest's penalty for a word outside the model's word list (0: list unused). */
  lexiconPenalty?: number;
  /** Prefixes the beam search keeps (default DEFAULT_BEAM). */
  beam?: number;
  /** Log units behind the best within which prefixes must agree for a word to settle (default DEFAULT_SETTLE_MARGIN). */
  settleMargin?: number;
}

export function makeDecoder(
  model: Pick<ModelInfo, "tokens" | "lm" | "lexicon" | "transducer">,
  settings: DecoderSettings,
  keyterms: readonly string[],
): TokenDecoder {
  // A transducer: greedy, or the modified beam search where keyterms or a beam are asked for (it
  // has no language model; `auto` is greedy, as for a CTC model without one).
  if (model.transducer) {
    const { contextSize } = model.transducer;
    if (settings.choice === "beam" || keyterms.length) {
      return new TransducerBeamHypotheses(contextSize, model.tokens.blank, model.tokens, {
        beam: settings.beam === undefined ? undefined : Math.min(settings.beam, TRANSDUCER_MAX_BEAM),
        keyterms,
      });
    }
    return new TransducerHypothesis();
  }
  const lm = settings.choice !== "greedy" && model.lm
    ? {
      model: model.lm.model,
      weight: settings.lmWeight ?? model.lm.weight,
      bonus: settings.lmBonus ?? model.lm.bonus,
      sentenceStart: settings.lmSentenceStart ?? model.lm.sentenceStart,
    }
    : undefined;
  const penalty = settings.lexiconPenalty ?? model.lexicon?.penalty ?? 0;
  // The word list steers the search only together with the LM (it was tuned with it).
  const lexicon = lm && model.lexicon && penalty > 0 ? { lexicon: model.lexicon.words, penalty } : undefined;
  if (settings.choice === "beam" || lm || keyterms.length) {
    return new BeamCtcDecoder(model.tokens, {
      keyterms: [...keyterms],
      lm,
      lexicon,
      beam: settings.beam ?? DEFAULT_BEAM,
      settleMargin: settings.settleMargin ?? DEFAULT_SETTLE_MARGIN,
    });
  }
  return new GreedyCtcDecoder(model.tokens.blank);
}

/**
 * A session's `mode` (v3 protocol): `min_latency` decodes greedily (a word shows as soon as it is
 * decoded, no language model); `balanced` is the server's decoder (ASR_DECODER); `max_accuracy`
 * always beam-searches with the model's language model where it has one, with 64 prefixes.
 */
export function settingsForMode(server: DecoderSettings, mode: string | undefined): DecoderSettings {
  if (mode === "min_latency") return { ...server, choice: "greedy" };
  if (mode === "max_accuracy") {
    return { ...server, choice: "beam", beam: Math.max(64, server.beam ?? DEFAULT_BEAM) };
  }
  return server;
}
