// sherpa-onnx-node as the reference engine: the NeMo streaming CTC recognizer on one of our
// model directories, one CPU thread, greedy search (used by the parity test and the ASR bench).
import sherpa from "sherpa-onnx-node";

export function sherpaRecognizer(modelDir: string): sherpa.OnlineRecognizer {
  return new sherpa.OnlineRecognizer({
    featConfig: { sampleRate: 16000, featureDim: 80 },
    modelConfig: {
      nemoCtc: { model: `${modelDir}/model.onnx` },
      tokens: `${modelDir}/tokens.txt`,
      numThreads: 1,
      provider: "cpu",
      debug: 0,
    },
    decodingMethod: "greedy_search",
  });
}
