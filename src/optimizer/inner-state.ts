import * as tf from '@tensorflow/tfjs-core';
import { NamedTensor } from '../layout';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors';
import { isFiniteTensor } from './finite';

/**
 * Exact save/restore of the state of the seven `tf.train` optimizers, which the wrappers need for a
 * bit-identical resume. The built-in `getWeights`/`setWeights` do not suffice: Adamax has none, Adam
 * recomputes its β-powers with `pow` (not bit-identical to the running product), and `setWeights`
 * replaces slot variables without disposing the old ones. The slot fields below are those of
 * tfjs-core 4.x (our peer range); each slot array is indexed by the position of the variable in the
 * gradient list, which the wrappers keep fixed.
 */
const STATE_FIELDS: Record<string, { slots: string[]; scalars: string[] }> = {
  SGD: { slots: [], scalars: [] },
  Momentum: { slots: ['accumulations'], scalars: [] },
  Adagrad: { slots: ['accumulatedGrads'], scalars: [] },
  Adadelta: { slots: ['accumulatedGrads', 'accumulatedUpdates'], scalars: [] },
  Adam: { slots: ['accumulatedFirstMoment', 'accumulatedSecondMoment'], scalars: ['accBeta1', 'accBeta2'] },
  Adamax: {
    slots: ['accumulatedFirstMoment', 'accumulatedWeightedInfNorm'],
    scalars: ['iteration', 'accBeta1'],
  },
  RMSProp: { slots: ['accumulatedMeanSquares', 'accumulatedMoments', 'accumulatedMeanGrads'], scalars: [] },
};

interface Slot {
  originalName: string;
  variable: tf.Variable;
}
type Fields = Record<string, unknown>;

const PREFIX = 'inner/';

function fieldsOf(inner: tf.Optimizer): { slots: string[]; scalars: string[] } | undefined {
  return STATE_FIELDS[inner.getClassName()];
}

/** True when the inner optimizer's state can be saved and restored exactly. */
export function supportsExactState(inner: tf.Optimizer): boolean {
  return fieldsOf(inner) !== undefined;
}

/**
 * The inner optimizer's state as named tensors (its own variables, not copies), named
 * `inner/<field>` and `inner/<field>/<position>`. Unknown optimizer classes fall back to their own
 * `getWeights()` (less the iteration count).
 */
export async function innerWeights(inner: tf.Optimizer): Promise<NamedTensor[]> {
  const fields = fieldsOf(inner);
  if (!fields) {
    const [iter, ...rest] = await inner.getWeights();
    iter.tensor.dispose();
    return rest;
  }
  const self = inner as unknown as Fields;
  const out: NamedTensor[] = fields.scalars.map((f) => ({
    name: PREFIX + f,
    tensor: self[f] as tf.Variable,
  }));
  for (const f of fields.slots) {
    ((self[f] as Array<Slot | undefined>) ?? []).forEach((slot, i) => {
      if (slot) out.push({ name: `${PREFIX}${f}/${i}`, tensor: slot.variable });
    });
  }
  return out;
}

/**
 * Restores state saved by {@link innerWeights}. Everything is validated first (names, shapes,
 * finiteness); only then are the old slots disposed and replaced by copies of `weights`, so a
 * rejected call leaves the optimizer as it was. `shapes[i]` is the shape of the i-th variable.
 */
export async function setInnerWeights(
  where: string,
  inner: tf.Optimizer,
  weights: NamedTensor[],
  shapes: ReadonlyArray<readonly number[]>,
  iterations: number,
  names: readonly string[],
): Promise<void> {
  if (!fieldsOf(inner)) {
    await inner.setWeights([{ name: 'iter', tensor: tf.scalar(iterations, 'int32') }, ...weights]);
    return;
  }
  restoreInnerWeights(where, inner, weights, shapes, iterations, names);
}

/** {@link setInnerWeights} for the seven tf.train optimizers, synchronously. */
export function restoreInnerWeights(
  where: string,
  inner: tf.Optimizer,
  weights: NamedTensor[],
  shapes: ReadonlyArray<readonly number[]>,
  iterations: number,
  names: readonly string[],
): void {
  const fields = fieldsOf(inner);
  if (!fields) {
    throw new InvalidArgumentError(
      `${where}: a ${inner.getClassName()} inner optimizer cannot be restored synchronously; use ` +
        `one of ${Object.keys(STATE_FIELDS).join(', ')} or await setWeights().`,
    );
  }
  const self = inner as unknown as Fields;
  const slots: Record<string, tf.Tensor[]> = {};
  const scalars: Record<string, tf.Tensor> = {};
  for (const { name, tensor } of weights) {
    const rest = name.startsWith(PREFIX) ? name.slice(PREFIX.length) : '';
    const [field, pos] = rest.split('/');
    if (fields.scalars.includes(field) && pos === undefined) {
      checkTensor(where, name, tensor, []);
      scalars[field] = tensor;
    } else if (fields.slots.includes(field) && /^\d+$/.test(pos ?? '') && +pos < shapes.length) {
      checkTensor(where, name, tensor, shapes[+pos]);
      (slots[field] ??= [])[+pos] = tensor;
    } else {
      throw new InvalidArgumentError(
        `${where}: unexpected optimizer weight '${name}' for a ${inner.getClassName()} inner ` +
          `optimizer over ${shapes.length} variable(s); the weights come from a different optimizer ` +
          `or layout.`,
      );
    }
  }
  // tf.train optimizers create every slot on their first step: once it has stepped, all must be there
  // (RMSProp keeps mean gradients only when centered).
  if (iterations > 0) {
    const optional = (f: string) => f === 'accumulatedMeanGrads' && !(inner as unknown as { centered: boolean }).centered;
    for (const f of fields.slots.filter((f) => !optional(f))) {
      const gap = shapes.findIndex((_, i) => !slots[f]?.[i]);
      if (gap >= 0) {
        throw new InvalidArgumentError(
          `${where}: the saved ${inner.getClassName()} state after ${iterations} step(s) lacks '${PREFIX}${f}/${gap}'; ` +
            `the weights are incomplete.`,
        );
      }
    }
  }
  const missing = fields.scalars.filter((f) => scalars[f] === undefined);
  if (missing.length > 0) {
    throw new InvalidArgumentError(
      `${where}: the saved ${inner.getClassName()} state lacks ${missing.map((m) => PREFIX + m)}.`,
    );
  }
  for (const f of fields.scalars) (self[f] as tf.Variable).assign(scalars[f]);
  for (const f of fields.slots) {
    const old = (self[f] as Array<Slot | undefined>) ?? [];
    old.forEach((s) => s?.variable.dispose());
    const saved = slots[f] ?? [];
    self[f] = Array.from({ length: saved.length }, (_, i) =>
      saved[i] ? { originalName: `${names[i]}/${f}`, variable: tf.variable(saved[i], false) } : undefined,
    );
  }
  (self as { iterations_?: number }).iterations_ = iterations;
}

function checkTensor(where: string, name: string, t: tf.Tensor, shape: readonly number[]): void {
  if (!tf.util.arraysEqual(t.shape, shape as number[])) {
    throw new DimensionMismatchError(
      `${where}: optimizer weight '${name}' has shape [${t.shape}], expected [${shape}]: it was saved ` +
        `for variables of another shape.`,
    );
  }
  if (t.dtype !== 'float32') {
    throw new InvalidArgumentError(`${where}: optimizer weight '${name}' must be float32, got ${t.dtype}.`);
  }
  if (!isFiniteTensor(t)) {
    throw new NonFiniteError(`${where}: optimizer weight '${name}' contains NaN or Infinity.`);
  }
}

/**
 * Every variable the inner optimizer's next step over `count` gradient positions can change (its
 * scalars and slots), or null when that is not known: an optimizer other than the seven tf.train
 * ones, or one that would create a slot in that step (tf.train optimizers make them on first use).
 */
export function innerStateVariables(inner: tf.Optimizer, count: number): tf.Variable[] | null {
  const fields = fieldsOf(inner);
  if (!fields) return null;
  const self = inner as unknown as Fields;
  const out: tf.Variable[] = [];
  for (const f of fields.scalars) {
    const v = self[f];
    if (!(v instanceof tf.Variable)) return null;
    out.push(v);
  }
  const centered = (inner as unknown as { centered?: boolean }).centered;
  for (const f of fields.slots) {
    if (f === 'accumulatedMeanGrads' && !centered) continue;
    const slots = (self[f] as Array<Slot | undefined>) ?? [];
    for (let i = 0; i < count; i++) {
      const slot = slots[i];
      if (!slot) return null;
      out.push(slot.variable);
    }
  }
  return out;
}

/** Disposes an optimizer and the tensors some tf.train optimizers' own dispose forgets (tfjs#4647). */
export function disposeInner(inner: tf.Optimizer): void {
  inner.dispose();
  for (const value of Object.values(inner)) {
    if (value instanceof tf.Tensor && !value.isDisposed) value.dispose();
  }
}
