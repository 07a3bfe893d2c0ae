/** max |QᵀQ − I| in float64 over a row-major float32 D×d Q (the claim is about the stored Q). */
export function orthonormalityError(q: Float32Array, D: number, d: number): number {
  const G = new Float64Array(d * d);
  for (let i = 0; i < D; i++) {
    const o = i * d;
    for (let a = 0; a < d; a++) {
      const x = q[o + a];
      if (x === 0) continue;
      const g = a * d;
      for (let b = a; b < d; b++) G[g + b] += x * q[o + b];
    }
  }
  let err = 0;
  for (let a = 0; a < d; a++) {
    for (let b = a; b < d; b++) err = Math.max(err, Math.abs(G[a * d + b] - (a === b ? 1 : 0)));
  }
  return err;
}
