/**
 * What the page shows: the number panel (each value written as text and, unrounded, in the element's
 * `data-value`, so a test can compare the two) and the four charts.
 */
import { IntrinsicDimensionResult } from 'tfjs-subspace/intrinsic';
import { ChartOptions, LineChart } from './chart';
import { EpochPoint } from './session';

export type Format = 'percent' | 'ratio' | 'int' | 'fixed' | 'seconds' | 'exp' | 'text';

export function format(value: number | string, how: Format): string {
  if (typeof value === 'string' || how === 'text') return String(value);
  if (!Number.isFinite(value)) return '—';
  if (how === 'percent') return `${(100 * value).toFixed(1)}%`;
  if (how === 'ratio') return `${Number((100 * value).toPrecision(2))}%`;
  if (how === 'int') return Math.round(value).toLocaleString('en-US');
  if (how === 'fixed') return value.toFixed(3);
  if (how === 'seconds') return `${value.toFixed(1)} s`;
  return value === 0 ? '0' : value.toExponential(2);
}

function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`the page has no #${id}`);
  return node as T;
}

export function setStat(id: string, value: number | string | null, how: Format): void {
  const node = byId(id);
  if (value === null) {
    node.textContent = '—';
    delete node.dataset.value;
    return;
  }
  node.textContent = format(value, how);
  node.dataset.value = String(value);
}

export function setStatus(text: string, kind: 'info' | 'error' = 'info'): void {
  const node = byId('status');
  node.textContent = text;
  node.className = kind;
}

const COLORS = { train: '#1f77b4', test: '#d62728', distance: '#9467bd', displacement: '#2ca02c', tolerance: '#8c8c8c', ref: '#555' };

function sweepOptions(result: IntrinsicDimensionResult | null): ChartOptions {
  const base: ChartOptions = {
    xLabel: 'subspace dimension d (log scale)',
    yLabel: 'test accuracy',
    xLog: true,
    yDomain: [0, 1],
    emptyText: 'Press “Intrinsic dimension sweep” to measure d_int90',
  };
  if (!result) return base;
  const pct = Math.round(result.threshold * 100);
  return {
    ...base,
    hLines: [
      { at: result.baseline.accuracy, label: `full model, D = ${result.D.toLocaleString('en-US')}`, color: COLORS.ref, side: 'left' },
      { at: result.target, label: `${pct}% of the full model`, color: COLORS.test },
    ],
    vLines: result.dInt === null ? [] : [{ at: result.dInt, label: `d_int${pct} ≈ ${Math.round(result.dInt)}`, color: COLORS.test }],
  };
}

export class Charts {
  private readonly loss = new LineChart(byId('chart-loss'), { xLabel: 'epoch', yLabel: 'cross-entropy loss', emptyText: 'Press Train' });
  private readonly accuracy = new LineChart(byId('chart-accuracy'), { xLabel: 'epoch', yLabel: 'accuracy', yDomain: [0, 1], emptyText: 'Press Train' });
  private readonly distance = new LineChart(byId('chart-distance'), { xLabel: 'epoch', yLabel: 'norm (log scale)', yLog: true, emptyText: 'Press Train' });
  private sweep = new LineChart(byId('chart-sweep'), sweepOptions(null));

  showRun(history: EpochPoint[]): void {
    const xy = (f: (p: EpochPoint) => number) => history.map((p): [number, number] => [p.epoch, f(p)]);
    this.loss.update([
      { name: 'train', color: COLORS.train, points: xy((p) => p.loss) },
      { name: 'test', color: COLORS.test, points: xy((p) => p.testLoss) },
    ]);
    this.accuracy.update([
      { name: 'train', color: COLORS.train, points: xy((p) => p.accuracy) },
      { name: 'test', color: COLORS.test, points: xy((p) => p.testAccuracy) },
    ]);
    this.distance.update([
      { name: '‖θ − θ0‖', color: COLORS.displacement, points: xy((p) => p.displacement) },
      // An exact zero has no place on a log axis: it is drawn at 1e-12 (the panel shows the value).
      { name: '‖(I − P)(θ − θ0)‖', color: COLORS.distance, points: xy((p) => Math.max(p.distance, 1e-12)) },
      // The contract's "in the subspace": float32 rounding, 1e-5 · max(1, ‖θ − θ0‖).
      { name: 'float32 tolerance', color: COLORS.tolerance, dashed: true, points: xy((p) => 1e-5 * Math.max(1, p.displacement)) },
    ]);
  }

  showSweep(result: IntrinsicDimensionResult | null): void {
    const box = byId('chart-sweep');
    box.replaceChildren();
    this.sweep = new LineChart(box, sweepOptions(result));
    if (!result) return;
    const seeds = result.config.seeds.length;
    this.sweep.update([
      {
        name: `${result.config.basis} basis: mean${seeds > 1 ? `, min–max of ${seeds} seeds` : ''}`,
        color: COLORS.train,
        markers: true,
        points: result.curve.map((c): [number, number] => [c.d, c.mean]),
        ranges: result.curve.map((c): [number, number, number] => [c.d, c.min, c.max]),
      },
    ]);
  }
}
