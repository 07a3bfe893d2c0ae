/**
 * A small SVG line chart: linear or log axes with ticks, grid, axis labels, a legend, horizontal and
 * vertical reference lines, and optional min–max error bars. Redrawn in full on every update (the
 * demo's curves have at most a few hundred points).
 */

export interface Series {
  name: string;
  color: string;
  points: Array<[number, number]>;
  dashed?: boolean;
  /** Draw a dot at each point. */
  markers?: boolean;
  /** Error bars: [x, low, high] per point. */
  ranges?: Array<[number, number, number]>;
}

export interface RefLine {
  at: number;
  label: string;
  color: string;
  /** Where a horizontal line's label goes (default right). */
  side?: 'left' | 'right';
}

export interface ChartOptions {
  xLabel: string;
  yLabel: string;
  xLog?: boolean;
  yLog?: boolean;
  /** Fixed domains; otherwise taken from the data (and the reference lines). */
  xDomain?: [number, number];
  yDomain?: [number, number];
  hLines?: RefLine[];
  vLines?: RefLine[];
  /** Shown in the middle of the plot while it has no data. */
  emptyText?: string;
}

const SVG = 'http://www.w3.org/2000/svg';
const W = 480;
const H = 280;
const M = { left: 62, right: 14, top: 30, bottom: 44 };

function el<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>, text?: string) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

/** Tick values for a linear axis: steps of 1, 2 or 5 × 10^k, about `count` of them. */
function linearTicks(lo: number, hi: number, count = 5): number[] {
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step) ticks.push(Math.abs(t) < step * 1e-9 ? 0 : t);
  return ticks;
}

/** Powers of ten inside [lo, hi] (thinned to at most 7). */
function logTicks(lo: number, hi: number): number[] {
  const a = Math.ceil(Math.log10(lo) - 1e-9);
  const b = Math.floor(Math.log10(hi) + 1e-9);
  const every = Math.max(1, Math.ceil((b - a + 1) / 7));
  const ticks: number[] = [];
  for (let k = a; k <= b; k += every) ticks.push(10 ** k);
  return ticks;
}

export function formatTick(v: number): string {
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e4 || a < 1e-3) return v.toExponential(0).replace('e+', 'e');
  return String(Number(v.toPrecision(3)));
}

function domainOf(values: number[], log: boolean): [number, number] {
  const v = values.filter((x) => Number.isFinite(x) && (!log || x > 0));
  if (v.length === 0) return log ? [1, 1000] : [0, 1];
  let lo = Math.min(...v);
  let hi = Math.max(...v);
  if (log) return [10 ** Math.floor(Math.log10(lo)), 10 ** Math.ceil(Math.log10(hi) + (lo === hi ? 1 : 0))];
  if (lo === hi) [lo, hi] = [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

export class LineChart {
  readonly svg: SVGSVGElement;

  constructor(container: HTMLElement, private readonly opts: ChartOptions) {
    this.svg = el('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', class: 'chart' });
    container.appendChild(this.svg);
    this.update([]);
  }

  update(series: Series[]): void {
    const { opts } = this;
    const svg = this.svg;
    while (svg.firstChild) svg.removeChild(svg.firstChild);
    const xs = series.flatMap((s) => s.points.map((p) => p[0])).concat((opts.vLines ?? []).map((l) => l.at));
    const ys = series
      .flatMap((s) => s.points.map((p) => p[1]).concat((s.ranges ?? []).flatMap((r) => [r[1], r[2]])))
      .concat((opts.hLines ?? []).map((l) => l.at));
    const [x0, x1] = opts.xDomain ?? domainOf(xs, !!opts.xLog);
    const [y0, y1] = opts.yDomain ?? domainOf(ys, !!opts.yLog);
    const t = (v: number, log: boolean) => (log ? Math.log10(Math.max(v, 1e-30)) : v);
    const px = (x: number) =>
      M.left + ((t(x, !!opts.xLog) - t(x0, !!opts.xLog)) / (t(x1, !!opts.xLog) - t(x0, !!opts.xLog))) * (W - M.left - M.right);
    const py = (y: number) =>
      H - M.bottom - ((t(y, !!opts.yLog) - t(y0, !!opts.yLog)) / (t(y1, !!opts.yLog) - t(y0, !!opts.yLog))) * (H - M.top - M.bottom);
    const inside = (y: number) => y >= y0 && y <= y1 && (!opts.yLog || y > 0);

    // Grid and ticks.
    const axis = el('g', { class: 'axis' });
    for (const x of opts.xLog ? logTicks(x0, x1) : linearTicks(x0, x1)) {
      axis.appendChild(el('line', { x1: px(x), x2: px(x), y1: M.top, y2: H - M.bottom, class: 'grid' }));
      axis.appendChild(el('text', { x: px(x), y: H - M.bottom + 16, 'text-anchor': 'middle' }, formatTick(x)));
    }
    for (const y of opts.yLog ? logTicks(y0, y1) : linearTicks(y0, y1)) {
      axis.appendChild(el('line', { x1: M.left, x2: W - M.right, y1: py(y), y2: py(y), class: 'grid' }));
      axis.appendChild(el('text', { x: M.left - 6, y: py(y) + 4, 'text-anchor': 'end' }, formatTick(y)));
    }
    axis.appendChild(el('rect', { x: M.left, y: M.top, width: W - M.left - M.right, height: H - M.top - M.bottom, class: 'frame' }));
    axis.appendChild(el('text', { x: (M.left + W - M.right) / 2, y: H - 8, 'text-anchor': 'middle', class: 'label' }, opts.xLabel));
    const yMid = (M.top + H - M.bottom) / 2;
    axis.appendChild(
      el('text', { x: 14, y: yMid, 'text-anchor': 'middle', class: 'label', transform: `rotate(-90 14 ${yMid})` }, opts.yLabel),
    );
    svg.appendChild(axis);

    // Reference lines.
    for (const l of opts.hLines ?? []) {
      if (!inside(l.at)) continue;
      svg.appendChild(el('line', { x1: M.left, x2: W - M.right, y1: py(l.at), y2: py(l.at), stroke: l.color, class: 'ref' }));
      const below = py(l.at) - M.top < 16; // no room above the line: label it underneath
      const left = l.side === 'left';
      const at = { x: left ? M.left + 4 : W - M.right - 4, y: py(l.at) + (below ? 13 : -4), 'text-anchor': left ? 'start' : 'end' };
      svg.appendChild(el('text', { ...at, fill: l.color, class: 'ref-label' }, l.label));
    }
    for (const l of opts.vLines ?? []) {
      svg.appendChild(el('line', { x1: px(l.at), x2: px(l.at), y1: M.top, y2: H - M.bottom, stroke: l.color, class: 'ref' }));
      svg.appendChild(el('text', { x: px(l.at) + 4, y: H - M.bottom - 6, fill: l.color, class: 'ref-label' }, l.label));
    }

    // Data.
    if (opts.emptyText && !series.some((s) => s.points.length > 0)) {
      svg.appendChild(el('text', { x: (M.left + W - M.right) / 2, y: (M.top + H - M.bottom) / 2, 'text-anchor': 'middle', class: 'empty' }, opts.emptyText));
    }
    for (const s of series) {
      const pts = s.points.filter((p) => inside(p[1]));
      if (pts.length > 1) {
        const d = pts.map((p, i) => `${i ? 'L' : 'M'}${px(p[0]).toFixed(1)},${py(p[1]).toFixed(1)}`).join('');
        svg.appendChild(el('path', { d, stroke: s.color, class: s.dashed ? 'line dashed' : 'line' }));
      }
      for (const [x, lo, hi] of s.ranges ?? []) {
        if (inside(lo) && inside(hi)) svg.appendChild(el('line', { x1: px(x), x2: px(x), y1: py(lo), y2: py(hi), stroke: s.color, class: 'bar' }));
      }
      if (s.markers || pts.length === 1) {
        for (const p of pts) svg.appendChild(el('circle', { cx: px(p[0]), cy: py(p[1]), r: 3.2, fill: s.color }));
      }
    }

    // Legend, above the plot.
    let lx = M.left;
    for (const s of series) {
      svg.appendChild(el('line', { x1: lx, x2: lx + 16, y1: 14, y2: 14, stroke: s.color, class: s.dashed ? 'line dashed' : 'line' }));
      const label = el('text', { x: lx + 20, y: 18, class: 'legend' }, s.name);
      svg.appendChild(label);
      lx += 28 + s.name.length * 6.4;
    }
  }
}
