import type { ProtocolOutcome, Trainee } from './protocol';
import { epochLoss, LabelledTensors, SeededEpochs, TrainingTick } from './train';

/**
 * Li et al.'s training of one run (`training: 'fixed'`), with runProtocol's signature and outcome:
 * the trainee `start(lr)` builds trains `epochs` seeded epochs over the whole of `data` at `lr` — no
 * validation split, no pilots, no early stop — and keeps its final weights. A non-finite loss (or a
 * gradient a subspace optimizer refuses) ends it as 'diverged'. The caller measures and disposes the
 * trainee (disposed here when training throws).
 */
export async function runFixedBudget(
  start: (lr: number) => Trainee,
  lr: number,
  data: LabelledTensors,
  p: { maxEpochs: number; batchSize: number },
  shuffleSeed: number,
  onTick?: (tick: TrainingTick & { learningRate: number }) => unknown,
  signal?: AbortSignal,
): Promise<{ trainee: Trainee; outcome: ProtocolOutcome }> {
  const trainee = start(lr);
  const order = new SeededEpochs(data, p.batchSize, shuffleSeed);
  let loss = NaN;
  let epochs = 0;
  try {
    while (epochs < p.maxEpochs) {
      loss = await epochLoss(order, trainee.model, p.maxEpochs, onTick && ((t) => onTick({ ...t, learningRate: lr })), signal);
      epochs++;
      if (!Number.isFinite(loss)) break;
    }
  } catch (e) {
    trainee.dispose();
    throw e;
  }
  const diverged = !Number.isFinite(loss);
  const outcome: ProtocolOutcome = {
    learningRate: lr, epochs, bestEpoch: epochs, validation: NaN, stopReason: diverged ? 'diverged' : 'max-epochs', history: [], pilots: [], loss,
  };
  return { trainee, outcome };
}
