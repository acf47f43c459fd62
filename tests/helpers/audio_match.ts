// How closely a captured PCM16 stream contains a reference signal: the best normalized
// cross-correlation over time shifts. A coarse search on 10 ms energy envelopes finds the shift,
// a sample-level search around it refines it, so long captures stay cheap to compare.
const FRAME = 160; // 10 ms at 16 kHz

function envelope(x: Int16Array): Float64Array {
  const out = new Float64Array(Math.floor(x.length / FRAME));
  for (let f = 0; f < out.length; f++) {
    let e = 0;
    for (let i = f * FRAME; i < (f + 1) * FRAME; i++) e += x[i] * x[i];
    out[f] = Math.sqrt(e / FRAME);
  }
  return out;
}

function correlation(a: ArrayLike<number>, offset: number, b: ArrayLike<number>): number {
  let ab = 0, aa = 0, bb = 0;
  for (let i = 0; i < b.length; i++) {
    const x = a[offset + i], y = b[i];
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return ab / Math.sqrt(aa * bb + 1e-9);
}

/** Best correlation (1 = identical up to gain) of `reference` inside `captured`, and where. */
export function bestMatch(captured: Int16Array, reference: Int16Array): { correlation: number; lag: number } {
  const capEnv = envelope(captured), refEnv = envelope(reference);
  let coarse = 0, coarseBest = -Infinity;
  for (let lag = 0; lag + refEnv.length <= capEnv.length; lag++) {
    const c = correlation(capEnv, lag, refEnv);
    if (c > coarseBest) [coarseBest, coarse] = [c, lag];
  }
  let best = { correlation: -Infinity, lag: 0 };
  const from = Math.max(0, (coarse - 1) * FRAME),
    to = Math.min(captured.length - reference.length, (coarse + 1) * FRAME);
  for (let lag = from; lag <= to; lag++) {
    const c = correlation(captured, lag, reference);
    if (c > best.correlation) best = { correlation: c, lag };
  }
  return best;
}
