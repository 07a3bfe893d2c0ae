import type { ModelName } from '../models/registry';
import type { DataName } from './data';

/** The model a data set gets when --model is not given. */
export function defaultModel(data: DataName): ModelName {
  return data === 'digits' ? 'fc-digits' : 'fc';
}

/**
 * The full model's Adam learning rate when none is given: `id --lr` (the baseline's search centre)
 * and `train --full-lr` (what subspaceLearningRate turns into the subspace's lr). It is
 * intrinsicDimension's own default for Adam (src/intrinsic/resolve.ts).
 */
export const FULL_MODEL_LR = 1e-3;

/** The fraction of the training split `id` holds out for validation when --validation-fraction is not given (intrinsicDimension's default too). */
export const VALIDATION_FRACTION = 0.1;

/**
 * Budgets per data set when not given: the 8×8 digits (1,294 training examples after the validation
 * split) train in batches of 32 for up to 60 epochs; MNIST-sized sets (54,000) in batches of 128 for
 * up to 12 epochs (an epoch there is 422 steps and ≈ 40 s on this machine's wasm backend). `train`,
 * which has no validation split to stop at a plateau, trains maxEpochs epochs in batchSize.
 */
export const BUDGETS: Record<'digits' | '28x28', { maxEpochs: number; patience: number; pilotEpochs: number; batchSize: number }> = {
  digits: { maxEpochs: 60, patience: 5, pilotEpochs: 3, batchSize: 32 },
  '28x28': { maxEpochs: 12, patience: 3, pilotEpochs: 1, batchSize: 128 },
};

/** The budget of a data set, and its name in messages. */
export function budgetOf(data: DataName): { name: string; budget: (typeof BUDGETS)['digits'] } {
  return data === 'digits' ? { name: 'digits', budget: BUDGETS.digits } : { name: '28×28', budget: BUDGETS['28x28'] };
}
