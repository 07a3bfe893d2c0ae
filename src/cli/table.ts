import type { IntrinsicDimensionResult, RunResult } from '../intrinsic/options';

const pct = (x: number) => `${(100 * x).toFixed(2)} %`;
const lr = (x: number) => (Number.isFinite(x) ? x.toPrecision(2) : '–');

/**
 * Whether a run's chosen learning rate is the smallest or largest of its pilots: the search widens
 * while the best pilot is at an edge, so an edge that stays means the widening budget (lrExpand)
 * ran out before the best lr was bracketed. A run without a search (one pilot or none) has no edge.
 */
export const atLrEdge = (r: RunResult): boolean => {
  const rates = r.pilots.map((p) => p.learningRate);
  return rates.length > 1 && (r.learningRate === Math.min(...rates) || r.learningRate === Math.max(...rates));
};
/** The lr cell: the rate, with `!` when it is at the grid's edge. */
const lrCell = (r: RunResult) => lr(r.learningRate) + (atLrEdge(r) ? '!' : '');

/** Per-seed values of one d joined with spaces, or a single value when they agree. */
function perSeed(runs: RunResult[], f: (r: RunResult) => string): string {
  const values = runs.map(f);
  return new Set(values).size === 1 ? values[0] : values.join(' ');
}

/** The final table: one row per d with its chosen learning rate, epochs and stop reason; then the baseline, d_int and its interval. */
export function table(r: IntrinsicDimensionResult): string {
  const byD = (d: number) => r.runs.filter((x) => x.d === d);
  const row = (name: string, mean: number, std: string, range: string, runs: RunResult[], reaches: string) => [
    name, pct(mean), std, range, perSeed(runs, lrCell), perSeed(runs, (x) => `${x.bestEpoch}/${x.epochs}`), perSeed(runs, (x) => x.stopReason), reaches,
  ];
  const rows = r.curve.map((p) =>
    row(String(p.d), p.mean, p.runs > 1 ? `± ${pct(p.std)}` : '', `${pct(p.min)} – ${pct(p.max)}`, byD(p.d), p.mean >= r.target ? 'yes' : ''),
  );
  const b = r.baselines;
  rows.push(row('full', r.baselineAccuracy, '', b.length > 1 ? `${pct(Math.min(...b.map((x) => x.accuracy)))} – ${pct(Math.max(...b.map((x) => x.accuracy)))}` : '', b, ''));
  const head = ['d', 'test acc. (mean)', 'std', 'range', 'lr', 'best/epochs', 'stop', `≥ ${Math.round(100 * r.threshold)} %`];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((x) => x[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  const dInt =
    r.dInt === null
      ? `not reached (largest d: ${pct(r.curve[r.curve.length - 1].mean)} < ${pct(r.target)})`
      : r.status === 'at-or-below-min'
        ? `≤ ${r.dInt} (the smallest d tried already reaches it)`
        : `${r.dInt.toFixed(1)} (between d = ${r.bracket![0]} and ${r.bracket![1]})`;
  const all = [...r.runs, ...b];
  const edges = all.filter(atLrEdge).length;
  const capped = all.filter((x) => x.stopReason === 'max-epochs').length;
  const notes = [
    ...(edges ? [`! ${edges} of ${all.length} runs chose the edge of their lr grid (widened to its limit, --lr-expand): their best lr may lie beyond it.`] : []),
    ...(capped ? [`${capped} of ${all.length} runs stopped at max-epochs before a validation plateau: a larger --max-epochs may raise them.`] : []),
  ];
  return [
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    ...(notes.length ? ['', ...notes] : []),
    '',
    r.config.thresholdOf === 'absolute'
      ? `full model: ${pct(r.baselineAccuracy)} (D = ${r.D}); target ${pct(r.target)} test accuracy (absolute, as Li et al. read MNIST)`
      : `full model: ${pct(r.baselineAccuracy)} (D = ${r.D}); target ${Math.round(100 * r.threshold)} % of it: ${pct(r.target)}`,
    `d_int${Math.round(100 * r.threshold)} = ${dInt}`,
    ...(r.config.training === 'fixed' ? [`Li et al.'s reading (the smallest d tried that reaches the target): ${r.firstReaching ?? 'none'}`] : []),
    ...(r.interval ? [`${Math.round(100 * r.interval.level)} % bootstrap interval over ${r.config.seeds.length} seeds: ${intervalText(r.interval)}`] : []),
  ].join('\n');
}

/** "[lo, hi]" with "not reached" for a missing end. */
export function intervalText(i: NonNullable<IntrinsicDimensionResult['interval']>): string {
  const end = (x: number | null) => (x === null ? 'not reached' : x.toFixed(1));
  return `[${end(i.low)}, ${end(i.high)}]${i.notReached > 0 ? ` (${(100 * i.notReached).toFixed(1)} % of resamples never reach the target)` : ''}`;
}
