// Which CTC decoder a stream gets: greedy is cheapest; the beam search is needed to boost keyterms
// and to fuse the model's language model.
import { BeamCtcDecoder } from "./ctc_beam.ts";
import { type CtcDecoder, GreedyCtcDecoder } from "./ctc.ts";
import type { ModelInfo } from "./model_dir.ts";

/**
 * auto: beam search with the model's language model where it ships one, else greedy;
 * greedy: greedy, the language model unused; beam: always the beam search, with the language model
 * where there is one. Sessions with keyterms always get the beam search.
 */
export type DecoderChoice = "auto" | "greedy" | "beam";

export interface DecoderSettings {
  choice: DecoderChoice;
  /** Override the manifest's fusion weight / per-piece bonus (for tuning on a development set). */
  lmWeight?: number;
  lmBonus?: number;
  /** Override the manifest's penalty for a word outside the model's word list (0: list unused). */
  lexiconPenalty?: number;
  /** Prefixes the beam search keeps (default 8). */
  beam?: number;
}

export function makeDecoder(
  model: Pick<ModelInfo, "tokens" | "lm" | "lexicon">,
  settings: DecoderSettings,
  keyterms: readonly string[],
): CtcDecoder {
  const lm = settings.choice !== "greedy" && model.lm
    ? {
      model: model.lm.model,
      weight: settings.lmWeight ?? model.lm.weight,
      bonus: settings.lmBonus ?? model.lm.bonus,
    }
    : undefined;
  const penalty = settings.lexiconPenalty ?? model.lexicon?.penalty ?? 0;
  // The word list steers the search only together with the LM (it was tuned with it).
  const lexicon = lm && model.lexicon && penalty > 0 ? { lexicon: model.lexicon.words, penalty } : undefined;
  if (settings.choice === "beam" || lm || keyterms.length) {
    return new BeamCtcDecoder(model.tokens, { keyterms: [...keyterms], lm, lexicon, beam: settings.beam });
  }
  return new GreedyCtcDecoder(model.tokens.blank);
}
