import { fwht, fwhtPlain } from '../../src/linalg/fwht';
import { uniformArray } from '../helpers';

describe('fwht (JavaScript, float32)', () => {
  test.each([1, 2, 4, 8, 32, 1 << 13, 1 << 14, 1 << 16])(
    'cache-blocked radix-4 gives the plain butterfly loop bit for bit, and H·x, at n = %i',
    (n) => {
      const x = uniformArray(n, n);
      const a = x.slice();
      const b = x.slice();
      fwht(a, 0, n);
      fwhtPlain(b, 0, n);
      // Same float32 roundings stage by stage (the fused sums are rounded between the two stages).
      expect(Array.from(a)).toEqual(Array.from(b));
      if (n <= 256) {
        // Against the definition H[i, j] = (−1)^popcount(i & j), summed in float64. Each of the
        // log2(n) stages rounds partial sums of magnitude ≤ n·max|x| (max|x| ≤ 1) by ≤ 2⁻²⁴ relative.
        const tol = Math.max(1, Math.log2(n)) * n * 2 ** -24;
        for (let i = 0; i < n; i++) {
          let s = 0;
          for (let j = 0; j < n; j++) s += (bitParity(i & j) ? -1 : 1) * x[j];
          expect(Math.abs(a[i] - s)).toBeLessThanOrEqual(tol);
        }
      }
      // Applying it twice gives n·x (H² = nI), up to the float32 roundings of 2·log2(n) stages.
      fwht(a, 0, n);
      let gap = 0;
      for (let i = 0; i < n; i++) gap = Math.max(gap, Math.abs(a[i] / n - x[i]));
      expect(gap).toBeLessThanOrEqual(2 * Math.max(1, Math.log2(n)) * 2 ** -24 * Math.sqrt(n));
    },
  );

  test('works on a segment in the middle of an array, leaving the rest alone', () => {
    const x = Float32Array.from([9, 1, 2, 3, 4, 9]);
    fwht(x, 1, 4);
    expect(Array.from(x)).toEqual([9, 10, -2, -4, 0, 9]);
  });
});

function bitParity(v: number): boolean {
  let p = false;
  for (; v; v &= v - 1) p = !p;
  return p;
}
