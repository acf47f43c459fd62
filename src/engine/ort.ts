// The subset of onnxruntime-common's API that the backends use; onnxruntime-node and
// onnxruntime-web both provide it.
export type TensorData = Float32Array | BigInt64Array | Int32Array;

export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
  /** "cpu", or "gpu-buffer" for an output left in device memory. */
  readonly location?: string;
  /** Frees a device-memory tensor now rather than when it is collected. */
  dispose?(): void;
}

export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: TensorData, dims: number[]) => OrtTensor;
}
