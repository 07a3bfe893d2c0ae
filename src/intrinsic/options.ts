/** The options and the result of {@link intrinsicDimension} (types only; resolve.ts checks the options). */
import type * as tf from '@tensorflow/tfjs-core';
import type { Basis } from '../basis/basis';
import type { SeededBasisKind } from '../basis/kinds';
import type { CurvePoint } from './interpolate';
import type { LabelledTensors, TrainableModel, TrainingTick } from './train';
import type { OptimizerName } from './optimizers';
import type { PilotResult, StopReason, TrainingProtocol } from './protocol';
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
  /**
   * How each run trains. 'converged' (default): a validation split, the lr chosen on it by pilots,
   * training to a validation plateau, the best epoch's weights. 'fixed': Li et al.'s protocol — the
   * whole of `train`, at the lr the rule gives (no pilots, no validation split), `maxEpochs` epochs,
   * the final weights; `validationFraction`, `patience`, `pilotEpochs`, `lrStep` and `lrExpand` are
   * not used. docs/intrinsic-dimension.md compares the two.
   */
  training?: 'converged' | 'fixed';
  /** Fraction of the baseline's metric that defines d_int (with `thresholdOf: 'absolute'`, the metric value itself). Default 0.9. */
  threshold?: number;
  /**
   * What `threshold` is a fraction of: 'baseline' (default; the full model's mean test metric) or
   * 'absolute' (1, so the target is `threshold` itself: Li et al.'s MNIST readings use 90 % test accuracy).
   */
  thresholdOf?: 'baseline' | 'absolute';
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
  /** threshold × baseline accuracy (× 1 with `thresholdOf: 'absolute'`). */
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
    /** How the runs trained, and what the threshold is a fraction of (see the options). */
    training: 'converged' | 'fixed';
    thresholdOf: 'baseline' | 'absolute';
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
