import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { compactCheckpoint, compressionOf, hashedBasis, projectGradients, trainableParameterCount } from '../../src';
import { useBackend } from '../helpers';

/**
 * compressionOf's advice and compactCheckpoint's one warning when a checkpoint is no smaller than the
 * weights it replaces. The warning is printed once per process (module state): Jest gives this file
 * its own module registry, so the first checkpoint made here is the process's first.
 */
const mlp = (seed: number) =>
  tf.sequential({
    layers: [
      tf.layers.dense({ units: 32, activation: 'relu', inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });

describe('a checkpoint larger than the weights says so', () => {
  let warn: jest.SpyInstance;
  beforeAll(async () => {
    await useBackend('wasm');
  });
  beforeEach(() => {
    warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('seeded origin: smaller, no advice, no warning; stored origin: the advice names seededOrigin, printed once', () => {
    const start = tf.memory().numTensors;
    const model = mlp(7);
    const D = trainableParameterCount(model); // 2,410
    const opt = projectGradients(tf.train.adam(0.05), hashedBasis(D, 100, { seed: 3 }), { variables: model });

    const seeded = compressionOf(compactCheckpoint(opt, { seededOrigin: { model: 'my-mlp', seed: 7 } }));
    expect(seeded.advice).toBeNull();
    expect(seeded.ratio).toBeGreaterThan(5); // 100 floats of z (base64) and the spec against 2,410 floats
    expect(warn).not.toHaveBeenCalled();

    const stored = compressionOf(compactCheckpoint(opt));
    // θ0 as base64 is 4/3 of its float32 bytes: the checkpoint cannot be smaller than the weights.
    expect(stored.bytes).toBeGreaterThan(stored.fullBytes);
    expect(stored.fullBytes).toBe(4 * D);
    expect(stored.advice).toContain(`(${stored.bytes} B) is larger than the ${stored.fullBytes} B`);
    expect(stored.advice).toContain('seededOrigin');
    expect(stored.advice).toContain(`${stored.parts.origin} B`);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toContain(stored.advice);

    compactCheckpoint(opt); // once per process
    expect(warn).toHaveBeenCalledTimes(1);
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('free variables that outweigh z: the advice says model.save (no warning: already printed)', () => {
    const start = tf.memory().numTensors;
    const model = mlp(2);
    const kernel = model.layers[0].trainableWeights[0]; // 64×32 = 2,048 of the 2,410 weights, trained in full
    const D = trainableParameterCount(model) - 2048;
    const opt = projectGradients(tf.train.adam(0.05), hashedBasis(D, 20, { seed: 1 }), { variables: model, free: [kernel] });
    const c = compressionOf(compactCheckpoint(opt, { seededOrigin: { model: 'my-mlp', seed: 2 } }));
    expect(c.parts.origin).toBe(0);
    expect(c.parts.free).toBe(Math.ceil((4 * 2048) / 3) * 4);
    expect(c.advice).toContain("free and frozen variables' values");
    expect(c.advice).toContain('model.save()');
    expect(c.advice).not.toContain('seededOrigin');
    expect(warn).not.toHaveBeenCalled();
    opt.dispose();
    model.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
