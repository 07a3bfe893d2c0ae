import type { ModelName } from '../models/registry';
import type { DataName } from './data';

/** The model a data set gets when --model is not given. */
export function defaultModel(data: DataName): ModelName {
  return data === 'digits' ? 'fc-digits' : 'fc';
}

/**
 * Budgets per data set when not given: the 8×8 digits (1,293 training examples after the validation
 * split) train in batches of 32 for up to 60 epochs; MNIST-sized sets (54,000) in batches of 128 for
 * up to 12 epochs (an epoch there is 422 steps and ≈ 40 s on this machine's wasm backend).
 */
export const BUDGETS: Record<'digits' | '28x28', { maxEpochs: number; patience: number; pilotEpochs: number; batchSize: number }> = {
  digits: { maxEpochs: 60, patience: 5, pilotEpochs: 3, batchSize: 32 },
  '28x28': { maxEpochs: 12, patience: 3, pilotEpochs: 1, batchSize: 128 },
};
