import seedrandom from 'seedrandom';
import { SrhtArrays } from '../../src/basis/srht-arrays';
import { shuffled } from '../../src/random';
import { uniformArray } from '../helpers';
import { equalBits } from '../linalg/wasm/bits';

/** A seeded signed permutation (to[k] = i or ~i) and its inverse, as SrhtBasis stores them. */
function signedPermutation(D: number, seed: number): [Int32Array, Int32Array] {
  const rng = seedrandom.alea(`p${seed}`);
  const order = shuffled(D, rng);
  for (let k = 0; k < D; k++) if (rng() < 0.5) order[k] = ~order[k];
  const inverse = new Int32Array(D);
  order.forEach((t, k) => (t < 0 ? (inverse[~t] = ~k) : (inverse[t] = k)));
  return [order, inverse];
}

describe("SrhtArrays: the 'simd' and 'loops' engines", () => {
  // D below, at and above the 16,384-float staging piece, odd sizes (the SIMD add's scalar tail).
  test.each([1, 3, 17, 1000, 16_384, 40_001])('give the same bits at D = %i, and the definition', (D) => {
    const [order, inverse] = signedPermutation(D, D);
    const hosts = [
      new SrhtArrays(D, 'loops'),
      new SrhtArrays(D, 'simd', true),
      new SrhtArrays(D, 'simd', false), // the large-D lift (JavaScript scatter)
    ];
    for (const h of hosts) {
      h.order.set(order);
      h.inverse.set(inverse);
    }
    expect(hosts.map((h) => h.engine)).toEqual(['loops', 'simd', 'simd']);
    const x = uniformArray(D, 1);
    const base = uniformArray(D, 2);
    // scatterIn against its definition: u[|inverse[i]|] = sign·x[i]
    const want = new Float32Array(D);
    inverse.forEach((t, i) => (t < 0 ? (want[~t] = -x[i]) : (want[t] = x[i])));
    for (const h of hosts) {
      h.scatterIn(x);
      expect(equalBits(h.u, want)).toBe(true);
    }
    // scatterOut against its definition, with and without base: out[|order[k]|] = sign·u[k] (+ base)
    const u = uniformArray(D, 3);
    const plain = new Float32Array(D);
    order.forEach((t, k) => (t < 0 ? (plain[~t] = -u[k]) : (plain[t] = u[k])));
    const withBase = plain.map((v, i) => v + base[i]); // Float32Array.map rounds each sum to float32
    for (const h of hosts) {
      h.u.set(u);
      const out = new Float32Array(D).fill(Number.NaN);
      h.scatterOut(out);
      expect(equalBits(out, plain)).toBe(true);
      h.scatterOut(out, base);
      expect(equalBits(out, withBase)).toBe(true);
    }
    // The passes leave the permutations alone.
    for (const h of hosts) expect(equalBits(h.order, order) && equalBits(h.inverse, inverse)).toBe(true);
  });
});
