import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { SEEDED_BASIS_KINDS, SeededBasisKind } from '../basis/spec';
import { InvalidArgumentError } from '../errors';
import { CurvePoint } from './interpolate';
import { LabelledTensors, TrainingTick } from './train';
import { basisFromSpec } from '../basis/from-spec';

/** Progress after each training batch of each run. */
export interface IntrinsicDimensionProgress extends TrainingTick {
  /** The subspace dimension of this run; null for the full baseline. */
  d: number | null;
  seed: number;
  /** Runs finished before this one, and the number planned so far (the refine step may add some). */
  run: number;
  runs: number;
  elapsedSeconds: number;
}

/** Options of {@link intrinsicDimension}. */
export interface IntrinsicDimensionOptions {
  /** A fresh model of the same architecture, initialized from `seed` (deterministic per seed). */
  createModel: (seed: number) => unknown;
  train: LabelledTensors;
  /** Held-out data the accuracy is measured on. */
  test: LabelledTensors;
  /** The subspace dimensions to measure (give this or `search`). */
  dims?: number[];
  /** Search d on a log grid of `points` (default 6) values in [min, max], then add `refine` (default 2) between the bracketing d. */
  search?: { min: number; max: number; points?: number; refine?: number };
  /** 'gaussian' (default; dense), 'hashed', 'srht', or a factory (D, d, seed) → Basis. */
  basis?: SeededBasisKind | ((D: number, d: number, seed: number) => Basis);
  /** Seeds: each d is run once per seed (init, basis and batch order). Default [0]. */
  seeds?: number[];
  /** A new inner optimizer per run. Default `() => tf.train.adam(1e-3)`. */
  optimizer?: () => tf.Optimizer;
  /** The baseline's optimizer, when it should differ (e.g. a smaller learning rate). Default: `optimizer`. */
  baselineOptimizer?: () => tf.Optimizer;
  /** Epochs per run (the same for the baseline and every d). Default 10. */
  epochs?: number;
  /** Default 128. */
  batchSize?: number;
  /** A tf.js loss name. Default 'categoricalCrossentropy' (the model ends in softmax). */
  loss?: string;
  /** Fraction of the baseline's accuracy that defines d_int. Default 0.9. */
  threshold?: number;
  /** A known baseline test accuracy: skips training the full model. */
  baseline?: number;
  /** Called after every batch; a returned promise is awaited (e.g. to let a browser tab repaint). */
  onProgress?: (progress: IntrinsicDimensionProgress) => unknown;
  /** Called when each run ends, with its result (to draw a curve live). */
  onRun?: (run: RunResult) => void;
  signal?: AbortSignal;
}

/** One training run. */
export interface RunResult {
  /** null for the full-parameter baseline. */
  d: number | null;
  seed: number;
  /** Test accuracy after training. */
  accuracy: number;
  /** The last training batch's loss. */
  loss: number;
  seconds: number;
}

/** What {@link intrinsicDimension} measured. */
export interface IntrinsicDimensionResult {
  /** The model's number of parameters. */
  D: number;
  baseline: RunResult;
  runs: RunResult[];
  /** Mean ± spread of the accuracy per d, in increasing d. */
  curve: CurvePoint[];
  threshold: number;
  /** threshold × baseline accuracy. */
  target: number;
  /** d_int at the threshold (see {@link crossing}); null when no d reached the target. */
  dInt: number | null;
  bracket: [number, number] | null;
  status: 'crossed' | 'at-or-below-min' | 'not-reached';
  config: {
    dims: number[];
    basis: string;
    seeds: number[];
    epochs: number;
    batchSize: number;
    loss: string;
    optimizer: string;
    backend: string;
    trainExamples: number;
    testExamples: number;
  };
  wallSeconds: number;
}

type Resolved = Required<Pick<IntrinsicDimensionOptions, 'createModel' | 'train' | 'test' | 'seeds' | 'optimizer' | 'baselineOptimizer' | 'epochs' | 'batchSize' | 'loss' | 'threshold'>> &
  Pick<IntrinsicDimensionOptions, 'dims' | 'baseline' | 'onProgress' | 'onRun' | 'signal'> & {
    search: { min: number; max: number; points: number; refine: number } | null;
    makeBasis: (D: number, d: number, seed: number) => Basis;
    basisName: string;
    optimizerName: string;
  };

const positiveInt = (x: unknown) => Number.isInteger(x) && (x as number) > 0;

/** Defaults filled in and every option validated (typed errors naming the option and the fix). */
export function resolveOptions(o: IntrinsicDimensionOptions): Resolved {
  const bad = (msg: string) => new InvalidArgumentError(`intrinsicDimension: ${msg}`);
  if (o == null || typeof o.createModel !== 'function') throw bad("'createModel' must be a function (seed) => tf.LayersModel.");
  if ((o.dims == null) === (o.search == null)) throw bad("give exactly one of 'dims' (a list of d) and 'search' ({min, max}).");
  if (o.dims && (!Array.isArray(o.dims) || o.dims.length === 0 || !o.dims.every(positiveInt))) {
    throw bad(`'dims' must be a non-empty list of positive integers, got ${JSON.stringify(o.dims)}.`);
  }
  const search = o.search
    ? { min: o.search.min, max: o.search.max, points: o.search.points ?? 6, refine: o.search.refine ?? 2 }
    : null;
  if (search && (!positiveInt(search.min) || !positiveInt(search.max) || search.max < search.min || !positiveInt(search.points) || !Number.isInteger(search.refine) || search.refine < 0)) {
    throw bad(`'search' needs integers 1 ≤ min ≤ max, points ≥ 1 and refine ≥ 0, got ${JSON.stringify(o.search)}.`);
  }
  const seeds = o.seeds ?? [0];
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every(Number.isInteger)) throw bad(`'seeds' must be a non-empty list of integers, got ${JSON.stringify(seeds)}.`);
  const epochs = o.epochs ?? 10;
  const batchSize = o.batchSize ?? 128;
  if (!positiveInt(epochs)) throw bad(`'epochs' must be a positive integer, got ${epochs}.`);
  if (!positiveInt(batchSize)) throw bad(`'batchSize' must be a positive integer, got ${batchSize}.`);
  const threshold = o.threshold ?? 0.9;
  if (!(threshold > 0 && threshold <= 1)) throw bad(`'threshold' must be in (0, 1], got ${threshold}.`);
  if (o.baseline !== undefined && !(o.baseline > 0 && o.baseline <= 1)) throw bad(`'baseline' must be an accuracy in (0, 1], got ${o.baseline}.`);
  const basis = o.basis ?? 'gaussian';
  const makeBasis = typeof basis === 'function' ? basis : seededBasis(basis);
  const optimizer = o.optimizer ?? (() => tf.train.adam(1e-3));
  if (typeof optimizer !== 'function') throw bad("'optimizer' must be a function returning a new tf.Optimizer.");
  const sample = optimizer();
  const optimizerName = `${sample.getClassName()} ${JSON.stringify(sample.getConfig())}`;
  sample.dispose();
  return {
    ...o,
    search,
    seeds,
    epochs,
    batchSize,
    threshold,
    loss: o.loss ?? 'categoricalCrossentropy',
    optimizer,
    baselineOptimizer: o.baselineOptimizer ?? optimizer,
    makeBasis,
    basisName: typeof basis === 'function' ? 'custom' : basis,
    optimizerName,
  };
}

/** A seeded basis factory by kind (the kinds `intrinsicDimension` accepts by name). */
export function seededBasis(kind: SeededBasisKind): (D: number, d: number, seed: number) => Basis {
  if (!SEEDED_BASIS_KINDS.includes(kind)) {
    throw new InvalidArgumentError(`intrinsicDimension: basis must be one of ${SEEDED_BASIS_KINDS.join(', ')} or a function, got '${String(kind)}'.`);
  }
  return (D, d, seed) => basisFromSpec({ kind, D, d, seed });
}
