import { NonFiniteError } from '../errors';
import type { Trainee } from './protocol';
import { LabelledTensors, SeededEpochs, TrainingTick } from './train';

/** What a fixed-budget run did. */
export interface FixedBudgetOutcome {
  /** Epochs trained (the budget, or fewer when the loss diverged). */
  epochs: number;
  /** The last batch's loss (NaN when it diverged). */
  loss: number;
  diverged: boolean;
}

/**
 * Li et al.'s training of one run (`training: 'fixed'`): `epochs` seeded epochs over the whole of
 * `data` at one learning rate, no validation split, no early stop; the model keeps its final
 * weights. A non-finite loss (or a gradient a subspace optimizer refuses) ends the run as diverged.
 */
export async function trainFixedBudget(
  trainee: Trainee,
  data: LabelledTensors,
  epochs: number,
  batchSize: number,
  shuffleSeed: number,
  onTick?: (tick: TrainingTick) => unknown,
  signal?: AbortSignal,
): Promise<FixedBudgetOutcome> {
  const order = new SeededEpochs(data, batchSize, shuffleSeed);
  let loss = NaN;
  for (let e = 0; e < epochs; e++) {
    try {
      loss = await order.epoch(trainee.model, epochs, onTick, signal);
    } catch (err) {
      if (!(err instanceof NonFiniteError)) throw err;
      loss = NaN;
    }
    if (!Number.isFinite(loss)) return { epochs: e + 1, loss: NaN, diverged: true };
  }
  return { epochs, loss, diverged: false };
}
