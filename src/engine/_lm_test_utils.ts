// Builds lm.bin bytes (the layout models/recipe/lm.py writes) for hand-made models in unit tests.

export interface LmContext {
  /** Pieces of the history, oldest first; `pieces` (the vocabulary size) stands for the turn start. */
  history: number[];
  backoff: number;
  /** [piece, natural-log probability], any order. */
  entries: [number, number][];
}

export function lmBytes(order: number, pieces: number, contexts: LmContext[]): Uint8Array {
  const base = pieces + 2;
  const key = (h: number[]) =>
    h.reduceRight((k, piece, i) => k + (piece + 1) * base ** (h.length - 1 - i), 0);
  const sorted = [...contexts].sort((a, b) =>
    a.history.length - b.history.length || key(a.history) - key(b.history)
  );
  const entries = sorted.flatMap((c) => [...c.entries].sort((a, b) => a[0] - b[0]));
  const bytes = new Uint8Array(24 + sorted.length * 16 + 4 + entries.length * 6);
  const view = new DataView(bytes.buffer);
  bytes.set(new TextEncoder().encode("ELM1"));
  [order, pieces, sorted.length, entries.length, 0].forEach((v, i) => view.setUint32(4 + 4 * i, v, true));
  let at = 24;
  for (const c of sorted) view.setFloat64((at += 8) - 8, key(c.history), true);
  for (const c of sorted) view.setFloat32((at += 4) - 4, c.backoff, true);
  let first = 0;
  for (const c of sorted) {
    view.setUint32((at += 4) - 4, first, true);
    first += c.entries.length;
  }
  view.setUint32((at += 4) - 4, first, true);
  for (const [piece] of entries) view.setUint16((at += 2) - 2, piece, true);
  for (const [, lp] of entries) view.setFloat32((at += 4) - 4, lp, true);
  return bytes;
}
