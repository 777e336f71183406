/**
 * A tiny SVG scatter/line plot writer: series of (x, y) points with optional per-point labels,
 * linear axes with round ticks, a legend. Returns the SVG text (platform-neutral, no I/O).
 */
export interface PlotPoint {
  x: number;
  y: number;
  label?: string;
}

export interface PlotSeries {
  name: string;
  points: PlotPoint[];
  /** Join the points (in the given order) with a line. @default false */
  line?: boolean;
}

export interface PlotOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  width?: number;
  height?: number;
  /** Axis ranges; default: the data's range, padded. */
  xRange?: [number, number];
  yRange?: [number, number];
}

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b'];

function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** About `count` round tick values covering [lo, hi]. */
export function ticks(lo: number, hi: number, count = 6): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const out: number[] = [];
  for (let v = Math.ceil(lo / step) * step, i = 0; v <= hi + step * 1e-9 && i < 100; v += step, i++) out.push(Number(v.toPrecision(12)));
  return out;
}

function fmt(v: number): string {
  return Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(4)).toString();
}

export function scatterPlot(series: PlotSeries[], o: PlotOptions): string {
  const W = o.width ?? 760;
  const H = o.height ?? 480;
  const m = { l: 70, r: 170, t: 40, b: 55 };
  const all = series.flatMap((s) => s.points);
  const xs = all.map((p) => p.x);
  const ys = all.map((p) => p.y);
  const pad = (lo: number, hi: number): [number, number] => {
    const d = hi - lo || Math.abs(hi) || 1;
    return [lo - d * 0.05, hi + d * 0.05];
  };
  const [x0, x1] = o.xRange ?? pad(Math.min(...xs, 0), Math.max(...xs, 1));
  const [y0, y1] = o.yRange ?? pad(Math.min(...ys), Math.max(...ys));
  const px = (x: number) => m.l + ((x - x0) / (x1 - x0 || 1)) * (W - m.l - m.r);
  const py = (y: number) => H - m.b - ((y - y0) / (y1 - y0 || 1)) * (H - m.t - m.b);
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  out.push(`<text x="${W / 2 - m.r / 2}" y="22" text-anchor="middle" font-size="15">${esc(o.title)}</text>`);
  // Grid and ticks.
  for (const t of ticks(x0, x1)) {
    if (t < x0 || t > x1) continue;
    out.push(`<line x1="${px(t).toFixed(1)}" y1="${m.t}" x2="${px(t).toFixed(1)}" y2="${H - m.b}" stroke="#eee"/>`);
    out.push(`<text x="${px(t).toFixed(1)}" y="${H - m.b + 16}" text-anchor="middle">${fmt(t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    if (t < y0 || t > y1) continue;
    out.push(`<line x1="${m.l}" y1="${py(t).toFixed(1)}" x2="${W - m.r}" y2="${py(t).toFixed(1)}" stroke="#eee"/>`);
    out.push(`<text x="${m.l - 6}" y="${(py(t) + 4).toFixed(1)}" text-anchor="end">${fmt(t)}</text>`);
  }
  out.push(`<rect x="${m.l}" y="${m.t}" width="${W - m.l - m.r}" height="${H - m.t - m.b}" fill="none" stroke="#333"/>`);
  out.push(`<text x="${(m.l + W - m.r) / 2}" y="${H - 14}" text-anchor="middle">${esc(o.xLabel)}</text>`);
  out.push(`<text transform="translate(18 ${(m.t + H - m.b) / 2}) rotate(-90)" text-anchor="middle">${esc(o.yLabel)}</text>`);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    if (s.line && s.points.length > 1) {
      const d = s.points.map((p, j) => `${j ? 'L' : 'M'}${px(p.x).toFixed(1)} ${py(p.y).toFixed(1)}`).join(' ');
      out.push(`<path d="${d}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
    }
    for (const p of s.points) {
      out.push(
        `<circle cx="${px(p.x).toFixed(1)}" cy="${py(p.y).toFixed(1)}" r="4" fill="${color}" fill-opacity="0.8"><title>${esc(`${s.name}: ${p.label ?? ''} (${fmt(p.x)}, ${fmt(p.y)})`)}</title></circle>`,
      );
      if (p.label)
        out.push(
          `<text x="${(px(p.x) + 5).toFixed(1)}" y="${(py(p.y) - 5).toFixed(1)}" font-size="9" fill="${color}">${esc(p.label)}</text>`,
        );
    }
    const ly = m.t + 10 + i * 18;
    out.push(`<circle cx="${W - m.r + 16}" cy="${ly}" r="5" fill="${color}"/>`);
    out.push(`<text x="${W - m.r + 26}" y="${ly + 4}">${esc(s.name)}</text>`);
  });
  out.push('</svg>');
  return `${out.join('\n')}\n`;
}
