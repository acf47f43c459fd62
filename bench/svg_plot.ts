// A hand-written SVG line chart (no dependency): series of (x, y) points, optional horizontal
// reference lines, a log2 x axis when the x values span a wide range.
export interface Series {
  name: string;
  color: string;
  points: [number, number][];
}

export interface Chart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** Horizontal reference lines, drawn dashed. */
  marks?: { y: number; label: string }[];
}

const W = 720, H = 420, L = 70, R = 160, T = 40, B = 50;

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function niceStep(range: number, ticks: number): number {
  const raw = range / ticks;
  const p = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * p).find((s) => s >= raw) ?? raw;
}

export function lineChart(c: Chart): string {
  const xs = c.series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...c.series.flatMap((s) => s.points.map((p) => p[1])), ...(c.marks ?? []).map((m) => m.y)]
    .filter(Number.isFinite);
  const xMin = Math.min(...xs, 1), xMax = Math.max(...xs, xMin + 1);
  const log = xMin > 0 && xMax / xMin >= 8;
  const fx = (x: number) => log ? Math.log2(x) : x;
  const [x0, x1] = [fx(xMin), fx(xMax)];
  const yStep = niceStep(Math.max(...ys, 1), 5);
  const yMax = Math.ceil(Math.max(...ys, 1) / yStep) * yStep;
  const px = (x: number) => L + (fx(x) - x0) / (x1 - x0 || 1) * (W - L - R);
  const py = (y: number) => H - B - y / yMax * (H - T - B);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - R / 2}" y="22" text-anchor="middle" font-size="15">${esc(c.title)}</text>`,
  ];
  for (let y = 0; y <= yMax + 1e-9; y += yStep) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${py(y)}" y2="${py(y)}" stroke="#ddd"/>`,
      `<text x="${L - 6}" y="${py(y) + 4}" text-anchor="end">${+y.toFixed(3)}</text>`,
    );
  }
  const distinct = [...new Set(xs)].sort((a, b) => a - b);
  const xStep = niceStep(xMax - xMin, 8);
  const xTicks = distinct.length <= 12
    ? distinct
    : Array.from({ length: Math.floor((xMax - xMin) / xStep) + 1 }, (_, i) =>
      Math.ceil(xMin / xStep) * xStep + i * xStep)
      .filter((x) =>
        x <= xMax
      );
  for (const x of xTicks) {
    out.push(`<text x="${px(x)}" y="${H - B + 18}" text-anchor="middle">${+x.toFixed(2)}</text>`);
  }
  out.push(
    `<line x1="${L}" x2="${W - R}" y1="${H - B}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" x2="${L}" y1="${T}" y2="${H - B}" stroke="black"/>`,
    `<text x="${(L + W - R) / 2}" y="${H - 12}" text-anchor="middle">${esc(c.xLabel)}${
      log ? " (log scale)" : ""
    }</text>`,
    `<text transform="translate(18 ${(T + H - B) / 2}) rotate(-90)" text-anchor="middle">${
      esc(c.yLabel)
    }</text>`,
  );
  for (const m of c.marks ?? []) {
    out.push(
      `<line x1="${L}" x2="${W - R}" y1="${py(m.y)}" y2="${py(m.y)}" stroke="#c00" stroke-dasharray="6 4"/>`,
      `<text x="${W - R + 6}" y="${py(m.y) + 4}" fill="#c00">${esc(m.label)}</text>`,
    );
  }
  c.series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[1]));
    const d = pts.map((p) => `${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join(" ");
    out.push(`<polyline points="${d}" fill="none" stroke="${s.color}" stroke-width="2"/>`);
    for (const p of pts) {
      out.push(`<circle cx="${px(p[0]).toFixed(1)}" cy="${py(p[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    }
    const ly = H - B - (c.series.length - i) * 20; // legend bottom right, clear of a bound at the top
    out.push(
      `<line x1="${W - R + 6}" x2="${
        W - R + 26
      }" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2"/>`,
      `<text x="${W - R + 30}" y="${ly + 4}">${esc(s.name)}</text>`,
    );
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
