// One route table: each route (the reference stack's `X-Model-Version`) with the speech models that
// select it, the shipped model directory that answers it and the turn profile it applies. The
// protocol parameters, `serve`, the ASR service, the stack and its nginx config all read it.
import { existsSync } from "node:fs";

/** Turn rules by name: universal (confidence and silence) or pro (SpeechStarted, completeness). */
export type TurnProfile = "universal" | "pro";

/** Turn defaults of a route, under their wire names (protocol-v3.md §1.4). */
export interface TurnDefaults {
  readonly end_of_turn_confidence_threshold: number;
  readonly min_turn_silence: number;
  readonly max_turn_silence: number;
  readonly vad_threshold: number;
}

export interface RouteSpec {
  /** The shipped model directory under models/ that serves the route. */
  readonly model: string;
  /** The ASR pool (nginx upstream, compose service) that serves it in the deployments. */
  readonly pool: "asr_english" | "asr_multilingual";
  readonly profile: TurnProfile;
  /** The languages its model knows (a session's language_codes choose among them). */
  readonly languages: readonly string[];
  readonly speechModels: readonly string[];
  readonly defaults: TurnDefaults;
}

const UNIVERSAL_DEFAULTS: TurnDefaults = {
  end_of_turn_confidence_threshold: 0.4,
  min_turn_silence: 400,
  max_turn_silence: 1280,
  vad_threshold: 0.4,
};

export const ROUTES = {
  "en-default": {
    model: "en-default",
    pool: "asr_english",
    profile: "universal",
    languages: ["en"],
    speechModels: ["universal-streaming-english"],
    defaults: UNIVERSAL_DEFAULTS,
  },
  "ml-default": {
    model: "ml-default",
    pool: "asr_multilingual",
    profile: "universal",
    languages: ["en", "es", "fr", "de", "it", "pt"],
    // whisper-rt is cloud-only; the multilingual model is the nearest thing we have.
    speechModels: ["universal-streaming-multilingual", "whisper-rt"],
    defaults: UNIVERSAL_DEFAULTS,
  },
  // The English model with the pro turn rules. U3 ignores the confidence threshold; it is kept for the echo.
  "u3-pro": {
    model: "en-default",
    pool: "asr_english",
    profile: "pro",
    languages: ["en"],
    speechModels: ["u3-rt-pro", "u3-pro", "u3-rt-pro-beta-1", "universal-3-5-pro"],
    defaults: {
      end_of_turn_confidence_threshold: 0.4,
      min_turn_silence: 100,
      max_turn_silence: 1000,
      vad_threshold: 0.3,
    },
  },
} as const satisfies Record<string, RouteSpec>;

export type Route = keyof typeof ROUTES;
export type SpeechModel = (typeof ROUTES)[Route]["speechModels"][number];

export const SPEECH_MODEL_ROUTES = Object.fromEntries(
  Object.entries(ROUTES).flatMap(([route, spec]) => spec.speechModels.map((m) => [m, route])),
) as Record<SpeechModel, Route>;

export function isRoute(name: string): name is Route {
  return Object.hasOwn(ROUTES, name);
}

/** The routes a model directory named `model` serves (the English model also serves the pro route). */
export function routesOfModel(model: string): Route[] {
  return (Object.keys(ROUTES) as Route[]).filter((r) => ROUTES[r].model === model);
}

/** Each route whose shipped model is present under modelsDir, with that model's directory. */
export function shippedModels(modelsDir: string): Record<string, string> {
  const models: Record<string, string> = {};
  for (const route of Object.keys(ROUTES) as Route[]) {
    const dir = `${modelsDir}/${ROUTES[route].model}`;
    if (existsSync(`${dir}/model.json`)) models[route] = dir;
  }
  return models;
}

/**
 * The routes `serve` answers and their model directories: the shipped models, with ROUTE_MODELS
 * ("route=dir,route=dir", e.g. "en-default=models/my-model,u3-pro=models/my-model") in their place.
 */
export function servedModels(modelsDir: string, overrides?: string): Record<string, string> {
  const models = shippedModels(modelsDir);
  for (const pair of (overrides ?? "").split(",").map((p) => p.trim()).filter(Boolean)) {
    const [route, dir] = pair.split("=").map((x) => x?.trim());
    if (!route || !dir || !isRoute(route)) {
      throw new Error(
        `ROUTE_MODELS: "${pair}" is not route=directory with a route of ${Object.keys(ROUTES).join(", ")}`,
      );
    }
    models[route] = dir;
  }
  return models;
}
