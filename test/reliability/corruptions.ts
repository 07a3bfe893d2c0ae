import * as tf from '@tensorflow/tfjs';
import { DimensionMismatchError, InvalidArgumentError, NonFiniteError, SubspaceError } from '../../src';

/**
 * Corrupted copies of what an optimizer's getWeights() returned, each with the error it must raise and
 * a pattern its message must contain (the entry that does not match). Generated from the saved list
 * itself, so every entry of every mode and optimizer is covered: each entry NaN-filled, each entry
 * truncated by one number, each iteration count that cannot be, and the list cut below its fixed head.
 */

export interface NamedTensor {
  name: string;
  tensor: tf.Tensor;
}

export interface Corruption {
  what: string;
  weights: NamedTensor[];
  error: new (...args: never[]) => SubspaceError;
  message: string | RegExp;
}

/** The label a message uses for saved entry `name`. */
function label(name: string): string {
  return name === 'subspace/origin' ? 'origin' : `'${name}'`;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The corruptions of `saved` (iteration count first, as getWeights returns it). `own` is the number of
 * entries between the origin and the inner optimizer's state (1 for z in coordinates mode, else 0).
 * The tensors made here are listed in `made` for the caller to dispose.
 */
export function corruptionsOf(saved: NamedTensor[], own: number): { list: Corruption[]; made: tf.Tensor[] } {
  const made: tf.Tensor[] = [];
  const keep = <T extends tf.Tensor>(t: T) => (made.push(t), t);
  const replace = (i: number, tensor: tf.Tensor) => saved.map((w, j) => (j === i ? { name: w.name, tensor } : w));
  const list: Corruption[] = [];
  saved.forEach((w, i) => {
    if (i === 0) return;
    list.push({
      what: `${w.name} filled with NaN`,
      weights: replace(i, keep(tf.fill(w.tensor.shape, NaN))),
      error: NonFiniteError,
      message: new RegExp(`${escape(label(w.name))}.* contains? NaN or Infinity`),
    });
    const flat = w.tensor.dataSync();
    const truncated = keep(tf.tensor1d(flat.slice(0, Math.max(0, flat.length - 1)) as Float32Array));
    list.push({
      what: `${w.name} truncated to ${truncated.size} numbers`,
      weights: replace(i, truncated),
      error: DimensionMismatchError,
      message: new RegExp(`${escape(label(w.name))}.*(shape|length)`),
    });
  });
  for (const count of [NaN, -1, 2.5]) {
    list.push({
      what: `iteration count ${count}`,
      weights: replace(0, keep(tf.scalar(count))),
      error: InvalidArgumentError,
      message: `the saved iteration count ${count} is invalid`,
    });
  }
  list.push({
    what: `cut to ${1 + own} entries`,
    weights: saved.slice(0, 1 + own),
    error: InvalidArgumentError,
    message: /setWeights expects \[iterations, origin/,
  });
  return { list, made };
}
