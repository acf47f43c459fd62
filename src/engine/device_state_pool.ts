// States in device memory (the WebGPU provider): the model's float states live in pools
// that stay on the GPU from call to call (state_pool_graph.ts): row 0 holds zeros that new streams
// read, row 1 is the scratch row that padding writes, stream row r is pool row r + 2. A call
// uploads features, row indices and the small integer states (kept here per row), and downloads
// the log-probabilities and those integer states; no other stream's state crosses to the host.
// Every call copies its pools whole (ScatterND), so a pool starts small and grows on the device
// (a Pad) when a call names a row beyond it, up to the rows it was created for.
// Batches are padded to a few sizes (paddedBatch): a provider compiles its kernels per input
// shape, and compiling on every new batch size would stall live streams.
import type { BatchOutput } from "./backend.ts";
import type { DeviceLock } from "./device_lock.ts";
import { HostStates } from "./host_states.ts";
import {
  checkLayout,
  deviceStatesUnsupported,
  elementsPerStream,
  FEATURE_DIM,
  type ModelLayout,
} from "./nemo_ctc_family.ts";
import type { OrtModule, OrtSession, OrtTensor } from "./ort.ts";
import {
  GROW_INPUT,
  GROW_OUTPUT,
  GROW_PADS_INPUT,
  growPoolModel,
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

const ZERO_ROW = 0;
const SCRATCH_ROW = 1;
const FIRST_STREAM_ROW = 2;
/** Stream rows a pool starts with, and the multiple it grows by. */
const GROWTH = 64;

export class DeviceStatePool implements RowRunner {
  private readonly hostStates: HostStates;
  /** The pools' current values: host zeros before the first call, then device tensors. */
  private pools: OrtTensor[];
  /** Stream rows the pools hold now. */
  private capacity: number;

  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly grower: OrtSession,
    private readonly layout: ModelLayout,
    private readonly pooled: readonly PooledState[],
    /** The most stream rows. */
    readonly rows: number,
    private readonly lock: DeviceLock,
  ) {
    this.hostStates = new HostStates(layout.states.filter((s) => s.type !== "float32"));
    this.hostStates.reset(SCRATCH_ROW);
    this.capacity = Math.min(rows, GROWTH);
    this.pools = pooled.map((s) => {
      const shape = [FIRST_STREAM_ROW + this.capacity, ...s.dims];
      return new ort.Tensor(
        "float32",
        new Float32Array(shape[0] * elementsPerStream(s)),
        shape,
      );
    });
  }

  static async create(
    provider: "webgpu",
    ort: OrtModule,
    model: Uint8Array,
    layout: ModelLayout,
    rows: number,
    lock: DeviceLock,
    options: Record<string, unknown>,
  ): Promise<DeviceStatePool> {
    const unsupported = deviceStatesUnsupported(layout);
    if (unsupported) throw new Error(`this model's states cannot be pooled on the device: ${unsupported}`);
    const pooled = layout.states.filter((s) => s.type === "float32");
    const ranks = new Set(pooled.map((s) => s.dims.length + 1));
    if (ranks.size !== 1) throw new Error("the pooled states differ in rank");
    const [session, grower] = await lock.hold(async () => [
      await ort.InferenceSession.create(withStatePool(model, pooled), {
        ...options,
        executionProviders: [provider],
        preferredOutputLocation: Object.fromEntries(pooled.map((s) => [poolOutput(s), "gpu-buffer"])),
      }),
      await ort.InferenceSession.create(growPoolModel([...ranks][0]), {
        ...options,
        executionProviders: [provider],
        preferredOutputLocation: { [GROW_OUTPUT]: "gpu-buffer" },
      }),
    ]);
    checkLayout(
      { ...layout, states: layout.states.filter((s) => s.type !== "float32") },
      session.inputNames,
      session.outputNames,
    );
    return new DeviceStatePool(ort, session, grower, layout, pooled, rows, lock);
  }

  async run(
    streamRows: readonly number[],
    fresh: readonly boolean[],
    streamFeatures: Float32Array,
  ): Promise<BatchOutput> {
    const { Tensor } = this.ort;
    const layout = this.layout;
    const needed = Math.max(...streamRows) + 1;
    if (needed > this.rows) throw new Error(`state row ${needed - 1} is beyond the pool's ${this.rows} rows`);
    if (needed > this.capacity) {
      await this.grow(Math.min(this.rows, Math.ceil(Math.max(needed, 2 * this.capacity) / GROWTH) * GROWTH));
    }
    const b = paddedBatch(streamRows.length);
    const writeRows = [
      ...streamRows.map((r) => r + FIRST_STREAM_ROW),
      ...Array(b - streamRows.length).fill(SCRATCH_ROW),
    ];
    const readRows = writeRows.map((row, i) => (i >= streamRows.length || fresh[i] ? ZERO_ROW : row));
    writeRows.forEach((row, i) => i < streamRows.length && fresh[i] && this.hostStates.reset(row));
    const features = new Float32Array(b * FEATURE_DIM * layout.windowSize);
    features.set(streamFeatures);
    const feeds: Record<string, OrtTensor> = {
      [layout.featuresInput]: new Tensor("float32", features, [b, FEATURE_DIM, layout.windowSize]),
      [layout.lengthInput!]: new Tensor("int64", new BigInt64Array(b).fill(BigInt(layout.windowSize)), [b]),
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
    this.hostStates.store(out, writeRows.slice(0, streamRows.length));
    const logProbs = out[layout.logProbsOutput];
    // the padding's rows left out: [streams, T', V + 1]
    const perStream = logProbs.dims[1] * logProbs.dims[2];
    const data = (logProbs.data as Float32Array).subarray(0, streamRows.length * perStream);
    return { logProbs: data, frames: logProbs.dims[1] };
  }

  /** Appends rows of zeros to every pool, on the device. */
  private grow(capacity: number): Promise<void> {
    return this.lock.hold(async () => {
      const added = capacity - this.capacity;
      const grown: OrtTensor[] = [];
      for (const pool of this.pools) {
        const pads = new BigInt64Array(2 * pool.dims.length);
        pads[pool.dims.length] = BigInt(added); // after the last row
        const out = await this.grower.run({
          [GROW_INPUT]: pool,
          [GROW_PADS_INPUT]: new this.ort.Tensor("int64", pads, [pads.length]),
        });
        grown.push(out[GROW_OUTPUT]);
      }
      for (const p of this.pools) p.dispose?.();
      this.pools = grown;
      this.capacity = capacity;
    });
  }

  release(): Promise<void> {
    return this.lock.hold(async () => {
      for (const p of this.pools) p.dispose?.();
      await this.session.release();
      await this.grower.release();
    });
  }
}

/** The batch sizes calls are padded to: powers of two up to 64, then multiples of 64. */
export function paddedBatch(streams: number): number {
  if (streams <= 64) return 2 ** Math.ceil(Math.log2(Math.max(1, streams)));
  return Math.ceil(streams / 64) * 64;
}
