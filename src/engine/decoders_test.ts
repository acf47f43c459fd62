import { deepStrictEqual, ok } from "node:assert/strict";
import { BeamCtcDecoder } from "./ctc_beam.ts";
import { GreedyCtcDecoder } from "./ctc.ts";
import { type DecoderSettings, makeDecoder, settingsForMode } from "./decoders.ts";
import { loadModelDir } from "./model_dir.ts";

const model = await loadModelDir(new URL("../../models/en-default", import.meta.url).pathname);
const server: DecoderSettings = { choice: "auto" };

Deno.test("decoding modes: min_latency greedy, balanced the server's, max_accuracy a 64-prefix beam", () => {
  ok(makeDecoder(model, settingsForMode(server, "min_latency"), []) instanceof GreedyCtcDecoder);
  deepStrictEqual(settingsForMode(server, "balanced"), server);
  deepStrictEqual(settingsForMode(server, undefined), server);
  const accurate = settingsForMode({ choice: "greedy" }, "max_accuracy");
  deepStrictEqual([accurate.choice, accurate.beam], ["beam", 64]);
  ok(makeDecoder(model, accurate, []) instanceof BeamCtcDecoder);
});
