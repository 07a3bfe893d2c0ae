/** Hard test matrices for the thin QR (row-major, float64), shared by the tests and bench/qr-rank.ts. */
import { gaussianArray } from '../../src/random';

/** A seeded D×D Householder reflection applied to the D×n matrix A (row-major), in float64. */
export function householder(A: Float64Array, D: number, n: number, seed: number): Float64Array {
  const v = Float64Array.from(gaussianArray(D, seed));
  const vv = v.reduce((s, x) => s + x * x, 0);
  const out = Float64Array.from(A);
  for (let j = 0; j < n; j++) {
    let s = 0;
    for (let i = 0; i < D; i++) s += v[i] * A[i * n + j];
    for (let i = 0; i < D; i++) out[i * n + j] -= (2 * s * v[i]) / vv;
  }
  return out;
}

/** n×n unit upper triangular with −1 above the diagonal, as the top of a D×n matrix. */
export function minusOnes(D: number, n: number): Float64Array {
  const A = new Float64Array(D * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) A[i * n + j] = i === j ? 1 : -1;
  return A;
}

export function times(A: ArrayLike<number>, m: number, l: number, B: ArrayLike<number>, n: number): Float64Array {
  const C = new Float64Array(m * n);
  for (let i = 0; i < m; i++) for (let a = 0; a < l; a++) for (let j = 0; j < n; j++) C[i * n + j] += A[i * l + a] * B[a * n + j];
  return C;
}

/** k orthonormal columns (D×k row-major, float64) from the reference MGS2 of a seeded Gaussian. */
export function orthonormalColumns(D: number, k: number, seed: number): Float64Array {
  const G = gaussianArray(D * k, seed);
  const Q = new Float64Array(D * k);
  for (let j = 0; j < k; j++) {
    const w = Float64Array.from({ length: D }, (_, i) => G[i * k + j]);
    for (let sweep = 0; sweep < 2; sweep++) {
      for (let p = 0; p < j; p++) {
        let s = 0;
        for (let i = 0; i < D; i++) s += Q[i * k + p] * w[i];
        for (let i = 0; i < D; i++) w[i] -= s * Q[i * k + p];
      }
    }
    const r = Math.sqrt(w.reduce((s, x) => s + x * x, 0));
    for (let i = 0; i < D; i++) Q[i * k + j] = w[i] / r;
  }
  return Q;
}

/** The classic n×n Kahan matrix diag(1, s, …, s^{n−1})·(I − c·(strict upper ones)), s = sin θ, c = cos θ. */
export function kahan(theta: number, n: number): Float64Array {
  const s = Math.sin(theta);
  const c = Math.cos(theta);
  const K = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = i; j < n; j++) K[i * n + j] = s ** i * (i === j ? 1 : -c);
  return K;
}

/** U·diag(σ)·Vᵀ (D×n) with σ geometric from 1 to 1/cond, U and V seeded orthonormal. */
export function conditioned(D: number, n: number, cond: number, seed = 41): Float64Array {
  const U = orthonormalColumns(D, n, seed);
  const V = orthonormalColumns(n, n, seed + 1);
  const sigma = Array.from({ length: n }, (_, j) => cond ** (-j / (n - 1)));
  const E = new Float64Array(D * n);
  for (let i = 0; i < D; i++) for (let j = 0; j < n; j++) for (let a = 0; a < n; a++) E[i * n + j] += U[i * n + a] * sigma[a] * V[j * n + a];
  return E;
}

/** A·B + noise·N: D×n of numerical rank r (seeded Gaussian A, B, N). */
export function lowRank(D: number, n: number, r: number, noise: number): Float64Array {
  const N = gaussianArray(D * n, 23);
  return times(gaussianArray(D * r, 21), D, r, gaussianArray(r * n, 22), n).map((x, i) => x + noise * N[i]);
}
