import { InvalidArgumentError } from '../errors';

/** One point of an accuracy-vs-d curve (the mean over seeds). */
export interface CurvePoint {
  d: number;
  /** Mean test accuracy over the seeds run at this d. */
  mean: number;
  /** Sample standard deviation over seeds (0 for one seed). */
  std: number;
  min: number;
  max: number;
  /** How many seeds were run at this d. */
  runs: number;
}

/** Where a curve first reaches a target. */
export interface Crossing {
  /**
   * d_int: linear interpolation between the bracketing points (the last d below the target and the
   * first d at or above it); `dims[0]` when the first point already reaches it; null when none does.
   */
  dInt: number | null;
  /** [d below, d at or above] the target, or null when the curve does not cross inside the range. */
  bracket: [number, number] | null;
  /** 'crossed' (interpolated), 'at-or-below-min' (upper bound), 'not-reached'. */
  status: 'crossed' | 'at-or-below-min' | 'not-reached';
}

/**
 * The smallest d at which a performance curve reaches `target`, interpolated linearly in d between
 * the bracketing measurements (Li et al. 2018 report d_int90 this way, from curves measured on a
 * grid of d). The curve is read in increasing d; the first crossing counts, so a noisy curve that
 * dips back below the target after crossing does not move d_int.
 */
export function crossing(curve: ReadonlyArray<Pick<CurvePoint, 'd' | 'mean'>>, target: number): Crossing {
  if (!Number.isFinite(target)) throw new InvalidArgumentError(`crossing: target must be a finite number, got ${target}.`);
  const points = [...curve].sort((a, b) => a.d - b.d);
  if (points.length === 0) throw new InvalidArgumentError('crossing: the curve has no points.');
  for (const p of points) {
    if (!Number.isFinite(p.d) || !Number.isFinite(p.mean)) {
      throw new InvalidArgumentError(`crossing: every point needs a finite d and mean, got d = ${p.d}, mean = ${p.mean}.`);
    }
  }
  const k = points.findIndex((p) => p.mean >= target);
  if (k < 0) return { dInt: null, bracket: null, status: 'not-reached' };
  if (k === 0) return { dInt: points[0].d, bracket: null, status: 'at-or-below-min' };
  const [lo, hi] = [points[k - 1], points[k]];
  const t = (target - lo.mean) / (hi.mean - lo.mean);
  return { dInt: lo.d + t * (hi.d - lo.d), bracket: [lo.d, hi.d], status: 'crossed' };
}

/** Summary statistics of the accuracies measured at one d. */
export function summarize(d: number, accuracies: readonly number[]): CurvePoint {
  const n = accuracies.length;
  const mean = accuracies.reduce((a, b) => a + b, 0) / n;
  const variance = n > 1 ? accuracies.reduce((a, b) => a + (b - mean) ** 2, 0) / (n - 1) : 0;
  return { d, mean, std: Math.sqrt(variance), min: Math.min(...accuracies), max: Math.max(...accuracies), runs: n };
}

/**
 * `points` integers spread evenly in log d over [min, max] (both included, duplicates dropped):
 * the coarse grid of a d search.
 */
export function logGrid(min: number, max: number, points: number): number[] {
  if (!Number.isInteger(min) || !Number.isInteger(max) || min < 1 || max < min) {
    throw new InvalidArgumentError(`logGrid: need integers 1 ≤ min ≤ max, got min = ${min}, max = ${max}.`);
  }
  if (!Number.isInteger(points) || points < 1) {
    throw new InvalidArgumentError(`logGrid: points must be a positive integer, got ${points}.`);
  }
  if (points === 1 || min === max) return [min];
  const out = new Set<number>();
  for (let i = 0; i < points; i++) out.add(Math.round(Math.exp(Math.log(min) + (i / (points - 1)) * Math.log(max / min))));
  return [...out].sort((a, b) => a - b);
}

/** `count` integers strictly between lo and hi, evenly spaced in log d (fewer if the gap is small). */
export function refineBetween(lo: number, hi: number, count: number): number[] {
  const inner = logGrid(lo, hi, count + 2).filter((d) => d > lo && d < hi);
  return inner;
}
