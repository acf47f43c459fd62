// sherpa-onnx-node as the reference engine: its streaming CTC recognizer on a model directory
// (ours, a NeMo export or an icefall streaming Zipformer CTC model from its zoo), one CPU thread,
// greedy search (used by the parity test and the ASR bench).
import sherpa from "sherpa-onnx-node";
import { readOnnxMetadata } from "../engine/onnx_metadata.ts";
import { isZipformerExport } from "../engine/zipformer_ctc_family.ts";
import { transducerFiles } from "../engine/zipformer_transducer_family.ts";

/**
 * `onnxFile`: the model in modelDir (a zoo directory may hold model.int8.onnx instead). The model
 * config is the family's: `transducer` for a directory with an encoder, decoder and joiner,
 * `zipformer2Ctc` for an icefall streaming Zipformer CTC model (told from the file's metadata),
 * `nemoCtc` otherwise.
 */
export function sherpaRecognizer(
  modelDir: string,
  onnxFile = "model.onnx",
  search: { beam?: number } = {},
): sherpa.OnlineRecognizer {
  const model = `${modelDir}/${onnxFile}`;
  const zipformer = isZipformerExport(readOnnxMetadata(Deno.readFileSync(model)));
  const parts = transducerFiles(
    [...Deno.readDirSync(modelDir)].map((e) => e.name).filter((n) => n.endsWith(".onnx")),
  );
  const family = parts
    ? {
      transducer: {
        encoder: `${modelDir}/${parts.encoder}`,
        decoder: `${modelDir}/${parts.decoder}`,
        joiner: `${modelDir}/${parts.joiner}`,
      },
    }
    : zipformer
    ? { zipformer2Ctc: { model } }
    : { nemoCtc: { model } };
  return new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      ...family,
      tokens: `${modelDir}/tokens.txt`,
      numThreads: 1,
      provider: "cpu",
      debug: 0,
    },
    // a transducer's modified beam search with `beam` paths where asked for
    ...(search.beam
      ? { decodingMethod: "modified_beam_search", maxActivePaths: search.beam }
      : { decodingMethod: "greedy_search" }),
  });
}
