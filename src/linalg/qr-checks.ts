import { InvalidArgumentError, InvalidDimensionError, NonFiniteError, RankDeficientError } from '../errors';
import type { ThinQrOptions } from './qr-options';
import type { Matrix } from './qr-loops';

/**
 * The thin QR's input checks and its rank-deficiency message: each message starts with `where`, the
 * function the user called (thinQr, orthonormalize, denseBasis, …).
 */

/**
 * Throws an {@link InvalidArgumentError} naming the fix for an option thinQr cannot honour, or one
 * spelled the old way (`kernel`, now `engine`).
 */
export function checkThinQrOptions(where: string, opts: ThinQrOptions): void {
  const old = opts as ThinQrOptions & { kernel?: unknown };
  if (old.kernel !== undefined) {
    throw new InvalidArgumentError(
      `${where}: option 'kernel' is now called 'engine' (kernel 'js' is now engine 'loops'); pass { engine: 'auto' | 'loops' }.`,
    );
  }
  const rankTol = opts.rankTol ?? 1e-6;
  if (!(rankTol >= 1e-7 && rankTol < 1)) {
    throw new InvalidArgumentError(
      `${where}: rankTol must lie in [1e-7, 1), got ${rankTol}; the float64 factorization cannot ` +
        `resolve a smaller relative distance. Pass a value such as 1e-6.`,
    );
  }
  if (opts.engine !== undefined && opts.engine !== 'auto' && opts.engine !== 'loops') {
    throw new InvalidArgumentError(`${where}: engine must be 'auto' or 'loops', got ${JSON.stringify(opts.engine)}.`);
  }
  if (opts.secondPass !== undefined && opts.secondPass !== 'auto' && opts.secondPass !== 'always') {
    throw new InvalidArgumentError(`${where}: secondPass must be 'auto' or 'always', got ${JSON.stringify(opts.secondPass)}.`);
  }
}

export function rankError(where: string, dependent: number[], kept: number, rankTol: number): RankDeficientError {
  const shown = dependent.slice(0, 30).join(', ') + (dependent.length > 30 ? `, … (${dependent.length} in all)` : '');
  return new RankDeficientError(
    `${where}: the basis is rank deficient: column(s) ${shown} (0-based) lie within ` +
      `${rankTol}·(their norm) of the span of the columns kept before them (zero columns included); ` +
      `${kept} independent column(s) remain. Remove them, pass {dropDependent: true} to drop them, or ` +
      `lower rankTol (≥ 1e-7).`,
    dependent,
  );
}

export function checkShape(where: string, E: Matrix, rows: number, cols: number): void {
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || E.length !== rows * cols) {
    throw new InvalidArgumentError(
      `${where}: a ${rows}×${cols} matrix needs ${rows * cols} values, got ${E.length}.`,
    );
  }
  if (cols === 0) {
    throw new InvalidDimensionError(
      `${where}: the basis has d = 0 columns; give at least one column (d ≥ 1).`,
    );
  }
  if (cols > rows) {
    throw new InvalidDimensionError(
      `${where}: the basis is ${rows}×${cols}, so d = ${cols} > D = ${rows}: at most D ` +
        `orthonormal columns exist in R^D. Use d ≤ ${rows}.`,
    );
  }
}

export function checkFinite(where: string, E: Matrix, rows: number, cols: number): void {
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
    `${where}: the basis contains NaN or Infinity (first at row ${Math.floor(bad / cols)}, ` +
      `column ${bad % cols}; columns ${list.slice(0, 20).join(', ')}${list.length > 20 ? ', …' : ''}). ` +
      `Replace the non-finite entries before building the basis.`,
  );
}
