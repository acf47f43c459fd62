import assert from "node:assert/strict";
import { RealFft } from "./fft.ts";

Deno.test("RealFft matches a direct DFT", () => {
  for (const n of [4, 8, 64, 512]) {
    const fft = new RealFft(n);
    const x = Float64Array.from(
      { length: n },
      (_, i) => Math.sin(i * 1.7) + 0.3 * Math.cos(i * i * 0.01) - 0.1,
    );
    const re = new Float64Array(n / 2 + 1);
    const im = new Float64Array(n / 2 + 1);
    fft.forward(x, re, im);
    for (let k = 0; k <= n / 2; k++) {
      let r = 0, s = 0;
      for (let t = 0; t < n; t++) {
        r += x[t] * Math.cos((2 * Math.PI * k * t) / n);
        s -= x[t] * Math.sin((2 * Math.PI * k * t) / n);
      }
      assert.ok(Math.abs(re[k] - r) < 1e-9 && Math.abs(im[k] - s) < 1e-9, `n=${n} k=${k}`);
    }
  }
});

Deno.test("RealFft rejects sizes that are not powers of two", () => {
  assert.throws(() => new RealFft(400));
  assert.throws(() => new RealFft(2));
});
