import * as tf from '@tensorflow/tfjs-core';
import type { SeededBasisKind } from '../basis/kinds';
import { InvalidArgumentError } from '../errors';
import type { ModelOptions } from '../models/build';
import type { IntrinsicDimensionOptions } from './options';

/** The four MNIST measurements of Li et al. (2018) the preset reproduces. */
export type Li2018Task = 'mnist-fc' | 'mnist-lenet' | 'mnist-fc-shuffled' | 'mnist-lenet-shuffled';

/** One task's settings in the authors' code (github.com/uber-research/intrinsic-dimension, docs/intrinsic-dimension.md cites each). */
export interface Li2018Setting {
  /** The zoo model (`models` of tfjs-subspace/models): 784-200-200-10 or LeNet-5. */
  model: 'fc' | 'lenet';
  shufflePixels: boolean;
  optimizer: { name: 'adam'; beta1: number; beta2: number } | { name: 'momentum'; momentum: number };
  learningRate: number;
  /** L2 penalty on the kernels of θ = θ0 + P·z (not on z, not on biases). */
  l2: number;
  epochs: number;
  batchSize: number;
  /**
   * The basis kind standing in for the authors' projection: 'srht', a structured Hadamard projection
   * like their Fastfood transform (H·G·Π·H·B), which their MNIST launch lines name; 'gaussian' is
   * their dense N(0, 1) projection with unit-norm columns, orthonormalized here (the same span).
   */
  basis: SeededBasisKind;
  /** The d grid the preset sweeps by default: a subset of the authors' grid around their answer. */
  dims: number[];
  /** d_int90 in the paper. */
  paper: number;
}

const adam = { name: 'adam', beta1: 0.9, beta2: 0.99 } as const; // standard_parser.py: beta2 default .99, not TF's .999
const momentum = { name: 'momentum', momentum: 0.9 } as const;
const common = { epochs: 100, batchSize: 128 };

/** The preset's table (sources: docs/intrinsic-dimension.md, "The paper preset"). */
export const LI2018: Readonly<Record<Li2018Task, Li2018Setting>> = {
  'mnist-fc': { model: 'fc', shufflePixels: false, optimizer: adam, learningRate: 1e-3, l2: 1e-4, ...common, basis: 'srht', dims: [300, 500, 650, 750, 850, 1000, 1250], paper: 750 },
  'mnist-lenet': { model: 'lenet', shufflePixels: false, optimizer: adam, learningRate: 1e-3, l2: 1e-4, ...common, basis: 'srht', dims: [100, 200, 250, 290, 350, 400, 500], paper: 290 },
  'mnist-fc-shuffled': { model: 'fc', shufflePixels: true, optimizer: momentum, learningRate: 0.1, l2: 1e-4, ...common, basis: 'srht', dims: [300, 500, 650, 750, 850, 1000, 1250], paper: 750 },
  'mnist-lenet-shuffled': { model: 'lenet', shufflePixels: true, optimizer: momentum, learningRate: 0.01, l2: 0, ...common, basis: 'srht', dims: [750, 1000, 1250, 1400, 1600, 2000, 2500], paper: 1400 },
};

/** The task of a model and pixel order, or an error naming the four. */
export function li2018Task(model: string, shufflePixels: boolean): Li2018Task {
  const task = `mnist-${model}${shufflePixels ? '-shuffled' : ''}`;
  if (!(task in LI2018)) {
    throw new InvalidArgumentError(`the li2018 protocol covers MNIST with --model fc or lenet (pixels in place or shuffled): Li et al. measured those; got model '${model}'. Use the default protocol for other models.`);
  }
  return task as Li2018Task;
}

/** The optimizer factory of a setting: Adam with β2 = 0.99, or SGD with momentum 0.9. */
export function li2018Optimizer(setting: Li2018Setting): (lr: number) => tf.Optimizer {
  const o = setting.optimizer;
  return o.name === 'adam' ? (lr) => tf.train.adam(lr, o.beta1, o.beta2) : (lr) => tf.train.momentum(lr, o.momentum);
}

/** The model options of a setting: He-normal kernels, zero biases, the L2 penalty on kernels. */
export const li2018ModelOptions = (setting: Li2018Setting, seed: number): ModelOptions => ({ seed, init: 'he-normal', l2: setting.l2 });

/**
 * The intrinsicDimension options of Li et al.'s protocol for a task (everything but the data, the
 * model factory and the seeds): a fixed budget of `epochs` over the whole training set at one
 * learning rate for every d (no validation split, no pilots, the final weights), and the 90 %
 * threshold taken of an absolute 100 % test accuracy, as the authors' notebooks read their MNIST
 * numbers (`baseline=1.0`). The result's `firstReaching` is their reading (the smallest tried d
 * above the target); `dInt` interpolates between the bracketing d as the default protocol does.
 */
export function li2018Options(task: Li2018Task): Pick<
  IntrinsicDimensionOptions,
  'training' | 'thresholdOf' | 'threshold' | 'optimizer' | 'learningRate' | 'learningRateRule' | 'lrStep' | 'maxEpochs' | 'batchSize' | 'basis' | 'dims'
> {
  const s = LI2018[task];
  return {
    training: 'fixed',
    thresholdOf: 'absolute',
    threshold: 0.9,
    optimizer: li2018Optimizer(s),
    learningRate: s.learningRate,
    learningRateRule: (lr) => lr, // the same lr for the full model and every d
    lrStep: 1,
    maxEpochs: s.epochs,
    batchSize: s.batchSize,
    basis: s.basis,
    dims: s.dims.slice(),
  };
}
