/**
 * Matrix–vector products over a row-major float32 D×d matrix held in a JavaScript typed array,
 * for dense bases too large for a backend's memory (the wasm heap is 32-bit: 4 GB for everything).
 * Both stream the matrix once, row by row; they are memory-bound (≈ 2 GB/s in plain JavaScript).
 */

/** c = Qᵀv (length d), accumulated in float64. */
export function transposedTimes(q: Float32Array, D: number, d: number, v: ArrayLike<number>): Float32Array {
  const acc = new Float64Array(d);
  for (let i = 0; i < D; i++) {
    const x = v[i];
    if (x === 0) continue;
    const o = i * d;
    for (let j = 0; j < d; j++) acc[j] += x * q[o + j];
  }
  return Float32Array.from(acc);
}

/** Q·c (length D). */
export function times(q: Float32Array, D: number, d: number, c: ArrayLike<number>): Float32Array {
  const out = new Float32Array(D);
  for (let i = 0; i < D; i++) {
    const o = i * d;
    let s = 0;
    for (let j = 0; j < d; j++) s += q[o + j] * c[j];
    out[i] = s;
  }
  return out;
}
