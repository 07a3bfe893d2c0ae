/** ‖QᵀQ − I‖∞ (largest absolute row sum) and max |QᵀQ − I| of a row-major D×k Q, in float64. */
export function orthonormality(q: ArrayLike<number>, D: number, k: number): { inf: number; max: number } {
  const G = new Float64Array(k * k);
  for (let i = 0; i < D; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const x = q[o + a];
      if (x === 0) continue;
      for (let b = a; b < k; b++) G[a * k + b] += x * q[o + b];
    }
  }
  let inf = 0;
  let max = 0;
  for (let a = 0; a < k; a++) {
    let row = 0;
    for (let b = 0; b < k; b++) {
      const e = Math.abs((a <= b ? G[a * k + b] : G[b * k + a]) - (a === b ? 1 : 0));
      row += e;
      max = Math.max(max, e);
    }
    inf = Math.max(inf, row);
  }
  return { inf, max };
}

/** max |QᵀQ − I| in float64 over a row-major float32 D×d Q (the claim is about the stored Q). */
export function orthonormalityError(q: Float32Array, D: number, d: number): number {
  return orthonormality(q, D, d).max;
}
