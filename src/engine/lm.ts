// A word-piece n-gram language model in backoff form, read from a model's lm.bin (written by
// models/recipe/lm.py), for shallow fusion in the beam search. A state is a context index: the
// longest recent history of pieces that the model has entries for.

export class LmFormatError extends Error {}

const MAGIC = "ELM1";
const HEADER_BYTES = 24;

export class PieceLm {
  /** State at the start of a turn (the turn-start context, or the empty one). */
  readonly start: number;
  private readonly base: number;
  /** base^(order-2): keeps the order-2 most recent pieces of a key before one more is appended. */
  private readonly keepModulus: number;
  private readonly index = new Map<number, number>();
  /** Context of each context's history without its oldest piece (the longest that exists). */
  private readonly suffix: Int32Array;
  private readonly lengths: Uint8Array;

  private constructor(
    readonly order: number,
    /** Number of pieces; id `pieces` stands for the start of a turn. */
    readonly pieces: number,
    private readonly keys: Float64Array,
    private readonly backoff: Float32Array,
    private readonly first: Uint32Array,
    private readonly piece: Uint16Array,
    private readonly logProbs: Float32Array,
  ) {
    this.base = pieces + 2;
    this.keepModulus = this.base ** Math.max(0, order - 2);
    const count = keys.length;
    this.lengths = new Uint8Array(count);
    for (let c = 0; c < count; c++) {
      if (this.index.has(keys[c])) throw new LmFormatError(`lm.bin: context ${c} repeats key ${keys[c]}`);
      this.index.set(keys[c], c);
      let length = 0;
      for (let k = keys[c]; k > 0; k = Math.floor(k / this.base)) length++;
      if (length >= order) throw new LmFormatError(`lm.bin: context ${c} is longer than order - 1`);
      this.lengths[c] = length;
    }
    this.suffix = new Int32Array(count);
    for (let c = 0; c < count; c++) this.suffix[c] = this.longest(keys[c], this.lengths[c] - 1);
    this.start = this.index.get(pieces + 1) ?? 0;
  }

  static parse(bytes: Uint8Array): PieceLm {
    if (bytes.length < HEADER_BYTES || new TextDecoder().decode(bytes.subarray(0, 4)) !== MAGIC) {
      throw new LmFormatError(`lm.bin: not an ${MAGIC} file`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const [order, pieces, contexts, entries] = [4, 8, 12, 16].map((at) => view.getUint32(at, true));
    const expected = HEADER_BYTES + contexts * (8 + 4 + 4) + 4 + entries * (2 + 4);
    if (bytes.length !== expected) {
      throw new LmFormatError(`lm.bin: ${bytes.length} bytes, the header implies ${expected}`);
    }
    if (order < 1 || order > 6) throw new LmFormatError(`lm.bin: order ${order} (1-6 supported)`);
    let at = HEADER_BYTES;
    // Copies: the arrays' offsets in the file need not be aligned for typed-array views.
    const take = (length: number) => bytes.slice(at, at += length).buffer;
    const keys = new Float64Array(take(contexts * 8));
    const backoff = new Float32Array(take(contexts * 4));
    const first = new Uint32Array(take((contexts + 1) * 4));
    const piece = new Uint16Array(take(entries * 2));
    const logProbs = new Float32Array(take(entries * 4));
    if (contexts === 0 || keys[0] !== 0) {
      throw new LmFormatError("lm.bin: context 0 must be the empty context");
    }
    if (first[0] !== 0 || first[contexts] !== entries) {
      throw new LmFormatError("lm.bin: entry ranges are broken");
    }
    for (let c = 0; c < contexts; c++) {
      if (first[c + 1] < first[c]) throw new LmFormatError(`lm.bin: context ${c}'s entries run backwards`);
      for (let i = first[c] + 1; i < first[c + 1]; i++) {
        if (piece[i] <= piece[i - 1]) {
          throw new LmFormatError(`lm.bin: context ${c}'s pieces are not ascending`);
        }
      }
    }
    if (first[1] !== pieces) {
      throw new LmFormatError(`lm.bin: the empty context has ${first[1]} of ${pieces} pieces`);
    }
    for (let i = 0; i < entries; i++) {
      if (piece[i] >= pieces) throw new LmFormatError(`lm.bin: piece id ${piece[i]} is out of range`);
    }
    return new PieceLm(order, pieces, keys, backoff, first, piece, logProbs);
  }

  /** Natural-log probability of `piece` after the history that `state` stands for. */
  logProb(state: number, piece: number): number {
    if (piece < 0 || piece >= this.pieces) return -Infinity;
    let context = state;
    let penalty = 0;
    for (;;) {
      const found = this.find(context, piece);
      if (found >= 0) return penalty + this.logProbs[found];
      // The empty context has every piece, so this loop ends there at the latest.
      penalty += this.backoff[context];
      context = this.suffix[context];
    }
  }

  /** The state after `piece` follows the history of `state`. */
  next(state: number, piece: number): number {
    const key = (this.keys[state] % this.keepModulus) * this.base + piece + 1;
    return this.longest(key, Math.min(this.lengths[state] + 1, this.order - 1));
  }

  /** The context of the longest existing suffix (at most `length` pieces) of the history `key`. */
  private longest(key: number, length: number): number {
    for (let n = length; n > 0; n--) {
      const context = this.index.get(key % this.base ** n);
      if (context !== undefined) return context;
    }
    return 0;
  }

  private find(context: number, piece: number): number {
    let lo = this.first[context];
    let hi = this.first[context + 1] - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const at = this.piece[mid];
      if (at === piece) return mid;
      if (at < piece) lo = mid + 1;
      else hi = mid - 1;
    }
    return -1;
  }
}
