import * as tf from '@tensorflow/tfjs';
import * as math from 'mathjs';
import {
  denseBasis,
  InvalidArgumentError,
  InvalidDimensionError,
  NonFiniteError,
  orthonormalize,
  RankDeficientError,
  thinQr,
} from '../../src';
import { useBackend } from '../helpers';
import { execFileSync } from 'child_process';
import * as path from 'path';
import { gaussianArray } from '../../src/random';
import { orthonormalityError } from './orthonormality';

/** thinQr in a plain Node process (see qr-check.ts): the large sizes at full speed. */
function checkInNode(D: number, d: number, seed: number): { orthonormality: number; minDiagR: number } {
  const out = execFileSync(
    process.execPath,
    ['-r', 'ts-node/register/transpile-only', path.join(__dirname, 'qr-check.ts'), `${D}`, `${d}`, `${seed}`],
    { encoding: 'utf8', cwd: path.join(__dirname, '..', '..'), timeout: 300_000 },
  );
  return JSON.parse(out);
}

function toRows(a: ArrayLike<number>, D: number, d: number): number[][] {
  return Array.from({ length: D }, (_, i) => Array.from({ length: d }, (_, j) => a[i * d + j]));
}

describe('thinQr (float64: Cholesky-QR on the Gram route, Gram–Schmidt twice otherwise)', () => {
  // ‖QᵀQ − I‖∞ ≤ 1e-6 for the float32 Q at every size (docs/concepts.md, "Numerics"). The float64 factorization is
  // orthonormal to ~1e-15; rounding Q to float32 (relative 6e-8 per entry) is what remains.
  test.each([
    [10, 1],
    [10, 10],
    [257, 13],
    [1000, 100],
  ])('QᵀQ = I to 1e-6 at %i×%i', (D, d) => {
    const E = gaussianArray(D * d, D + d);
    const { q, r, kept } = thinQr(E, D, d);
    expect(kept).toHaveLength(d);
    expect(orthonormalityError(q, D, d)).toBeLessThanOrEqual(1e-6);
    for (let j = 0; j < d; j++) expect(r[j * d + j]).toBeGreaterThan(0);
  });

  test.each([
    [10_000, 100],
    [100_000, 100],
    [20_000, 500],
    [100_000, 200], // 10⁵×500 took minutes here, nearly all of it the plain-loop check in the child
  ])('QᵀQ = I to 1e-6 at %i×%i (in a Node child process)', (D, d) => {
    const r = checkInNode(D, d, D + d);
    expect(r.orthonormality).toBeLessThanOrEqual(1e-6);
    expect(r.minDiagR).toBeGreaterThan(0);
  });

  test('agrees with mathjs (an independent Householder QR in float64) on small matrices', () => {
    for (const [D, d, seed] of [
      [30, 5, 1],
      [64, 17, 2],
      [20, 20, 3],
    ]) {
      const E = gaussianArray(D * d, seed);
      const { q, r } = thinQr(E, D, d);
      const ref = math.qr(math.matrix(toRows(E, D, d)));
      const Qm = (ref.Q as math.Matrix).toArray() as number[][];
      const Rm = (ref.R as math.Matrix).toArray() as number[][];
      // mathjs returns a full D×D Q; make the thin factor unique with diag(R) > 0.
      for (let j = 0; j < d; j++) {
        const s = Math.sign(Rm[j][j]);
        for (let i = 0; i < D; i++) {
          // Q: float32 rounding of unit-norm entries (≤ 6e-8 each) plus float64 noise: 1e-6.
          expect(Math.abs(q[i * d + j] - s * Qm[i][j])).toBeLessThanOrEqual(1e-6);
        }
        for (let k = j; k < d; k++) {
          // R: float64 on both sides; entries are O(√D), agreement to 1e-9 relative.
          expect(Math.abs(r[j * d + k] - s * Rm[j][k])).toBeLessThanOrEqual(1e-9 * Math.sqrt(D));
        }
      }
    }
  });

  test('reconstructs E: ‖QR − E‖_F ≤ 1e-6·‖E‖_F', () => {
    const D = 500;
    const d = 40;
    const E = gaussianArray(D * d, 9);
    const { q, r } = thinQr(E, D, d);
    let num = 0;
    let den = 0;
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k <= j; k++) s += q[i * d + k] * r[k * d + j];
        num += (s - E[i * d + j]) ** 2;
        den += E[i * d + j] ** 2;
      }
    }
    expect(Math.sqrt(num / den)).toBeLessThanOrEqual(1e-6);
  });

  /** E = U·diag(σ)·Vᵀ (D×d) with σ geometric from 1 down to 1/cond; U, V orthonormal (mathjs, float64). */
  function conditioned(D: number, d: number, cond: number): Float64Array {
    const U = (math.qr(math.matrix(toRows(gaussianArray(D * d, 4), D, d))).Q as math.Matrix).toArray() as number[][];
    const V = (math.qr(math.matrix(toRows(gaussianArray(d * d, 5), d, d))).Q as math.Matrix).toArray() as number[][];
    const sigma = Array.from({ length: d }, (_, j) => cond ** (-j / (d - 1)));
    const E = new Float64Array(D * d);
    for (let i = 0; i < D; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += U[i][k] * sigma[k] * V[j][k];
        E[i * d + j] = s;
      }
    }
    return E;
  }

  test('an ill-conditioned basis (cond 1e6: the Gram–Schmidt route) still gives QᵀQ = I to 1e-6', () => {
    const E = conditioned(400, 30, 1e6);
    const res = thinQr(E, 400, 30);
    expect(res.method).toBe('gram-schmidt');
    expect(orthonormalityError(res.q, 400, 30)).toBeLessThanOrEqual(1e-6);
  });

  test('one pass is used only when it suffices: cond 300 (one pass) and forced second pass agree', () => {
    // cond₂ 300 < 1e3: the Gram route; one Cholesky-QR pass loses ≈ ε·cond² ≈ 2e-11, and its check passes.
    const E = conditioned(300, 20, 300);
    const one = thinQr(E, 300, 20);
    const two = thinQr(E, 300, 20, { secondPass: 'always' });
    expect([one.passes, two.passes]).toEqual([1, 2]);
    expect(orthonormalityError(one.q, 300, 20)).toBeLessThanOrEqual(1e-6);
    expect(orthonormalityError(two.q, 300, 20)).toBeLessThanOrEqual(1e-6);
    // Both are the unique Q with diag(R) > 0, so they agree to float32 rounding.
    one.q.forEach((v, i) => expect(Math.abs(v - two.q[i])).toBeLessThanOrEqual(1e-6));
  });

  test('a rank-deficient basis is rejected, naming the dependent columns', () => {
    const D = 50;
    const d = 6;
    const E = gaussianArray(D * d, 3);
    for (let i = 0; i < D; i++) {
      E[i * d + 2] = E[i * d + 0]; // column 2 duplicates column 0
      E[i * d + 5] = 0.5 * E[i * d + 1] - 2 * E[i * d + 3]; // column 5 combines 1 and 3
    }
    let caught: unknown;
    try {
      thinQr(E, D, d);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(RankDeficientError);
    expect((caught as RankDeficientError).columns).toEqual([2, 5]);
    expect((caught as Error).message).toMatch(/column\(s\) 2, 5 .*dropDependent/);
    const dropped = thinQr(E, D, d, { dropDependent: true });
    expect(dropped.kept).toEqual([0, 1, 3, 4]);
    expect(dropped.dropped).toEqual([2, 5]);
    expect(orthonormalityError(dropped.q, D, 4)).toBeLessThanOrEqual(1e-6);
  });

  test('zero columns are dependent too', () => {
    const E = new Float32Array(10 * 2);
    for (let i = 0; i < 10; i++) E[i * 2] = i + 1;
    expect(() => thinQr(E, 10, 2)).toThrow(/column\(s\) 1 /);
    expect(() => thinQr(new Float32Array(10), 10, 1)).toThrow(RankDeficientError);
  });

  test('bad shapes and values get typed errors that say what to do', () => {
    expect(() => thinQr(new Float32Array(6), 2, 3)).toThrow(InvalidDimensionError);
    expect(() => thinQr(new Float32Array(6), 2, 3)).toThrow(/d = 3 > D = 2.*Use d ≤ 2/);
    expect(() => thinQr(new Float32Array(0), 5, 0)).toThrow(/d = 0 columns/);
    expect(() => thinQr(new Float32Array(5), 2, 3)).toThrow(InvalidArgumentError);
    const E = gaussianArray(40, 1);
    E[13] = NaN;
    E[22] = Infinity;
    expect(() => thinQr(E, 10, 4)).toThrow(NonFiniteError);
    expect(() => thinQr(E, 10, 4)).toThrow(/row 3, column 1; columns 1, 2/);
    expect(() => thinQr(gaussianArray(40, 1), 10, 4, { rankTol: 1e-9 })).toThrow(/rankTol must lie in/);
  });
});

/**
 * The thin QR's errors name the function the user called (thinQrFor threads it from orthonormalize,
 * denseBasis, gaussianBasis and trajectoryBasis; the last two check their sizes first, so on a seeded
 * Gaussian or a trajectory of full rank the QR has nothing left to refuse), and its old option
 * spelling throws.
 */
describe('thinQr: error messages name the caller', () => {
  beforeAll(() => useBackend('cpu'));

  test.each([
    ['thinQr', (E: Float32Array, opts = {}) => thinQr(E, 10, 4, opts)],
    ['orthonormalize', (E: Float32Array, opts = {}) => tf.tidy(() => orthonormalize(tf.tensor2d(E, [10, 4]), opts))],
    [
      'denseBasis',
      (E: Float32Array, opts = {}) => {
        const t = tf.tensor2d(E, [10, 4]);
        try {
          return denseBasis(t, opts);
        } finally {
          t.dispose();
        }
      },
    ],
  ] as const)('%s: rank, non-finite and option errors start with its name; nothing left', (where, run) => {
    const start = tf.memory().numTensors;
    const dependent = gaussianArray(40, 2);
    for (let i = 0; i < 10; i++) dependent[i * 4 + 3] = 2 * dependent[i * 4];
    expect(() => run(dependent)).toThrow(RankDeficientError);
    expect(() => run(dependent)).toThrow(new RegExp(`^${where}: the basis is rank deficient: column\\(s\\) 3 `));
    const bad = gaussianArray(40, 2);
    bad[5] = NaN;
    expect(() => run(bad)).toThrow(new RegExp(`^${where}: the basis contains NaN or Infinity`));
    expect(() => run(gaussianArray(40, 2), { rankTol: 2 })).toThrow(new RegExp(`^${where}: rankTol must lie in`));
    expect(() => run(gaussianArray(40, 2), { kernel: 'js' } as never)).toThrow(InvalidArgumentError);
    expect(() => run(gaussianArray(40, 2), { kernel: 'js' } as never)).toThrow(
      `${where}: option 'kernel' is now called 'engine' (kernel 'js' is now engine 'loops'); pass { engine: 'auto' | 'loops' }.`,
    );
    expect(() => run(gaussianArray(40, 2), { engine: 'js' } as never)).toThrow(`${where}: engine must be 'auto' or 'loops', got "js".`);
    expect(() => run(gaussianArray(40, 2), { secondPass: 'never' } as never)).toThrow(`${where}: secondPass must be 'auto' or 'always', got "never".`);
    expect(tf.memory().numTensors).toBe(start);
  });

  test("engine 'loops' and 'auto' give the same Q up to the order of float64 sums", () => {
    const E = gaussianArray(300 * 8, 4);
    const [a, b] = [thinQr(E, 300, 8), thinQr(E, 300, 8, { engine: 'loops' })];
    // Both are the unique Q with diag(R) > 0 of one float32 E; entries ≈ 1/√300 agree to float32 rounding.
    for (let i = 0; i < a.q.length; i++) expect(Math.abs(a.q[i] - b.q[i])).toBeLessThanOrEqual(1e-6);
  });
});
