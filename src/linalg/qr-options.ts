/** The thin QR's options and result (qr.ts computes it, qr-checks.ts checks the options). */

/** Options of the thin QR. */
export interface ThinQrOptions {
  /**
   * Column j is dependent when its distance to the span of the columns kept before it is below
   * `rankTol` times its own norm (the sine of its angle to that span); a zero column is dependent.
   * Default 1e-6. Must lie in [1e-7, 1).
   */
  rankTol?: number;
  /**
   * Drop the dependent columns instead of throwing {@link RankDeficientError}. Default false. The
   * kept subset is greedy in column order: column j is kept iff its distance to the span of the
   * columns kept before it is at least `rankTol`·‖e_j‖.
   */
  dropDependent?: boolean;
  /**
   * 'auto' (default): on the Cholesky-QR route, a second Cholesky-QR pass runs only when the check of
   * the first one asks for it. 'always': it always runs.
   */
  secondPass?: 'auto' | 'always';
  /**
   * 'auto' (default): the 'simd' engine (qr.wat, on the helper threads of `useWorkerThreads()` when
   * registered) where WebAssembly SIMD runs, else 'loops'; 'loops': plain JavaScript loops (for tests).
   * Both give the unique Q with diag(R) > 0, differing only in the order of float64 sums. (Was
   * `kernel: 'auto' | 'js'`, which now throws.)
   */
  engine?: 'auto' | 'loops';
}

/** Result of {@link thinQr}: E[:, kept] = Q·R. */
export interface ThinQrResult {
  /** D×k row-major float32, ‖QᵀQ − I‖∞ ≤ 1e-6 (checked before returning). */
  q: Float32Array;
  /** k×k row-major float64, upper triangular with a positive diagonal. */
  r: Float64Array;
  /** The indices of the columns of E that span the result (all of them unless some were dropped). */
  kept: number[];
  /** The columns found dependent and dropped (empty unless `dropDependent`). */
  dropped: number[];
  /**
   * 'cholesky': Cholesky-QR on the Gram matrix (E well conditioned, no dependent column);
   * 'gram-schmidt': the rank-revealing block Gram–Schmidt twice (src/linalg/qr-gram-schmidt.ts).
   */
  method: 'cholesky' | 'gram-schmidt';
  /** Cholesky-QR passes applied to the result (0 after Gram–Schmidt unless its check asked for one). */
  passes: number;
  /** ‖QᵀQ − I‖∞ (largest row sum) of the returned float32 Q, computed in float64. */
  orthogonality: number;
}
