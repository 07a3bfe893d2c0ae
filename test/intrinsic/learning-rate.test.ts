import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { hashedBasis, InvalidArgumentError, projectGradients } from '../../src';
import { subspaceLearningRate } from '../../src/intrinsic';
import { adaptiveStepOf, ruleOfMode } from '../../src/optimizer/rules/registry';
import { keepsSubspace, MODES, useBackend } from '../helpers';

describe('subspaceLearningRate', () => {
  it('scales adaptive optimizers by √(D/d) in coordinates and parameters modes, and leaves the others', () => {
    expect(subspaceLearningRate(1e-3, { D: 199_210, d: 1000, optimizer: 'adam' })).toBeCloseTo(1e-3 * Math.sqrt(199.21), 15);
    for (const optimizer of ['Adam', 'adamax', 'RMSProp', 'Adagrad']) {
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer })).toBeCloseTo(0.1, 15);
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer, mode: 'parameters' })).toBeCloseTo(0.1, 15);
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer, mode: 'ambient' })).toBe(0.01);
    }
    for (const optimizer of ['SGD', 'momentum', 'Adadelta']) expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer })).toBe(0.01);
    expect(subspaceLearningRate(0.01, { D: 400, d: 400, optimizer: 'adam' })).toBe(0.01);
  });

  describe('every registered mode: an adaptive optimizer is scaled by √(D/d) exactly where its steps keep θ0 + span(Q)', () => {
    beforeAll(() => useBackend('cpu'));

    it.each(MODES)('%s', (mode) => {
      const keeps = keepsSubspace(mode, () => tf.train.adam(0.01)); // the rule's own keepsSubspace, with Adam
      expect(adaptiveStepOf(ruleOfMode(mode)!)).toBe(keeps ? 'subspace' : 'ambient');
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer: 'adam', mode })).toBeCloseTo(keeps ? 0.1 : 0.01, 15);
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer: 'sgd', mode })).toBe(0.01);
    });
  });

  it('rejects bad input with messages that name the fix', () => {
    expect(() => subspaceLearningRate(0, { D: 10, d: 2, optimizer: 'adam' })).toThrow(/positive number/);
    expect(() => subspaceLearningRate(0.1, { D: 10, d: 20, optimizer: 'adam' })).toThrow(/1 ≤ d ≤ D/);
    expect(() => subspaceLearningRate(0.1, { D: 10, d: 2, optimizer: 'lion' })).toThrow(InvalidArgumentError);
    expect(() => subspaceLearningRate(0.1, { D: 10, d: 2, optimizer: 'lion' })).toThrow(/use one of adadelta, adagrad, adam/);
    expect(() => subspaceLearningRate(0.1, { D: 10, d: 2, optimizer: 'adam', mode: 'sideways' as never })).toThrow(`mode must be a registered mode (${MODES.map((m) => `'${m}'`).join(', ')}), got 'sideways'.`);
  });

  describe('the derivation, measured: the first Adam step has the same length in full and in the subspace', () => {
    beforeAll(() => useBackend('wasm'));

    // Adam's first step is lr·g/(|g| + ε) per coordinate (m̂ = g, v̂ = g²): ≈ lr·sign(g), so ‖Δθ‖ = lr·√D
    // over the D full coordinates and ‖Q·Δz‖ = lr_sub·√d over the d subspace ones. A tanh MLP with
    // random inputs has no zero gradient coordinate; the tolerance 1e-3 relative covers ε = 1e-7
    // against gradients ≥ 1e-5 and float32 rounding of the step.
    it.each([[16], [100], [200]])('d = %i', async (d) => {
      const make = () =>
        tf.sequential({ layers: [
          tf.layers.dense({ units: 12, activation: 'tanh', inputShape: [20], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }), biasInitializer: tf.initializers.randomNormal({ seed: 2 }) }),
          tf.layers.dense({ units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }), biasInitializer: tf.initializers.randomNormal({ seed: 4 }) }),
        ] });
      const x = tf.randomNormal([32, 20], 0, 1, 'float32', 5);
      const y = tf.randomNormal([32, 3], 0, 1, 'float32', 6);
      const start = tf.memory().numTensors;
      const stepLength = async (model: tf.Sequential, optimizer: tf.Optimizer) => {
        model.compile({ optimizer, loss: 'meanSquaredError' });
        const before = tf.tidy(() => tf.concat(model.getWeights().map((w) => w.flatten())));
        await model.trainOnBatch(x, y);
        const n = tf.tidy(() => tf.norm(tf.sub(tf.concat(model.getWeights().map((w) => w.flatten())), before)).dataSync()[0]);
        before.dispose();
        optimizer.dispose();
        model.dispose();
        return n;
      };
      const full = make();
      const D = full.countParams();
      const lr = 1e-3;
      const fullLength = await stepLength(full, tf.train.adam(lr));
      expect(fullLength / (lr * Math.sqrt(D))).toBeCloseTo(1, 3);
      const sub = make();
      const basis = hashedBasis(D, d, { seed: 7 });
      const subLength = await stepLength(sub, projectGradients(tf.train.adam(subspaceLearningRate(lr, { D, d, optimizer: 'adam' })), basis, { variables: sub }));
      basis.dispose();
      expect(Math.abs(subLength / fullLength - 1)).toBeLessThan(1e-3);
      expect(tf.memory().numTensors).toBe(start);
      tf.dispose([x, y]);
    });
  });
});
