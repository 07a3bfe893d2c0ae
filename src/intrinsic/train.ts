import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { shuffled } from '../random';
import { CancelledError, DimensionMismatchError, InvalidArgumentError } from '../errors';

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
 * Trains `model` (already compiled with its optimizer and loss) with seeded shuffled mini-batches
 * through `trainOnBatch`: reproducible, unlike `fit`'s shuffle (Math.random). Checks `signal` between
 * batches and throws {@link CancelledError} when it is aborted. When `onTick` returns a promise it is
 * awaited (a browser page can yield there to repaint and take clicks).
 */
export async function trainSeeded(
  model: TrainableModel,
  data: LabelledTensors,
  budget: TrainingBudget,
  onTick?: (tick: TrainingTick) => unknown,
  signal?: AbortSignal,
): Promise<number> {
  const n = data.x.shape[0];
  const batches = Math.ceil(n / budget.batchSize);
  const rng = seedrandom.alea(`batches:${budget.shuffleSeed}`);
  let loss = NaN;
  for (let epoch = 0; epoch < budget.epochs; epoch++) {
    const order = shuffled(n, rng);
    for (let b = 0; b < batches; b++) {
      if (signal?.aborted) throw new CancelledError('intrinsicDimension: cancelled by its AbortSignal.');
      const idx = tf.tensor1d(order.subarray(b * budget.batchSize, (b + 1) * budget.batchSize), 'int32');
      const [xb, yb] = [tf.gather(data.x, idx), tf.gather(data.y, idx)];
      try {
        const out = await model.trainOnBatch(xb, yb);
        loss = Array.isArray(out) ? out[0] : out;
      } finally {
        tf.dispose([idx, xb, yb]);
      }
      await onTick?.({ epoch, epochs: budget.epochs, batch: b, batches, loss });
    }
  }
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
