import { thinQr } from '../../src/linalg/qr';
import { pad4 } from '../../src/linalg/qr-loops';
import { qrWorkspace } from '../../src/linalg/qr-workspace';
import { stopWorkerThreads, useWorkerThreads } from '../../src/node/worker-threads';
import { gaussianArray } from '../../src/random';

/**
 * The thin-QR products (qr.wat through qr-workspace.ts, and the JavaScript loops) against plain
 * float64 loops written here. Products of two float32 values are exact in float64, so the Gram
 * matrices differ only in summation order: |ΔG_ab| ≤ D·ε·Σ|e_a||e_b| (ε = 2⁻⁵³), checked with the
 * factor D. W·M is rounded to float32 once: |Δ| ≤ 2⁻²⁴·|x| + D-independent float64 noise, checked as
 * 2⁻²³·Σ_a|w_a·m_ab|.
 */
function reference(E: Float32Array, D: number, n: number, cols: number[], M: Float64Array) {
  const k = cols.length;
  const p = pad4(k);
  const G = new Float64Array(k * k);
  const Gabs = new Float64Array(k * k);
  const WM = new Float64Array(D * k);
  const WMabs = new Float64Array(D * k);
  for (let i = 0; i < D; i++) {
    for (let a = 0; a < k; a++) {
      const x = E[i * n + cols[a]];
      for (let b = 0; b < k; b++) {
        const y = E[i * n + cols[b]];
        G[a * k + b] += x * y;
        Gabs[a * k + b] += Math.abs(x * y);
        WM[i * k + b] += x * M[a * p + b];
        WMabs[i * k + b] += Math.abs(x * M[a * p + b]);
      }
    }
  }
  return { G, Gabs, WM, WMabs };
}

describe("thin-QR workspaces (the 'simd' engine, f64x2, and 'loops')", () => {
  test.each([
    [1, 1, [0]],
    [37, 5, [0, 1, 2, 3, 4]],
    [130, 9, [0, 2, 3, 5, 8]],
    [1001, 17, Array.from({ length: 17 }, (_, j) => j)],
  ])('Gram and W·M at %i×%i (columns %j)', (D, n, cols) => {
    const E = gaussianArray(D * n, D + n);
    const k = cols.length;
    const p = pad4(k);
    const M = new Float64Array(p * p);
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) M[a * p + b] = Math.sin(1 + a + 3 * b);
    const ref = reference(E, D, n, cols, M);
    for (const choice of ['auto', 'loops'] as const) {
      const ws = qrWorkspace(E, D, n, cols, choice);
      expect(ws.engine).toBe(choice === 'auto' ? 'simd' : 'loops');
      const G = ws.gram();
      let worst = 0; // largest |error| / bound: ≤ 1 passes
      for (let a = 0; a < k; a++) {
        for (let b = a; b < k; b++) worst = Math.max(worst, Math.abs(G[a * p + b] - ref.G[a * k + b]) / (D * 2 ** -53 * ref.Gabs[a * k + b]));
      }
      expect(worst).toBeLessThanOrEqual(1);
      ws.apply(M);
      const q = ws.result();
      expect(q).toHaveLength(D * k);
      worst = 0;
      for (let i = 0; i < D * k; i++) worst = Math.max(worst, Math.abs(q[i] - ref.WM[i]) / (2 ** -23 * ref.WMabs[i]));
      expect(worst).toBeLessThanOrEqual(1);
      ws.dispose();
    }
  });

  test('with worker_threads helpers: the same Q, bit for bit (fixed row parts), and QᵀQ = I', () => {
    const D = 20_000;
    const n = 52; // D·d² ≈ 5.4e7: above the threshold where the products are split between threads
    const E = gaussianArray(D * n, 5);
    const alone = thinQr(E, D, n);
    expect(useWorkerThreads(2)).toBe(1);
    try {
      const ws = qrWorkspace(E, D, n, Array.from({ length: n }, (_, j) => j));
      expect(ws.threads).toBe(2);
      ws.dispose();
      const threaded = thinQr(E, D, n);
      expect(threaded.method).toBe('cholesky');
      // Compared in a loop: toEqual walks a million-entry typed array slowly.
      let differ = 0;
      for (let i = 0; i < alone.q.length; i++) if (threaded.q[i] !== alone.q[i]) differ++;
      for (let i = 0; i < alone.r.length; i++) if (threaded.r[i] !== alone.r[i]) differ++;
      expect(differ).toBe(0);
      expect(threaded.orthogonality).toBeLessThanOrEqual(1e-6);
    } finally {
      stopWorkerThreads();
    }
  });
});
