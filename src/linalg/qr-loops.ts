/**
 * The thin QR's float64 products as plain JavaScript loops (the 'loops' engine; qr.wat is the 'simd'
 * one), over tall-skinny matrices stored row-major in typed arrays. They are the numerical core of
 * the thin QR: every pass streams the tall matrix once, row by row, four rows at a time, so
 * the small d×d operand stays in cache and each load of it serves four rows.
 */

/** Any row-major real matrix storage the loops read. */
export type Matrix = Float32Array | Float64Array;

/** n rounded up to a multiple of 4: the padded width the blocked loops work in. */
export function pad4(n: number): number {
  return (n + 3) & ~3;
}

/**
 * G += AᵀA over the rows [row0, row1) of A (row-major, `cols` wide). G is p×p with p = pad4(cols);
 * only its upper triangle (in 2×4 blocks) is accumulated. `scratch` holds at least p·(row1 − row0)
 * float64 values: the rows are first transposed into it, so that every entry of G is a dot product
 * of two contiguous vectors, computed eight at a time in registers.
 */
export function gramUpper(
  A: Matrix,
  cols: number,
  row0: number,
  row1: number,
  G: Float64Array,
  scratch: Float64Array,
): void {
  const t = row1 - row0;
  const p = pad4(cols);
  const T = scratch;
  for (let i = 0; i < t; i++) {
    const o = (row0 + i) * cols;
    for (let a = 0; a < cols; a++) T[a * t + i] = A[o + a];
  }
  T.fill(0, cols * t, p * t);
  for (let a = 0; a < cols; a += 2) {
    const x0p = a * t;
    const x1p = x0p + t;
    for (let b = a & ~3; b < cols; b += 4) {
      const y0p = b * t;
      const y1p = y0p + t;
      const y2p = y1p + t;
      const y3p = y2p + t;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let i = 0; i < t; i++) {
        const x0 = T[x0p + i];
        const x1 = T[x1p + i];
        const y0 = T[y0p + i];
        const y1 = T[y1p + i];
        const y2 = T[y2p + i];
        const y3 = T[y3p + i];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      const g0 = a * p + b;
      const g1 = g0 + p;
      G[g0] += s00; G[g0 + 1] += s01; G[g0 + 2] += s02; G[g0 + 3] += s03;
      G[g1] += s10; G[g1 + 1] += s11; G[g1 + 2] += s12; G[g1 + 3] += s13;
    }
  }
}

/**
 * out[r, :] = A[i, :] · M for the rows i ∈ [row0, row1) of A (`n` wide), r counting from `outRow0`;
 * out rows are `m` wide. M is given transposed and padded: Mt is pad4(m)×n row-major (zero rows past
 * m), and column b of M is zero below row `aEnd[b] − 1` (a staircase), so each dot product stops there.
 */
export function multiplyTransposed(
  A: Matrix,
  n: number,
  row0: number,
  row1: number,
  Mt: Float64Array,
  m: number,
  aEnd: Int32Array,
  out: Matrix,
  outRow0: number,
): void {
  const mp = pad4(m);
  let i = row0;
  let r = outRow0;
  for (; i < row1; i += 2, r += 2) {
    const two = i + 1 < row1;
    const x0p = i * n;
    const x1p = two ? x0p + n : x0p;
    for (let b = 0; b < mp; b += 4) {
      const end = aEnd[Math.min(b + 3, m - 1)];
      const y0p = b * n;
      const y1p = y0p + n;
      const y2p = y1p + n;
      const y3p = y2p + n;
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let a = 0; a < end; a++) {
        const x0 = A[x0p + a];
        const x1 = A[x1p + a];
        const y0 = Mt[y0p + a];
        const y1 = Mt[y1p + a];
        const y2 = Mt[y2p + a];
        const y3 = Mt[y3p + a];
        s00 += x0 * y0; s01 += x0 * y1; s02 += x0 * y2; s03 += x0 * y3;
        s10 += x1 * y0; s11 += x1 * y1; s12 += x1 * y2; s13 += x1 * y3;
      }
      const o0 = r * m + b;
      const o1 = o0 + m;
      const w = Math.min(4, m - b);
      out[o0] = s00;
      if (w > 1) out[o0 + 1] = s01;
      if (w > 2) out[o0 + 2] = s02;
      if (w > 3) out[o0 + 3] = s03;
      if (two) {
        out[o1] = s10;
        if (w > 1) out[o1 + 1] = s11;
        if (w > 2) out[o1 + 2] = s12;
        if (w > 3) out[o1 + 3] = s13;
      }
    }
  }
}

/**
 * Upper Cholesky factor U (UᵀU = G) of the symmetric matrix whose upper triangle is in G (n×n, row
 * stride `stride` ≥ n).
 * A column whose squared pivot is ≤ `minPivot2` times its diagonal is reported as dependent and left
 * out of the factorization (later columns are factored against the kept ones only).
 * Returns U over the kept columns (k×k, row-major) and the kept column indices.
 */
export function choleskyUpper(
  G: Float64Array,
  n: number,
  stride: number,
  minPivot2: number,
): { U: Float64Array; kept: number[]; dependent: number[] } {
  const kept: number[] = [];
  const dependent: number[] = [];
  // W[p*n + j]: row p of U (p = kept position) at original column j.
  const W = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    const gjj = G[j * stride + j];
    let s = gjj;
    for (let p = 0; p < kept.length; p++) {
      const u = W[p * n + j];
      s -= u * u;
    }
    if (!(s > minPivot2 * gjj) || !(gjj > 0)) {
      dependent.push(j);
      continue;
    }
    const p = kept.length;
    const ujj = Math.sqrt(s);
    W[p * n + j] = ujj;
    // Row p for the later columns: U[p, c] = (G[j, c] − Σ_q U[q, j] U[q, c]) / U[p, j].
    for (let c = j + 1; c < n; c++) {
      let t = G[j * stride + c];
      for (let q = 0; q < p; q++) t -= W[q * n + j] * W[q * n + c];
      W[p * n + c] = t / ujj;
    }
    kept.push(j);
  }
  const k = kept.length;
  const U = new Float64Array(k * k);
  for (let p = 0; p < k; p++) {
    for (let q = p; q < k; q++) U[p * k + q] = W[p * n + kept[q]];
  }
  return { U, kept, dependent };
}

/** Inverse of an upper-triangular k×k matrix (row-major), itself upper triangular. */
export function invertUpper(U: Float64Array, k: number): Float64Array {
  const X = new Float64Array(k * k);
  for (let j = k - 1; j >= 0; j--) {
    X[j * k + j] = 1 / U[j * k + j];
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let l = i + 1; l <= j; l++) s += U[i * k + l] * X[l * k + j];
      X[i * k + j] = -s / U[i * k + i];
    }
  }
  return X;
}

/** C = A·B for upper-triangular k×k matrices (row-major); C is upper triangular. */
export function multiplyUpper(A: Float64Array, B: Float64Array, k: number): Float64Array {
  const C = new Float64Array(k * k);
  for (let i = 0; i < k; i++) {
    for (let l = i; l < k; l++) {
      const a = A[i * k + l];
      if (a === 0) continue;
      for (let j = l; j < k; j++) C[i * k + j] += a * B[l * k + j];
    }
  }
  return C;
}
