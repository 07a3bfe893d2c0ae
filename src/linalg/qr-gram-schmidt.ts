/**
 * The rank-revealing fallback of the thin QR (src/linalg/qr.ts): block classical Gram–Schmidt run
 * twice (BCGS2) in float64, on the columns of E scaled to unit norm, in column order.
 *
 * Columns are taken in panels of {@link PANEL}. A panel is first projected twice against every
 * column kept before it (two block products: H = QᵀP, P ← P − Q·H); then each of its columns, in
 * order, is projected twice against the panel's columns kept before it, and its remaining norm ρ is
 * its distance to the span of all kept columns before it (the columns have unit norm, so ρ is the
 * relative distance). ρ < rankTol: the column is dependent and skipped; else it is kept as w/ρ.
 * "Twice is enough" (Giraud, Langou, Rozložník 2005): with every kept ρ ≥ rankTol ≥ 1e-7 ≫ ε, the
 * kept columns are orthonormal to a small multiple of ε·√k whatever cond(E) is, and ρ is accurate to
 * about ε, so the decision is the exact greedy rule of the documentation. Cost ≈ 2·D·d² multiply–adds,
 * memory one float64 copy of E (D·d·8 bytes, column-major).
 */
import { Matrix } from './qr-loops';

/** Columns per panel. */
const PANEL = 16;

/** Result: E[:, kept] = Q·R, Q D×k row-major float32, R k×k row-major float64 upper triangular. */
export interface GramSchmidtResult {
  q: Float32Array;
  r: Float64Array;
  kept: number[];
  dependent: number[];
}

/** BCGS2 with the greedy rank rule (see the file comment); E is D×n row-major. */
export function gramSchmidtQr(E: Matrix, D: number, n: number, rankTol: number): GramSchmidtResult {
  // Column norms scaled by the largest entry first, so that neither huge nor tiny entries over- or underflow.
  const big = new Float64Array(n);
  for (let i = 0; i < D * n; i++) big[i % n] = Math.max(big[i % n], Math.abs(E[i]));
  const norms = new Float64Array(n);
  for (let i = 0; i < D; i++) {
    const o = i * n;
    for (let j = 0; j < n; j++) if (big[j] > 0) norms[j] += (E[o + j] / big[j]) ** 2;
  }
  for (let j = 0; j < n; j++) norms[j] = big[j] * Math.sqrt(norms[j]);
  // W: column j (unit norm) at W[j·D …]; kept column p is moved to slot p as it is accepted.
  const W = new Float64Array(n * D);
  for (let j = 0; j < n; j++) {
    const o = j * D;
    if (norms[j] > 0) for (let i = 0; i < D; i++) W[o + i] = E[i * n + j] / big[j] / (norms[j] / big[j]);
  }
  const H = new Float64Array(n * n); // H[p·n + j]: coefficient of kept column p in column j (scaled)
  const kept: number[] = [];
  const dependent: number[] = [];
  const h = new Float64Array(n);
  for (let j0 = 0; j0 < n; j0 += PANEL) {
    const j1 = Math.min(n, j0 + PANEL);
    const k0 = kept.length;
    for (let pass = 0; pass < 2 && k0 > 0; pass++) projectPanel(W, D, n, k0, j0, j1, H);
    for (let c = j0; c < j1; c++) {
      const w = c * D;
      if (norms[c] === 0) {
        dependent.push(c);
        continue;
      }
      for (let pass = 0; pass < 2; pass++) {
        for (let p = k0; p < kept.length; p++) h[p] = dot(W, p * D, w, D);
        for (let p = k0; p < kept.length; p++) {
          axpy(W, w, -h[p], p * D, D);
          H[p * n + c] += h[p];
        }
      }
      const rho = Math.sqrt(dot(W, w, w, D));
      if (!(rho >= rankTol)) {
        dependent.push(c);
        continue;
      }
      const slot = kept.length * D;
      const s = 1 / rho;
      for (let i = 0; i < D; i++) W[slot + i] = W[w + i] * s;
      H[kept.length * n + c] = rho;
      kept.push(c);
    }
  }
  const k = kept.length;
  const q = new Float32Array(D * k);
  for (let p = 0; p < k; p++) {
    const o = p * D;
    for (let i = 0; i < D; i++) q[i * k + p] = W[o + i];
  }
  const r = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    for (let b = p; b < k; b++) r[p * k + b] = H[p * n + kept[b]] * norms[kept[b]];
  }
  return { q, r, kept, dependent };
}

/** P ← P − Q·(QᵀP) for the panel columns [j0, j1) against the k kept columns (slots 0 … k − 1). */
function projectPanel(W: Float64Array, D: number, n: number, k: number, j0: number, j1: number, H: Float64Array): void {
  const b = j1 - j0;
  const C = new Float64Array(k * b);
  // C = QᵀP: each kept column streamed once against four panel columns at a time.
  for (let p = 0; p < k; p++) {
    const qo = p * D;
    for (let c = 0; c < b; c += 4) {
      const w = Math.min(4, b - c);
      const o0 = (j0 + c) * D;
      const o1 = w > 1 ? o0 + D : o0;
      const o2 = w > 2 ? o0 + 2 * D : o0;
      const o3 = w > 3 ? o0 + 3 * D : o0;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let i = 0; i < D; i++) {
        const x = W[qo + i];
        s0 += x * W[o0 + i];
        s1 += x * W[o1 + i];
        s2 += x * W[o2 + i];
        s3 += x * W[o3 + i];
      }
      C[p * b + c] = s0;
      if (w > 1) C[p * b + c + 1] = s1;
      if (w > 2) C[p * b + c + 2] = s2;
      if (w > 3) C[p * b + c + 3] = s3;
    }
  }
  // P ← P − Q·C: four kept columns at a time per panel column.
  for (let c = 0; c < b; c++) {
    const o = (j0 + c) * D;
    let p = 0;
    for (; p + 3 < k; p += 4) {
      const h0 = C[p * b + c], h1 = C[(p + 1) * b + c], h2 = C[(p + 2) * b + c], h3 = C[(p + 3) * b + c];
      const q0 = p * D, q1 = q0 + D, q2 = q1 + D, q3 = q2 + D;
      for (let i = 0; i < D; i++) W[o + i] -= h0 * W[q0 + i] + h1 * W[q1 + i] + h2 * W[q2 + i] + h3 * W[q3 + i];
    }
    for (; p < k; p++) axpy(W, o, -C[p * b + c], p * D, D);
    for (let p2 = 0; p2 < k; p2++) H[p2 * n + j0 + c] += C[p2 * b + c];
  }
}

function dot(W: Float64Array, a: number, b: number, D: number): number {
  let s0 = 0, s1 = 0;
  let i = 0;
  for (; i + 1 < D; i += 2) {
    s0 += W[a + i] * W[b + i];
    s1 += W[a + i + 1] * W[b + i + 1];
  }
  if (i < D) s0 += W[a + i] * W[b + i];
  return s0 + s1;
}

/** W[y …] += alpha · W[x …] over D entries. */
function axpy(W: Float64Array, y: number, alpha: number, x: number, D: number): void {
  for (let i = 0; i < D; i++) W[y + i] += alpha * W[x + i];
}
