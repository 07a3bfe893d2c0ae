import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { CheckpointError, gaussianBasis, hashedBasis, projectGradients, projectParameters, RestoredSubspaceOptimizer, srhtBasis } from '../../src';
import { BACKENDS, batches, convDenseModel, useBackend } from '../helpers';

type Make = (model: tf.LayersModel) => tf.Optimizer;

async function saveToMemory(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })), { includeOptimizer: true });
  return saved as unknown as tf.io.ModelArtifacts;
}

const weightsOf = (m: tf.LayersModel) => m.getWeights().map((w) => Array.from(w.dataSync()));

const CASES: Array<[string, Make]> = [
  ['coordinates, adam, hashed', (m) => projectGradients(tf.train.adam(0.02), hashedBasis(m.countParams(), 20, { seed: 3 }), { variables: m })],
  ['ambient, rmsprop, srht', (m) => projectGradients(tf.train.rmsprop(0.01, 0.9, 0.5), srhtBasis(m.countParams(), 30, { seed: 4 }), { variables: m, mode: 'ambient' })],
  ['parameters, momentum, gaussian, free head bias', (m) => projectParameters(tf.train.momentum(0.05, 0.9), gaussianBasis(m.countParams() - 3, 15, { seed: 5 }), { variables: m, free: [m.layers[2].trainableWeights[1]] })],
];

describe.each(BACKENDS)('model.save({includeOptimizer}) → tf.loadLayersModel → training continues identically (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('%s', async (_label, make) => {
    const data = batches(6, 1);
    const start = tf.memory().numTensors;
    const train = async (m: tf.LayersModel, from: number, to: number) => {
      for (let i = from; i < to; i++) await m.trainOnBatch(data[i].x, data[i].y);
    };
    // Reference: 6 uninterrupted steps.
    const ref = convDenseModel(1);
    const refOpt = make(ref);
    ref.compile({ optimizer: refOpt, loss: 'categoricalCrossentropy' });
    await train(ref, 0, 6);
    // Saved after 3 steps, loaded into a new model (new variables), 3 more steps.
    const first = convDenseModel(1);
    const firstOpt = make(first);
    first.compile({ optimizer: firstOpt, loss: 'categoricalCrossentropy' });
    await train(first, 0, 3);
    const artifacts = await saveToMemory(first);
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(loaded.optimizer).toBeInstanceOf(RestoredSubspaceOptimizer);
    expect(loaded.optimizer.getClassName()).toBe(firstOpt.getClassName());
    await train(loaded, 3, 6);
    // Bit-identical: the seeded basis is rebuilt exactly and every piece of state was restored.
    expect(weightsOf(loaded)).toEqual(weightsOf(ref));
    // And it saves again (as the wrapper it became).
    const again = await saveToMemory(loaded);
    expect(again.weightSpecs!.filter((s) => s.group === 'optimizer').length).toBe(artifacts.weightSpecs!.filter((s) => s.group === 'optimizer').length);
    for (const m of [ref, first, loaded]) {
      m.optimizer.dispose();
      m.dispose();
    }
    for (const o of [refOpt, firstOpt] as Array<{ basis?: { dispose(): void } }>) o.basis?.dispose();
    // tfjs-layers' model.save never disposes the iteration-count tensor that Optimizer.getWeights
    // returns first (the same happens with a bare tf.train optimizer): one tensor per save, two saves.
    expect(tf.memory().numTensors).toBe(start + 2);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  });
});

describe('restoring is refused with a clear error when it cannot be exact', () => {
  beforeAll(() => useBackend('cpu'));

  it('a basis that is not seeded cannot be rebuilt', async () => {
    const m = convDenseModel(1);
    const q = tf.tidy(() => tf.linalg.qr(tf.randomNormal([m.countParams(), 4], 0, 1, 'float32', 1))[0]) as tf.Tensor2D;
    const { denseBasis } = await import('../../src');
    const basis = denseBasis(q);
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: m });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const artifacts = await saveToMemory(m);
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(CheckpointError);
    opt.dispose();
    basis.dispose();
    m.dispose();
    q.dispose();
  });

  it('saved weights of another size are rejected at load', async () => {
    const m = convDenseModel(1);
    const basis = hashedBasis(m.countParams(), 10, { seed: 1 });
    const opt = projectGradients(tf.train.adam(0.01), basis, { variables: m });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const data = batches(1, 2);
    await m.trainOnBatch(data[0].x, data[0].y);
    const artifacts = await saveToMemory(m);
    const cfg = artifacts.trainingConfig!.optimizer_config as { config: { basis: { D: number } } };
    cfg.config.basis.D += 1;
    await expect(tf.loadLayersModel(tf.io.fromMemory(artifacts))).rejects.toThrow(/D = 120/);
    opt.dispose();
    basis.dispose();
    m.dispose();
    tf.dispose([data[0].x, data[0].y]);
  });
});
