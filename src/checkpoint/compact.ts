import * as tf from '@tensorflow/tfjs-core';
import { basisFromSpec, checkBasisSpec } from '../basis/from-spec';
import { Basis } from '../basis/basis';
import { basisSpec, BasisSpec } from '../basis/spec';
import { CheckpointError, InvalidArgumentError } from '../errors';
import { ParameterLayout, VariableSource } from '../layout';
import { SubspaceOptimizer } from '../optimizer/subspace-optimizer';
import { decodeFloat32, encodeFloat32, fingerprint } from './encoding';

export const COMPACT_FORMAT = 'tfjs-subspace/compact';

/**
 * A subspace checkpoint: the seeded basis (kind, D, d, seed), the origin θ0 (its values, or — when
 * the model was built by a seeded initializer — only which model and seed, plus a fingerprint that
 * the rebuilt θ0 must match) and the d coordinates z. Plain JSON.
 */
export interface CompactCheckpoint {
  format: typeof COMPACT_FORMAT;
  version: 1;
  basis: BasisSpec;
  /** Shapes of the projected variables, in θ order (checked on load). */
  shapes: number[][];
  origin: { kind: 'stored'; values: string } | { kind: 'seeded'; model: string; seed: number; fingerprint: string };
  /** z, base64 float32. */
  z: string;
  /** Fingerprint of Q's first and last columns: a rebuilt basis must match it (kind, seed, version). */
  basisFingerprint: string;
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
}

/**
 * A compact checkpoint of what `optimizer` trained: z = its coordinates (in coordinates mode the
 * optimizer's own z, so loading gives θ bit for bit), the basis spec and the origin. The basis must
 * be seeded (gaussianBasis, hashedBasis or srhtBasis).
 */
export function compactCheckpoint(optimizer: SubspaceOptimizer, opts: CompactCheckpointOptions = {}): CompactCheckpoint {
  const spec = basisSpec(optimizer.basis);
  if (!spec) {
    throw new InvalidArgumentError(
      `compactCheckpoint: the optimizer's ${optimizer.basis.kind} basis cannot be rebuilt from a seed; use ` +
        `gaussianBasis, hashedBasis or srhtBasis, or save the full weights with model.save().`,
    );
  }
  const z = optimizer.coordinates();
  const zValues = z.dataSync() as Float32Array;
  z.dispose();
  const theta0 = optimizer.origin.dataSync() as Float32Array;
  const origin: CompactCheckpoint['origin'] = opts.seededOrigin
    ? { kind: 'seeded', model: opts.seededOrigin.model, seed: opts.seededOrigin.seed, fingerprint: fingerprint(theta0) }
    : { kind: 'stored', values: encodeFloat32(theta0) };
  return {
    format: COMPACT_FORMAT,
    version: 1,
    basis: { ...spec },
    shapes: optimizer.variables.map((v) => v.shape.slice()),
    origin,
    z: encodeFloat32(zValues),
    basisFingerprint: basisFingerprint(optimizer.basis),
  };
}

/**
 * Sets the model's (or variables') parameters to θ0 + Q·z from a compact checkpoint. For a
 * 'seeded' origin, pass a model freshly built by the same factory and seed: its current weights
 * are θ0 (checked against the stored fingerprint). Everything is validated before any variable
 * changes; a mismatch throws {@link CheckpointError} naming what differs.
 */
export function loadCompactCheckpoint(checkpoint: CompactCheckpoint, target: VariableSource): void {
  const where = 'loadCompactCheckpoint';
  const c = checkpoint as Partial<CompactCheckpoint> | null;
  if (c == null || c.format !== COMPACT_FORMAT) {
    throw new CheckpointError(`${where}: not a ${COMPACT_FORMAT} checkpoint (format = ${JSON.stringify(c?.format)}).`);
  }
  if (c.version !== 1) throw new CheckpointError(`${where}: unsupported checkpoint version ${JSON.stringify(c.version)}; this library reads version 1.`);
  try {
    checkBasisSpec(where, c.basis);
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const layout = new ParameterLayout(where, target);
  const spec = c.basis as BasisSpec;
  if (layout.size !== spec.D) {
    throw new CheckpointError(`${where}: the checkpoint is for D = ${spec.D} parameters, but the model has ${layout.size}.`);
  }
  const shapes = c.shapes ?? [];
  if (shapes.length !== layout.shapes.length || shapes.some((s, i) => !tf.util.arraysEqual(s, layout.shapes[i]))) {
    throw new CheckpointError(
      `${where}: the checkpoint's variable shapes ${JSON.stringify(shapes)} differ from the model's ${JSON.stringify(layout.shapes)}.`,
    );
  }
  const z = decodeFloat32(where, 'z', c.z, spec.d);
  let theta0: Float32Array;
  if (c.origin?.kind === 'stored') {
    theta0 = decodeFloat32(where, 'origin.values', c.origin.values, spec.D);
  } else if (c.origin?.kind === 'seeded') {
    const current = tf.tidy(() => layout.read());
    theta0 = current.dataSync() as Float32Array;
    current.dispose();
    const got = fingerprint(theta0);
    if (got !== c.origin.fingerprint) {
      throw new CheckpointError(
        `${where}: the model's current weights (fingerprint ${got}) are not the origin of the checkpoint ` +
          `(${c.origin.fingerprint}): build a fresh '${c.origin.model}' model with seed ${c.origin.seed} and load into it.`,
      );
    }
  } else {
    throw new CheckpointError(`${where}: the origin must be {kind: 'stored'} or {kind: 'seeded'}.`);
  }
  const basis = basisFromSpec(spec);
  try {
    const rebuilt = basisFingerprint(basis);
    if (rebuilt !== c.basisFingerprint) {
      throw new CheckpointError(
        `${where}: the ${spec.kind} basis rebuilt from seed ${spec.seed} (fingerprint ${rebuilt}) is not the one ` +
          `the checkpoint was trained with (${c.basisFingerprint}): its kind, seed or size was changed.`,
      );
    }
    tf.tidy(() => layout.assign(tf.add(tf.tensor1d(theta0), basis.lift(tf.tensor1d(z))) as tf.Tensor1D));
  } finally {
    basis.dispose();
  }
}

/** Bytes of the checkpoint as JSON, and the ratio of the full float32 weights (4·D bytes) to it. */
export function compressionOf(checkpoint: CompactCheckpoint): { bytes: number; fullBytes: number; ratio: number } {
  const bytes = new TextEncoder().encode(JSON.stringify(checkpoint)).length;
  const fullBytes = 4 * checkpoint.basis.D;
  return { bytes, fullBytes, ratio: fullBytes / bytes };
}
