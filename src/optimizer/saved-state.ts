import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { InvalidArgumentError } from '../errors';
import { NamedTensor } from '../layout';
import { checkBasisProbe, checkOrigin } from './checks';

/**
 * Splits what a wrapper's `getWeights` returned — [iterations, origin, basis probe, …own (the rule's: z),
 * …inner state] — validating the head (count, iteration number, origin, probe) before anything
 * changes. Returns [iterations, origin, own, inner].
 */
export function splitSavedWeights(
  where: string,
  weightValues: NamedTensor[],
  own: readonly string[],
  D: number,
  probe: tf.Tensor1D,
  basis: Basis,
): [number, tf.Tensor1D, NamedTensor[], NamedTensor[]] {
  if (!Array.isArray(weightValues) || weightValues.length < 3 + own.length) {
    throw new InvalidArgumentError(
      `${where}: setWeights expects [iterations, origin, basis probe${ownLabels(own)}, …inner state] as ` +
        `returned by getWeights(), got ${Array.isArray(weightValues) ? weightValues.length : 'no'} entries.`,
    );
  }
  const [iter, origin, saved, ...rest] = weightValues;
  const iterations = iter?.tensor?.size === 1 ? iter.tensor.dataSync()[0] : NaN;
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new InvalidArgumentError(`${where}: the saved iteration count ${iterations} is invalid.`);
  }
  checkOrigin(where, origin.tensor as tf.Tensor1D, D);
  checkBasisProbe(where, saved, probe, basis);
  return [iterations, origin.tensor as tf.Tensor1D, rest.slice(0, own.length), rest.slice(own.length)];
}

/** ', z' for ['subspace/z']: the rule's own saved weights as the messages list them. */
export function ownLabels(own: readonly string[]): string {
  return own.map((n) => `, ${n.replace(/^subspace\//, '')}`).join('');
}
