import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { shuffled } from '../random';
import { CancelledError, DimensionMismatchError, InvalidArgumentError, NonFiniteError } from '../errors';

/** Inputs and one-hot targets as tensors (the caller owns and disposes them). */
export interface LabelledTensors {
  /** [n, …input shape]. */
  x: tf.Tensor;
  /** [n, classes], one-hot. */
  y: tf.Tensor;
}

/** The part of a `tf.LayersModel` the training loop uses. */
export interface TrainableModel {
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<number | number[]>;
  predict(x: tf.Tensor, config?: { batchSize?: number }): tf.Tensor | tf.Tensor[];
}

/** Where a training run stands, after each batch. */
export interface TrainingTick {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** The loss of the batch just trained. */
  loss: number;
}

/** How one run trains: the budget is the same for every d (the paper's protocol). */
export interface TrainingBudget {
  epochs: number;
  batchSize: number;
  /** Seed of the per-epoch shuffles (same seed ⇒ same batches in the same order). */
  shuffleSeed: number;
}

/** Throws unless x and y are tensors with the same number of examples and y is [n, classes]. */
export function checkLabelled(where: string, what: string, data: LabelledTensors): void {
  if (!(data?.x instanceof tf.Tensor) || !(data?.y instanceof tf.Tensor)) {
    throw new InvalidArgumentError(`${where}: '${what}' must be {x, y} with tensors x (inputs) and y (one-hot labels).`);
  }
  if (data.y.rank !== 2 || data.x.shape[0] !== data.y.shape[0] || data.x.shape[0] === 0) {
    throw new DimensionMismatchError(
      `${where}: '${what}' has x of shape [${data.x.shape}] and y of shape [${data.y.shape}]; y must be ` +
        `one-hot [n, classes] with the same n ≥ 1 as x.`,
    );
  }
}

/**
 * Seeded shuffled mini-batch epochs through `trainOnBatch`, one call at a time: reproducible, unlike
 * `fit`'s shuffle (Math.random), and resumable epoch by epoch (the shuffle stream lives here), which
 * lets a caller evaluate between epochs and stop early.
 */
export class SeededEpochs {
  private readonly rng: () => number;
  private readonly batches: number;
  /** Epochs trained so far. */
  done = 0;

  constructor(
    private readonly data: LabelledTensors,
    private readonly batchSize: number,
    shuffleSeed: number,
  ) {
    this.rng = seedrandom.alea(`batches:${shuffleSeed}`);
    this.batches = Math.ceil(data.x.shape[0] / batchSize);
  }

  /**
   * Trains one epoch; returns the last batch's loss. Checks `signal` between batches (CancelledError);
   * a promise returned by `onTick` is awaited (a browser page can yield there to repaint).
   */
  async epoch(model: TrainableModel, epochs: number, onTick?: (tick: TrainingTick) => unknown, signal?: AbortSignal): Promise<number> {
    const order = shuffled(this.data.x.shape[0], this.rng);
    let loss = NaN;
    for (let b = 0; b < this.batches; b++) {
      if (signal?.aborted) throw new CancelledError('intrinsicDimension: cancelled by its AbortSignal.');
      const idx = tf.tensor1d(order.subarray(b * this.batchSize, (b + 1) * this.batchSize), 'int32');
      const [xb, yb] = [tf.gather(this.data.x, idx), tf.gather(this.data.y, idx)];
      try {
        const out = await model.trainOnBatch(xb, yb);
        loss = Array.isArray(out) ? out[0] : out;
      } finally {
        tf.dispose([idx, xb, yb]);
      }
      await onTick?.({ epoch: this.done, epochs, batch: b, batches: this.batches, loss });
    }
    this.done++;
    return loss;
  }
}

/**
 * One epoch of `epochs` (see {@link SeededEpochs.epoch}) whose last loss is NaN when the loss
 * diverged or a subspace optimizer refused a non-finite gradient (NonFiniteError: nothing updated,
 * the same outcome); other errors propagate.
 */
export async function epochLoss(
  epochs: SeededEpochs,
  model: TrainableModel,
  total: number,
  onTick?: (tick: TrainingTick) => unknown,
  signal?: AbortSignal,
): Promise<number> {
  try {
    return await epochs.epoch(model, total, onTick, signal);
  } catch (e) {
    if (!(e instanceof NonFiniteError)) throw e;
    return NaN;
  }
}

/**
 * Trains `model` (already compiled with its optimizer and loss) for `budget.epochs` seeded epochs
 * (see {@link SeededEpochs}). Checks `signal` between batches and throws {@link CancelledError} when
 * it is aborted. When `onTick` returns a promise it is awaited.
 */
export async function trainSeeded(
  model: TrainableModel,
  data: LabelledTensors,
  budget: TrainingBudget,
  onTick?: (tick: TrainingTick) => unknown,
  signal?: AbortSignal,
): Promise<number> {
  const epochs = new SeededEpochs(data, budget.batchSize, budget.shuffleSeed);
  let loss = NaN;
  for (let e = 0; e < budget.epochs; e++) loss = await epochs.epoch(model, budget.epochs, onTick, signal);
  return loss;
}

/** Fraction of examples whose arg-max prediction matches the one-hot label. */
export function accuracy(model: TrainableModel, data: LabelledTensors, batchSize = 512): number {
  const correct = tf.tidy(() => {
    const p = model.predict(data.x, { batchSize });
    const logits = Array.isArray(p) ? p[0] : p;
    return tf.sum(tf.cast(tf.equal(tf.argMax(logits, -1), tf.argMax(data.y, -1)), 'float32'));
  });
  const value = correct.dataSync()[0];
  correct.dispose();
  return value / data.x.shape[0];
}
