/**
 * Typed errors. Every error this library throws is a {@link SubspaceError}; the subclass says what
 * kind of input was wrong, `code` is a stable machine-readable tag, and the message names the problem
 * and the fix. No function throws after it has changed any state.
 */
export type SubspaceErrorCode =
  | 'DIMENSION_MISMATCH'
  | 'INVALID_DIMENSION'
  | 'RANK_DEFICIENT'
  | 'NON_FINITE'
  | 'UNKNOWN_VARIABLE'
  | 'DTYPE'
  | 'DISPOSED'
  | 'INVALID_ARGUMENT'
  | 'CANCELLED'
  | 'CHECKPOINT'
  | 'OUTSIDE_WRITE';

export class SubspaceError extends Error {
  readonly code: SubspaceErrorCode;
  constructor(code: SubspaceErrorCode, message: string) {
    super(message);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Two sizes that must agree do not (basis D vs. variables, origin length, weight shapes). */
export class DimensionMismatchError extends SubspaceError {
  constructor(message: string) {
    super('DIMENSION_MISMATCH', message);
  }
}

/** A subspace dimension that cannot exist: d = 0, d > D, non-integer sizes. */
export class InvalidDimensionError extends SubspaceError {
  constructor(message: string) {
    super('INVALID_DIMENSION', message);
  }
}

/** The basis columns are (numerically) linearly dependent; `columns` lists the dependent ones. */
export class RankDeficientError extends SubspaceError {
  readonly columns: number[];
  constructor(message: string, columns: number[]) {
    super('RANK_DEFICIENT', message);
    this.columns = columns;
  }
}

/** NaN or ±Infinity in a basis, an origin, a gradient or restored state. */
export class NonFiniteError extends SubspaceError {
  constructor(message: string) {
    super('NON_FINITE', message);
  }
}

/** A gradient arrived for a variable that the optimizer was not told about. */
export class UnknownVariableError extends SubspaceError {
  constructor(message: string) {
    super('UNKNOWN_VARIABLE', message);
  }
}

/** A variable or tensor has a dtype other than float32. */
export class DtypeError extends SubspaceError {
  constructor(message: string) {
    super('DTYPE', message);
  }
}

/** An object was used after `dispose()`. */
export class DisposedError extends SubspaceError {
  constructor(message: string) {
    super('DISPOSED', message);
  }
}

/** Any other malformed argument (unknown option value, wrong type). */
export class InvalidArgumentError extends SubspaceError {
  constructor(message: string) {
    super('INVALID_ARGUMENT', message);
  }
}

/** A long-running operation was cancelled through its AbortSignal; nothing after the last run is kept. */
export class CancelledError extends SubspaceError {
  constructor(message: string) {
    super('CANCELLED', message);
  }
}

/** A checkpoint or saved state does not match what it is loaded into, or is damaged. */
export class CheckpointError extends SubspaceError {
  constructor(message: string) {
    super('CHECKPOINT', message);
  }
}

/**
 * The optimizer's variables were changed from outside in a way it cannot follow: written to values
 * off θ0 + span(Q), or made non-trainable after the optimizer was created. The message says how to
 * re-bind (`setCoordinates`, `rebase()`, or a new optimizer).
 */
export class OutsideWriteError extends SubspaceError {
  constructor(message: string) {
    super('OUTSIDE_WRITE', message);
  }
}
