import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { seededFactoryList } from '../basis/kinds';
import { basisSpec, BasisSpec } from '../basis/spec';
import { InvalidArgumentError } from '../errors';
import { LayersModelLike, variablesOf } from '../layout';
import { SubspaceOptimizer } from '../optimizer/subspace-optimizer';
import { encodeFloat32, fingerprint } from './encoding';
import { compressionOf, warnIfLarger } from './compression';
import { FingerprintedGroup, fingerprintGroup, StoredGroup, storeGroup } from './groups';

export type { FingerprintedGroup, StoredGroup } from './groups';

export const COMPACT_FORMAT = 'tfjs-subspace/compact';

/**
 * A subspace checkpoint: the seeded basis (kind, D, d, seed), the origin θ0 (its values, or — when
 * the model was built by a seeded initializer — only which model and seed, plus a fingerprint that
 * the rebuilt θ0 must match), the d coordinates z, and everything else the model needs to predict
 * as it did: the `free` variables' values, the `frozen` ones' (values, or a fingerprint with a
 * seeded origin) and the model's non-trainable weights (BatchNormalization's moving statistics).
 * Plain JSON. Version 1 checkpoints (no free/frozen/non-trainable parts) are still read.
 */
export interface CompactCheckpoint {
  format: typeof COMPACT_FORMAT;
  version: 2;
  basis: BasisSpec;
  /** Shapes of the projected variables, in θ order (checked on load). */
  shapes: number[][];
  origin: { kind: 'stored'; values: string } | { kind: 'seeded'; model: string; seed: number; fingerprint: string };
  /** z, base64 float32. */
  z: string;
  /** Fingerprint of Q's first and last columns: a rebuilt basis must match it (kind, seed, version). */
  basisFingerprint: string;
  /** How many variables the optimizer was given (a model's trainable weights), and which were free or frozen. */
  variableCount: number;
  free: number[];
  frozen: number[];
  /** The free variables' values (trained in full, outside the subspace); null when there are none. */
  freeValues: StoredGroup | null;
  /** The frozen variables: their values, or with a seeded origin a fingerprint the fresh model must match; null when none. */
  frozenValues: StoredGroup | FingerprintedGroup | null;
  /** The model's non-trainable weights (moving statistics), or null when made without `model`. */
  nonTrainable: StoredGroup | null;
}

/** A `tf.LayersModel` as far as checkpoints need it. */
export interface ModelWithState extends LayersModelLike {
  nonTrainableWeights: Array<{ read(): tf.Tensor }>;
}

/**
 * Fingerprint of columns 0 and d−1 of Q, obtained as Q·e_j: every backend computes those exactly
 * (one product by 1, the rest by 0), so the same seeded basis gives the same fingerprint everywhere.
 */
export function basisFingerprint(basis: Basis): string {
  const cols = tf.tidy(() => {
    const pick = (j: number) => {
      const e = new Float32Array(basis.dim);
      e[j] = 1;
      return basis.lift(tf.tensor1d(e));
    };
    return tf.concat([pick(0), pick(basis.dim - 1)]);
  });
  const values = cols.dataSync() as Float32Array;
  cols.dispose();
  return fingerprint(values);
}

/** Options of {@link compactCheckpoint}. */
export interface CompactCheckpointOptions {
  /** The origin is what `createModel(seed)` of the named model initializes: store only its name and seed. */
  seededOrigin?: { model: string; seed: number };
  /**
   * The model the optimizer trains: its non-trainable weights (BatchNormalization's moving mean and
   * variance) are stored too. Default: the model the optimizer was built from (`variables: model`);
   * an optimizer built from a variable list does not know it, and a checkpoint of a model that has
   * such weights made without it is refused on load.
   */
  model?: ModelWithState;
}

/**
 * A compact checkpoint of what `optimizer` trained: z = its coordinates (in coordinates mode the
 * optimizer's own z, so loading gives θ bit for bit), the basis spec and the origin, plus the free
 * and frozen variables and (given `model`) the non-trainable weights. The basis must be seeded
 * (one of the registry's kinds, src/basis/kinds.ts: gaussianBasis, hashedBasis or srhtBasis).
 * A checkpoint no smaller than the weights it replaces (θ0 stored in full: pass `seededOrigin`) is
 * still returned, and the first such one in a process prints {@link compressionOf}'s advice with
 * console.warn.
 *
 * @example
 * const checkpoint = compactCheckpoint(optimizer, { model, seededOrigin: { model: 'mine', seed: 1 } });
 * loadCompactCheckpoint(checkpoint, createModel(1));   // predicts exactly as `model`
 */
export function compactCheckpoint(optimizer: SubspaceOptimizer, opts: CompactCheckpointOptions = {}): CompactCheckpoint {
  const where = 'compactCheckpoint';
  const spec = basisSpec(optimizer.basis);
  if (!spec) {
    throw new InvalidArgumentError(
      `${where}: the optimizer's ${optimizer.basis.kind} basis cannot be rebuilt from a seed; use ` +
        `${seededFactoryList()}, or save the full weights with model.save().`,
    );
  }
  const theta0 = optimizer.origin.dataSync() as Float32Array; // throws DisposedError on a disposed optimizer
  const state = optimizer.boundState(where);
  const all = state.selection().all;
  if (opts.model) {
    const trainable = variablesOf(where, opts.model);
    if (trainable.length !== all.length || trainable.some((v, i) => v !== all[i])) {
      throw new InvalidArgumentError(
        `${where}: 'model' is not the model the optimizer trains (its trainable weights are not the optimizer's ` +
          `variables, in order); pass that model, or create the optimizer with {variables: model}.`,
      );
    }
  }
  // The optimizer built with {variables: model} knows the model: its moving statistics are stored without asking.
  const model = opts.model ?? (state.model?.nonTrainableWeights.length ? state.model : undefined);
  const { free, frozen } = state.selection().positions;
  const nonTrainable = model
    ? storeGroup(where, model.nonTrainableWeights.map((w) => w.read() as tf.Variable), 'non-trainable weight')
    : null;
  const frozenVars = frozen.map((i) => all[i]);
  const z = optimizer.coordinates();
  const zValues = z.dataSync() as Float32Array;
  z.dispose();
  const origin: CompactCheckpoint['origin'] = opts.seededOrigin
    ? { kind: 'seeded', model: opts.seededOrigin.model, seed: opts.seededOrigin.seed, fingerprint: fingerprint(theta0) }
    : { kind: 'stored', values: encodeFloat32(theta0) };
  const checkpoint: CompactCheckpoint = {
    format: COMPACT_FORMAT,
    version: 2,
    basis: { ...spec },
    shapes: optimizer.variables.map((v) => v.shape.slice()),
    origin,
    z: encodeFloat32(zValues),
    basisFingerprint: basisFingerprint(optimizer.basis),
    variableCount: all.length,
    free,
    frozen,
    freeValues: free.length ? storeGroup(where, free.map((i) => all[i]), 'free variable') : null,
    frozenValues: !frozen.length
      ? null
      : opts.seededOrigin
        ? fingerprintGroup(where, frozenVars, 'frozen variable')
        : storeGroup(where, frozenVars, 'frozen variable'),
    nonTrainable,
  };
  warnIfLarger(compressionOf(checkpoint));
  return checkpoint;
}
