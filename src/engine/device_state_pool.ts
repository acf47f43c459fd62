// States in device memory (the WebGPU and CUDA providers): the model's float states live in pools
// that stay on the GPU from call to call (state_pool_graph.ts), one row per stream, plus a row of
// zeros that new streams read and a scratch row that padding writes. A call uploads features, row
// indices and the small integer states (kept here per row), and downloads the log-probabilities
// and those integer states; no other stream's state crosses to the host.
// Batches are padded to a few sizes (paddedBatch): a provider compiles its kernels per input
// shape, and compiling on every new batch size would stall live streams.
import type { BatchOutput } from "./backend.ts";
import type { DeviceLock } from "./device_lock.ts";
import { HostStates } from "./host_states.ts";
import { checkLayout, elementsPerStream, FEATURE_DIM, type ModelLayout } from "./nemo_ctc_layout.ts";
import type { OrtModule, OrtSession, OrtTensor } from "./ort.ts";
import {
  type PooledState,
  poolInput,
  poolOutput,
  READ_ROWS_INPUT,
  withStatePool,
  WRITE_ROWS_INPUT,
} from "./state_pool_graph.ts";

/** Runs batches of state rows: the GPU pool, or a device worker reached through a port. */
export interface RowRunner {
  /** Row indices in [0, rows); `fresh[i]`: row i's stream is new, its state starts from zeros. */
  run(rows: readonly number[], fresh: readonly boolean[], features: Float32Array): Promise<BatchOutput>;
  release(): Promise<void>;
}

export class DeviceStatePool implements RowRunner {
  private readonly hostStates: HostStates;
  /** The pools' current values: host zeros before the first call, then device tensors. */
  private pools: OrtTensor[];
  private readonly zeroRow: number;
  private readonly scratchRow: number;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly layout: ModelLayout,
    private readonly pooled: readonly PooledState[],
    readonly rows: number,
    private readonly lock: DeviceLock,
  ) {
    this.hostStates = new HostStates(layout.states.filter((s) => s.type !== "float32"));
    this.zeroRow = rows;
    this.scratchRow = rows + 1;
    this.hostStates.reset(this.scratchRow);
    this.pools = pooled.map((s) =>
      new ort.Tensor("float32", new Float32Array((rows + 2) * elementsPerStream({ ...s, type: "float32" })), [
        rows + 2,
        ...s.dims,
      ])
    );
  }

  static async create(
    provider: "webgpu" | "cuda",
    ort: OrtModule,
    model: Uint8Array,
    layout: ModelLayout,
    rows: number,
    lock: DeviceLock,
    options: Record<string, unknown>,
  ): Promise<DeviceStatePool> {
    const pooled = layout.states.filter((s) => s.type === "float32");
    const session = await lock.hold(() =>
      ort.InferenceSession.create(withStatePool(model, pooled), {
        ...options,
        executionProviders: [provider],
        preferredOutputLocation: Object.fromEntries(pooled.map((s) => [poolOutput(s), "gpu-buffer"])),
      })
    );
    checkLayout(
      { ...layout, states: layout.states.filter((s) => s.type !== "float32") },
      session.inputNames,
      session.outputNames,
    );
    return new DeviceStatePool(ort, session, layout, pooled, rows, lock);
  }

  async run(
    streamRows: readonly number[],
    fresh: readonly boolean[],
    streamFeatures: Float32Array,
  ): Promise<BatchOutput> {
    const { Tensor } = this.ort;
    const layout = this.layout;
    const b = paddedBatch(streamRows.length);
    const padding = b - streamRows.length;
    const writeRows = [...streamRows, ...Array(padding).fill(this.scratchRow)];
    const readRows = writeRows.map((row, i) => (i >= streamRows.length || fresh[i] ? this.zeroRow : row));
    streamRows.forEach((row, i) => fresh[i] && this.hostStates.reset(row));
    const features = new Float32Array(b * FEATURE_DIM * layout.windowSize);
    features.set(streamFeatures);
    const feeds: Record<string, OrtTensor> = {
      [layout.featuresInput]: new Tensor("float32", features, [b, FEATURE_DIM, layout.windowSize]),
      [layout.lengthInput]: new Tensor("int64", new BigInt64Array(b).fill(BigInt(layout.windowSize)), [b]),
      [READ_ROWS_INPUT]: new Tensor("int64", BigInt64Array.from(readRows, BigInt), [b]),
      [WRITE_ROWS_INPUT]: new Tensor("int64", BigInt64Array.from(writeRows, BigInt), [b, 1]),
      ...this.hostStates.feeds(this.ort, writeRows),
    };
    this.pooled.forEach((s, i) => (feeds[poolInput(s)] = this.pools[i]));
    const out = await this.lock.hold(async () => {
      const out = await this.session.run(feeds);
      // The call's pools replace the previous ones, which are freed now rather than when collected.
      const previous = this.pools;
      this.pools = this.pooled.map((s) => out[poolOutput(s)]);
      for (const p of previous) p.dispose?.();
      return out;
    });
    this.hostStates.store(out, streamRows);
    const logProbs = out[layout.logProbsOutput];
    // the padding's rows left out: [streams, T', V + 1]
    const perStream = logProbs.dims[1] * logProbs.dims[2];
    const data = (logProbs.data as Float32Array).subarray(0, streamRows.length * perStream);
    return { logProbs: data, frames: logProbs.dims[1] };
  }

  release(): Promise<void> {
    return this.lock.hold(async () => {
      for (const p of this.pools) p.dispose?.();
      await this.session.release();
    });
  }
}

/** The batch sizes calls are padded to: powers of two up to 64, then multiples of 64. */
export function paddedBatch(streams: number): number {
  if (streams <= 64) return 2 ** Math.ceil(Math.log2(Math.max(1, streams)));
  return Math.ceil(streams / 64) * 64;
}
