import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { isSeededKind, SEEDED_KINDS, SeededBasisKind, seededKindList } from '../basis/kinds';
import { InvalidArgumentError } from '../errors';
import { CurvePoint } from './interpolate';
import { accuracy, LabelledTensors, TrainableModel, TrainingTick } from './train';
import { OptimizerName, subspaceLearningRate } from './learning-rate';
import { PilotResult, StopReason, TrainingProtocol } from './protocol';
import type { BootstrapInterval } from './bootstrap';

/** Progress after each training batch of each run. */
export interface IntrinsicDimensionProgress extends TrainingTick {
  /** The subspace dimension of this run; null for the full baseline. */
  d: number | null;
  seed: number;
  /** The learning rate of the candidate being trained. */
  learningRate: number;
  /** Runs finished before this one, and the number planned so far (the refine step may add some). */
  run: number;
  runs: number;
  elapsedSeconds: number;
}

/** Options of {@link intrinsicDimension}. */
export interface IntrinsicDimensionOptions {
  /** A fresh model of the same architecture, initialized from `seed` (deterministic per seed). */
  createModel: (seed: number) => unknown;
  /** Training data; `validationFraction` of it is held out to choose the learning rate and when to stop. */
  train: LabelledTensors;
  /** Held-out data the reported accuracy is measured on (only for the chosen configuration of each run). */
  test: LabelledTensors;
  /** The subspace dimensions to measure (give this or `search`). */
  dims?: number[];
  /** Search d on a log grid of `points` (default 6) values in [min, max], then add `refine` (default 2) between the bracketing d. */
  search?: { min: number; max: number; points?: number; refine?: number };
  /** A seeded kind of the registry (src/basis/kinds.ts; default 'gaussian') or a factory (D, d, seed) → Basis. */
  basis?: SeededBasisKind | ((D: number, d: number, seed: number) => Basis);
  /** Seeds: the baseline and each d are run once per seed (init, basis and batch order). Default [0]. */
  seeds?: number[];
  /** The inner optimizer: a `tf.train` name, or a factory lr → new tf.Optimizer. Default 'adam'. */
  optimizer?: OptimizerName | ((learningRate: number) => tf.Optimizer);
  /**
   * The full model's learning rate: the centre of the baseline's search; each d's centre is
   * `subspaceLearningRate(learningRate, {D, d, optimizer})`. Default 1e-3 (0.01 for SGD and momentum).
   */
  learningRate?: number;
  /** Replaces the rule that turns the full model's lr into a subspace centre (e.g. `(lr) => lr`). */
  learningRateRule?: (fullLearningRate: number, at: { D: number; d: number; optimizer: string }) => number;
  /** Fraction of `train` held out for validation. Default 0.1. */
  validationFraction?: number;
  /** Most epochs per run (pilots included). Default 30. */
  maxEpochs?: number;
  /** Epochs without a validation gain > `minDelta` before a run stops. Default 3. */
  patience?: number;
  /** Default 0.001 (0.1 % accuracy). */
  minDelta?: number;
  /** Epochs each learning-rate candidate trains before they are compared. Default 2. */
  pilotEpochs?: number;
  /** Factor between learning-rate candidates (default 3); 1 trains the centre only. */
  lrStep?: number;
  /** Extra grid steps beyond the first three when the best is at an edge. Default 5 (the grid reaches centre·3^±6 ≈ ×729). */
  lrExpand?: number;
  /** Default 128. */
  batchSize?: number;
  /** A tf.js loss name. Default 'categoricalCrossentropy' (the model ends in softmax). */
  loss?: string;
  /** Higher is better; default: accuracy (arg-max against one-hot labels). */
  metric?: (model: TrainableModel, data: LabelledTensors) => number;
  /** Fraction of the baseline's metric that defines d_int. Default 0.9. */
  threshold?: number;
  /** A known baseline test accuracy: skips training the full model. */
  baseline?: number;
  /** Bootstrap resamples over seeds for the d_int interval (when ≥ 2 seeds). Default 2000. */
  bootstrap?: number;
  /** Runs already finished (e.g. read back from a partial result): those (d, seed) are not run again. */
  resume?: RunResult[];
  /**
   * Asked before each run not in `resume`: return a promise of its result to have it trained
   * elsewhere (another process or thread; the CLI's `--jobs`), or null to train it here. Delegated
   * runs are awaited after this process has trained the others of the same phase.
   */
  delegate?: (d: number | null, seed: number) => Promise<RunResult> | null;
  /** Called after every batch; a returned promise is awaited (e.g. to let a browser tab repaint). */
  onProgress?: (progress: IntrinsicDimensionProgress) => unknown;
  /** Called when each new run ends, with its result (to draw a curve live, or to save it). */
  onRun?: (run: RunResult) => void;
  signal?: AbortSignal;
}

/** One training run: its chosen configuration and its test accuracy. */
export interface RunResult {
  /** null for the full-parameter baseline. */
  d: number | null;
  seed: number;
  /** Test metric (accuracy) of the chosen configuration, at its best validation epoch. */
  accuracy: number;
  /** Its validation metric. */
  validation: number;
  /** The learning rate chosen on validation. */
  learningRate: number;
  /** The centre of the learning-rate search (the rule's value). */
  learningRateCentre: number;
  /** Epochs trained by the chosen configuration, and the one whose weights were kept. */
  epochs: number;
  bestEpoch: number;
  /** 'given' for a baseline whose accuracy the caller passed. */
  stopReason: StopReason | 'given';
  /** Each learning-rate candidate's validation metric after its pilot. */
  pilots: PilotResult[];
  /** The last training batch's loss. */
  loss: number;
  seconds: number;
}

/** What {@link intrinsicDimension} measured. */
export interface IntrinsicDimensionResult {
  /** The model's number of parameters. */
  D: number;
  /** The first seed's baseline run (`baselines` has one per seed). */
  baseline: RunResult;
  baselines: RunResult[];
  /** Mean test metric of the baselines: the reference of the threshold. */
  baselineAccuracy: number;
  runs: RunResult[];
  /** Mean ± spread of the accuracy per d, in increasing d. */
  curve: CurvePoint[];
  threshold: number;
  /** threshold × baseline accuracy. */
  target: number;
  /** d_int at the threshold (see {@link crossing}); null when no d reached the target. */
  dInt: number | null;
  /** The smallest measured d whose mean reaches the target (d_int rounded up to the grid). */
  firstReaching: number | null;
  bracket: [number, number] | null;
  status: 'crossed' | 'at-or-below-min' | 'not-reached';
  /** Bootstrap interval over seeds; null with one seed. */
  interval: BootstrapInterval | null;
  /** The protocol's budget and search settings, and the rest of the configuration. */
  config: TrainingProtocol & {
    dims: number[];
    basis: string;
    seeds: number[];
    learningRate: number;
    validationFraction: number;
    loss: string;
    optimizer: string;
    backend: string;
    trainExamples: number;
    validationExamples: number;
    testExamples: number;
  };
  /** Runs taken from `resume` rather than trained. */
  resumed: number;
  wallSeconds: number;
}

export type Resolved = Required<Pick<IntrinsicDimensionOptions, 'createModel' | 'train' | 'test' | 'seeds' | 'batchSize' | 'loss' | 'threshold' | 'validationFraction' | 'maxEpochs' | 'patience' | 'minDelta' | 'pilotEpochs' | 'lrStep' | 'lrExpand' | 'learningRate' | 'metric' | 'bootstrap'>> &
  Pick<IntrinsicDimensionOptions, 'dims' | 'baseline' | 'onProgress' | 'onRun' | 'signal' | 'resume' | 'delegate'> & {
    search: { min: number; max: number; points: number; refine: number } | null;
    makeBasis: (D: number, d: number, seed: number) => Basis;
    makeOptimizer: (lr: number) => tf.Optimizer;
    rule: (fullLearningRate: number, at: { D: number; d: number; optimizer: string }) => number;
    basisName: string;
    optimizerName: string;
  };

const positiveInt = (x: unknown) => Number.isInteger(x) && (x as number) > 0;

const FACTORIES: Record<OptimizerName, (lr: number) => tf.Optimizer> = {
  sgd: (lr) => tf.train.sgd(lr),
  momentum: (lr) => tf.train.momentum(lr, 0.9),
  adagrad: (lr) => tf.train.adagrad(lr),
  adadelta: (lr) => tf.train.adadelta(lr),
  adam: (lr) => tf.train.adam(lr),
  adamax: (lr) => tf.train.adamax(lr),
  rmsprop: (lr) => tf.train.rmsprop(lr),
};

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
  if (!Array.isArray(seeds) || seeds.length === 0 || !seeds.every(Number.isInteger) || new Set(seeds).size !== seeds.length) {
    throw bad(`'seeds' must be a non-empty list of distinct integers, got ${JSON.stringify(seeds)}.`);
  }
  const ints = { maxEpochs: o.maxEpochs ?? 30, patience: o.patience ?? 3, pilotEpochs: o.pilotEpochs ?? 2, batchSize: o.batchSize ?? 128, bootstrap: o.bootstrap ?? 2000 };
  for (const [k, v] of Object.entries(ints)) if (!positiveInt(v)) throw bad(`'${k}' must be a positive integer, got ${v}.`);
  const lrExpand = o.lrExpand ?? 5;
  if (!Number.isInteger(lrExpand) || lrExpand < 0) throw bad(`'lrExpand' must be an integer ≥ 0, got ${lrExpand}.`);
  const lrStep = o.lrStep ?? 3;
  if (!(Number.isFinite(lrStep) && lrStep >= 1)) throw bad(`'lrStep' must be a number ≥ 1 (1: no search), got ${lrStep}.`);
  const minDelta = o.minDelta ?? 0.001;
  if (!(Number.isFinite(minDelta) && minDelta >= 0)) throw bad(`'minDelta' must be a number ≥ 0, got ${minDelta}.`);
  const validationFraction = o.validationFraction ?? 0.1;
  if (!(validationFraction > 0 && validationFraction < 1)) throw bad(`'validationFraction' must be in (0, 1), got ${validationFraction}.`);
  const threshold = o.threshold ?? 0.9;
  if (!(threshold > 0 && threshold <= 1)) throw bad(`'threshold' must be in (0, 1], got ${threshold}.`);
  if (o.baseline !== undefined && !(o.baseline > 0)) throw bad(`'baseline' must be a positive metric value, got ${o.baseline}.`);
  const basis = o.basis ?? 'gaussian';
  const makeBasis = typeof basis === 'function' ? basis : seededBasis(basis);
  const opt = o.optimizer ?? 'adam';
  if (typeof opt !== 'function' && !(opt in FACTORIES)) throw bad(`'optimizer' must be one of ${Object.keys(FACTORIES).join(', ')} or a function lr → tf.Optimizer, got '${String(opt)}'.`);
  const makeOptimizer = typeof opt === 'function' ? opt : FACTORIES[opt];
  const learningRate = o.learningRate ?? (opt === 'sgd' || opt === 'momentum' ? 0.01 : 1e-3);
  if (!(Number.isFinite(learningRate) && learningRate > 0)) throw bad(`'learningRate' must be a positive number, got ${learningRate}.`);
  const sample = makeOptimizer(learningRate);
  const className = sample.getClassName();
  const optimizerName = `${className} ${JSON.stringify(sample.getConfig())}`;
  sample.dispose();
  const rule = o.learningRateRule ?? ((lr: number, at: { D: number; d: number }) => subspaceLearningRate(lr, { ...at, optimizer: className }));
  if (o.resume !== undefined && !Array.isArray(o.resume)) throw bad("'resume' must be a list of RunResult (the 'runs' and 'baselines' of a partial result).");
  return {
    ...o,
    search,
    seeds,
    ...ints,
    lrExpand,
    lrStep,
    minDelta,
    validationFraction,
    threshold,
    learningRate,
    loss: o.loss ?? 'categoricalCrossentropy',
    metric: o.metric ?? ((model, data) => accuracy(model, data)),
    makeOptimizer,
    rule,
    makeBasis,
    basisName: typeof basis === 'function' ? 'custom' : basis,
    optimizerName,
  };
}

/** A seeded basis factory by kind (the kinds `intrinsicDimension` accepts by name). */
export function seededBasis(kind: SeededBasisKind): (D: number, d: number, seed: number) => Basis {
  if (!isSeededKind(kind)) {
    throw new InvalidArgumentError(`intrinsicDimension: basis must be ${seededKindList()} or a function (D, d, seed) → Basis, got '${String(kind)}'.`);
  }
  return (D, d, seed) => SEEDED_KINDS[kind].create(D, d, seed);
}
