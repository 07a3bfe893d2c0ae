import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { InvalidArgumentError } from '../errors';
import { shuffled } from '../random';
import { epochLoss, LabelledTensors, SeededEpochs, TrainableModel, TrainingTick } from './train';

/**
 * The training protocol of every run (the baseline and each d): the learning rate is chosen on a
 * validation split by short pilots on a log grid around a centre, and the chosen one trains on until
 * the validation metric stops improving; the weights of its best validation epoch are the result.
 */
export interface TrainingProtocol {
  /** Most epochs a run may train (pilot epochs included). */
  maxEpochs: number;
  /** Stop after this many epochs without a validation improvement larger than `minDelta`. */
  patience: number;
  /** The smallest validation-metric gain that counts as an improvement. */
  minDelta: number;
  /** Epochs each learning-rate candidate trains before they are compared on validation. */
  pilotEpochs: number;
  /** Spacing of the learning-rate grid (a factor; 3 ≈ half a decade). 1 disables the search. */
  lrStep: number;
  /** How many grid steps the search may go beyond centre/step … centre·step when the best is at an edge. */
  lrExpand: number;
  batchSize: number;
}

/** One learning-rate candidate's pilot. */
export interface PilotResult {
  learningRate: number;
  /** Validation metric after the pilot (NaN when the loss diverged). */
  validation: number;
}

/** Why a run stopped training. */
export type StopReason = 'plateau' | 'max-epochs' | 'diverged';

/** What one protocol run found. */
export interface ProtocolOutcome {
  learningRate: number;
  /** Epochs the chosen configuration trained (pilot epochs included). */
  epochs: number;
  /** The epoch (1-based) whose weights were kept: the best on validation. */
  bestEpoch: number;
  /** Best validation metric. */
  validation: number;
  stopReason: StopReason;
  /** Validation metric after each epoch of the chosen configuration. */
  history: number[];
  pilots: PilotResult[];
  /** The last training batch's loss. */
  loss: number;
}

/** A model being trained with one learning rate, ready to step epoch by epoch. */
export interface Trainee {
  model: TrainableModel & { getWeights(): tf.Tensor[]; setWeights(w: tf.Tensor[]): void };
  dispose(): void;
}

interface Candidate {
  lr: number;
  trainee: Trainee;
  epochs: SeededEpochs;
  history: number[];
  best: number;
  bestEpoch: number;
  snapshot: tf.Tensor[] | null;
  loss: number;
  diverged: boolean;
}

/**
 * Splits `data` into a fit part and a held-out validation part of `fraction` of the examples (at
 * least one), by a permutation seeded with `seed`. The caller disposes the four tensors.
 *
 * @example
 * const { fit, validation } = holdOut(train, 0.1); // 90 % to train on, 10 % to choose lr and epochs
 */
export function holdOut(data: LabelledTensors, fraction: number, seed = 'validation'): { fit: LabelledTensors; validation: LabelledTensors } {
  const n = data.x.shape[0];
  if (!(fraction > 0 && fraction < 1)) throw new InvalidArgumentError(`intrinsicDimension: 'validationFraction' must be in (0, 1), got ${fraction}.`);
  const nVal = Math.max(1, Math.round(fraction * n));
  if (nVal >= n) throw new InvalidArgumentError(`intrinsicDimension: ${n} training examples are too few to hold out a validation split; give more data.`);
  const order = shuffled(n, seedrandom.alea(`split:${seed}`));
  const take = (idx: Int32Array): LabelledTensors =>
    tf.tidy(() => {
      const i = tf.tensor1d(idx, 'int32');
      return { x: tf.gather(data.x, i), y: tf.gather(data.y, i) };
    });
  return { validation: take(order.slice(0, nVal)), fit: take(order.slice(nVal)) };
}

/**
 * Runs the protocol for one (d, seed): pilots on the learning-rate grid centre·step^k (k = 0, −1, +1,
 * then further out while the best is at an edge, at most `lrExpand` steps), continues the best pilot
 * until validation plateaus or `maxEpochs`, and leaves the best-validation weights in the returned
 * trainee (the caller measures it on the test split and disposes it).
 *
 * @example
 * const start = (lr) => { const model = make(); model.compile({ optimizer: tf.train.adam(lr), loss: 'categoricalCrossentropy' });
 *   return { model, dispose: () => model.dispose() }; };
 * const { trainee, outcome } = await runProtocol(start, 1e-3, holdOut(train, 0.1), accuracy,
 *   { maxEpochs: 30, patience: 3, minDelta: 0.001, pilotEpochs: 2, lrStep: 3, lrExpand: 5, batchSize: 128 }, 0);
 */
export async function runProtocol(
  start: (lr: number) => Trainee,
  centre: number,
  data: { fit: LabelledTensors; validation: LabelledTensors },
  metric: (model: TrainableModel, data: LabelledTensors) => number,
  p: TrainingProtocol,
  shuffleSeed: number,
  onTick?: (tick: TrainingTick & { learningRate: number }) => unknown,
  signal?: AbortSignal,
): Promise<{ trainee: Trainee; outcome: ProtocolOutcome }> {
  const pilots: PilotResult[] = [];
  const open = (lr: number): Candidate => ({
    lr, trainee: start(lr), epochs: new SeededEpochs(data.fit, p.batchSize, shuffleSeed), history: [], best: -Infinity, bestEpoch: 0, snapshot: null, loss: NaN, diverged: false,
  });
  const close = (c: Candidate) => {
    if (c.snapshot) tf.dispose(c.snapshot);
    c.trainee.dispose();
  };
  /** One epoch and its validation; returns false once the candidate must stop. */
  const epoch = async (c: Candidate): Promise<boolean> => {
    c.loss = await epochLoss(c.epochs, c.trainee.model, p.maxEpochs, onTick && ((t) => onTick({ ...t, learningRate: c.lr })), signal);
    if (!Number.isFinite(c.loss)) {
      c.diverged = true;
      return false;
    }
    const v = metric(c.trainee.model, data.validation);
    c.history.push(v);
    if (v > c.best + p.minDelta || c.snapshot === null) {
      if (c.snapshot) tf.dispose(c.snapshot);
      c.snapshot = c.trainee.model.getWeights().map((w) => tf.keep(w.clone()));
      c.best = Math.max(v, c.best);
      c.bestEpoch = c.history.length;
    }
    return c.history.length < p.maxEpochs && c.history.length - c.bestEpoch < p.patience;
  };
  const pilot = async (lr: number): Promise<Candidate> => {
    const c = open(lr);
    try {
      for (let e = 0; e < Math.min(p.pilotEpochs, p.maxEpochs); e++) if (!(await epoch(c))) break;
    } catch (err) {
      close(c);
      throw err;
    }
    pilots.push({ learningRate: lr, validation: c.diverged ? NaN : c.history[c.history.length - 1] });
    return c;
  };
  const score = (c: Candidate) => (c.diverged ? -Infinity : c.history[c.history.length - 1]);

  let best: Candidate | null = null;
  try {
    const search = p.lrStep > 1;
    let [lo, hi] = [0, 0];
    const tryK = async (k: number) => {
      const c = await pilot(centre * p.lrStep ** k);
      if (best === null || score(c) > score(best)) {
        if (best) close(best);
        best = c;
        return k;
      }
      close(c);
      return null;
    };
    let bestK = (await tryK(0)) as number;
    if (search) {
      for (const k of [-1, 1]) bestK = (await tryK(k)) ?? bestK;
      [lo, hi] = [-1, 1];
      for (let extra = 0; extra < p.lrExpand && (bestK === lo || bestK === hi); extra++) {
        const k = bestK === lo ? --lo : ++hi;
        const got = await tryK(k);
        if (got === null) break; // the edge pilot is worse: the best is bracketed
        bestK = got;
      }
    }
    const c = best as unknown as Candidate;
    let stop: StopReason = 'plateau';
    if (c.diverged) stop = 'diverged';
    else if (c.history.length >= p.maxEpochs) stop = 'max-epochs';
    else if (c.history.length - c.bestEpoch < p.patience) {
      while (await epoch(c)) { /* train on */ }
      stop = c.diverged ? 'diverged' : c.history.length - c.bestEpoch >= p.patience ? 'plateau' : 'max-epochs';
    }
    if (c.snapshot) c.trainee.model.setWeights(c.snapshot);
    if (c.snapshot) tf.dispose(c.snapshot);
    c.snapshot = null;
    const outcome: ProtocolOutcome = {
      learningRate: c.lr, epochs: c.history.length + (c.diverged ? 1 : 0), bestEpoch: c.bestEpoch, validation: Number.isFinite(c.best) ? c.best : NaN, stopReason: stop,
      history: c.history.slice(), pilots, loss: c.loss,
    };
    return { trainee: c.trainee, outcome };
  } catch (err) {
    if (best) close(best);
    throw err;
  }
}
