import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Basis, gaussianBasis, hashedBasis, projectGradients, projectParameters, SubspaceOptimizer, trainableParameterCount } from '../../src';
import { batchNormModel, uniformArray } from '../helpers';

/**
 * What the file-system tests (Node and browser) train: the Dense → BatchNormalization → Dense model
 * of test/helpers.ts in a seeded subspace, on fixed batches of 8 inputs, with trainOnBatch (which
 * also moves the moving statistics, so they must survive the round trip too).
 */
export interface Run {
  model: tf.LayersModel;
  optimizer: SubspaceOptimizer;
  basis: Basis;
}

export type RunKind = 'coordinates, adam, gaussian' | 'parameters, momentum, hashed';
export const RUN_KINDS: RunKind[] = ['coordinates, adam, gaussian', 'parameters, momentum, hashed'];

/** A compiled model and its subspace optimizer; two calls with the same kind are identical. */
export function makeRun(kind: RunKind): Run {
  const model = batchNormModel(3);
  const D = trainableParameterCount(model);
  const basis = kind === 'coordinates, adam, gaussian' ? gaussianBasis(D, 20, { seed: 11 }) : hashedBasis(D, 20, { seed: 12 });
  const optimizer =
    kind === 'coordinates, adam, gaussian'
      ? projectGradients(tf.train.adam(0.05), basis, { variables: model })
      : projectParameters(tf.train.momentum(0.05, 0.9), basis, { variables: model });
  model.compile({ optimizer, loss: 'categoricalCrossentropy' });
  return { model, optimizer, basis };
}

/** `count` fixed batches of 8 inputs (8 features) with one-hot labels over 3 classes. */
export function denseBatches(count: number): Array<{ x: tf.Tensor2D; y: tf.Tensor2D }> {
  return Array.from({ length: count }, (_, b) => ({
    x: tf.tensor2d(uniformArray(64, 40 + b, 2), [8, 8]),
    y: tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from({ length: 8 }, (_, i) => (i * 5 + b) % 3), 'int32'), 3).toFloat() as tf.Tensor2D),
  }));
}

export async function train(model: tf.LayersModel, data: Array<{ x: tf.Tensor; y: tf.Tensor }>, from: number, to: number): Promise<void> {
  for (let i = from; i < to; i++) await model.trainOnBatch(data[i].x, data[i].y);
}

/** The float32 bits of a tensor (NaN-safe, -0 ≠ 0). */
export const bits = (t: tf.Tensor): number[] => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));

/** Every weight of a model (trainable and moving statistics), as bits. */
export const weightBits = (m: tf.LayersModel): number[][] => m.getWeights().map(bits);

/**
 * Every weight the optimizer saves (iterations, θ0, z, the inner slots), as bits. getWeights returns
 * the live state after a new iteration-count scalar: only that one is disposed.
 */
export async function optimizerBits(o: tf.Optimizer): Promise<number[][]> {
  const weights = await o.getWeights();
  const out = weights.map((w) => bits(w.tensor));
  weights[0].tensor.dispose();
  return out;
}

/** A fresh temporary folder (removed by the caller). */
export const tempDir = (prefix: string): string => fs.mkdtempSync(path.join(os.tmpdir(), `subspace-${prefix}-`));

/** Frees a run: the model, its optimizer and the basis the test made. */
export function disposeRun(run: Run): void {
  run.optimizer.dispose();
  run.model.dispose();
  run.basis.dispose();
}
