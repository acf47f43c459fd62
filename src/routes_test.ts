import { deepStrictEqual, ok, throws } from "node:assert/strict";
import { ROUTES, routesOfModel, servedModels, shippedModels, SPEECH_MODEL_ROUTES } from "./routes.ts";

Deno.test("routes: every speech model selects one route; each model directory's routes", () => {
  deepStrictEqual(SPEECH_MODEL_ROUTES["universal-3-5-pro"], "u3-pro");
  deepStrictEqual(SPEECH_MODEL_ROUTES["whisper-rt"], "ml-default");
  const all = Object.values(ROUTES).flatMap((r) => r.speechModels);
  deepStrictEqual(new Set(all).size, all.length, "a speech model named twice");
  deepStrictEqual(routesOfModel("en-default"), ["en-default", "u3-pro"]);
  deepStrictEqual(routesOfModel("ml-default"), ["ml-default"]);
});

Deno.test("routes: the shipped models serve every route", () => {
  const models = shippedModels(new URL("../models", import.meta.url).pathname);
  deepStrictEqual(Object.keys(models).sort(), ["en-default", "ml-default", "u3-pro"]);
  ok(models["u3-pro"].endsWith("/en-default"));
});

Deno.test("routes: compose's nginx config routes every route of the table to its pool", () => {
  const conf = Deno.readTextFileSync(new URL("../compose/nginx/earshot.conf", import.meta.url));
  const map = conf.match(/map \$http_x_model_version \$asr_backend \{([^}]*)\}/)![1];
  const entries = Object.fromEntries(
    [...map.matchAll(/^\s*([\w-]+)\s+(\w+);/gm)].map((m) => [m[1], m[2]]).filter(([k]) => k !== "default"),
  );
  deepStrictEqual(entries, Object.fromEntries(Object.entries(ROUTES).map(([r, s]) => [r, s.pool])));
});

Deno.test("routes: ROUTE_MODELS puts other model directories on routes; a bad pair is named", () => {
  const models = servedModels(
    new URL("../models", import.meta.url).pathname,
    "en-default=/m/mine, u3-pro=/m/mine",
  );
  deepStrictEqual([models["en-default"], models["u3-pro"]], ["/m/mine", "/m/mine"]);
  ok(models["ml-default"].endsWith("/ml-default"), "the others stay shipped");
  throws(() => servedModels("/nowhere", "english=/m"), /ROUTE_MODELS: "english=\/m" is not route=directory/);
});
