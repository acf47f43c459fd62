// Inference backends behind one interface. A stream's model state lives in a slot the backend
// owns: host memory for the CPU, wasm and CUDA (stacked into each call), device memory for WebGPU
// (a pool the call gathers from and scatters to, see state_pool_graph.ts). CUDA keeps host states
// because onnxruntime-node returns no CUDA-resident outputs to JavaScript (its output locations
// are the CPU's and WebGPU's); it is also untested here, for want of its provider libraries.
import { DeviceLock } from "./device_lock.ts";
import { DeviceStatePool, type RowRunner } from "./device_state_pool.ts";
import { HostStateBackend } from "./host_state_backend.ts";
import type { ModelInfo } from "./model_dir.ts";
import { deviceStatesUnsupported } from "./nemo_ctc_family.ts";
import type { OrtModule } from "./ort.ts";
import { PooledBackend } from "./pooled_backend.ts";
import type { TransducerNets } from "./transducer_greedy.ts";
import {
  createTransducerNets,
  type OrtNemoTransducerNets,
  type OrtTransducerNets,
} from "./transducer_nets.ts";

/**
 * node: onnxruntime-node on the CPU; webgpu: onnxruntime-node's WebGPU provider (Vulkan, Metal or
 * D3D12); cuda: onnxruntime-node's CUDA provider; wasm: onnxruntime-web.
 */
export type BackendName = "node" | "cuda" | "wasm" | "webgpu";

export interface BatchOutput {
  logProbs: Float32Array; // [B, T', V + 1]
  frames: number; // T'
}

export interface Backend {
  readonly name: BackendName;
  /** A transducer's decoder and joiner, run by the search after each encoder call; CTC families have none. */
  readonly transducer?: TransducerNets;
  /** A slot holding a new stream's initial state; throws when the backend holds its most streams. */
  openSlot(): number;
  closeSlot(slot: number): void;
  /** One forward call: features [B, 80, W] for the streams in `slots`, whose states advance. */
  run(slots: readonly number[], features: Float32Array): Promise<BatchOutput>;
  release(): Promise<void>;
}

export interface BackendOptions {
  threads?: number;
  /** The most streams a device-state backend holds (its state pool's rows). */
  maxStreams?: number;
  /** Shared by every backend of the process that uses the GPU (device_lock.ts). */
  deviceLock?: SharedArrayBuffer;
}

const GPU_HINTS: Record<string, string> = {
  cuda:
    "It needs the CUDA 12 and cuDNN 9 libraries and the provider library that onnxruntime-node's install " +
    "script fetches; use ASR_BACKEND=node for the CPU.",
  webgpu:
    "It needs a Vulkan driver (Linux: Mesa or the GPU vendor's; lavapipe runs it on the CPU for tests), " +
    "Metal or D3D12; use ASR_BACKEND=node for the CPU.",
};

/** Whether a backend keeps stream states in device memory (a state pool, rows of a RowRunner). */
export function isDeviceBackend(name: BackendName): name is "webgpu" {
  return name === "webgpu";
}

export async function createBackend(
  name: BackendName,
  model: ModelInfo,
  opts: BackendOptions = {},
): Promise<Backend> {
  if (isDeviceBackend(name)) {
    const rows = opts.maxStreams ?? 64;
    return new PooledBackend(name, await createRowRunner(name, model, { ...opts, maxStreams: rows }), rows);
  }
  const layout = model.layout;
  if (name === "wasm") {
    // onnxruntime-web reads globalThis.location when present (browser asset lookup); in a Deno
    // Worker it is a file: URL that breaks its wasm path resolution, so it is hidden first.
    Reflect.deleteProperty(globalThis, "location");
    const ort = (await import("onnxruntime-web")) as unknown as OrtModule & {
      env: { wasm: Record<string, unknown> };
    };
    ort.env.wasm.numThreads = 1;
    const options = { executionProviders: ["wasm"], graphOptimizationLevel: "all" };
    const session = await ort.InferenceSession.create(model.onnxBytes, options);
    return new HostStateBackend(name, ort, session, layout, await transducerNets(ort, model, options));
  }
  const ort = (await import("onnxruntime-node")).default as unknown as OrtModule;
  const options = { ...nodeOptions(opts), executionProviders: [name === "cuda" ? "cuda" : "cpu"] };
  const session = await providerStarted(name, () => ort.InferenceSession.create(model.onnxBytes, options));
  return new HostStateBackend(name, ort, session, layout, await transducerNets(ort, model, options));
}

/** A transducer's decoder and joiner on the encoder's runtime and provider; undefined for CTC models. */
function transducerNets(
  ort: OrtModule,
  model: ModelInfo,
  options: Record<string, unknown>,
): Promise<OrtTransducerNets | OrtNemoTransducerNets | undefined> {
  return model.transducer ? createTransducerNets(ort, model.transducer, options) : Promise.resolve(undefined);
}

/** The WebGPU provider's state pool of opts.maxStreams rows (shared by model workers via a device worker). */
export async function createRowRunner(
  name: BackendName,
  model: ModelInfo,
  opts: BackendOptions = {},
): Promise<RowRunner> {
  if (!isDeviceBackend(name)) throw new Error(`ASR_BACKEND=${name} keeps no states on a device`);
  const unsupported = model.transducer
    ? "its decoder and joiner are not run beside a state pool yet"
    : deviceStatesUnsupported(model.layout);
  if (unsupported) {
    // refused here, not half-run: the pool would mix the streams of a batch
    throw new Error(
      `ASR_BACKEND=${name} cannot serve model ${model.name} (${model.family}): ${unsupported}; ` +
        "use ASR_BACKEND=node (or wasm) for it",
    );
  }
  const ort = (await import("onnxruntime-node")).default as unknown as OrtModule;
  return await providerStarted(name, () =>
    DeviceStatePool.create(
      name,
      ort,
      model.onnxBytes,
      model.layout,
      opts.maxStreams ?? 64,
      new DeviceLock(opts.deviceLock),
      nodeOptions(opts),
    ));
}

/** A GPU provider that does not start is refused with what it needs: no silent fallback to the CPU. */
async function providerStarted<T>(name: BackendName, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (error) {
    const hint = GPU_HINTS[name];
    if (!hint) throw error;
    // capacity planned for a GPU would not hold on the CPU
    throw new Error(
      `ASR_BACKEND=${name}: onnxruntime-node could not start its ${name} provider (${
        (error as Error).message
      }). ${hint}`,
    );
  }
}

function nodeOptions(opts: BackendOptions): Record<string, unknown> {
  return {
    intraOpNumThreads: opts.threads ?? 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: "all",
    // warnings only about which nodes run on the CPU beside a GPU provider (shape ops): by design
    logSeverityLevel: 3,
    // The shipped models turn int8 weights into float with Cast and Mul, folded at load. Models
    // quantized by an earlier recipe use DequantizeLinear, which onnxruntime-node would fuse into
    // int8 kernels whose results differ from the other providers (0.3 in log p) and are no faster
    // here; without the fusion the weights are folded to float once and every backend agrees.
    extra: { session: { disable_quant_qdq: "1" } },
  };
}
