/**
 * Eigen-decomposition of a small symmetric k×k matrix in float64 by cyclic Jacobi rotations (the
 * Rayleigh–Ritz step of src/evolving/projection.ts; k = 2r, a few dozen at most). Sweeps until the
 * off-diagonal mass is below 1e-30 of the total (or 60 sweeps; Jacobi converges quadratically, in
 * well under 10 for such sizes). Eigenvectors are accurate to ≈ ε₆₄·‖C‖/gap.
 */
export function symmetricEigen(C: Float64Array, k: number): { values: number[]; vectors: Float64Array } {
  const a = Float64Array.from(C);
  const v = new Float64Array(k * k);
  for (let i = 0; i < k; i++) v[i * k + i] = 1;
  let total = 0;
  for (let i = 0; i < k * k; i++) total += a[i] * a[i];
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) if (i !== j) off += a[i * k + j] ** 2;
    if (off <= 1e-30 * total || off === 0) break;
    for (let p = 0; p < k - 1; p++) {
      for (let q = p + 1; q < k; q++) {
        const apq = a[p * k + q];
        if (apq === 0) continue;
        const theta = (a[q * k + q] - a[p * k + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let i = 0; i < k; i++) {
          // columns p, q of A
          const aip = a[i * k + p];
          const aiq = a[i * k + q];
          a[i * k + p] = c * aip - s * aiq;
          a[i * k + q] = s * aip + c * aiq;
        }
        for (let i = 0; i < k; i++) {
          // rows p, q of A
          const api = a[p * k + i];
          const aqi = a[q * k + i];
          a[p * k + i] = c * api - s * aqi;
          a[q * k + i] = s * api + c * aqi;
        }
        for (let i = 0; i < k; i++) {
          const vip = v[i * k + p];
          const viq = v[i * k + q];
          v[i * k + p] = c * vip - s * viq;
          v[i * k + q] = s * vip + c * viq;
        }
      }
    }
  }
  const order = Array.from({ length: k }, (_, i) => i).sort((x, y) => a[y * k + y] - a[x * k + x]);
  const vectors = new Float64Array(k * k);
  order.forEach((src, dst) => {
    for (let i = 0; i < k; i++) vectors[i * k + dst] = v[i * k + src];
  });
  return { values: order.map((i) => a[i * k + i]), vectors };
}
