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

/**
 * A reference for the equivalence table that shares no code with the bases or the wrappers:
 * Q (D×d) is built once before training — independently from the basis' definition where that is
 * cheap (float64 Gram–Schmidt of the same E for dense bases), else by lifting the unit vectors once
 * and checking the result against the definition — and training runs θ(z) = θ0 + Q·z with plain tf
 * ops (matMul, add, slice, reshape) through a hand-written forward pass of the test model.
 */

/** Row-major D×d float64 matrices throughout. */
export type Matrix = Float64Array;

/**
 * Thin QR's Q of E (row-major D×d) by classical Gram–Schmidt with one reorthogonalization
 * ("twice is enough", Giraud et al. 2005), in float64: orthonormal to O(eps64) for any E that is
 * numerically full rank, with diag(R) > 0 (so Q is the unique thin-QR factor, as the bases define it).
 */
export function gramSchmidt(E: ArrayLike<number>, D: number, d: number): Matrix {
  const cols = Array.from({ length: d }, (_, j) => Float64Array.from({ length: D }, (_, i) => E[i * d + j]));
  const q: Float64Array[] = [];
  cols.forEach((e, j) => {
    const v = e.slice();
    for (let pass = 0; pass < 2; pass++) {
      const r = q.map((qk) => dot(qk, v)); // classical: all coefficients from the same v
      q.forEach((qk, k) => axpy(-r[k], qk, v));
    }
    const n = Math.sqrt(dot(v, v));
    if (!(n > 1e-10 * Math.sqrt(dot(e, e)))) throw new Error(`gramSchmidt: column ${j} is dependent`);
    q.push(v.map((x) => x / n));
  });
  return fromColumns(q, D);
}

/** Q's columns as a row-major D×d matrix. */
export function fromColumns(columns: ArrayLike<number>[], D: number): Matrix {
  const d = columns.length;
  const out = new Float64Array(D * d);
  columns.forEach((c, j) => {
    for (let i = 0; i < D; i++) out[i * d + j] = c[i];
  });
  return out;
}

/** Column j of a row-major D×d matrix. */
export function column(q: Matrix, D: number, d: number, j: number): Float64Array {
  return Float64Array.from({ length: D }, (_, i) => q[i * d + j]);
}

/** The basis' Q, read by lifting each unit vector e_j once (no other use of the basis' code). */
export function liftedColumns(basis: Basis): Matrix {
  const { ambientDim: D, dim: d } = basis;
  const columns = Array.from({ length: d }, (_, j) => {
    const qj = tf.tidy(() => basis.lift(tf.oneHot(tf.tensor1d([j], 'int32'), d).reshape([d]).toFloat() as tf.Tensor1D));
    const values = qj.dataSync().slice();
    qj.dispose();
    return values;
  });
  return fromColumns(columns, D);
}

/** ‖QᵀQ − I‖∞ (the largest entry), in float64. */
export function orthonormalityError(q: Matrix, D: number, d: number): number {
  let worst = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) {
      let s = 0;
      for (let i = 0; i < D; i++) s += q[i * d + a] * q[i * d + b];
      worst = Math.max(worst, Math.abs(s - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

/** max |a − b| over two arrays of the same length. */
export function maxDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Block-diagonal assembly of row-major blocks (D_i×d_i). */
export function blockDiagonal(blocks: Array<{ q: Matrix; D: number; d: number }>): Matrix {
  const D = blocks.reduce((s, b) => s + b.D, 0);
  const d = blocks.reduce((s, b) => s + b.d, 0);
  const out = new Float64Array(D * d);
  let [row, col] = [0, 0];
  for (const b of blocks) {
    for (let i = 0; i < b.D; i++) for (let j = 0; j < b.d; j++) out[(row + i) * d + col + j] = b.q[i * b.d + j];
    row += b.D;
    col += b.d;
  }
  return out;
}

/** [Q, u] with u the unit direction of w orthogonal to span(Q) (Gram–Schmidt twice, float64). */
export function withScale(q: Matrix, D: number, d: number, w: ArrayLike<number>): Matrix {
  const columns = Array.from({ length: d }, (_, j) => column(q, D, d, j));
  const u = Float64Array.from(w);
  for (let pass = 0; pass < 2; pass++) {
    const r = columns.map((c) => dot(c, u));
    columns.forEach((c, k) => axpy(-r[k], c, u));
  }
  const n = Math.sqrt(dot(u, u));
  return fromColumns([...columns, u.map((x) => x / n)], D);
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function axpy(alpha: number, x: ArrayLike<number>, y: Float64Array): void {
  for (let i = 0; i < y.length; i++) y[i] += alpha * x[i];
}

// ---------------------------------------------------------------------------------------------
// The test model, written out as tf ops.

/** convDenseModel's weights in trainableWeights order: conv kernel, conv bias, dense kernel, dense bias. */
export const CONV_DENSE_SHAPES: number[][] = [[3, 3, 1, 2], [2], [32, 3], [3]];

/**
 * convDenseModel's forward pass from a flat θ: Conv2D 3×3 'valid' stride 1 (+bias, tanh) → flatten
 * (row-major NHWC, as tf.layers.flatten) → Dense (+bias) → softmax.
 */
export function convDenseForward(theta: tf.Tensor1D, x: tf.Tensor4D): tf.Tensor2D {
  const sizes = CONV_DENSE_SHAPES.map((s) => s.reduce((a, b) => a * b, 1));
  const [k, b1, w, b2] = tf.split(theta, sizes).map((p, i) => tf.reshape(p, CONV_DENSE_SHAPES[i]));
  const h = tf.tanh(tf.add(tf.conv2d(x, k as tf.Tensor4D, 1, 'valid'), b1));
  return tf.softmax(tf.add(tf.matMul(tf.reshape(h, [x.shape[0], -1]), w as tf.Tensor2D), b2)) as tf.Tensor2D;
}

/** Mean categorical cross-entropy of probabilities (the model's last layer is a softmax). */
export function crossEntropy(y: tf.Tensor, p: tf.Tensor): tf.Scalar {
  return tf.mean(tf.metrics.categoricalCrossentropy(y, p)) as tf.Scalar;
}

/** θ(z) = θ0 + Q·z with Q a float32 tensor made once; z a trainable variable starting at 0. */
export class PlainReference {
  readonly z: tf.Variable;
  private readonly q: tf.Tensor2D;
  private readonly theta0: tf.Tensor1D;

  constructor(theta0: Float32Array, q: Matrix, readonly D: number, readonly d: number) {
    this.theta0 = tf.tensor1d(theta0);
    this.q = tf.tensor2d(Float32Array.from(q), [D, d]);
    this.z = tf.tidy(() => tf.variable(tf.zeros([d]), true));
  }

  theta(): tf.Tensor1D {
    return tf.tidy(() => tf.add(this.theta0, tf.reshape(tf.matMul(this.q, tf.reshape(this.z, [this.d, 1])), [this.D])));
  }

  loss(x: tf.Tensor4D, y: tf.Tensor2D): tf.Scalar {
    return crossEntropy(y, convDenseForward(this.theta(), x));
  }

  dispose(): void {
    tf.dispose([this.theta0, this.q, this.z]);
  }
}

// ---------------------------------------------------------------------------------------------
// Every basis kind, each with its reference Q.

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

/** The values of θ0 as a flat Float32Array (the model's trainableWeights in order). */
export function flatValues(model: tf.LayersModel): Float32Array {
  return Float32Array.from(model.trainableWeights.flatMap((w) => Array.from(w.read().dataSync())));
}

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
 * (residual ≤ 1e-4·λ_max: float32 Q), in descending order, and they are the top d: with t − 1 = d + 1
 * centered snapshots C has rank ≤ d + 1, so the one eigenvalue left out is trace(C) − Σ λ_j, which
 * must not exceed the smallest λ_j.
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
    expect(Math.sqrt(dot(cq, cq))).toBeLessThanOrEqual(1e-4 * trace);
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
 * Every basis kind of the library, as (name, build(model)): dense (kernel storage; tensor storage
 * with the single layout), gaussian (kernel, tensor, host), hashed and srht (both implementations),
 * block, perVariable with scale directions, trajectory, and a whole-model scale direction.
 */
export const REFERENCE_BASES: Array<[string, (model: tf.LayersModel) => ReferenceBasis]> = [
  // With storage 'tensor' the basis applies Q and Qᵀ by tf.matMul, as the reference's θ0 + Q·z and its
  // gradient do, on the same float32 Q (bit-identical, see `agreement`); the cpu backend's matMul sums
  // in the same order for either operand layout, so on cpu those rows agree to the bit (difference 0)
  // without sharing code. Every other kind and backend rounds differently (measured: never 0).
  ...(['kernel', 'tensor'] as const).map((storage): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `dense (graded E, ${storage} storage)`,
    (m) => {
      const D = m.countParams();
      const E = gradedE(D, D_SUB, 21);
      const e = tf.tensor2d(E, [D, D_SUB]);
      const basis = denseBasis(e, { storage, layout: 'single' });
      e.dispose();
      return independent(basis, gramSchmidt(E, D, D_SUB));
    },
  ]),
  ...(['kernel', 'tensor', 'host'] as const).map((storage): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `gaussian (${storage} storage)`,
    (m) => independent(gaussianBasis(m.countParams(), D_SUB, { seed: 11, storage }), gaussianQ(m.countParams(), D_SUB, 11).q),
  ]),
  ...(['js', 'tf'] as const).map((impl): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `hashed (impl '${impl}')`,
    (m) => lifted(hashedBasis(m.countParams(), D_SUB, { seed: 11, impl }), (q) => checkHashed(q, m.countParams(), D_SUB)),
  ]),
  ...(['js', 'tf'] as const).map((impl): [string, (m: tf.LayersModel) => ReferenceBasis] => [
    `srht (impl '${impl}')`,
    (m) => {
      const basis = srhtBasis(m.countParams(), D_SUB, { seed: 11, impl });
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
