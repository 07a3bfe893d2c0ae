import { InvalidArgumentError } from '../../src';
import { bootstrapDimension, crossing } from '../../src/intrinsic';

const curve = (points: Array<[number, number]>) => new Map(points);

describe('bootstrapDimension (percentile bootstrap of d_int over seeds)', () => {
  it('collapses to d_int when every seed gives the same curve', () => {
    const c = curve([[10, 0.5], [20, 0.8], [40, 0.95]]);
    const r = bootstrapDimension({ baselines: new Map([[0, 1], [1, 1], [2, 1]]), curves: new Map([[0, c], [1, c], [2, c]]) }, 0.9, 500);
    const dInt = crossing([...c].map(([d, mean]) => ({ d, mean })), 0.9).dInt!;
    expect(r).toEqual({ low: dInt, high: dInt, level: 0.95, resamples: 500, notReached: 0 });
  });

  it('spans the two seeds\' own d_int with two seeds (each is redrawn twice with probability 1/4)', () => {
    const a = curve([[10, 0.5], [20, 0.95], [40, 0.97]]);
    const b = curve([[10, 0.4], [20, 0.6], [40, 0.95]]);
    const own = (c: Map<number, number>, base: number) => crossing([...c].map(([d, mean]) => ({ d, mean })), 0.9 * base).dInt!;
    const r = bootstrapDimension({ baselines: new Map([[0, 1], [1, 0.98]]), curves: new Map([[0, a], [1, b]]) }, 0.9, 2000);
    // Resamples are {a,a}, {b,b} or a mixture; the mixture's d_int lies between, so the 2.5 % and
    // 97.5 % points are exactly the single-seed values (each has ≈ 25 % of the mass).
    expect(r.low).toBeCloseTo(own(a, 1), 12);
    expect(r.high).toBeCloseTo(own(b, 0.98), 12);
    expect(r.notReached).toBe(0);
    // Seeded: the same inputs give the same interval.
    expect(bootstrapDimension({ baselines: new Map([[0, 1], [1, 0.98]]), curves: new Map([[0, a], [1, b]]) }, 0.9, 2000)).toEqual(r);
  });

  it('leaves the upper end open when resamples that never reach the target are more than 2.5 %', () => {
    const a = curve([[10, 0.5], [20, 0.95]]);
    const never = curve([[10, 0.3], [20, 0.5]]);
    const r = bootstrapDimension({ baselines: new Map([[0, 1], [1, 1]]), curves: new Map([[0, a], [1, never]]) }, 0.9, 4000);
    expect(r.high).toBeNull();
    expect(r.low).toBeCloseTo(10 + (10 * 0.4) / 0.45, 12);
    // {never, never} has probability 1/4; the mixture (0.4, 0.725) does not reach 0.9 either: 3/4 in all.
    expect(Math.abs(r.notReached - 0.75)).toBeLessThan(0.03); // binomial sd √(0.1875/4000) ≈ 0.007: 4 sd
  });

  it('rejects one seed, missing baselines or missing d with messages that name the fix', () => {
    const c = curve([[10, 0.5]]);
    expect(() => bootstrapDimension({ baselines: new Map([[0, 1]]), curves: new Map([[0, c]]) }, 0.9)).toThrow(/at least 2 seeds/);
    expect(() => bootstrapDimension({ baselines: new Map([[0, 1]]), curves: new Map([[0, c], [1, c]]) }, 0.9)).toThrow(/seed 1 has no baseline/);
    expect(() => bootstrapDimension({ baselines: new Map([[0, 1], [1, 1]]), curves: new Map([[0, c], [1, curve([[20, 0.5]])]]) }, 0.9)).toThrow(/every seed needs every d/);
    expect(() => bootstrapDimension({ baselines: new Map([[0, 1], [1, 1]]), curves: new Map([[0, c], [1, c]]) }, 0.9, 10, 1)).toThrow(InvalidArgumentError);
  });
});
