import {
  InvalidArgumentError,
  InvalidDimensionError,
  NonFiniteError,
  RankDeficientError,
} from '../errors';
import {
  choleskyUpper,
  gramUpper,
  invertUpper,
  Matrix,
  multiplyTransposed,
  multiplyUpper,
  pad4,
} from './kernels';

/** Options of the thin QR. */
export interface ThinQrOptions {
  /**
   * A column is numerically dependent when its distance to the span of the columns before it is below
   * `rankTol` times its own norm (the sine of its angle to that span). Default 1e-6: a basis with a
   * condition number of 10⁶ is accepted. Must lie in [1e-7, 1): the float64 Gram matrix resolves
   * sines down to about 1e-7.
   */
  rankTol?: number;
  /** Drop dependent columns instead of throwing {@link RankDeficientError}. Default false. */
  dropDependent?: boolean;
  /**
   * 'auto' (default): skip the second Cholesky-QR pass when the first factor is well conditioned
   * (‖R‖_F·‖R⁻¹‖_F ≤ 1000, so one pass already loses at most ~1e-10 of orthogonality, far below the
   * float32 rounding of Q). 'always': always run both passes.
   */
  secondPass?: 'auto' | 'always';
}

/** Above this bound on cond₂(E) (‖R‖_F·‖R⁻¹‖_F), one Cholesky-QR pass is not trusted. */
const SINGLE_PASS_COND = 1000;

/** Result of {@link thinQr}: E[:, kept] = Q·R. */
export interface ThinQrResult {
  /** D×k row-major float32, QᵀQ = I. */
  q: Float32Array;
  /** k×k row-major float64, upper triangular with a positive diagonal. */
  r: Float64Array;
  /** The indices of the columns of E that span the result (all of them unless some were dropped). */
  kept: number[];
  /** The columns found dependent and dropped (empty unless `dropDependent`). */
  dropped: number[];
  /** How many Cholesky-QR passes ran (1 when the first sufficed). */
  passes: 1 | 2;
}

const TILE = 128;

/**
 * Thin QR of a tall D×d matrix E (row-major) by Cholesky-QR applied twice (CholQR2), in float64.
 *
 * Three streaming passes over E, each O(D·d²) time, with O(d²) extra memory besides the output:
 * 1. G₁ = EᵀE and its Cholesky factor U₁ (rank revealing, see {@link ThinQrOptions.rankTol});
 * 2. G₂ = Q₁ᵀQ₁ with Q₁ = E·U₁⁻¹ formed tile by tile and never stored, and its factor U₂;
 * 3. Q = E·(U₁⁻¹U₂⁻¹), R = U₂U₁.
 * The second pass restores orthogonality to float64 rounding whenever cond(E) ≲ 10⁷, which the rank
 * tolerance guarantees. One Cholesky-QR pass loses ≈ ε·cond(E)² of orthogonality, so when
 * ‖U₁‖_F·‖U₁⁻¹‖_F ≤ 1000 (≥ cond₂(E)) pass 2 is skipped (see {@link ThinQrOptions.secondPass}): a
 * random Gaussian basis with d ≤ ~800 then costs two streaming passes instead of four.
 * Q is unique: diag(R) > 0.
 */
export function thinQr(E: Matrix, rows: number, cols: number, opts: ThinQrOptions = {}): ThinQrResult {
  const rankTol = opts.rankTol ?? 1e-6;
  if (!(rankTol >= 1e-7 && rankTol < 1)) {
    throw new InvalidArgumentError(
      `orthonormalize: rankTol must lie in [1e-7, 1), got ${rankTol}; the float64 Gram matrix cannot ` +
        `resolve a smaller relative distance. Pass a value such as 1e-6.`,
    );
  }
  checkShape(E, rows, cols);
  checkFinite(E, rows, cols);

  const p = pad4(cols);
  const scratch = new Float64Array(TILE * p);
  const G1 = new Float64Array(p * p);
  for (let i0 = 0; i0 < rows; i0 += TILE) gramUpper(E, cols, i0, Math.min(rows, i0 + TILE), G1, scratch);
  const f1 = choleskyUpper(G1, cols, p, rankTol * rankTol);
  if (f1.dependent.length > 0 && !opts.dropDependent) {
    const list = f1.dependent.join(', ');
    throw new RankDeficientError(
      `orthonormalize: the basis is rank deficient: column(s) ${list} (0-based) lie within ` +
        `${rankTol} (relative) of the span of the columns before them. Remove them, pass ` +
        `{dropDependent: true} to drop them, or lower rankTol (≥ 1e-7).`,
      f1.dependent,
    );
  }
  const k = f1.kept.length;
  if (k === 0) {
    throw new RankDeficientError(
      'orthonormalize: every column of the basis is zero; give at least one nonzero column.',
      f1.dependent,
    );
  }
  // Column b of E·X (X upper triangular over the kept columns) only involves E's columns ≤ kept[b].
  const aEnd = Int32Array.from(f1.kept, (a) => a + 1);
  const U1inv = invertUpper(f1.U, k);
  if (opts.secondPass !== 'always' && frobenius(f1.U) * frobenius(U1inv) <= SINGLE_PASS_COND) {
    const q = new Float32Array(rows * k);
    multiplyTransposed(E, cols, 0, rows, embedTransposed(U1inv, k, f1.kept, cols), k, aEnd, q, 0);
    return { q, r: f1.U, kept: f1.kept, dropped: f1.dependent, passes: 1 };
  }

  const kp = pad4(k);
  const G2 = new Float64Array(kp * kp);
  const tile = new Float64Array(TILE * k);
  const M1t = embedTransposed(U1inv, k, f1.kept, cols);
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    multiplyTransposed(E, cols, i0, i1, M1t, k, aEnd, tile, 0);
    gramUpper(tile, k, 0, i1 - i0, G2, scratch);
  }
  const f2 = choleskyUpper(G2, k, kp, 1e-12);
  if (f2.kept.length !== k) {
    // Unreachable when rankTol ≥ 1e-7 (cond(Q₁) ≤ 1 + 1e-2); kept as a guard against silent garbage.
    throw new RankDeficientError(
      `orthonormalize: the second Cholesky-QR pass broke down (columns ${f2.dependent.join(', ')}); ` +
        `the basis is too ill-conditioned. Raise rankTol or orthonormalize it beforehand.`,
      f2.dependent.map((j) => f1.kept[j]),
    );
  }
  const Mt = embedTransposed(multiplyUpper(U1inv, invertUpper(f2.U, k), k), k, f1.kept, cols);
  const q = new Float32Array(rows * k);
  multiplyTransposed(E, cols, 0, rows, Mt, k, aEnd, q, 0);
  const r = multiplyUpper(f2.U, f1.U, k);
  return { q, r, kept: f1.kept, dropped: f1.dependent, passes: 2 };
}

/**
 * The k×k upper-triangular X placed at the kept rows of a cols×k matrix, returned transposed and
 * padded: pad4(k)×cols row-major, the layout {@link multiplyTransposed} reads.
 */
function embedTransposed(X: Float64Array, k: number, kept: number[], cols: number): Float64Array {
  const out = new Float64Array(pad4(k) * cols);
  for (let j = 0; j < k; j++) {
    for (let b = j; b < k; b++) out[b * cols + kept[j]] = X[j * k + b];
  }
  return out;
}

function frobenius(X: Float64Array): number {
  let s = 0;
  for (let i = 0; i < X.length; i++) s += X[i] * X[i];
  return Math.sqrt(s);
}

function checkShape(E: Matrix, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || E.length !== rows * cols) {
    throw new InvalidArgumentError(
      `orthonormalize: a ${rows}×${cols} matrix needs ${rows * cols} values, got ${E.length}.`,
    );
  }
  if (cols === 0) {
    throw new InvalidDimensionError(
      'orthonormalize: the basis has d = 0 columns; give at least one column (d ≥ 1).',
    );
  }
  if (cols > rows) {
    throw new InvalidDimensionError(
      `orthonormalize: the basis is ${rows}×${cols}, so d = ${cols} > D = ${rows}: at most D ` +
        `orthonormal columns exist in R^D. Use d ≤ ${rows}.`,
    );
  }
}

function checkFinite(E: Matrix, rows: number, cols: number): void {
  let bad = -1;
  for (let i = 0; i < E.length; i++) {
    if (!Number.isFinite(E[i])) {
      bad = i;
      break;
    }
  }
  if (bad < 0) return;
  const columns = new Set<number>();
  for (let i = bad; i < E.length; i++) if (!Number.isFinite(E[i])) columns.add(i % cols);
  const list = [...columns].sort((a, b) => a - b);
  throw new NonFiniteError(
    `orthonormalize: the basis contains NaN or Infinity (first at row ${Math.floor(bad / cols)}, ` +
      `column ${bad % cols}; columns ${list.slice(0, 20).join(', ')}${list.length > 20 ? ', …' : ''}). ` +
      `Replace the non-finite entries before building the basis.`,
  );
}
