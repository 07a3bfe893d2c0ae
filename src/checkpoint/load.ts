import * as tf from '@tensorflow/tfjs-core';
import { basisFromSpec, checkBasisSpec } from '../basis/from-spec';
import { BasisSpec } from '../basis/spec';
import { CheckpointError } from '../errors';
import { ParameterLayout, VariableSource, variablesOf } from '../layout';
import type { CompactCheckpoint, ModelWithState } from './compact';
import { basisFingerprint, COMPACT_FORMAT } from './compact';
import { decodeFloat32, fingerprint } from './encoding';
import { checkShapes, decodeGroup, FingerprintedGroup, readValues, StoredGroup, writeGroup } from './groups';

type Parts = { projected: tf.Variable[]; free: tf.Variable[]; frozen: tf.Variable[] };

/** Splits the target's variables as the checkpoint's optimizer did (version 1: all projected). */
function split(where: string, c: Partial<CompactCheckpoint>, all: tf.Variable[]): Parts {
  if ((c.version as number) === 1) return { projected: all, free: [], frozen: [] };
  if (c.variableCount !== all.length) {
    throw new CheckpointError(
      `${where}: the checkpoint was made for ${String(c.variableCount)} trainable variables, but the model has ${all.length}; ` +
        `load it into the architecture it was made from (with the same layers trainable).`,
    );
  }
  const ok = (p: unknown): p is number[] => Array.isArray(p) && p.every((i) => Number.isInteger(i) && i >= 0 && i < all.length);
  if (!ok(c.free) || !ok(c.frozen)) throw new CheckpointError(`${where}: the checkpoint's free/frozen positions are damaged.`);
  const free = c.free.map((i) => all[i]);
  const frozen = c.frozen.map((i) => all[i]);
  return { projected: all.filter((v) => !free.includes(v) && !frozen.includes(v)), free, frozen };
}

function nonTrainableOf(target: VariableSource): tf.Variable[] | null {
  const m = target as Partial<ModelWithState>;
  return Array.isArray(m?.nonTrainableWeights) ? m.nonTrainableWeights.map((w) => w.read() as tf.Variable) : null;
}

/**
 * Sets the model's (or variables') parameters to θ0 + Q·z from a compact checkpoint, and its free,
 * frozen and non-trainable weights to the stored values. For a 'seeded' origin, pass a model freshly
 * built by the same factory and seed: its current weights are θ0 (checked against the stored
 * fingerprint, frozen variables too). Everything is validated before any variable changes; a
 * mismatch throws {@link CheckpointError} naming what differs — including a model with
 * non-trainable weights (BatchNorm statistics) and a checkpoint made without them.
 *
 * @example
 * const fresh = createModel(1);
 * loadCompactCheckpoint(JSON.parse(text), fresh);
 */
export function loadCompactCheckpoint(checkpoint: CompactCheckpoint, target: VariableSource): void {
  const where = 'loadCompactCheckpoint';
  const c = checkpoint as Partial<CompactCheckpoint> | null;
  if (c == null || c.format !== COMPACT_FORMAT) {
    throw new CheckpointError(`${where}: not a ${COMPACT_FORMAT} checkpoint (format = ${JSON.stringify(c?.format)}).`);
  }
  if ((c.version as number) !== 1 && c.version !== 2) {
    throw new CheckpointError(`${where}: unsupported checkpoint version ${JSON.stringify(c.version)}; this library reads versions 1 and 2.`);
  }
  try {
    checkBasisSpec(where, c.basis);
  } catch (e) {
    throw new CheckpointError((e as Error).message);
  }
  const spec = c.basis as BasisSpec;
  const parts = split(where, c, variablesOf(where, target));
  const layout = new ParameterLayout(where, parts.projected);
  if (layout.size !== spec.D) {
    throw new CheckpointError(`${where}: the checkpoint is for D = ${spec.D} parameters, but the model has ${layout.size}.`);
  }
  checkShapes(where, 'projected variables', c.shapes, parts.projected);
  const z = decodeFloat32(where, 'z', c.z, spec.d);
  let theta0: Float32Array;
  if (c.origin?.kind === 'stored') {
    theta0 = decodeFloat32(where, 'origin.values', c.origin.values, spec.D);
  } else if (c.origin?.kind === 'seeded') {
    theta0 = readValues(where, parts.projected, 'variable');
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
  const writes: Array<[tf.Variable[], Float32Array[]]> = [];
  if (parts.free.length > 0) writes.push([parts.free, decodeGroup(where, 'freeValues', c.freeValues as StoredGroup, parts.free)]);
  if (parts.frozen.length > 0) {
    const frozen = c.frozenValues as StoredGroup | FingerprintedGroup;
    if (frozen && 'fingerprint' in frozen) {
      checkShapes(where, 'frozen variables', frozen.shapes, parts.frozen);
      const got = fingerprint(readValues(where, parts.frozen, 'frozen variable'));
      if (got !== frozen.fingerprint) {
        throw new CheckpointError(
          `${where}: the model's frozen variables (fingerprint ${got}) are not those of the checkpoint (${frozen.fingerprint}); ` +
            `load into a fresh model built by the same factory and seed.`,
        );
      }
    } else {
      writes.push([parts.frozen, decodeGroup(where, 'frozenValues', frozen, parts.frozen)]);
    }
  }
  const nonTrainable = nonTrainableOf(target);
  const stored = c.version === 2 ? c.nonTrainable : null;
  if (stored == null) {
    if (nonTrainable && nonTrainable.length > 0) {
      throw new CheckpointError(
        `${where}: the model has ${nonTrainable.length} non-trainable weight(s) (e.g. '${nonTrainable[0].name}': BatchNormalization ` +
          `moving statistics) but the checkpoint does not carry them, so the loaded model would not predict as the saved ` +
          `one; make the checkpoint with compactCheckpoint(optimizer, {model}).`,
      );
    }
  } else if (nonTrainable == null) {
    if (stored.shapes?.length) {
      throw new CheckpointError(`${where}: the checkpoint carries non-trainable weights (moving statistics); load it into the model, not a variable list.`);
    }
  } else {
    writes.push([nonTrainable, decodeGroup(where, 'nonTrainable', stored, nonTrainable)]);
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
  for (const [variables, values] of writes) writeGroup(variables, values);
}
