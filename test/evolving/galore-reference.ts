import { eigs } from 'mathjs';
import seedrandom from 'seedrandom';

/**
 * An independent float64 implementation of GaLore's published algorithm (Zhao et al. 2024,
 * Algorithm 2, Adam inside) for the test problem below — no code of src/ is used. For each
 * projected matrix (2-D view m×n, min(m, n) > r): at t mod T = 0, P ← top-r singular vectors of G_t
 * on the smaller side (here: the eigenvectors of G·Gᵀ or Gᵀ·G, by mathjs in float64, sorted by
 * eigenvalue, each flipped so that its entry of largest magnitude is positive); R = PᵀG or G·P;
 * M ← β₁M + (1−β₁)R, V ← β₂V + (1−β₂)R², N = (M/(1−β₁ᵗ)) / (√(V/(1−β₂ᵗ)) + ε);
 * W ← W − lr·α·P·N (or −lr·α·N·Pᵀ). The moment rules at a re-basing: 'keep'; 'project' with
 * C = P_newᵀP_old: M ← C·M, V ← (C∘C)·V (the right-side forms M·Cᵀ, V·(C∘C)ᵀ); 'reset' to 0.
 * Other variables: plain Adam. ε sits outside the square root, as in tf.train.adam.
 */

export type Mat = number[][];

/** A variable of the test problem: L = ½ Σᵢⱼ s_j (W − A)²ᵢⱼ, so G = (W − A)·diag(s) on the 2-D view. */
export interface ProblemVariable {
  shape: number[];
  /** Initial value and target, flat row-major (float32-representable numbers). */
  init: Float32Array;
  target: Float32Array;
  /** Column weights s (length = last dim). */
  weights: Float32Array;
}

export function rng(seed: number): () => number {
  const r = seedrandom.alea(`galore${seed}`);
  return () => 2 * r() - 1;
}

/** m×n with the given singular values (Householder-free: Gram–Schmidt of seeded vectors, float64). */
export function withSpectrum(m: number, n: number, sigma: number[], seed: number): Float64Array {
  const next = rng(seed);
  const orth = (rows: number, k: number): Mat => {
    const cols: number[][] = [];
    for (let j = 0; j < k; j++) {
      let v = Array.from({ length: rows }, () => next());
      for (let pass = 0; pass < 2; pass++) {
        for (const c of cols) {
          const d = dot(c, v);
          v = v.map((x, i) => x - d * c[i]);
        }
      }
      const norm = Math.sqrt(dot(v, v));
      cols.push(v.map((x) => x / norm));
    }
    return cols;
  };
  const U = orth(m, sigma.length);
  const V = orth(n, sigma.length);
  const out = new Float64Array(m * n);
  sigma.forEach((s, k) => {
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) out[i * n + j] += s * U[k][i] * V[k][j];
  });
  return out;
}

const dot = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i], 0);
const transpose = (A: Mat): Mat => A[0].map((_, j) => A.map((row) => row[j]));
const matMul = (A: Mat, B: Mat): Mat => A.map((row) => B[0].map((_, j) => row.reduce((s, x, k) => s + x * B[k][j], 0)));
const toMat = (flat: ArrayLike<number>, m: number, n: number): Mat => Array.from({ length: m }, (_, i) => Array.from({ length: n }, (_, j) => flat[i * n + j]));
const map2 = (A: Mat, f: (x: number, i: number, j: number) => number): Mat => A.map((row, i) => row.map((x, j) => f(x, i, j)));

/** The top-r eigenvectors of a symmetric S (columns of a p×r matrix), sign-fixed, and all eigenvalues (descending). */
export function topEigenvectors(S: Mat, r: number): { P: Mat; values: number[] } {
  const { eigenvectors } = eigs(S, { eigenvectors: true }) as unknown as { eigenvectors: Array<{ value: number; vector: number[] | { toArray(): number[] } }> };
  const pairs = eigenvectors
    .map((e) => ({ value: e.value, vector: Array.isArray(e.vector) ? e.vector : e.vector.toArray() }))
    .sort((a, b) => b.value - a.value);
  const cols = pairs.slice(0, r).map(({ vector }) => {
    const norm = Math.sqrt(dot(vector, vector));
    let at = 0;
    vector.forEach((x, i) => {
      if (Math.abs(x) > Math.abs(vector[at])) at = i;
    });
    const sign = vector[at] < 0 ? -1 : 1;
    return vector.map((x) => (sign * x) / norm);
  });
  return { P: transpose(cols), values: pairs.map((p) => p.value) };
}

export interface ReferenceSettings {
  rank: number;
  updateEvery: number;
  scale: number;
  lr: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  moments: 'keep' | 'project' | 'reset';
}

interface RefState {
  view: [number, number];
  side: 'left' | 'right' | 'full';
  W: Mat;
  A: Mat;
  s: number[];
  P: Mat | null;
  M: Mat | null;
  V: Mat | null;
}

/** Runs the reference for `steps` steps; after each, `onStep(t, flat W per variable, bases)` (t from 1). */
export function runReference(
  vars: ProblemVariable[],
  cfg: ReferenceSettings,
  steps: number,
  onStep: (t: number, weights: Float64Array[], info: { bases: Array<Mat | null>; spectra: Array<number[] | null> }) => void,
): void {
  const states: RefState[] = vars.map((v) => {
    const n = v.shape[v.shape.length - 1];
    const m = v.init.length / n;
    const side = v.shape.length >= 2 && Math.min(m, n) > cfg.rank ? (m <= n ? 'left' : 'right') : 'full';
    return { view: [m, n], side, W: toMat(v.init, m, n), A: toMat(v.target, m, n), s: Array.from(v.weights), P: null, M: null, V: null };
  });
  for (let t = 1; t <= steps; t++) {
    const rebase = (t - 1) % cfg.updateEvery === 0;
    const spectra: Array<number[] | null> = [];
    for (const st of states) {
      const G = map2(st.W, (w, i, j) => st.s[j] * (w - st.A[i][j]));
      let R = G;
      if (st.side !== 'full') {
        if (rebase) {
          const S = st.side === 'left' ? matMul(G, transpose(G)) : matMul(transpose(G), G);
          const { P, values } = topEigenvectors(S, cfg.rank);
          spectra.push(values.map((x) => Math.sqrt(Math.max(x, 0))));
          if (st.P && st.M && st.V) carry(st, P, cfg.moments);
          st.P = P;
        } else spectra.push(null);
        R = st.side === 'left' ? matMul(transpose(st.P as Mat), G) : matMul(G, st.P as Mat);
      } else spectra.push(null);
      st.M ??= map2(R, () => 0);
      st.V ??= map2(R, () => 0);
      st.M = map2(st.M, (m, i, j) => cfg.beta1 * m + (1 - cfg.beta1) * R[i][j]);
      st.V = map2(st.V, (v, i, j) => cfg.beta2 * v + (1 - cfg.beta2) * R[i][j] ** 2);
      const c1 = 1 - cfg.beta1 ** t;
      const c2 = 1 - cfg.beta2 ** t;
      const N = map2(st.M, (m, i, j) => m / c1 / (Math.sqrt((st.V as Mat)[i][j] / c2) + cfg.epsilon));
      const step = st.side === 'full' ? N : st.side === 'left' ? matMul(st.P as Mat, N) : matMul(N, transpose(st.P as Mat));
      const factor = st.side === 'full' ? cfg.lr : cfg.lr * cfg.scale;
      st.W = map2(st.W, (w, i, j) => w - factor * step[i][j]);
    }
    onStep(t, states.map((st) => Float64Array.from(st.W.flat())), { bases: states.map((st) => st.P), spectra });
  }
}

function carry(st: RefState, pNew: Mat, rule: ReferenceSettings['moments']): void {
  if (rule === 'keep') return;
  if (rule === 'reset') {
    st.M = map2(st.M as Mat, () => 0);
    st.V = map2(st.V as Mat, () => 0);
    return;
  }
  const C = matMul(transpose(pNew), st.P as Mat);
  const C2 = map2(C, (x) => x * x);
  if (st.side === 'left') {
    st.M = matMul(C, st.M as Mat);
    st.V = matMul(C2, st.V as Mat);
  } else {
    st.M = matMul(st.M as Mat, transpose(C));
    st.V = matMul(st.V as Mat, transpose(C2));
  }
}
