// sherpa-onnx-node as the reference engine: the NeMo streaming CTC recognizer on a model directory
// (ours, or a NeMo export from its zoo), one CPU thread, greedy search (used by the parity test and
// the ASR bench).
import sherpa from "sherpa-onnx-node";

/** `onnxFile`: the model in modelDir (a zoo directory may hold model.int8.onnx instead). */
export function sherpaRecognizer(modelDir: string, onnxFile = "model.onnx"): sherpa.OnlineRecognizer {
  return new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      nemoCtc: { model: `${modelDir}/${onnxFile}` },
      tokens: `${modelDir}/tokens.txt`,
      numThreads: 1,
      provider: "cpu",
      debug: 0,
    },
    decodingMethod: "greedy_search",
  });
}
