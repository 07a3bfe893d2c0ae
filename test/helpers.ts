import { SEEDED_BASIS_KINDS, SEEDED_KINDS } from '../src/basis/kinds';
import { disposeInner } from '../src/optimizer/inner-state';
import { registeredModes, ruleOfMode, RuleMode } from '../src/optimizer/rules/registry';
import { COORDINATES_WEIGHT, RuleDefinition } from '../src/optimizer/rules/rule';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import seedrandom from 'seedrandom';
import {
  Basis,
  gaussianBasis,
  blockBasis,
  srhtBasis,
  GradientMode,
  projectGradients,
  projectParameters,
  registerWasmTrainingKernels,
  SubspaceOptimizer,
  SubspaceOptimizerOptions,
} from '../src';
import { ParameterLayout } from '../src/tools';

/** The Node backends every suite runs on. */
export const BACKENDS = ['cpu', 'wasm'] as const;
export type BackendName = (typeof BACKENDS)[number];

export async function useBackend(name: BackendName): Promise<void> {
  const ok = await tf.setBackend(name);
  if (!ok || tf.getBackend() !== name) throw new Error(`backend ${name} failed to initialize`);
  await tf.ready();
  // The cpu backend's one-time "install tfjs-node" banner (not installable offline) is just noise here.
  if (name === 'cpu') (tf.backend() as unknown as { firstUse: boolean }).firstUse = false;
}

/** Dense → BatchNormalization → Dense, seeded: two calls build identical models (227 trainable, 32 moving statistics). */
export const batchNormModel = (seed: number): tf.Sequential =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.batchNormalization({ momentum: 0.5 }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });

/** Seeded uniform numbers in [-scale, scale). */
export function uniformArray(n: number, seed: number, scale = 1): Float32Array {
  const rng = seedrandom.alea(`u${seed}`);
  return Float32Array.from({ length: n }, () => (2 * rng() - 1) * scale);
}

/**
 * The model of the equivalence matrix: Conv2D (2 filters 3×3) → flatten → Dense(3, softmax) on 6×6×1
 * inputs; D = 20 + 99 = 119. Weights are seeded, so two calls build identical models.
 */
export function convDenseModel(seed = 1): tf.LayersModel {
  const model = tf.sequential();
  model.add(
    tf.layers.conv2d({
      inputShape: [6, 6, 1],
      filters: 2,
      kernelSize: 3,
      activation: 'tanh',
      kernelInitializer: tf.initializers.glorotNormal({ seed }),
      biasInitializer: tf.initializers.randomNormal({ seed: seed + 1, stddev: 0.1 }),
    }),
  );
  model.add(tf.layers.flatten());
  model.add(
    tf.layers.dense({
      units: 3,
      activation: 'softmax',
      kernelInitializer: tf.initializers.glorotNormal({ seed: seed + 2 }),
      biasInitializer: tf.initializers.randomNormal({ seed: seed + 3, stddev: 0.1 }),
    }),
  );
  return model;
}

/** `count` fixed batches of 8 inputs (6×6×1) with one-hot labels over 3 classes. */
export function batches(count: number, seed = 7): Array<{ x: tf.Tensor4D; y: tf.Tensor2D }> {
  const rng = seedrandom.alea(`b${seed}`);
  return Array.from({ length: count }, (_, b) => ({
    x: tf.tensor4d(uniformArray(8 * 36, seed * 100 + b), [8, 6, 6, 1]),
    y: tf.oneHot(tf.tensor1d(Array.from({ length: 8 }, () => Math.floor(rng() * 3)), 'int32'), 3).toFloat() as tf.Tensor2D,
  }));
}

/** max |a − b| over two same-shaped tensors, as a number. */
export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** max |a| as a number. */
export function maxAbs(a: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
}

/** θ of a model, flattened in trainableWeights order. */
export function flatWeights(model: tf.LayersModel): tf.Tensor1D {
  return tf.tidy(() => tf.concat(model.trainableWeights.map((w) => tf.reshape(w.read(), [-1]))) as tf.Tensor1D);
}

/**
 * The seven tf.train optimizers (momentum twice: plain and Nesterov), each as a factory, with how
 * their update depends on the gradient. Adadelta is 'linear' in tfjs 4.22: its update divides
 * sqrt(E[Δ²]+ε) by sqrt(E[g²]+ε) taken *before* the current gradient is added, and both averages start
 * at 0 and are updated with the same formula, so the ratio is exactly 1 and the step is −lr·g (SGD).
 */
export const OPTIMIZERS: Array<[string, () => tf.Optimizer, 'linear' | 'adaptive']> = [
  ['sgd', () => tf.train.sgd(0.1), 'linear'],
  ['momentum', () => tf.train.momentum(0.05, 0.9), 'linear'],
  ['nesterov', () => tf.train.momentum(0.05, 0.9, true), 'linear'],
  ['adagrad', () => tf.train.adagrad(0.1), 'adaptive'],
  ['adadelta', () => tf.train.adadelta(0.1, 0.9, 1e-6), 'linear'],
  ['adam', () => tf.train.adam(0.02), 'adaptive'],
  ['adamax', () => tf.train.adamax(0.02), 'adaptive'],
  ['rmsprop', () => tf.train.rmsprop(0.01, 0.9, 0.5), 'adaptive'],
];

registerWasmTrainingKernels(); // every suite trains on wasm (Conv2D, Embedding, DepthwiseConv2D, …)

/** float32 machine epsilon, 2⁻²³. */
export const EPS32 = 2 ** -23;

/**
 * "Equal up to float32 rounding" for two independent paths over `steps` steps: each step rounds a
 * handful of float32 operations (matMul summation order, θ0 + Q·z) on values of size ≤ max(1, |θ|∞),
 * so the paths may drift apart by ≈ 4 ulp per step, and at most linearly for these small learning
 * rates: tol = steps · 4 · EPS32 · max(1, |θ|∞). For 20 steps and |θ| ≤ 1 that is 9.5e-6.
 */
export function equalTolerance(steps: number, thetaScale: number): number {
  return steps * 4 * EPS32 * Math.max(1, thetaScale);
}

/** Copies of every value an optimizer's state holds, plus the variables', for "nothing changed" checks. */
export async function snapshot(
  opt: tf.Optimizer,
  variables: readonly tf.Variable[],
): Promise<{ weights: Array<[string, number[]]>; variables: number[][]; iterations: number }> {
  const ws = await opt.getWeights();
  const weights: Array<[string, number[]]> = ws.map((w) => [w.name, Array.from(w.tensor.dataSync())]);
  ws[0].tensor.dispose(); // the iteration count is a new tensor; the rest are the optimizer's own
  return {
    weights,
    variables: variables.map((v) => Array.from(v.dataSync())),
    iterations: opt.iterations,
  };
}

/** A registered mode (src/optimizer/rules/registry.ts): the built-in ones are the equivalence table's paths. */
export type Mode = RuleMode;
/**
 * Every registered mode, read from the registry at import (a rule registered before this module is
 * imported joins every suite that runs over MODES). A suite's per-mode expectations come from the
 * rule's properties below, not from its name.
 */
export const MODES: Mode[] = registeredModes() as Mode[];

/** The registered rule of `mode`. */
export function ruleOf(mode: Mode): RuleDefinition {
  const rule = ruleOfMode(mode);
  if (!rule) throw new Error(`no registered rule '${mode}'`);
  return rule;
}

/**
 * Whether `mode`'s rule keeps its own coordinates z (it saves them as COORDINATES_WEIGHT) and hands
 * the inner optimizer Qᵀg for them: its step is the reparameterized model's for every optimizer,
 * and θ = θ0 + Q·z is computed from z.
 */
export function ownsCoordinates(mode: Mode): boolean {
  return ruleOf(mode).savedWeights.includes(COORDINATES_WEIGHT);
}

/**
 * `keepsSubspace` of `mode`'s rule with the inner optimizer `makeInner` builds (UpdateRule: every
 * step puts θ back into θ0 + span(Q)), read from the rule itself, made on a 3-vector. It makes and
 * frees tensors: call it where the backend is set and outside a tensor count.
 */
export function keepsSubspace(mode: Mode, makeInner: () => tf.Optimizer): boolean {
  const v = tf.tidy(() => tf.variable(tf.zeros([3])));
  const basis = gaussianBasis(3, 1, { seed: 1 });
  const layout = new ParameterLayout('keepsSubspace', [v]);
  const origin = tf.tidy(() => layout.read());
  const inner = makeInner();
  try {
    const rule = ruleOf(mode).create({ where: 'keepsSubspace', inner, basis, layout, origin: () => origin, iterations: () => 0 });
    const keeps = rule.keepsSubspace;
    rule.dispose();
    return keeps;
  } finally {
    disposeInner(inner);
    tf.dispose([origin, v]);
    basis.dispose();
  }
}

/** The wrapper for `mode` around `inner`, training `variables` (a model or a variable list): the factory of the class its rule saves as. */
export function wrap(
  mode: Mode,
  inner: tf.Optimizer,
  basis: Basis,
  variables: SubspaceOptimizerOptions['variables'],
  extra: Partial<SubspaceOptimizerOptions> = {},
): SubspaceOptimizer {
  return ruleOf(mode).savedAs === 'ProjectedParameter'
    ? projectParameters(inner, basis, { ...extra, variables })
    : projectGradients(inner, basis, { ...extra, variables, mode: mode as GradientMode });
}

/** Every basis kind, as a seeded factory (D, d, seed): the suites run their matrices over all of them. */
export const BASES: Array<[string, (D: number, d: number, seed: number) => Basis]> = [
  // Every seeded kind of the registry, as its factory builds it (a new kind joins every matrix).
  ...SEEDED_BASIS_KINDS.map((kind): [string, (D: number, d: number, seed: number) => Basis] => [kind, (D, d, seed) => SEEDED_KINDS[kind].create(D, d, seed)]),
  ['gaussian (array storage)', (D, d, seed) => gaussianBasis(D, d, { seed, storage: 'array' })],
  ['gaussian (tensor storage)', (D, d, seed) => gaussianBasis(D, d, { seed, storage: 'tensor' })],
  [
    'block',
    (D, d, seed) => {
      const [D1, d1] = [Math.floor(D / 3), Math.floor(d / 3)];
      return blockBasis([gaussianBasis(D1, d1, { seed }), srhtBasis(D - D1, d - d1, { seed: seed + 1 })]);
    },
  ],
];
