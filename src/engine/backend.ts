// Inference backends behind one interface. onnxruntime-node and onnxruntime-web share the
// onnxruntime-common API, so one adapter serves both; only the module and providers differ.
import type { ModelInfo } from "./model_dir.ts";

/** node: onnxruntime-node on the CPU; cuda: onnxruntime-node with its CUDA provider; wasm, webgpu: onnxruntime-web. */
export type BackendName = "node" | "cuda" | "wasm" | "webgpu";

/** One batched forward call: features [B, 80, W] and caches stacked on the batch dimension. */
export interface BatchInput {
  batch: number;
  features: Float32Array;
  cacheChannel: Float32Array;
  cacheTime: Float32Array;
  cacheLen: BigInt64Array;
}

export interface BatchOutput {
  logProbs: Float32Array; // [B, T', V + 1]
  frames: number; // T'
  cacheChannel: Float32Array;
  cacheTime: Float32Array;
  cacheLen: BigInt64Array;
}

export interface Backend {
  readonly name: BackendName;
  run(input: BatchInput): Promise<BatchOutput>;
  release(): Promise<void>;
}

// The subset of onnxruntime-common used here.
interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: Float32Array | BigInt64Array, dims: number[]) => OrtTensor;
}

class OrtBackend implements Backend {
  constructor(
    readonly name: BackendName,
    private ort: OrtModule,
    private session: OrtSession,
    private model: ModelInfo,
  ) {}

  async run(input: BatchInput): Promise<BatchOutput> {
    const s = this.model.streaming;
    const b = input.batch;
    const { Tensor } = this.ort;
    const [features, length, cacheChannel, cacheTime, cacheLen] = this.session.inputNames;
    const feeds = {
      [features]: new Tensor("float32", input.features, [b, 80, s.window_size]),
      [length]: new Tensor("int64", new BigInt64Array(b).fill(BigInt(s.window_size)), [b]),
      [cacheChannel]: new Tensor("float32", input.cacheChannel, [
        b,
        s.cache_last_channel_dim1,
        s.cache_last_channel_dim2,
        s.cache_last_channel_dim3,
      ]),
      [cacheTime]: new Tensor("float32", input.cacheTime, [
        b,
        s.cache_last_time_dim1,
        s.cache_last_time_dim2,
        s.cache_last_time_dim3,
      ]),
      [cacheLen]: new Tensor("int64", input.cacheLen, [b]),
    };
    const out = await this.session.run(feeds);
    const [logProbs, , nextChannel, nextTime, nextLen] = this.session.outputNames.map((n) => out[n]);
    return {
      logProbs: logProbs.data as Float32Array,
      frames: logProbs.dims[1],
      cacheChannel: nextChannel.data as Float32Array,
      cacheTime: nextTime.data as Float32Array,
      cacheLen: nextLen.data as BigInt64Array,
    };
  }

  release(): Promise<void> {
    return this.session.release();
  }
}

export interface BackendOptions {
  threads?: number;
}

export async function createBackend(
  name: BackendName,
  model: ModelInfo,
  opts: BackendOptions = {},
): Promise<Backend> {
  if (name === "node" || name === "cuda") {
    const ort = (await import("onnxruntime-node")).default as unknown as OrtModule;
    const options = {
      executionProviders: [name === "cuda" ? "cuda" : "cpu"],
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: "all",
      // The shipped models turn int8 weights into float with Cast and Mul, folded at load. Models
      // quantized by an earlier recipe use DequantizeLinear, which onnxruntime-node would fuse into
      // int8 kernels whose results differ from wasm/WebGPU (0.3 in log p) and are no faster here;
      // without the fusion the weights are folded to float once and every backend agrees.
      extra: { session: { disable_quant_qdq: "1" } },
    };
    try {
      return new OrtBackend(name, ort, await ort.InferenceSession.create(model.onnxBytes, options), model);
    } catch (error) {
      if (name !== "cuda") throw error;
      // No silent fallback to the CPU: capacity planned for a GPU would not hold.
      throw new Error(
        `ASR_BACKEND=cuda: onnxruntime-node could not start its CUDA provider (${
          (error as Error).message
        }). ` +
          "It needs the CUDA 12 and cuDNN 9 libraries and the provider library that onnxruntime-node's install " +
          "script fetches; use ASR_BACKEND=node for the CPU.",
      );
    }
  }
  // onnxruntime-web reads globalThis.location when present (browser asset lookup); in a Deno
  // Worker it is a file: URL that breaks its wasm path resolution, so it is hidden first.
  Reflect.deleteProperty(globalThis, "location");
  const ort =
    (name === "webgpu"
      ? await import("onnxruntime-web/webgpu")
      : await import("onnxruntime-web")) as unknown as OrtModule & { env: { wasm: Record<string, unknown> } };
  ort.env.wasm.numThreads = 1;
  const session = await ort.InferenceSession.create(model.onnxBytes, {
    executionProviders: [name === "webgpu" ? "webgpu" : "wasm"],
    graphOptimizationLevel: "all",
  });
  return new OrtBackend(name, ort, session, model);
}
