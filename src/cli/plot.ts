import type { IntrinsicDimensionResult } from '../intrinsic/options';
import { intervalText } from './table';

/**
 * Accuracy vs d as an SVG (vega-lite, rendered headless): mean per d with its min–max range over
 * seeds, the full model's accuracy, the threshold line (e.g. 90 % of it) and d_int marked, with its
 * bootstrap interval over seeds as a shaded band when there is one.
 */
export async function plotCurve(r: IntrinsicDimensionResult, title: string): Promise<string> {
  const vl = await import('vega-lite');
  const vega = await import('vega');
  const points = r.curve.map((p) => ({ d: p.d, mean: p.mean, min: p.min, max: p.max, runs: p.runs }));
  const pct = Math.round(r.threshold * 100);
  // A result.json of the earlier fixed-budget protocol has one baseline and `epochs` in its config.
  const old = r.config as unknown as { epochs?: number };
  const base = r.baselineAccuracy ?? r.baseline.accuracy;
  const budget = r.config.maxEpochs === undefined ? `${old.epochs} epochs per run (fixed)` : `lr chosen per d on validation, ≤ ${r.config.maxEpochs} epochs (patience ${r.config.patience})`;
  const dMin = Math.min(...r.curve.map((p) => p.d));
  const dMax = Math.max(...r.curve.map((p) => p.d));
  const lines = [
    { y: base, label: `full model (D = ${r.D.toLocaleString('en')}): ${(100 * base).toFixed(1)} %` },
    { y: r.target, label: `${pct} % of full: ${(100 * r.target).toFixed(1)} %` },
  ];
  const layers: unknown[] = [
    { data: { values: points }, mark: { type: 'rule', color: '#4c78a8' }, encoding: { x: { field: 'd' }, y: { field: 'min' }, y2: { field: 'max' } } },
    { data: { values: points }, mark: { type: 'line', point: true, color: '#4c78a8' }, encoding: { x: { field: 'd' }, y: { field: 'mean' } } },
    { data: { values: lines }, mark: { type: 'rule', strokeDash: [6, 4], color: '#555' }, encoding: { y: { field: 'y' } } },
    { data: { values: lines }, mark: { type: 'text', align: 'left', dx: 4, dy: -6, fontSize: 11, color: '#333' }, encoding: { y: { field: 'y' }, x: { value: 0 }, text: { field: 'label' } } },
  ];
  if (r.interval && r.interval.low !== null) {
    const band = [{ lo: Math.max(r.interval.low, dMin / 1.15), hi: Math.min(r.interval.high ?? dMax * 1.15, dMax * 1.15) }];
    layers.unshift({ data: { values: band }, mark: { type: 'rect', color: '#e45756', opacity: 0.15 }, encoding: { x: { field: 'lo' }, x2: { field: 'hi' } } });
  }
  if (r.dInt !== null) {
    const ci = r.interval ? `, ${Math.round(100 * r.interval.level)} % CI ${intervalText(r.interval).split(' (')[0]}` : '';
    const mark = [{ d: r.dInt, label: `d_int${pct} ≈ ${Math.round(r.dInt)}${ci}` }];
    layers.push(
      { data: { values: mark }, mark: { type: 'rule', color: '#e45756' }, encoding: { x: { field: 'd' } } },
      { data: { values: mark }, mark: { type: 'text', angle: 0, align: 'left', dx: 4, dy: 0, color: '#e45756', fontSize: 12 }, encoding: { x: { field: 'd' }, y: { value: 280 }, text: { field: 'label' } } },
    );
  }
  const spec = {
    $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
    title: { text: title, subtitle: `${r.config.basis} basis, ${budget}, seeds ${r.config.seeds.join(', ')}; bars: min–max over seeds${r.interval ? '; band: bootstrap interval of d_int' : ''}` },
    width: 520,
    height: 320,
    encoding: {
      x: { type: 'quantitative', scale: { type: 'log', nice: false, domain: [dMin / 1.15, dMax * 1.15] }, axis: { values: r.curve.map((p) => p.d) }, title: 'subspace dimension d (log scale)' },
      y: { type: 'quantitative', scale: { domain: [0, 1] }, title: 'test accuracy' },
    },
    layer: layers,
  };
  const compiled = vl.compile(spec as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  return svg;
}
