// States in device memory (the WebGPU and CUDA providers): the model's float states live in pools
// of maxStreams rows that stay on the GPU from call to call (state_pool_graph.ts); a stream owns a
// row. A call uploads features, row indices and the small integer states, and downloads the
// log-probabilities and those integer states; other streams' states never cross to the host.
// Batches are padded to a few sizes (paddedBatch) with a scratch row: a provider compiles its
// kernels per input shape, and compiling on every new batch size would stall live streams.
import type { Backend, BackendName, BatchOutput } from "./backend.ts";
import type { DeviceLock } from "./device_lock.ts";
import { HostStates } from "./host_states.ts";
import { checkLayout, elementsPerStream, FEATURE_DIM, type ModelLayout } from "./nemo_ctc_layout.ts";
import type { OrtModule, OrtSession, OrtTensor } from "./ort.ts";
import { SlotTable } from "./slot_table.ts";
import {
  KEEP_INPUT,
  type PooledState,
  poolInput,
  poolOutput,
  SLOTS_INPUT,
  withStatePool,
} from "./state_pool_graph.ts";

export class DeviceStateBackend implements Backend {
  private readonly slots: SlotTable;
  private readonly hostStates: HostStates;
  /** Slots whose stream opened since their last call: their pooled rows are zeroed in the call. */
  private readonly fresh = new Set<number>();
  /** The pools' current values: host zeros before the first call, then device tensors. */
  private pools: OrtTensor[];
  private readonly scratch: number;

  private constructor(
    readonly name: BackendName,
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly layout: ModelLayout,
    private readonly pooled: readonly PooledState[],
    maxStreams: number,
    private readonly lock: DeviceLock,
  ) {
    this.slots = new SlotTable(maxStreams);
    this.hostStates = new HostStates(layout.states.filter((s) => s.type !== "float32"), this.slots);
    // one row per stream, and the scratch row that padding reads and writes
    const rows = maxStreams + 1;
    this.scratch = maxStreams;
    this.hostStates.reset(this.scratch);
    this.pools = pooled.map((s) =>
      new ort.Tensor("float32", new Float32Array(rows * elementsPerStream({ ...s, type: "float32" })), [
        rows,
        ...s.dims,
      ])
    );
  }

  static async create(
    name: BackendName,
    ort: OrtModule,
    model: Uint8Array,
    layout: ModelLayout,
    maxStreams: number,
    lock: DeviceLock,
    options: Record<string, unknown>,
  ): Promise<DeviceStateBackend> {
    const pooled = layout.states.filter((s) => s.type === "float32");
    const session = await lock.hold(() =>
      ort.InferenceSession.create(withStatePool(model, pooled), {
        ...options,
        executionProviders: [name],
        preferredOutputLocation: Object.fromEntries(pooled.map((s) => [poolOutput(s), "gpu-buffer"])),
      })
    );
    checkLayout(
      { ...layout, states: layout.states.filter((s) => s.type !== "float32") },
      session.inputNames,
      session.outputNames,
    );
    return new DeviceStateBackend(name, ort, session, layout, pooled, maxStreams, lock);
  }

  openSlot(): number {
    const slot = this.slots.take();
    this.hostStates.reset(slot);
    this.fresh.add(slot);
    return slot;
  }

  closeSlot(slot: number): void {
    this.slots.release(slot);
    this.fresh.delete(slot);
  }

  async run(streamSlots: readonly number[], streamFeatures: Float32Array): Promise<BatchOutput> {
    const { Tensor } = this.ort;
    const layout = this.layout;
    const b = paddedBatch(streamSlots.length);
    const slots = [...streamSlots, ...Array(b - streamSlots.length).fill(this.scratch)];
    const features = new Float32Array(b * FEATURE_DIM * layout.windowSize);
    features.set(streamFeatures);
    const generations = slots.map((s) => this.slots.generation(s));
    const keep = Float32Array.from(slots, (s) => (this.fresh.delete(s) || s === this.scratch ? 0 : 1));
    const feeds: Record<string, OrtTensor> = {
      [layout.featuresInput]: new Tensor("float32", features, [b, FEATURE_DIM, layout.windowSize]),
      [layout.lengthInput]: new Tensor("int64", new BigInt64Array(b).fill(BigInt(layout.windowSize)), [b]),
      [SLOTS_INPUT]: new Tensor("int64", BigInt64Array.from(slots, BigInt), [b, 1]),
      [KEEP_INPUT]: new Tensor("float32", keep, [b]),
      ...this.hostStates.feeds(this.ort, slots),
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
    this.hostStates.store(out, slots, generations);
    const logProbs = out[layout.logProbsOutput];
    return { logProbs: logProbs.data as Float32Array, frames: logProbs.dims[1] };
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
