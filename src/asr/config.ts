// ASR service configuration from the environment, validated in one place.
import { z } from "zod";
import { type Env, envBool, readEnv } from "../config/env.ts";
import type { DecoderSettings } from "../engine/decoders.ts";
import { routesOfModel } from "../routes.ts";

const schema = z.object({
  SERVER_PORT: z.coerce.number().int().min(1).max(65535).default(50051),
  MODEL: z.string().default(new URL("../../models/en-default", import.meta.url).pathname),
  ROUTES: z.string().optional(),
  /** `serve`: other model directories on routes ("route=dir,..."; src/routes.ts servedModels). */
  ROUTE_MODELS: z.string().optional(),
  MAX_OPEN_STREAMS: z.coerce.number().int().positive().default(48),
  ASR_BACKEND: z.enum(["node", "cuda", "wasm", "webgpu"]).default("node"),
  ASR_WORKERS: z.coerce.number().int().positive().default(1),
  ASR_THREADS: z.coerce.number().int().positive().default(1),
  ASR_MAX_BATCH: z.coerce.number().int().positive().default(64),
  ASR_BATCH_WAIT_MS: z.coerce.number().min(0).default(10),
  ASR_DECODER: z.enum(["auto", "greedy", "beam"]).default("auto"),
  ASR_LM_WEIGHT: z.coerce.number().min(0).optional(),
  ASR_LM_BONUS: z.coerce.number().optional(),
  ASR_LEXICON_PENALTY: z.coerce.number().min(0).optional(),
  ASR_LM_SENTENCE_START: envBool.optional(),
  ASR_BEAM: z.coerce.number().int().min(1).max(64).optional(),
  ASR_SETTLE_MARGIN: z.coerce.number().positive().optional(),
  ASR_VAD: envBool.default(true),
  LOGGING_LEVEL: z.string().default("info"),
  USE_STRUCTURED_LOGGING: envBool.default(false),
});

export type AsrConfig = z.infer<typeof schema>;

export function loadAsrConfig(env?: Env): AsrConfig {
  return readEnv("ASR", schema, env);
}

export function decoderSettings(config: AsrConfig): DecoderSettings {
  return {
    choice: config.ASR_DECODER,
    lmWeight: config.ASR_LM_WEIGHT,
    lmBonus: config.ASR_LM_BONUS,
    lmSentenceStart: config.ASR_LM_SENTENCE_START,
    lexiconPenalty: config.ASR_LEXICON_PENALTY,
    beam: config.ASR_BEAM,
    settleMargin: config.ASR_SETTLE_MARGIN,
  };
}

/** The routes a model directory serves: ROUTES, else the route table's routes of its name, else its name. */
export function routesFor(modelName: string, routes?: string): string[] {
  if (routes) return routes.split(",").map((r) => r.trim()).filter(Boolean);
  const known = routesOfModel(modelName);
  return known.length ? known : [modelName];
}
