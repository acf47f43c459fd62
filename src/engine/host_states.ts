// State tensors kept in host memory, one value per slot: stacked on the batch dimension for a
// call, and the call's next values split back into their slots.
import { elementsPerStream, type StateTensor } from "./nemo_ctc_family.ts";
import type { OrtModule, OrtTensor, TensorData } from "./ort.ts";

export class HostStates {
  /** Per state tensor, per slot: that stream's current value. */
  private readonly values: TensorData[][];

  constructor(private readonly states: readonly StateTensor[]) {
    this.values = states.map(() => []);
  }

  /** Gives a slot the initial state (zeros). */
  reset(slot: number): void {
    this.states.forEach((state, i) => {
      const n = elementsPerStream(state);
      this.values[i][slot] = state.type === "int64" ? new BigInt64Array(n) : new Float32Array(n);
    });
  }

  /** The call's inputs: each state stacked over the slots, by input name. */
  feeds(ort: OrtModule, slots: readonly number[]): Record<string, OrtTensor> {
    const feeds: Record<string, OrtTensor> = {};
    this.states.forEach((state, i) => {
      const n = elementsPerStream(state);
      const stacked = state.type === "int64"
        ? new BigInt64Array(slots.length * n)
        : new Float32Array(slots.length * n);
      slots.forEach((slot, j) => stacked.set(this.values[i][slot] as never, j * n));
      feeds[state.input] = new ort.Tensor(state.type, stacked, [slots.length, ...state.dims]);
    });
    return feeds;
  }

  /** Takes the next values from a call's outputs, for the slots `accept` lets through (default all). */
  store(
    out: Record<string, OrtTensor>,
    slots: readonly number[],
    accept: (slot: number, index: number) => boolean = () => true,
  ): void {
    this.states.forEach((state, i) => {
      const n = elementsPerStream(state);
      const next = out[state.output].data as TensorData;
      slots.forEach((slot, j) => {
        if (accept(slot, j)) this.values[i][slot] = next.slice(j * n, (j + 1) * n);
      });
    });
  }
}
