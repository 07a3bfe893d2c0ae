import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, NonFiniteError } from '../errors';
import { NamedTensor } from '../layout';
import { isFiniteTensor } from '../optimizer/finite';
import { restoreInnerWeights, setInnerWeights, supportsExactState } from '../optimizer/inner-state';
import { ProjectedMatrix } from './projected-matrix';

/**
 * The saved state of an evolving-subspace optimizer: [iterations ('iter', as tf.train saves it),
 * `evolving/P/<position>` for each projected matrix, then the inner optimizer's state as
 * src/optimizer/inner-state.ts names it (`inner/<field>/<position>`)]. Positions are those of the
 * gradient list, not variable names, so a state restores into a fresh copy of the model.
 */
export const P_PREFIX = 'evolving/P/';

/** One gradient position: its variable and, when projected, its matrix state. */
export interface Entry {
  variable: tf.Variable;
  matrix: ProjectedMatrix | null;
}

/** The iteration count and the rest of a saved state, checked for its form. */
export function splitSaved(where: string, weights: NamedTensor[]): { iterations: number; bases: Map<number, tf.Tensor>; inner: NamedTensor[] } {
  if (!Array.isArray(weights) || weights.length === 0 || weights[0]?.tensor?.size !== 1) {
    throw new CheckpointError(`${where}: the weights must start with the iteration count, as getWeights() returns them.`);
  }
  const iterations = Math.round(weights[0].tensor.dataSync()[0]);
  const bases = new Map<number, tf.Tensor>();
  const inner: NamedTensor[] = [];
  for (const w of weights.slice(1)) {
    if (w.name.startsWith(P_PREFIX) && /^\d+$/.test(w.name.slice(P_PREFIX.length))) bases.set(+w.name.slice(P_PREFIX.length), w.tensor);
    else inner.push(w);
  }
  return { iterations, bases, inner };
}

/** The shapes and names of what the inner optimizer steps, by position (the proxy of a projected matrix). */
function innerLayout(entries: readonly Entry[]): { shapes: number[][]; names: string[] } {
  return {
    shapes: entries.map((e) => (e.matrix ? e.matrix.proxy.shape : e.variable.shape).slice()),
    names: entries.map((e) => (e.matrix ? e.matrix.proxy.name : e.variable.name)),
  };
}

/** Checks every saved P against the bound matrices (position, shape, dtype, finiteness); changes nothing. */
function checkBases(where: string, entries: readonly Entry[], bases: Map<number, tf.Tensor>): void {
  for (const [pos, t] of bases) {
    const m = entries[pos]?.matrix;
    if (!m) {
      throw new CheckpointError(`${where}: the saved state has a basis for gradient position ${pos}, which is not a projected matrix here; it was saved for another model or rank.`);
    }
    if (!tf.util.arraysEqual(t.shape, m.P.shape) || t.dtype !== 'float32') {
      throw new CheckpointError(`${where}: the saved basis ${P_PREFIX}${pos} is ${t.dtype} [${t.shape}], expected float32 [${m.P.shape}]: it was saved with another rank or model.`);
    }
    if (!isFiniteTensor(t)) throw new NonFiniteError(`${where}: the saved basis ${P_PREFIX}${pos} contains NaN or Infinity.`);
  }
  const missing = entries.findIndex((e, i) => e.matrix && !bases.has(i));
  if (missing >= 0) throw new CheckpointError(`${where}: the saved state lacks ${P_PREFIX}${missing}; pass all of what getWeights() returned.`);
}

function assignBases(entries: readonly Entry[], bases: Map<number, tf.Tensor>): void {
  for (const [pos, t] of bases) {
    const m = entries[pos].matrix as ProjectedMatrix;
    m.P.assign(t as tf.Tensor2D);
    m.hasBasis = true;
  }
}

/** Restores a split state into bound entries, synchronously (tf.train inner optimizers); validated before anything changes. */
export function restoreBound(where: string, inner: tf.Optimizer, entries: readonly Entry[], saved: ReturnType<typeof splitSaved>): void {
  checkBases(where, entries, saved.bases);
  const { shapes, names } = innerLayout(entries);
  restoreInnerWeights(where, inner, saved.inner, shapes, saved.iterations, names);
  assignBases(entries, saved.bases);
}

/** {@link restoreBound} for any inner optimizer (its own setWeights where it is not a tf.train one). */
export async function restoreBoundAsync(where: string, inner: tf.Optimizer, entries: readonly Entry[], saved: ReturnType<typeof splitSaved>): Promise<void> {
  if (supportsExactState(inner)) return restoreBound(where, inner, entries, saved);
  checkBases(where, entries, saved.bases);
  const { shapes, names } = innerLayout(entries);
  await setInnerWeights(where, inner, saved.inner, shapes, saved.iterations, names);
  assignBases(entries, saved.bases);
}

/** Kept copies of a split state, for an optimizer that is bound only at its first step. */
export function keepCopy(saved: ReturnType<typeof splitSaved>): ReturnType<typeof splitSaved> {
  return {
    iterations: saved.iterations,
    bases: new Map([...saved.bases].map(([k, t]) => [k, tf.keep(tf.clone(t))])),
    inner: saved.inner.map(({ name, tensor }) => ({ name, tensor: tf.keep(tf.clone(tensor)) })),
  };
}

/** Frees what {@link keepCopy} made. */
export function disposeCopy(saved: ReturnType<typeof splitSaved>): void {
  tf.dispose([...saved.bases.values(), ...saved.inner.map((w) => w.tensor)]);
}
