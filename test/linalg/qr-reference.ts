/**
 * An independent float64 reference for the thin-QR tests: modified Gram–Schmidt with
 * reorthogonalization (MGS2), one column at a time, in column order — a different algorithm from the
 * library's block classical Gram–Schmidt and Cholesky-QR. Column j's distance to the span of the
 * columns kept before it is what remains after two full MGS sweeps; the greedy rule keeps j iff that
 * distance is ≥ tol·‖e_j‖. MGS2 is orthonormal to O(ε) whenever each kept column's relative distance
 * exceeds O(ε) (Giraud et al. 2005), which the tolerances here (≥ 1e-7) guarantee.
 */
export interface Reference {
  kept: number[];
  dependent: number[];
  /** Relative distance of every column to the span of the columns kept before it (0 for a zero column). */
  distance: number[];
}

export function referenceRank(E: ArrayLike<number>, D: number, n: number, tol: number): Reference {
  const Q: Float64Array[] = [];
  const kept: number[] = [];
  const dependent: number[] = [];
  const distance: number[] = [];
  for (let j = 0; j < n; j++) {
    const w = new Float64Array(D);
    for (let i = 0; i < D; i++) w[i] = E[i * n + j];
    const norm = Math.hypot(...chunks(w));
    for (let sweep = 0; sweep < 2; sweep++) {
      for (const q of Q) {
        let s = 0;
        for (let i = 0; i < D; i++) s += q[i] * w[i];
        for (let i = 0; i < D; i++) w[i] -= s * q[i];
      }
    }
    const rho = Math.hypot(...chunks(w));
    const rel = norm > 0 ? rho / norm : 0;
    distance.push(rel);
    if (norm > 0 && rel >= tol) {
      for (let i = 0; i < D; i++) w[i] /= rho;
      Q.push(w);
      kept.push(j);
    } else dependent.push(j);
  }
  return { kept, dependent, distance };
}

/** Euclidean norm pieces: Math.hypot of partial norms avoids both overflow and a huge argument list. */
function chunks(w: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < w.length; i += 4096) {
    let s = 0;
    for (let k = i; k < Math.min(w.length, i + 4096); k++) s += w[k] * w[k];
    out.push(Math.sqrt(s));
  }
  return out;
}

export { orthonormality } from './orthonormality';

/**
 * max over the columns j of E (given) of ‖e_j − QQᵀe_j‖ / ‖e_j‖: 0 when span(E[:, cols]) ⊆ span(Q);
 * with as many columns as Q has, the spans are then equal.
 */
export function spanResidual(q: ArrayLike<number>, D: number, k: number, E: ArrayLike<number>, n: number, cols: number[]): number {
  let worst = 0;
  const c = new Float64Array(k);
  for (const j of cols) {
    c.fill(0);
    let norm = 0;
    for (let i = 0; i < D; i++) {
      const e = E[i * n + j];
      norm += e * e;
      for (let a = 0; a < k; a++) c[a] += q[i * k + a] * e;
    }
    let res = 0;
    for (let i = 0; i < D; i++) {
      let s = E[i * n + j];
      for (let a = 0; a < k; a++) s -= q[i * k + a] * c[a];
      res += s * s;
    }
    if (norm > 0) worst = Math.max(worst, Math.sqrt(res / norm)); // a zero column lies in every span
  }
  return worst;
}
