// The slots of a backend's state store: a stream takes a free slot when it opens and gives it back
// when it closes. A slot's generation changes on every open, so the results of a call that was in
// flight when its stream closed are not written into the stream that took the slot next.
export class SlotTable {
  private readonly free: number[] = [];
  private readonly generations: number[] = [];
  private readonly open = new Set<number>();

  /** capacity: the most slots at once (Infinity: grows as needed). */
  constructor(readonly capacity = Infinity) {}

  get size(): number {
    return this.generations.length;
  }

  get openCount(): number {
    return this.open.size;
  }

  take(): number {
    let slot = this.free.pop();
    if (slot === undefined) {
      if (this.generations.length >= this.capacity) {
        throw new Error(`all ${this.capacity} stream state slots are in use`);
      }
      slot = this.generations.length;
      this.generations.push(0);
    }
    this.generations[slot]++;
    this.open.add(slot);
    return slot;
  }

  release(slot: number): void {
    if (!this.open.delete(slot)) throw new Error(`state slot ${slot} is not open`);
    this.free.push(slot);
  }

  isOpen(slot: number): boolean {
    return this.open.has(slot);
  }

  generation(slot: number): number {
    return this.generations[slot];
  }
}
