import seedrandom from 'seedrandom';
import { InvalidArgumentError } from '../errors';
import { crossing } from './interpolate';

/** The inputs of {@link bootstrapDimension}: per seed, the baseline metric and the metric at each d. */
export interface SeedCurves {
  /** seed → baseline test metric (or one shared known value for every seed). */
  baselines: ReadonlyMap<number, number>;
  /** seed → (d → test metric). */
  curves: ReadonlyMap<number, ReadonlyMap<number, number>>;
}

/** A percentile bootstrap interval of d_int over seeds (see {@link bootstrapDimension}). */
export interface BootstrapInterval {
  low: number | null;
  high: number | null;
  level: number;
  resamples: number;
  notReached: number;
}

/**
 * Percentile bootstrap of d_int over seeds, as Li et al.'s plotting notebook does: draw as many
 * seeds as were run, with replacement; average the baseline and the metric at each d over the drawn
 * seeds (a seed's whole curve travels together); take d_int of that mean curve (the first crossing of
 * threshold × mean baseline, interpolated, see `crossing`). The interval holds the central `level` of
 * the resampled d_int; a resample in which no d reaches the target counts as d_int = +∞, so `high` is
 * null when more than (1 − level)/2 of them do not reach it. Seeded: the same inputs give the same interval.
 *
 * @example
 * const curves = new Map([[0, new Map([[10, 0.5], [20, 0.95]])], [1, new Map([[10, 0.4], [20, 0.9]])]]);
 * const { low, high } = bootstrapDimension({ baselines: new Map([[0, 0.98], [1, 0.97]]), curves }, 0.9);
 */
export function bootstrapDimension(data: SeedCurves, threshold: number, resamples = 2000, level = 0.95, seed = 'bootstrap'): BootstrapInterval {
  const seeds = [...data.curves.keys()];
  if (seeds.length < 2) throw new InvalidArgumentError(`bootstrapDimension: needs runs of at least 2 seeds, got ${seeds.length}; run more seeds.`);
  if (!(level > 0 && level < 1)) throw new InvalidArgumentError(`bootstrapDimension: level must be in (0, 1), got ${level}.`);
  const dims = [...new Set(seeds.flatMap((s) => [...data.curves.get(s)!.keys()]))].sort((a, b) => a - b);
  for (const s of seeds) {
    if (!data.baselines.has(s)) throw new InvalidArgumentError(`bootstrapDimension: seed ${s} has no baseline; give one per seed.`);
    const missing = dims.filter((d) => !data.curves.get(s)!.has(d));
    if (missing.length) throw new InvalidArgumentError(`bootstrapDimension: seed ${s} has no run at d = ${missing.join(', ')}; every seed needs every d.`);
  }
  const rng = seedrandom.alea(seed);
  const values: number[] = [];
  for (let r = 0; r < resamples; r++) {
    const drawn = seeds.map(() => seeds[Math.floor(rng() * seeds.length)]);
    const base = drawn.reduce((a, s) => a + data.baselines.get(s)!, 0) / drawn.length;
    const curve = dims.map((d) => ({ d, mean: drawn.reduce((a, s) => a + data.curves.get(s)!.get(d)!, 0) / drawn.length }));
    values.push(crossing(curve, threshold * base).dInt ?? Infinity);
  }
  values.sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(resamples - 1, Math.max(0, Math.ceil(q * resamples) - 1))];
  const finite = (x: number) => (Number.isFinite(x) ? x : null);
  return {
    low: finite(at((1 - level) / 2)),
    high: finite(at((1 + level) / 2)),
    level,
    resamples,
    notReached: values.filter((v) => !Number.isFinite(v)).length / resamples,
  };
}
