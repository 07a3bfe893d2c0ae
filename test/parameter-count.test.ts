import * as tf from '@tensorflow/tfjs';
import { DimensionMismatchError, gaussianBasis, InvalidArgumentError, projectGradients, projectParameters, trainableParameterCount } from '../src';
import { useBackend } from './helpers';

/** Dense + BatchNormalization + Dense: 227 trainable numbers, 32 non-trainable (moving mean and variance). */
const bnModel = () =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, inputShape: [8], activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
      tf.layers.batchNormalization(),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
    ],
  });

describe('trainableParameterCount: D as the wrapper counts it', () => {
  beforeAll(() => useBackend('cpu'));

  it('counts trainable weights only: countParams() (259) gives a basis the wrapper refuses, the helper (227) one it takes', () => {
    const model = bnModel();
    const start = tf.memory().numTensors;
    // Counted by hand: 8·16 + 16 (dense) + 16 + 16 (gamma, beta) + 16·3 + 3 (head) = 227; moving mean + variance 32.
    expect(trainableParameterCount(model)).toBe(227);
    expect(model.countParams()).toBe(227 + 32);
    const wrong = gaussianBasis(model.countParams(), 4, { seed: 1 });
    const sgd = tf.train.sgd(0.1); // not owned by a wrapper that failed to build: ours to dispose
    expect(() => projectGradients(sgd, wrong, { variables: model })).toThrow(DimensionMismatchError);
    expect(() => projectGradients(sgd, wrong, { variables: model })).toThrow(/Build the basis for D = 227/);
    sgd.dispose();
    const right = gaussianBasis(trainableParameterCount(model), 4, { seed: 1 });
    const opt = projectGradients(tf.train.sgd(0.1), right, { variables: model });
    expect(opt.ambientDim).toBe(227);
    opt.dispose();
    for (const b of [wrong, right]) b.dispose();
    expect(tf.memory().numTensors).toBe(start);
    model.dispose();
  });

  it('free and frozen variables are left out of D, as the wrapper leaves them out', () => {
    const model = bnModel();
    const free = [model.layers[2].trainableWeights[1]]; // head bias: 3
    const frozen = [model.layers[1].trainableWeights[0]]; // gamma: 16
    const D = trainableParameterCount(model, { free, frozen });
    expect(D).toBe(227 - 3 - 16);
    const basis = gaussianBasis(D, 5, { seed: 2 });
    const opt = projectParameters(tf.train.sgd(0.1), basis, { variables: model, free, frozen });
    expect(opt.ambientDim).toBe(D);
    opt.dispose();
    basis.dispose();
    // The same typed errors as the wrapper, for the same bad selections.
    expect(() => trainableParameterCount(model, { free: ['nope'] })).toThrow(InvalidArgumentError);
    expect(() => trainableParameterCount(model, { free: ['nope'] })).toThrow(/'free' names 'nope', but no variable/);
    expect(() => trainableParameterCount(model, { free, frozen: free })).toThrow(/both free and frozen/);
    model.dispose();
  });
});
