import * as tf from '@tensorflow/tfjs';
import {
  Basis,
  blockBasis,
  denseBasis,
  gaussianBasis,
  hashedBasis,
  perVariableBasis,
  SrhtBasis,
  srhtBasis,
  trajectoryBasis,
  withScaleDirection,
} from '../../src';
import { gaussianArray } from '../../src/random';
import { uniformArray } from '../helpers';
import { axpy, blockDiagonal, column, dot, flatValues, gramSchmidt, liftedColumns, Matrix, withScale } from './plain-reference';

/**
 * Every basis kind of the library with the plain reference's Q for it (see plain-reference.ts): the
 * dense kinds' Q by float64 Gram–Schmidt of the same E (gaussian: E regenerated from the seed), the
 * scale directions in float64, and the structured kinds' Q (hashed, srht, trajectory) by lifting the
 * unit vectors once, then checked against the kind's definition.
 */

export interface ReferenceBasis {
  basis: Basis;
  /** The reference's Q (row-major D×d float64). */
  q: Matrix;
  /**
   * max |q − Q_basis| allowed, with the reason: 2⁻²³ where both are the float32 rounding of the same
   * float64 factor (1 ulp at |q| ≤ 1; measured: bit-identical), 0 where q is the basis' own lifted
   * Q, 8 ulp for the float32 scale directions (see SCALE_AGREEMENT).
   */
  agreement: number;
  /** Checks of a lifted Q against the basis' definition (none for an independent q). */
  check(): void;
}

const D_SUB = 12;
const ULP1 = 2 ** -23;
/**
 * The basis makes a scale direction u in float32 (two Gram–Schmidt passes over dot products of
 * length ≤ D = 119, then a normalization), the reference in float64: a few ulp apart per entry
 * (measured: 6e-8 = 1 ulp at |u| ≤ 1); 8 ulp allowed.
 */
const SCALE_AGREEMENT = 8 * 2 ** -23;

/** Hashed: every row has one non-zero, column j's non-zeros are ±1/√n_j with n_j ∈ {⌊D/d⌋, ⌈D/d⌉}. */
function checkHashed(q: Matrix, D: number, d: number): void {
  const counts = new Array<number>(d).fill(0);
  for (let i = 0; i < D; i++) {
    const nz = Array.from({ length: d }, (_, j) => j).filter((j) => q[i * d + j] !== 0);
    expect(nz).toHaveLength(1);
    counts[nz[0]]++;
  }
  counts.forEach((n) => expect([Math.floor(D / d), Math.ceil(D / d)]).toContain(n));
  for (let i = 0; i < D; i++) {
    for (let j = 0; j < d; j++) {
      if (q[i * d + j] !== 0) expect(Math.abs(q[i * d + j])).toBe(Math.fround(1 / Math.sqrt(counts[j])));
    }
  }
}

/**
 * SRHT: the columns of block b are ± the same 1/√n_b (n_b a power of two) on one common support of
 * n_b coordinates (a Hadamard column has no zeros), and the blocks' supports are disjoint.
 */
function checkSrht(basis: SrhtBasis, q: Matrix, D: number, d: number): void {
  const owner = new Array<number>(D).fill(-1);
  basis.blocks.forEach((b, bi) => {
    expect(Math.log2(b.size) % 1).toBe(0);
    const s = Math.fround(1 / Math.sqrt(b.size));
    let support: number[] | null = null;
    for (let t = 0; t < b.cols.length; t++) {
      const j = b.colOffset + t;
      const nz = Array.from({ length: D }, (_, i) => i).filter((i) => q[i * d + j] !== 0);
      nz.forEach((i) => expect(Math.abs(q[i * d + j])).toBe(s));
      expect(nz).toHaveLength(b.size);
      if (support) expect(nz).toEqual(support);
      support = nz;
    }
    support?.forEach((i) => {
      expect(owner[i]).toBe(-1);
      owner[i] = bi;
    });
  });
  expect(basis.blocks.reduce((s, b) => s + b.cols.length, 0)).toBe(d);
}

/**
 * Trajectory: Q's columns are eigenvectors of the scatter matrix C = XᵀX of the centered snapshots
 * (‖Cq − λq‖ ≤ 1e-6·trace(C): a float32 q is off by ≈ √D·2⁻²⁴ ≈ 6.5e-7, times λ_max < trace(C);
 * measured 2.3e-8), in descending order, and they are the top d: with t − 1 = d + 1 centered snapshots
 * C has rank ≤ d + 1, so the one eigenvalue left out is trace(C) − Σ λ_j, which must not exceed the
 * smallest λ_j (here 2.51e-3 against 2.69e-3 of trace(C): taking the 13th for the 12th would fail).
 */
function checkTrajectory(snapshots: Float32Array[], q: Matrix, D: number, d: number): void {
  const t = snapshots.length;
  const mean = Float64Array.from({ length: D }, (_, i) => snapshots.reduce((s, r) => s + r[i], 0) / t);
  const X = snapshots.map((r) => Float64Array.from(mean, (m, i) => r[i] - m));
  const times = (v: Float64Array) => {
    const out = new Float64Array(D);
    for (const x of X) axpy(dot(x, v), x, out);
    return out;
  };
  const trace = X.reduce((s, x) => s + dot(x, x), 0);
  const lambdas = Array.from({ length: d }, (_, j) => {
    const qj = column(q, D, d, j);
    const cq = times(qj);
    const lambda = dot(qj, cq);
    axpy(-lambda, qj, cq);
    expect(Math.sqrt(dot(cq, cq))).toBeLessThanOrEqual(1e-6 * trace);
    return lambda;
  });
  lambdas.slice(1).forEach((l, j) => expect(l).toBeLessThanOrEqual(lambdas[j] * (1 + 1e-6)));
  const leftOut = trace - lambdas.reduce((a, b) => a + b, 0);
  expect(leftOut).toBeGreaterThan(-1e-5 * trace);
  expect(leftOut).toBeLessThanOrEqual(lambdas[d - 1] * (1 + 1e-4));
}

/** A seeded random walk of t snapshots starting at θ0 (steps ±0.05, a drift along one direction). */
export function walk(theta0: Float32Array, t: number, seed: number): Float32Array[] {
  const drift = uniformArray(theta0.length, seed, 0.02);
  const out = [theta0.slice()];
  for (let s = 1; s < t; s++) {
    const step = uniformArray(theta0.length, seed + s, 0.05);
    out.push(out[s - 1].map((v, i) => v + step[i] + drift[i]));
  }
  return out;
}

const independent = (basis: Basis, q: Matrix): ReferenceBasis => ({
  basis,
  q,
  agreement: ULP1,
  check: () => undefined,
});

const lifted = (basis: Basis, check: (q: Matrix) => void): ReferenceBasis => {
  const q = liftedColumns(basis);
  return { basis, q, agreement: 0, check: () => check(q) };
};

/** Graded columns (norms 1 … 1e-3, cond ≈ 1e3): E = G·diag(10^(−3j/(d−1))). */
function gradedE(D: number, d: number, seed: number): Float32Array {
  const g = gaussianArray(D * d, seed);
  return g.map((v, k) => v * 10 ** ((-3 * (k % d)) / (d - 1)));
}

/** The gaussian part of a block: its E regenerated from the seed, its Q by float64 Gram–Schmidt. */
const gaussianQ = (D: number, d: number, seed: number) => ({ q: gramSchmidt(gaussianArray(D * d, seed), D, d), D, d });

/**
 * Every basis kind of the library, as (name, build(model)): dense (wasm storage; tensor storage
 * without the transpose), gaussian (wasm, tensor, array), hashed and srht (both computes),
 * block, perVariable with scale directions, trajectory, and a whole-model scale direction.
 */
export const REFERENCE_BASES: Array<[string, (model: tf.LayersModel) => ReferenceBasis]> = [
  // With storage 'tensor' the basis applies Q and Qᵀ by tf.matMul, as the reference's θ0 + Q·z and its
  // gradient do, on the same float32 Q (bit-identical, see `agreement`); the cpu backend's matMul sums
  // in the same order for either operand layout, so on cpu those rows agree to the bit (difference 0)
  // without sharing code. Every other kind and backend rounds differently (measured: never 0).
  ...(['wasm', 'tensor'] as const).map((storage): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `dense (graded E, ${storage} storage)`,
    (m) => {
      const D = m.countParams();
      const E = gradedE(D, D_SUB, 21);
      const e = tf.tensor2d(E, [D, D_SUB]);
      const basis = denseBasis(e, { storage, keepTranspose: false });
      e.dispose();
      return independent(basis, gramSchmidt(E, D, D_SUB));
    },
  ]),
  ...(['wasm', 'tensor', 'array'] as const).map((storage): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `gaussian (${storage} storage)`,
    (m) => independent(gaussianBasis(m.countParams(), D_SUB, { seed: 11, storage }), gaussianQ(m.countParams(), D_SUB, 11).q),
  ]),
  ...(['arrays', 'tf'] as const).map((compute): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `hashed (compute '${compute}')`,
    (m) => lifted(hashedBasis(m.countParams(), D_SUB, { seed: 11, compute }), (q) => checkHashed(q, m.countParams(), D_SUB)),
  ]),
  ...(['arrays', 'tf'] as const).map((compute): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `srht (compute '${compute}')`,
    (m) => {
      const basis = srhtBasis(m.countParams(), D_SUB, { seed: 11, compute });
      return lifted(basis, (q) => checkSrht(basis, q, m.countParams(), D_SUB));
    },
  ]),
  [
    'block (gaussian | srht)',
    (m) => {
      const D = m.countParams();
      const [D1, d1] = [Math.floor(D / 3), Math.floor(D_SUB / 3)];
      const basis = blockBasis([gaussianBasis(D1, d1, { seed: 11 }), srhtBasis(D - D1, D_SUB - d1, { seed: 12 })]);
      const srhtPart = basis.parts[1] as SrhtBasis;
      const srhtQ = liftedColumns(srhtPart);
      return {
        basis,
        q: blockDiagonal([gaussianQ(D1, d1, 11), { q: srhtQ, D: D - D1, d: D_SUB - d1 }]),
              agreement: ULP1,
        check: () => checkSrht(srhtPart, srhtQ, D - D1, D_SUB - d1),
      };
    },
  ],
  [
    'perVariable (gaussian parts, scales)',
    (m) => {
      const dims = [4, 1, 6, 1]; // + one scale direction each: 5, 2, 7, 2 (d = 16)
      const basis = perVariableBasis(m, (size, i) => gaussianBasis(size, dims[i], { seed: 30 + i }), { scales: true });
      const values = m.trainableWeights.map((w) => w.read().dataSync());
      const blocks = values.map((w, i) => {
        const g = gaussianQ(w.length, dims[i], 30 + i);
        return { q: withScale(g.q, g.D, g.d, w), D: g.D, d: g.d + 1 };
      });
      return { basis, q: blockDiagonal(blocks), agreement: SCALE_AGREEMENT, check: () => undefined };
    },
  ],
  [
    'trajectory',
    (m) => {
      const snapshots = walk(flatValues(m), D_SUB + 2, 40);
      const basis = trajectoryBasis(snapshots, D_SUB);
      return lifted(basis, (q) => checkTrajectory(snapshots, q, m.countParams(), D_SUB));
    },
  ],
  [
    'scaled (gaussian + the direction of θ0)',
    (m) => {
      const D = m.countParams();
      const theta0 = tf.tidy(() => tf.tensor1d(flatValues(m)));
      const basis = withScaleDirection(gaussianBasis(D, D_SUB - 1, { seed: 11 }), theta0);
      theta0.dispose();
      const q = withScale(gaussianQ(D, D_SUB - 1, 11).q, D, D_SUB - 1, flatValues(m));
      return { basis, q, agreement: SCALE_AGREEMENT, check: () => undefined };
    },
  ],
];
