import * as tf from '@tensorflow/tfjs-core';
import { gramSchmidtQr } from '../linalg/qr-gram-schmidt';
import { normalSource } from '../random';
import { symmetricEigen } from './symmetric-eigen';

/**
 * The r orthonormal directions an evolving-subspace optimizer projects a gradient onto
 * (src/evolving/galore.ts): the top-r left singular vectors of a p×q matrix A ('svd', GaLore), or
 * seeded Gaussian directions orthonormalized ('random', Flora). Both return P as a p×r row-major
 * Float32Array with orthonormal columns (to ≈ 1e-7: float64 Gram–Schmidt twice, rounded to float32).
 */

/** A seed for re-basing `index` of the matrix at gradient position `position` (a 32-bit mix of the three). */
export function rebaseSeed(seed: number, position: number, index: number): number {
  let h = (Math.trunc(seed) ^ 0x9e3779b9) >>> 0;
  for (const x of [Math.floor(seed / 2 ** 32), position, index]) {
    h = Math.imul(h ^ (x >>> 0), 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}

function gaussianColumns(rows: number, cols: number, seed: number): Float64Array {
  const next = normalSource(seed);
  return Float64Array.from({ length: rows * cols }, () => next());
}

/**
 * Q (p×k row-major float32, orthonormal columns) spanning the columns of Y (p×k). Columns that are
 * numerically dependent (a zero gradient, a gradient of rank < k) are replaced by seeded Gaussian
 * ones, so that Q always has k columns; this is what makes a rank-deficient gradient harmless.
 */
export function orthonormalColumns(Y: Float32Array | Float64Array, p: number, k: number, seed: number): Float32Array {
  let E: Float32Array | Float64Array = Y;
  for (let attempt = 0; ; attempt++) {
    const { q, kept } = gramSchmidtQr(E, p, k, 1e-6);
    if (kept.length === k) return q;
    if (attempt === 3) throw new Error(`orthonormalColumns: ${kept.length} of ${k} columns after 3 refills`); // unreachable w.p. 1
    const fill = gaussianColumns(p, k - kept.length, seed + attempt + 1);
    const next = new Float64Array(p * k);
    for (let i = 0; i < p; i++) {
      for (let j = 0; j < kept.length; j++) next[i * k + j] = q[i * kept.length + j];
      for (let j = kept.length; j < k; j++) next[i * k + j] = fill[i * (k - kept.length) + j - kept.length];
    }
    E = next;
  }
}

/** Flora's directions: a seeded p×r Gaussian matrix, orthonormalized (the same seed gives the same P). */
export function randomDirections(p: number, r: number, seed: number): Float32Array {
  return orthonormalColumns(gaussianColumns(p, r, seed), p, r, seed);
}

/**
 * Flips each column of the p×r row-major P so that its entry of largest magnitude (the first such
 * entry on a tie) is positive: the sign convention that makes singular vectors unique.
 */
export function fixSigns(P: Float32Array | Float64Array, p: number, r: number): void {
  for (let j = 0; j < r; j++) {
    let at = 0;
    for (let i = 1; i < p; i++) if (Math.abs(P[i * r + j]) > Math.abs(P[at * r + j])) at = i;
    if (P[at * r + j] < 0) for (let i = 0; i < p; i++) P[i * r + j] = -P[i * r + j];
  }
}

/** How the last top-singular-vector computation went. */
export interface SvdReport {
  /** Subspace-iteration steps taken (each: A·(Aᵀ·Q) and two orthonormalizations). */
  iterations: number;
  /** max |P_i − P_{i−1}| of the last step; the result is converged when it is ≤ `tol`. */
  change: number;
  /** The top-r singular values' estimates (Ritz values), largest first. */
  values: number[];
}

/** Options of {@link topLeftSingularVectors}. */
export interface SvdOptions {
  /** Seed of the starting block Ω. */
  seed: number;
  /** Most subspace-iteration steps (default 30). */
  maxIterations?: number;
  /** Stop when no entry of P moves by more than this between two steps (default 1e-6). */
  tol?: number;
}

/**
 * The top-r left singular vectors of A (p×q, float32), by a randomized range finder with subspace
 * iteration and a Rayleigh–Ritz step (Halko, Martinsson, Tropp 2011, Alg. 4.4 + 5.1):
 * Q₀ = orth(A·Ω) with Ω a seeded q×k Gaussian block, k = min(p, 2r) (r extra columns of
 * oversampling); then Q ← orth(A·orth(Aᵀ·Q)). After each step B = Qᵀ·A (k×q) is read, BBᵀ is formed
 * and eigendecomposed in float64 (Jacobi, k×k), and P = Q·U[:, :r] (Ritz vectors, sign-fixed by
 * {@link fixSigns}). The products with A are tfjs float32 ops (never the p×p matrix AAᵀ); the
 * orthonormalizations and the k×k problem are float64 on the CPU (A's k-column blocks are read back).
 *
 * Accuracy: the span error after i steps shrinks like (σ_{k+1}/σ_r)^{2i+1}; iteration stops when P
 * moves by ≤ tol (1e-6) or after maxIterations (30). At convergence each vector u_j is accurate to
 * about ε₃₂·σ₁²/min(σ²_{j−1} − σ²_j, σ²_j − σ²_{j+1}) (the float32 rounding of B, amplified by the
 * eigen-gap of BBᵀ): to float32 rounding when the top r + 1 singular values are well separated, and
 * an arbitrary rotation within a cluster of (nearly) equal ones — as for any SVD.
 */
export function topLeftSingularVectors(A: tf.Tensor2D, r: number, opts: SvdOptions): { P: Float32Array; report: SvdReport } {
  const [p, q] = A.shape;
  const k = Math.min(p, 2 * r);
  const maxIterations = opts.maxIterations ?? 30;
  const tol = opts.tol ?? 1e-6;
  const omega = gaussianColumns(q, k, opts.seed);
  let Q = tf.tidy(() => orthonormalColumns(tf.matMul(A, tf.tensor2d(Float32Array.from(omega), [q, k])).dataSync() as Float32Array, p, k, opts.seed));
  let P: Float32Array | null = null;
  let report: SvdReport = { iterations: 0, change: Infinity, values: [] };
  for (let it = 1; it <= maxIterations; it++) {
    const Qt: Float32Array = Q;
    Q = tf.tidy(() => {
      const Z = orthonormalColumns(tf.matMul(A, tf.tensor2d(Qt, [p, k]), true, false).dataSync() as Float32Array, q, k, opts.seed + it);
      return orthonormalColumns(tf.matMul(A, tf.tensor2d(Z, [q, k])).dataSync() as Float32Array, p, k, opts.seed + it);
    });
    const ritz = ritzVectors(A, Q, p, q, k, r);
    const change = P ? maxDiff(P, ritz.P) : Infinity;
    P = ritz.P;
    report = { iterations: it, change, values: ritz.values };
    if (change <= tol) break;
  }
  return { P: P as Float32Array, report };
}

/** P = Q·U[:, :r] with U the eigenvectors of BBᵀ, B = Qᵀ·A, largest eigenvalues first. */
function ritzVectors(A: tf.Tensor2D, Q: Float32Array, p: number, q: number, k: number, r: number): { P: Float32Array; values: number[] } {
  const B = tf.tidy(() => tf.matMul(tf.tensor2d(Q, [p, k]), A, true, false).dataSync() as Float32Array);
  const C = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = a; b < k; b++) {
      let s = 0;
      for (let j = 0; j < q; j++) s += B[a * q + j] * B[b * q + j];
      C[a * k + b] = s;
      C[b * k + a] = s;
    }
  }
  const { values, vectors } = symmetricEigen(C, k); // descending
  const P64 = new Float64Array(p * r);
  for (let i = 0; i < p; i++) {
    for (let j = 0; j < r; j++) {
      let s = 0;
      for (let c = 0; c < k; c++) s += Q[i * k + c] * vectors[c * k + j];
      P64[i * r + j] = s;
    }
  }
  fixSigns(P64, p, r);
  return { P: Float32Array.from(P64), values: values.slice(0, r).map((v) => Math.sqrt(Math.max(v, 0))) };
}

function maxDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
