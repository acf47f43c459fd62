// A backend whose stream states live in rows of a RowRunner (a GPU state pool here, or a device
// worker's pool that several model workers share): it hands out the rows of its range as slots
// and tells the runner which of them hold a stream that is new since its last call.
import type { Backend, BackendName, BatchOutput } from "./backend.ts";
import type { RowRunner } from "./device_state_pool.ts";
import { SlotTable } from "./slot_table.ts";

export class PooledBackend implements Backend {
  private readonly slots: SlotTable;
  private readonly fresh = new Set<number>();

  /**
   * Slot s is the runner's row firstRow + s * stride: model workers sharing a runner interleave
   * their rows, so that the rows in use stay few and low whatever the workers' loads.
   */
  constructor(
    readonly name: BackendName,
    private readonly runner: RowRunner,
    capacity: number,
    private readonly firstRow = 0,
    private readonly stride = 1,
  ) {
    this.slots = new SlotTable(capacity);
  }

  openSlot(): number {
    const slot = this.slots.take();
    this.fresh.add(slot);
    return slot;
  }

  closeSlot(slot: number): void {
    this.slots.release(slot);
    this.fresh.delete(slot);
  }

  run(slots: readonly number[], features: Float32Array): Promise<BatchOutput> {
    const fresh = slots.map((s) => this.fresh.delete(s));
    return this.runner.run(slots.map((s) => this.firstRow + s * this.stride), fresh, features);
  }

  release(): Promise<void> {
    return this.runner.release();
  }
}
