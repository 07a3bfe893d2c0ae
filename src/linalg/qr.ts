import { RankDeficientError } from '../errors';
import type { ThinQrOptions, ThinQrResult } from './qr-options';
import { checkFinite, checkShape, checkThinQrOptions, rankError } from './qr-checks';
import { choleskyUpper, invertUpper, Matrix, multiplyUpper, pad4 } from './qr-loops';
import { gramSchmidtQr } from './qr-gram-schmidt';
import { HelperFailure, QrEngineChoice, qrWorkspace, QrWorkspace } from './qr-workspace';

export type { ThinQrOptions, ThinQrResult } from './qr-options';

/** The contract on the returned Q: ‖QᵀQ − I‖∞ ≤ this. */
export const ORTHONORMALITY_TOL = 1e-6;
/**
 * The Gram route is taken only when the first Cholesky factor of the column-scaled Gram matrix has
 * an estimated cond₂ ≤ this (so every pivot, the relative distance of a column to the span of the
 * ones before it, is ≥ 1e-3, far above rankTol, and known to ≈ ε·cond² ≈ 1e-10), and no column is
 * dependent. Otherwise the rank decisions and the factorization go to Gram–Schmidt.
 */
const GRAM_ROUTE_COND = 1e3;
/** Cholesky-QR refinement passes at most (each followed by its check). */
const MAX_REFINE = 2;

/**
 * Thin QR of a tall D×d matrix E (row-major), in float64, with a rank decision that means what it
 * says. Two routes (docs/concepts.md, "Numerics"):
 * 1. Gram route: G = EᵀE (WebAssembly SIMD f64x2, split across worker threads when registered) and
 *    the Cholesky factor U of the column-scaled G. When U is well conditioned (est. cond₂ ≤ 1e3) and
 *    no column is dependent, Q = E·U⁻¹ (one pass over E); then the Gram matrix of the stored float32
 *    Q is computed — that check is exactly ‖QᵀQ − I‖ of the result — and when it misses 1e-6 it also
 *    drives a Cholesky-QR refinement pass (CholQR2), checked again.
 * 2. Otherwise (ill-conditioned, dependent or zero columns): block Gram–Schmidt twice in float64
 *    (src/linalg/qr-gram-schmidt.ts), whose stability does not depend on cond(E) and whose pivots are
 *    the distances the rank rule is about; its result is checked the same way.
 * A Q that misses the contract after the refinements is never returned (RankDeficientError).
 * Q is unique: diag(R) > 0.
 *
 * @example
 * const { q, kept } = thinQr(E, 1000, 20);
 */
export function thinQr(E: Matrix, rows: number, cols: number, opts: ThinQrOptions = {}): ThinQrResult {
  return thinQrFor('thinQr', E, rows, cols, opts);
}

/**
 * {@link thinQr} for a caller that exposes it under another name: every error message starts with
 * `where` (orthonormalize, denseBasis, gaussianBasis, trajectoryBasis), the function the user called.
 */
export function thinQrFor(where: string, E: Matrix, rows: number, cols: number, opts: ThinQrOptions = {}): ThinQrResult {
  checkThinQrOptions(where, opts);
  const rankTol = opts.rankTol ?? 1e-6;
  checkShape(where, E, rows, cols);
  checkFinite(where, E, rows, cols);
  const all = Array.from({ length: cols }, (_, j) => j);
  const kind: QrEngineChoice = opts.engine ?? 'auto';

  const route = withWorkspace(E, rows, cols, all, kind, (ws) => {
    const first = choleskyRoute(ws, cols, rankTol);
    return first && checked(ws, first.r, opts.secondPass === 'always');
  });
  if (route) return { ...route, kept: all, dropped: [], method: 'cholesky' };

  const gs = gramSchmidtQr(E, rows, cols, rankTol);
  if (gs.dependent.length > 0 && !opts.dropDependent) throw rankError(where, gs.dependent, gs.kept.length, rankTol);
  if (gs.kept.length === 0) {
    throw new RankDeficientError(`${where}: every column of the basis is zero; give at least one nonzero column.`, gs.dependent);
  }
  const k = gs.kept.length;
  const res = withWorkspace(gs.q, rows, k, Array.from({ length: k }, (_, j) => j), kind, (ws) => checked(ws, gs.r, false, 0));
  if (res) return { ...res, kept: gs.kept, dropped: gs.dependent, method: 'gram-schmidt' };
  throw new RankDeficientError(
    `${where}: the basis is too ill-conditioned to orthonormalize to ${ORTHONORMALITY_TOL} in float32 ` +
      `even after ${MAX_REFINE} refinement passes. Raise rankTol (e.g. 1e-5) with {dropDependent: true}, ` +
      `or orthonormalize it beforehand.`,
    [],
  );
}

/**
 * Runs fn on a workspace of E's columns; when a helper thread fails mid-product (the working copy is
 * then unusable), once more on the calling thread alone. E itself is never written.
 */
function withWorkspace<T>(E: Matrix, rows: number, n: number, columns: number[], kind: QrEngineChoice, fn: (ws: QrWorkspace) => T): T {
  const ws = qrWorkspace(E, rows, n, columns, kind);
  try {
    return fn(ws);
  } catch (e) {
    if (e instanceof HelperFailure && kind === 'auto') return withWorkspace(E, rows, n, columns, 'single', fn);
    throw e;
  } finally {
    ws.dispose();
  }
}

/**
 * The Gram route's first pass: W ← W·S·U⁻¹ (S = diag(1/‖e_j‖)) when the scaled Cholesky factor U
 * is well conditioned and nothing is dependent; R = U·S⁻¹. Null when the route does not apply.
 */
function choleskyRoute(ws: QrWorkspace, n: number, rankTol: number): { r: Float64Array } | null {
  const p = pad4(n);
  const G = ws.gram();
  const norms = new Float64Array(n);
  for (let j = 0; j < n; j++) norms[j] = Math.sqrt(G[j * p + j]);
  for (let a = 0; a < n; a++) {
    if (!(norms[a] > 0)) return null; // a zero column: dependent
    for (let b = a; b < n; b++) G[a * p + b] /= norms[a] * norms[b];
  }
  const f = choleskyUpper(G, n, p, rankTol * rankTol);
  if (f.dependent.length > 0 || condEstimate(f.U, n) > GRAM_ROUTE_COND) return null;
  const Uinv = invertUpper(f.U, n);
  const M = new Float64Array(p * p);
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) M[a * p + b] = Uinv[a * n + b] / norms[a];
  ws.apply(M);
  const r = f.U;
  for (let a = 0; a < n; a++) for (let b = a; b < n; b++) r[a * n + b] *= norms[b];
  return { r };
}

/**
 * Checks the stored Q (its float64 Gram matrix): returned when ‖QᵀQ − I‖∞ ≤ 1e-6; else a Cholesky-QR
 * pass on Q (Q ← Q·U₂⁻¹, R ← U₂·R) and a new check, at most MAX_REFINE times. Null when it fails.
 */
function checked(ws: QrWorkspace, r: Float64Array, force: boolean, passes = 1) {
  const k = ws.cols;
  const p = pad4(k);
  for (let refine = 0; ; refine++) {
    const G = ws.gram();
    const off = offIdentity(G, k, p);
    if (off <= ORTHONORMALITY_TOL && !(force && refine === 0)) return { q: ws.result(), r, passes, orthogonality: off };
    if (refine === MAX_REFINE || !(off < 0.5)) return null; // too far from orthonormal to refine safely
    const f = choleskyUpper(G, k, p, 0.25);
    if (f.dependent.length > 0) return null;
    const Uinv = invertUpper(f.U, k);
    const M = new Float64Array(p * p);
    for (let a = 0; a < k; a++) for (let b = a; b < k; b++) M[a * p + b] = Uinv[a * k + b];
    ws.apply(M);
    r = multiplyUpper(f.U, r, k);
    passes++;
  }
}

/** ‖G − I‖∞ (largest absolute row sum) of the symmetric G whose upper triangle is given. */
function offIdentity(G: Float64Array, k: number, p: number): number {
  const rowSums = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    rowSums[a] += Math.abs(G[a * p + a] - 1);
    for (let b = a + 1; b < k; b++) {
      const e = Math.abs(G[a * p + b]);
      rowSums[a] += e;
      rowSums[b] += e;
    }
  }
  let m = 0;
  for (let a = 0; a < k; a++) m = Math.max(m, rowSums[a]);
  return Number.isNaN(m) ? Infinity : m;
}

/**
 * An estimate of cond₂(U) for an upper-triangular n×n U: ‖U‖₂·‖U⁻¹‖₂ by 12 power iterations each
 * (O(n²) per iteration), times 2 because power iteration approaches the norm from below.
 */
export function condEstimate(U: Float64Array, n: number): number {
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  const norm = (inverse: boolean) => {
    for (let i = 0; i < n; i++) x[i] = 1 + ((i * 0.618034) % 1);
    let est = 0;
    for (let it = 0; it < 12; it++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += x[i] * x[i];
      s = Math.sqrt(s);
      for (let i = 0; i < n; i++) x[i] /= s;
      if (!inverse) {
        for (let i = 0; i < n; i++) {
          let t = 0;
          for (let j = i; j < n; j++) t += U[i * n + j] * x[j];
          y[i] = t; // y = U·x
        }
        x.fill(0);
        for (let i = 0; i < n; i++) for (let j = i; j < n; j++) x[j] += U[i * n + j] * y[i]; // x = Uᵀ·y
      } else {
        for (let j = 0; j < n; j++) {
          let t = x[j];
          for (let i = 0; i < j; i++) t -= U[i * n + j] * y[i];
          y[j] = t / U[j * n + j]; // y = U⁻ᵀ·x
        }
        for (let i = n - 1; i >= 0; i--) {
          let t = y[i];
          for (let j = i + 1; j < n; j++) t -= U[i * n + j] * x[j];
          x[i] = t / U[i * n + i]; // x = U⁻¹·y
        }
      }
      let q = 0;
      for (let i = 0; i < n; i++) q += x[i] * x[i];
      est = Math.sqrt(Math.sqrt(q)); // ‖(AᵀA)x‖ → σ_max²
    }
    return est;
  };
  const c = 2 * norm(false) * norm(true);
  return Number.isFinite(c) ? c : Infinity;
}
