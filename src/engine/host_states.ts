// State tensors kept in host memory, one value per slot: stacked on the batch dimension for a
// call (the first, or the state's batchAxis), and the call's next values split back into their slots.
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
      const b = slots.length;
      const stacked = state.type === "int64" ? new BigInt64Array(b * n) : new Float32Array(b * n);
      const { outer, inner } = split(state);
      slots.forEach((slot, j) => {
        const value = this.values[i][slot];
        for (let o = 0; o < outer; o++) {
          stacked.set(value.subarray(o * inner, (o + 1) * inner) as never, (o * b + j) * inner);
        }
      });
      const axis = state.batchAxis ?? 0;
      feeds[state.input] = new ort.Tensor(state.type, stacked, [
        ...state.dims.slice(0, axis),
        b,
        ...state.dims.slice(axis),
      ]);
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
      const b = slots.length;
      const next = out[state.output].data as TensorData;
      const { outer, inner } = split(state);
      slots.forEach((slot, j) => {
        if (!accept(slot, j)) return;
        if (outer === 1) {
          this.values[i][slot] = next.slice(j * inner, (j + 1) * inner);
          return;
        }
        const value = state.type === "int64" ? new BigInt64Array(n) : new Float32Array(n);
        for (let o = 0; o < outer; o++) {
          value.set(next.subarray((o * b + j) * inner, (o * b + j + 1) * inner) as never, o * inner);
        }
        this.values[i][slot] = value;
      });
    });
  }
}

/** A stream's value as `outer` blocks of `inner` elements: the dims before the batch axis, and from it on. */
function split(state: StateTensor): { outer: number; inner: number } {
  const axis = state.batchAxis ?? 0;
  return {
    outer: state.dims.slice(0, axis).reduce((n, d) => n * d, 1),
    inner: state.dims.slice(axis).reduce((n, d) => n * d, 1),
  };
}
