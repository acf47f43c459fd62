// States in host memory (the CPU and wasm backends): each call stacks the batch's states on the
// batch dimension and splits the next states back into their slots.
import type { Backend, BackendName, BatchOutput } from "./backend.ts";
import { HostStates } from "./host_states.ts";
import { checkLayout, FEATURE_DIM, type ModelLayout } from "./nemo_ctc_family.ts";
import type { OrtModule, OrtSession } from "./ort.ts";
import { SlotTable } from "./slot_table.ts";
import type { TransducerNets } from "./transducer_greedy.ts";

export class HostStateBackend implements Backend {
  private readonly slots = new SlotTable();
  private readonly states: HostStates;

  constructor(
    readonly name: BackendName,
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    private readonly layout: ModelLayout,
    readonly transducer?: TransducerNets & { release(): Promise<void> },
  ) {
    checkLayout(layout, session.inputNames, session.outputNames);
    this.states = new HostStates(layout.states);
  }

  openSlot(): number {
    const slot = this.slots.take();
    this.states.reset(slot);
    return slot;
  }

  closeSlot(slot: number): void {
    this.slots.release(slot);
  }

  async run(slots: readonly number[], features: Float32Array): Promise<BatchOutput> {
    const { Tensor } = this.ort;
    const b = slots.length;
    const layout = this.layout;
    const generations = slots.map((s) => this.slots.generation(s));
    const dims = layout.featureAxes === "time-feature"
      ? [b, layout.windowSize, FEATURE_DIM]
      : [b, FEATURE_DIM, layout.windowSize];
    const out = await this.session.run({
      [layout.featuresInput]: new Tensor("float32", features, dims),
      ...(layout.lengthInput
        ? {
          [layout.lengthInput]: new Tensor("int64", new BigInt64Array(b).fill(BigInt(layout.windowSize)), [
            b,
          ]),
        }
        : {}),
      ...this.states.feeds(this.ort, slots),
    });
    // a stream that closed while the call ran may have given its slot to a new one
    this.states.store(
      out,
      slots,
      (slot, j) => this.slots.isOpen(slot) && this.slots.generation(slot) === generations[j],
    );
    const logProbs = out[layout.logProbsOutput];
    const data = logProbs.data as Float32Array;
    if (layout.encoderOutAxes === "feature-time") {
      // [B, D, T'] -> [B, T', D], as sherpa-onnx's Transpose12
      const [, dim, frames] = logProbs.dims;
      const rows = new Float32Array(data.length);
      for (let i = 0; i < b; i++) {
        for (let d = 0; d < dim; d++) {
          for (let t = 0; t < frames; t++) {
            rows[(i * frames + t) * dim + d] = data[(i * dim + d) * frames + t];
          }
        }
      }
      return { logProbs: rows, frames };
    }
    return { logProbs: data, frames: logProbs.dims[1] };
  }

  async release(): Promise<void> {
    await this.transducer?.release();
    await this.session.release();
  }
}
