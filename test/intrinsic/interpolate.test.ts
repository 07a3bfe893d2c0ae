import { InvalidArgumentError } from '../../src';
import { crossing, logGrid, refineBetween, summarize } from '../../src/intrinsic';

describe('crossing (d_int from an accuracy-vs-d curve)', () => {
  it('interpolates linearly between the bracketing d on a synthetic saturating curve', () => {
    // acc(d) = 0.9·(1 − e^(−d/100)) sampled on a grid; target 0.5. Between d = 50 (0.354) and 100
    // (0.569) the chord crosses 0.5 at d = 50 + 50·(0.5 − 0.354)/(0.569 − 0.354), computed here in
    // float64 from the same samples — the exact d would be 100·ln(0.9/0.4) = 81.1, the chord's 84.0.
    const f = (d: number) => 0.9 * (1 - Math.exp(-d / 100));
    const curve = [10, 25, 50, 100, 200, 400].map((d) => ({ d, mean: f(d) }));
    const r = crossing(curve, 0.5);
    const expected = 50 + (50 * (0.5 - f(50))) / (f(100) - f(50));
    expect(r.status).toBe('crossed');
    expect(r.bracket).toEqual([50, 100]);
    expect(r.dInt as number).toBeCloseTo(expected, 12);
    expect(Math.abs((r.dInt as number) - 100 * Math.log(0.9 / 0.4))).toBeLessThan(3.5);
  });

  it('hits a grid point exactly when the target equals its mean, and sorts unsorted input', () => {
    const r = crossing([{ d: 40, mean: 0.8 }, { d: 10, mean: 0.2 }, { d: 20, mean: 0.5 }], 0.5);
    expect(r.dInt).toBe(20);
    expect(r.bracket).toEqual([10, 20]);
  });

  it('takes the first crossing of a noisy, non-monotone curve', () => {
    const r = crossing([{ d: 1, mean: 0.1 }, { d: 2, mean: 0.7 }, { d: 4, mean: 0.4 }, { d: 8, mean: 0.9 }], 0.6);
    expect(r.bracket).toEqual([1, 2]);
    expect(r.dInt as number).toBeCloseTo(1 + 0.5 / 0.6, 12);
  });

  it('reports an upper bound when the smallest d already reaches the target, and null when none does', () => {
    expect(crossing([{ d: 5, mean: 0.95 }, { d: 10, mean: 0.97 }], 0.9)).toEqual({ dInt: 5, bracket: null, status: 'at-or-below-min' });
    expect(crossing([{ d: 5, mean: 0.1 }, { d: 10, mean: 0.2 }], 0.9)).toEqual({ dInt: null, bracket: null, status: 'not-reached' });
  });

  it('rejects empty curves and non-finite values', () => {
    expect(() => crossing([], 0.5)).toThrow(InvalidArgumentError);
    expect(() => crossing([{ d: 1, mean: NaN }], 0.5)).toThrow(/finite/);
    expect(() => crossing([{ d: 1, mean: 0.5 }], NaN)).toThrow(/target/);
  });
});

describe('grids and summaries', () => {
  it('logGrid spreads integers evenly in log d, endpoints included', () => {
    expect(logGrid(10, 1000, 3)).toEqual([10, 100, 1000]);
    expect(logGrid(100, 1600, 5)).toEqual([100, 200, 400, 800, 1600]);
    expect(logGrid(1, 3, 10)).toEqual([1, 2, 3]); // duplicates after rounding are dropped
    expect(() => logGrid(0, 10, 3)).toThrow(InvalidArgumentError);
  });

  it('refineBetween gives points strictly inside the bracket', () => {
    expect(refineBetween(100, 400, 1)).toEqual([200]);
    const r = refineBetween(100, 200, 3);
    expect(r.every((d) => d > 100 && d < 200)).toBe(true);
    expect(r.length).toBe(3);
    expect(refineBetween(10, 11, 2)).toEqual([]);
  });

  it('summarize gives mean, sample standard deviation and range', () => {
    const s = summarize(8, [0.5, 0.7, 0.6]);
    expect(s.mean).toBeCloseTo(0.6, 15);
    expect(s.std).toBeCloseTo(0.1, 15);
    expect([s.min, s.max, s.runs]).toEqual([0.5, 0.7, 3]);
    expect(summarize(8, [0.4]).std).toBe(0);
  });
});
