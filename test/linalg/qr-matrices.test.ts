import { NonFiniteError, RankDeficientError, thinQr } from '../../src';
import { ThinQrOptions } from '../../src/linalg/qr';
import { gaussianArray } from '../../src/random';
import { conditioned, householder, kahan, lowRank, minusOnes, orthonormalColumns, times } from './qr-inputs';
import { orthonormality, referenceRank, spanResidual } from './qr-reference';

/**
 * The thin QR on hard inputs, each checked against the independent MGS2 reference of qr-reference.ts:
 * the reported rank (the kept columns) must equal the reference's greedy rank, Q must be orthonormal
 * (‖QᵀQ − I‖∞ ≤ 1e-6, the contract, measured in float64 on the float32 Q), and every kept column of
 * E must lie in span(Q) to float32 accuracy: rounding Q to float32 moves it by ‖ΔQ‖₂ ≤ 2⁻²⁴·√k, and
 * e_j = Q·R_j with ‖R_j‖ = ‖e_j‖, so ‖e_j − QQᵀe_j‖ ≤ 2⁻²⁴·√k·‖e_j‖ (2× margin below). A dropped
 * column lies within rankTol of the span of the kept ones before it (plus the same rounding).
 */
const RANK_TOL = 1e-6;
const spanTol = (k: number) => 2 ** -23 * Math.sqrt(k);

function check(E: ArrayLike<number> & (Float32Array | Float64Array), D: number, n: number, opts: ThinQrOptions = {}) {
  const tol = opts.rankTol ?? RANK_TOL;
  const ref = referenceRank(E, D, n, tol);
  const res = thinQr(E, D, n, { ...opts, dropDependent: true });
  expect(res.kept).toEqual(ref.kept);
  expect(res.dropped).toEqual(ref.dependent);
  const k = res.kept.length;
  const o = orthonormality(res.q, D, k);
  expect(o.inf).toBeLessThanOrEqual(1e-6);
  expect(res.orthogonality).toBeCloseTo(o.inf, 9); // the check it reports is the real one
  expect(spanResidual(res.q, D, k, E, n, res.kept)).toBeLessThanOrEqual(spanTol(k));
  if (res.dropped.length > 0) {
    expect(spanResidual(res.q, D, k, E, n, res.dropped)).toBeLessThanOrEqual(tol + spanTol(k));
    expect(() => thinQr(E, D, n, opts)).toThrow(RankDeficientError);
  } else {
    expect(thinQr(E, D, n, opts).kept).toHaveLength(n); // accepted without dropDependent
  }
  for (let p = 0; p < k; p++) expect(res.r[p * k + p]).toBeGreaterThan(0);
  return { res, ref };
}

describe('thinQr on the Kahan family (the inputs of issue 13)', () => {
  test.each([30, 40])('H·[U; 0], U unit upper triangular with −1 above the diagonal, n = %i, D = n + 10', (n) => {
    const D = n + 10;
    const E = householder(minusOnes(D, n), D, n, n);
    const { res, ref } = check(E, D, n);
    // Every column is at relative distance ≥ 0.13 from the span of the ones before it: full rank.
    expect(Math.min(...ref.distance)).toBeGreaterThan(0.1);
    expect(res.kept).toHaveLength(n);
    expect(res.method).toBe('gram-schmidt'); // cond(E) ≈ 1e9+: not the Gram route
    // The same in float32 storage of E.
    check(Float32Array.from(E), D, n);
  });

  test.each([30, 40])('G·U with G a 2000×n Gaussian, n = %i', (n) => {
    const E = times(gaussianArray(2000 * n, 7), 2000, n, minusOnes(n, n), n);
    const { res } = check(E, 2000, n);
    expect(res.kept).toHaveLength(n);
  });

  test.each([
    [1.2, 60],
    [1.2, 200],
    [1.35, 100],
    [1.35, 200],
  ])('classic Kahan matrix θ = %f, n = %i', (theta, n) => {
    check(kahan(theta, n), n, n);
  });
});

describe('thinQr on graded, nearly parallel and rank-deficient columns', () => {
  test('graded columns: norms 1 … 1e-7 (full rank, scale does not matter)', () => {
    const D = 3000;
    const n = 15;
    const E = gaussianArray(D * n, 11);
    for (let i = 0; i < D; i++) for (let j = 0; j < n; j++) E[i * n + j] *= 10 ** ((-7 * j) / (n - 1));
    const { res } = check(E, D, n);
    expect(res.kept).toHaveLength(n);
  });

  test('nearly parallel pairs at angles 1e-2 … 1e-8: dependent exactly when sin(angle) < rankTol', () => {
    const D = 2000;
    const angles = [1e-2, 1e-3, 1e-4, 1e-5, 3e-6, 3e-7, 3e-8, 1e-8];
    const n = 2 * angles.length;
    const base = orthonormalColumns(D, n, 12);
    const E = new Float64Array(D * n);
    angles.forEach((a, p) => {
      for (let i = 0; i < D; i++) {
        E[i * n + 2 * p] = base[i * n + 2 * p];
        E[i * n + 2 * p + 1] = Math.cos(a) * base[i * n + 2 * p] + Math.sin(a) * base[i * n + 2 * p + 1];
      }
    });
    const { res } = check(E, D, n);
    const expected = angles.flatMap((a, p) => (Math.sin(a) < RANK_TOL ? [2 * p + 1] : []));
    expect(res.dropped).toEqual(expected);
    expect(res.dropped).toEqual([11, 13, 15]);
    // With rankTol 1e-7 the 3e-7 pair is kept too (and Q is still orthonormal to 1e-6).
    expect(check(E, D, n, { rankTol: 1e-7 }).res.dropped).toEqual([13, 15]);
  });

  test.each([
    [3000, 30, 12],
    [100_000, 12, 5],
  ])('A·B + 1e-9 noise (%i×%i, numerical rank %i) reports exactly that rank', (D, n, r) => {
    const { res } = check(lowRank(D, n, r, 1e-9), D, n);
    expect(res.kept).toEqual(Array.from({ length: r }, (_, j) => j)); // greedy: B's first r columns are independent
  });

  test('trajectory-like snapshot differences θ_t − θ_0 (strongly correlated, decaying steps)', () => {
    const D = 20_000;
    const n = 24;
    const steps = gaussianArray(D * n, 31);
    const drift = gaussianArray(D, 32);
    const E = new Float64Array(D * n);
    const theta = new Float64Array(D);
    for (let t = 0; t < n; t++) {
      const lr = 0.1 / (1 + t);
      for (let i = 0; i < D; i++) {
        theta[i] += lr * (drift[i] + 0.05 * steps[i * n + t]);
        E[i * n + t] = theta[i];
      }
    }
    const { ref } = check(E, D, n);
    // The reference's distances stay away from the tolerance (no coin flip at the threshold).
    for (const x of ref.distance) expect(Math.abs(Math.log10(x / RANK_TOL))).toBeGreaterThan(0.5);
  });

  test.each([1e2, 1e4, 1e6, 1e8, 1e10, 1e12])('cond sweep: U·diag(σ)·Vᵀ with cond %s (2000×20)', (cond) => {
    const D = 2000;
    const n = 20;
    const { res } = check(conditioned(D, n, cond), D, n);
    if (cond <= 1e2) expect(res.method).toBe('cholesky');
    if (cond <= 1e6) expect(res.kept).toHaveLength(n); // every greedy distance ≥ σ_min = 1/cond ≥ rankTol
  });
});

describe('thinQr on degenerate input', () => {
  test('zero columns are dependent (named, dropped with dropDependent)', () => {
    const D = 500;
    const n = 6;
    const E = gaussianArray(D * n, 51);
    for (let i = 0; i < D; i++) E[i * n + 1] = E[i * n + 4] = 0;
    const { res } = check(E, D, n);
    expect(res.dropped).toEqual([1, 4]);
    expect(() => thinQr(E, D, n)).toThrow(/column\(s\) 1, 4 \(0-based\).*4 independent column\(s\) remain.*dropDependent/);
  });

  test('float64 columns of size 1e200 and 1e-200 (squares over- and underflow): scale does not matter', () => {
    const D = 400;
    const n = 4;
    const E = Float64Array.from(gaussianArray(D * n, 53), (x, i) => x * [1e200, 1, 1e-200, 1e-300][i % n]);
    const res = thinQr(E, D, n);
    expect(res.kept).toEqual([0, 1, 2, 3]);
    expect(orthonormality(res.q, D, n).inf).toBeLessThanOrEqual(1e-6);
    // The same directions as the unscaled matrix (Q is unique): equal up to float32 rounding.
    const plain = thinQr(gaussianArray(D * n, 53), D, n);
    let diff = 0;
    for (let i = 0; i < D * n; i++) diff = Math.max(diff, Math.abs(res.q[i] - plain.q[i]));
    expect(diff).toBeLessThanOrEqual(1e-6);
  });

  test('NaN or Infinity: a NonFiniteError naming row and columns, E untouched', () => {
    const E = gaussianArray(300 * 5, 52);
    E[7 * 5 + 3] = NaN;
    E[9 * 5 + 1] = -Infinity;
    const copy = E.slice();
    expect(() => thinQr(E, 300, 5)).toThrow(NonFiniteError);
    expect(() => thinQr(E, 300, 5, { dropDependent: true })).toThrow(/first at row 7, column 3; columns 1, 3\).*Replace/);
    expect(E).toEqual(copy);
  });
});

describe('thinQr at 10⁵ rows', () => {
  test("a 100000×24 Gaussian on the Gram route: the 'simd' engine against 'loops'", () => {
    const D = 100_000;
    const n = 24;
    const E = gaussianArray(D * n, 61);
    const a = thinQr(E, D, n);
    const b = thinQr(E, D, n, { engine: 'loops' });
    expect([a.method, b.method]).toEqual(['cholesky', 'cholesky']);
    expect(orthonormality(a.q, D, n).inf).toBeLessThanOrEqual(1e-6);
    // Both are the unique Q with diag(R) > 0 of the same float32 E: equal up to float32 rounding of
    // entries ≈ 1/√D (the float64 sums differ only in their order).
    let diff = 0;
    for (let i = 0; i < a.q.length; i++) diff = Math.max(diff, Math.abs(a.q[i] - b.q[i]));
    expect(diff).toBeLessThanOrEqual(1e-7);
  });
});
