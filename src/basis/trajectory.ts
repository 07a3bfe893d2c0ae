import * as tf from '@tensorflow/tfjs-core';
import { eigs } from 'mathjs';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError, RankDeficientError } from '../errors';
import { ParameterLayout, VariableSource } from '../layout';
import { thinQrFor } from '../linalg/qr';
import { checkDims } from './basis';
import { DenseBasis } from './dense';

/** A parameter snapshot: the flat θ (length D) as numbers or as a tensor. */
export type Snapshot = Float32Array | Float64Array | number[] | tf.Tensor1D;

/**
 * The top-d principal directions of parameter snapshots taken during a short ordinary training
 * (Li et al. 2022, "Low Dimensional Trajectory Hypothesis is True": d ≈ 40 often suffices).
 *
 * The t snapshots are centered on their mean; PCA runs on the small t×t Gram matrix K = XXᵀ (float64,
 * eigendecomposed with mathjs), the directions u_j = Xᵀv_j/√λ_j are formed in float64 and
 * re-orthonormalized by thin QR. d must not exceed the rank of the centered snapshots (≤ t − 1):
 * components with λ_j ≤ 1e-10·λ_max are not directions, and asking for them is a RankDeficientError.
 *
 * @example
 * const rec = recordTrajectory(model);                     // one snapshot per epoch
 * await model.fit(xs, ys, {epochs: 30, callbacks: rec.callbacks});
 * const basis = trajectoryBasis(rec.snapshots, 15);
 */
export function trajectoryBasis(snapshots: Snapshot[] | TrajectoryRecorder, d: number): DenseBasis {
  const where = 'trajectoryBasis';
  const list = Array.isArray(snapshots) ? snapshots : snapshots?.snapshots;
  if (!Array.isArray(list) || list.length < 2) {
    throw new InvalidArgumentError(`${where}: give at least 2 snapshots of θ (got ${list?.length ?? 'none'}).`);
  }
  const rows = list.map((s) => (s instanceof tf.Tensor ? (s.dataSync() as Float32Array) : s));
  const D = rows[0].length;
  rows.forEach((r, a) => {
    if (r.length !== D) {
      throw new DimensionMismatchError(`${where}: snapshot ${a} has length ${r.length}, snapshot 0 has ${D}.`);
    }
  });
  const t = rows.length;
  checkDims(where, D, d);
  const mean = new Float64Array(D);
  for (const r of rows) for (let i = 0; i < D; i++) mean[i] += r[i] / t;
  const X = rows.map((r) => Float64Array.from(mean, (m, i) => r[i] - m));
  if (X.some((x) => x.some((v) => !Number.isFinite(v)))) {
    throw new NonFiniteError(`${where}: a snapshot contains NaN or Infinity.`);
  }
  const K = X.map(() => new Array<number>(t).fill(0));
  for (let a = 0; a < t; a++) for (let b = a; b < t; b++) K[a][b] = K[b][a] = dot(X[a], X[b]);
  const { eigenvectors } = eigs(K, { eigenvectors: true }) as unknown as {
    eigenvectors: Array<{ value: number; vector: { toArray(): number[] } | number[] }>;
  };
  const pairs = eigenvectors
    .map((e) => ({ value: e.value, vector: Array.isArray(e.vector) ? e.vector : e.vector.toArray() }))
    .sort((p, q) => q.value - p.value);
  const top = pairs[0]?.value ?? 0;
  const rank = pairs.filter((p) => p.value > 1e-10 * top && top > 0).length;
  if (d > rank) {
    throw new RankDeficientError(
      `${where}: the ${t} centered snapshots span only ${rank} direction(s), so d = ${d} is too many. ` +
        `Record more (and more different) snapshots, or use d ≤ ${rank}.`,
      Array.from({ length: d - rank }, (_, j) => rank + j),
    );
  }
  // U = Xᵀ·W with W[a, j] = v_j[a]/√λ_j, formed row by row (contiguous writes).
  const W = new Float64Array(t * d);
  for (let j = 0; j < d; j++) {
    const s = 1 / Math.sqrt(pairs[j].value);
    for (let a = 0; a < t; a++) W[a * d + j] = pairs[j].vector[a] * s;
  }
  const U = new Float64Array(D * d);
  for (let i = 0; i < D; i++) {
    const o = i * d;
    for (let a = 0; a < t; a++) {
      const x = X[a][i];
      const wa = a * d;
      for (let j = 0; j < d; j++) U[o + j] += x * W[wa + j];
    }
  }
  const { q } = thinQrFor('trajectoryBasis', U, D, d);
  return new DenseBasis(tf.tensor2d(q, [D, d]), 'trajectory');
}

function dot(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Snapshots of θ recorded during `model.fit` (plain arrays on the host: no tensors to dispose). */
export interface TrajectoryRecorder {
  /** Pass as (or among) `model.fit`'s callbacks. */
  readonly callbacks: { onEpochEnd?: () => Promise<void>; onBatchEnd?: () => Promise<void> };
  /** The snapshots so far, oldest first (the values at creation included). */
  readonly snapshots: Float32Array[];
  /** Takes a snapshot now. */
  record(): void;
}

/**
 * Records θ (the variables flattened in order) at creation and then after every `every`-th epoch or
 * batch of `model.fit`, for {@link trajectoryBasis}.
 */
export function recordTrajectory(
  variables: VariableSource,
  opts: { on?: 'epoch' | 'batch'; every?: number } = {},
): TrajectoryRecorder {
  const layout = new ParameterLayout('recordTrajectory', variables);
  const every = opts.every ?? 1;
  if (!Number.isInteger(every) || every < 1) {
    throw new InvalidArgumentError(`recordTrajectory: 'every' must be a positive integer, got ${every}.`);
  }
  const on = opts.on ?? 'epoch';
  if (on !== 'epoch' && on !== 'batch') {
    throw new InvalidArgumentError(`recordTrajectory: 'on' must be 'epoch' or 'batch', got '${on}'.`);
  }
  const snapshots: Float32Array[] = [];
  const record = () => {
    const theta = tf.tidy(() => layout.read());
    snapshots.push((theta.dataSync() as Float32Array).slice());
    theta.dispose();
  };
  let count = 0;
  const tick = async () => {
    count++;
    if (count % every === 0) record();
  };
  record();
  return {
    snapshots,
    record,
    callbacks: on === 'epoch' ? { onEpochEnd: tick } : { onBatchEnd: tick },
  };
}
