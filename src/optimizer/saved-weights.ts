import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { Basis } from '../basis/basis';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors';
import { NamedTensor } from '../layout';
import { checkOrigin } from './checks';
import { RuleDefinition } from './rules/rule';

/**
 * The one codec of a wrapper's saved weights, the list `getWeights` returns and `setWeights` takes:
 *
 *     [iterations, 'subspace/origin', 'subspace/basis' (the probe), …the rule's own (e.g. 'subspace/z'), …inner optimizer state]
 *
 * Encoding and decoding live only here; nothing else indexes into the list.
 */

export const ORIGIN_WEIGHT = 'subspace/origin';
export const PROBE_WEIGHT = 'subspace/basis';

/** A decoded list: the parts by name, validated. The tensors are the caller's (not copies). */
export interface SavedWeights {
  iterations: number;
  /** The entry as it came (name and tensor), for re-encoding. */
  iterationsEntry: NamedTensor;
  origin: tf.Tensor1D;
  probe: tf.Tensor1D;
  /** The rule's own weights, in its definition's `savedWeights` order. */
  own: NamedTensor[];
  /** The inner optimizer's state (inner-state.ts names them). */
  inner: NamedTensor[];
}

/** What a list is checked against. */
export interface SavedWeightsContext {
  rule: RuleDefinition;
  basis: Basis;
  /** This optimizer's own probe ({@link basisProbe} of its basis). */
  probe: tf.Tensor1D;
}

/** The list getWeights returns, in the one order. */
export function encodeWeights(iterations: NamedTensor, origin: tf.Tensor1D, probe: tf.Tensor1D, own: NamedTensor[], inner: NamedTensor[]): NamedTensor[] {
  return [iterations, { name: ORIGIN_WEIGHT, tensor: origin }, { name: PROBE_WEIGHT, tensor: probe }, ...own, ...inner];
}

/** [SavedWeights] as a list again (same tensors). */
export function reencode(w: SavedWeights): NamedTensor[] {
  return encodeWeights(w.iterationsEntry, w.origin, w.probe, w.own, w.inner);
}

/**
 * Splits and validates a list before anything changes: the count, the iteration number, the origin
 * (a finite float32 vector of length D), the probe (the same basis) and the rule's own weights
 * (its `checkSaved`). The inner optimizer's part is checked where it is restored (inner-state.ts).
 */
export function decodeWeights(where: string, list: NamedTensor[], ctx: SavedWeightsContext): SavedWeights {
  const own = ctx.rule.savedWeights;
  if (!Array.isArray(list) || list.length < 3 + own.length) {
    throw new InvalidArgumentError(
      `${where}: setWeights expects [iterations, origin, basis probe${ownLabels(own)}, …inner state] as ` +
        `returned by getWeights(), got ${Array.isArray(list) ? list.length : 'no'} entries.`,
    );
  }
  const [iter, origin, probe, ...rest] = list;
  const iterations = iter?.tensor instanceof tf.Tensor && !iter.tensor.isDisposed && iter.tensor.size === 1 ? iter.tensor.dataSync()[0] : NaN;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new InvalidArgumentError(`${where}: the saved iteration count ${iterations} is invalid.`);
  }
  checkOrigin(where, origin?.tensor, ctx.basis.ambientDim);
  checkBasisProbe(where, probe, ctx.probe, ctx.basis);
  const ownPart = rest.slice(0, own.length);
  ctx.rule.checkSaved(where, ownPart, ctx.basis);
  return {
    iterations,
    iterationsEntry: iter,
    origin: origin.tensor as tf.Tensor1D,
    probe: probe.tensor as tf.Tensor1D,
    own: ownPart,
    inner: rest.slice(own.length),
  };
}

/** The rule's own weight `name` in a decoded list, or undefined. */
export function ownWeight(w: SavedWeights, name: string): tf.Tensor | undefined {
  return w.own.find((o) => o.name === name)?.tensor;
}

/** ', z' for ['subspace/z']: the rule's own saved weights as the messages list them. */
export function ownLabels(own: readonly string[]): string {
  return own.map((n) => `, ${n.replace(/^subspace\//, '')}`).join('');
}

/**
 * Qᵀv for a fixed seeded v (d numbers): saved with the optimizer's state so that state saved with
 * another basis of the same D and d (another seed or kind) is recognized on restore.
 */
export function basisProbe(basis: Basis): tf.Tensor1D {
  const rng = seedrandom.alea('subspace/basis-probe');
  const v = Float32Array.from({ length: basis.ambientDim }, () => 2 * rng() - 1);
  return tf.tidy(() => basis.project(tf.tensor1d(v)));
}

/**
 * Throws unless a saved probe matches this basis' own: equal up to float32 summation order
 * (1e-4·max(1, |c|∞); another basis differs by O(1)).
 */
function checkBasisProbe(where: string, saved: NamedTensor | undefined, own: tf.Tensor1D, basis: Basis): void {
  if (saved?.name !== PROBE_WEIGHT || !(saved.tensor instanceof tf.Tensor) || saved.tensor.isDisposed) {
    throw new InvalidArgumentError(
      `${where}: expected the basis probe '${PROBE_WEIGHT}' after the origin, got ${saved ? `'${saved.name}'` : 'nothing'}; ` +
        `the weights come from another optimizer or version.`,
    );
  }
  if (!tf.util.arraysEqual(saved.tensor.shape, own.shape)) {
    throw new DimensionMismatchError(
      `${where}: '${PROBE_WEIGHT}' has shape [${saved.tensor.shape}], expected [${own.shape}]: it was saved with a basis of another d.`,
    );
  }
  const [diff, scale] = tf.tidy(() => [tf.max(tf.abs(tf.sub(saved.tensor, own))).dataSync()[0], tf.max(tf.abs(own)).dataSync()[0]]);
  if (!Number.isFinite(diff)) {
    throw new NonFiniteError(`${where}: '${PROBE_WEIGHT}' contains NaN or Infinity.`);
  }
  if (!(diff <= 1e-4 * Math.max(1, scale))) {
    throw new InvalidArgumentError(
      `${where}: the state was saved with another basis (its probe differs by ${diff.toExponential(2)}): this ` +
        `optimizer's ${basis.kind} basis has the same D = ${basis.ambientDim} and d = ${basis.dim} but other directions ` +
        `(another seed or kind); restore into an optimizer built with the same basis.`,
    );
  }
}
