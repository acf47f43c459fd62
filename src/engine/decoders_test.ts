import { deepStrictEqual, ok } from "node:assert/strict";
import { BeamCtcDecoder } from "./ctc_beam.ts";
import { GreedyCtcDecoder } from "./ctc.ts";
import { type DecoderSettings, makeDecoder, settingsForMode } from "./decoders.ts";
import { loadModelDir } from "./model_dir.ts";
import { TransducerBeamHypotheses } from "./transducer_beam.ts";
import { TransducerHypothesis } from "./transducer_greedy.ts";

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

Deno.test("a transducer's streams: greedy, the modified beam search for keyterms or a beam (at most 8 paths)", async () => {
  const transducer = await loadModelDir(
    new URL("./testdata/zipformer-transducer-fixture", import.meta.url).pathname,
  );
  ok(makeDecoder(transducer, server, []) instanceof TransducerHypothesis, "auto: no language model, greedy");
  const boosted = makeDecoder(transducer, server, ["kubernetes"]);
  ok(
    boosted instanceof TransducerBeamHypotheses && boosted.graph !== null,
    "keyterms: the beam with their graph",
  );
  const accurate = makeDecoder(transducer, settingsForMode(server, "max_accuracy"), []);
  ok(accurate instanceof TransducerBeamHypotheses);
  deepStrictEqual(accurate.beam, 8, "max_accuracy's 64 prefixes are a CTC beam's; a transducer takes 8");
});
