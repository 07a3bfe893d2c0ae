import type * as tf from '@tensorflow/tfjs-core';
import type { Basis } from '../basis/basis';
import { isSeededKind, SEEDED_KINDS, SeededBasisKind, seededKindList } from '../basis/kinds';
import { InvalidArgumentError } from '../errors';
import { subspaceLearningRate } from './learning-rate';
import type { IntrinsicDimensionOptions } from './options';
import { OPTIMIZERS } from './optimizers';
import { checkSeed } from '../random';
import { accuracy } from './train';

/** {@link IntrinsicDimensionOptions} with every default filled in, checked, and the factories it names. */
export type Resolved = Required<Pick<IntrinsicDimensionOptions, 'createModel' | 'train' | 'test' | 'seeds' | 'batchSize' | 'loss' | 'threshold' | 'training' | 'thresholdOf' | 'validationFraction' | 'maxEpochs' | 'patience' | 'minDelta' | 'pilotEpochs' | 'lrStep' | 'lrExpand' | 'learningRate' | 'metric' | 'bootstrap'>> &
  Pick<IntrinsicDimensionOptions, 'dims' | 'baseline' | 'onProgress' | 'onRun' | 'signal' | 'resume' | 'delegate'> & {
    search: { min: number; max: number; points: number; refine: number } | null;
    makeBasis: (D: number, d: number, seed: number) => Basis;
    makeOptimizer: (lr: number) => tf.Optimizer;
    rule: (fullLearningRate: number, at: { D: number; d: number; optimizer: string }) => number;
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
  if (!Array.isArray(seeds) || seeds.length === 0 || new Set(seeds).size !== seeds.length) {
    throw bad(`'seeds' must be a non-empty list of distinct seeds, got ${JSON.stringify(seeds)}.`);
  }
  for (const seed of seeds) checkSeed("intrinsicDimension: 'seeds'", seed); // the library's one seed rule
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
  const training = o.training ?? 'converged';
  if (training !== 'converged' && training !== 'fixed') throw bad(`'training' must be 'converged' or 'fixed', got ${JSON.stringify(o.training)}.`);
  const thresholdOf = o.thresholdOf ?? 'baseline';
  if (thresholdOf !== 'baseline' && thresholdOf !== 'absolute') throw bad(`'thresholdOf' must be 'baseline' or 'absolute', got ${JSON.stringify(o.thresholdOf)}.`);
  const threshold = o.threshold ?? 0.9;
  if (!(threshold > 0 && threshold <= 1)) throw bad(`'threshold' must be in (0, 1], got ${threshold}.`);
  if (o.baseline !== undefined && !(o.baseline > 0)) throw bad(`'baseline' must be a positive metric value, got ${o.baseline}.`);
  const basis = o.basis ?? 'gaussian';
  const makeBasis = typeof basis === 'function' ? basis : seededBasis(basis);
  const opt = o.optimizer ?? 'adam';
  if (typeof opt !== 'function' && !(opt in OPTIMIZERS)) throw bad(`'optimizer' must be one of ${Object.keys(OPTIMIZERS).join(', ')} or a function lr → tf.Optimizer, got '${String(opt)}'.`);
  const makeOptimizer = typeof opt === 'function' ? opt : OPTIMIZERS[opt];
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
    training,
    thresholdOf,
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
