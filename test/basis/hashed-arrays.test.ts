import { HashedArrays } from '../../src/basis/hashed-arrays';
import { hashedAssignment } from '../../src/basis/hashed';
import { uniformArray } from '../helpers';
import { equalBits } from '../linalg/wasm/bits';

describe("HashedArrays: the 'simd' and 'loops' engines", () => {
  test.each([
    [1, 1],
    [17, 5],
    [1000, 7],
    [40_001, 300],
  ])('give the same bits at D = %i, d = %i, and the definition', (D, d) => {
    const { order, weights } = hashedAssignment(D, d, D);
    const col = new Int32Array(D);
    order.forEach((i, k) => (col[i] = k % d));
    const js = new HashedArrays(D, d, 'loops');
    const simd = new HashedArrays(D, d, 'simd');
    for (const h of [js, simd]) {
      h.col.set(col);
      h.w.set(weights);
    }
    expect([js.engine, simd.engine]).toEqual(['loops', 'simd']);
    const x = uniformArray(D, 1);
    const z = uniformArray(d, 2);
    const base = uniformArray(D, 3);
    // Qᵀx summed in float64 in coordinate order, then rounded (the definition, written out here).
    const sums = new Float64Array(d);
    for (let i = 0; i < D; i++) sums[col[i]] += weights[i] * x[i];
    const c = Float32Array.from(sums);
    expect(equalBits(js.project(x), c)).toBe(true);
    expect(equalBits(simd.project(x), c)).toBe(true);
    expect(equalBits(simd.project(x), c)).toBe(true); // the float64 sums restart at zero each call
    const lifted = Float32Array.from(col, (j, i) => weights[i] * z[j]);
    const withBase = Float32Array.from(lifted, (v, i) => base[i] + v);
    for (const h of [js, simd]) {
      const out = new Float32Array(D).fill(Number.NaN);
      h.liftInto(z, out);
      expect(equalBits(out, lifted)).toBe(true);
      h.liftInto(z, out, base);
      expect(equalBits(out, withBase)).toBe(true);
    }
  });
});
