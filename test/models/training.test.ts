import * as tf from '@tensorflow/tfjs';
import { digits } from '../../src/data/digits';
import { models, ModelName } from '../../src/models/registry';
import { datasetTensors } from '../../src/models/tensors';
import { mnist } from '../../src/node/mnist';
import { useBackend } from '../helpers'; // helpers also registers the wasm Conv2D gradient

/** Fraction of rows whose arg-max prediction is the one-hot label's. */
function accuracy(model: tf.LayersModel, x: tf.Tensor, y: tf.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.equal(tf.argMax(model.predict(x) as tf.Tensor, 1), tf.argMax(y, 1))).dataSync()[0]);
}

/**
 * Training runs on wasm, the Node backend for training (the cpu backend's convolution gradients are
 * ~80× slower: a LeNet step on 64 images took 6.5 s there against 0.08 s on wasm). zoo.test.ts checks
 * that cpu builds bit-identical initial weights and runs every model forward.
 */
const DIGITS_RUNS: ModelName[] = ['fc-digits', 'conv-digits'];

describe('training', () => {
  // The digits split: the first 1500 images to train on, the other 297 held out.
  test.each(DIGITS_RUNS)('%s learns the digits on wasm (held-out accuracy > 0.8), no leak', async (name) => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const all = datasetTensors(digits(), models[name].inputShape);
    const [xTrain, xTest] = tf.split(all.x, [1500, 297]);
    const [yTrain, yTest] = tf.split(all.y, [1500, 297]) as tf.Tensor2D[];
    const model = models[name]({ seed: 1 });
    const optimizer = tf.train.adam(0.01);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const history = await model.fit(xTrain, yTrain, { epochs: 5, batchSize: 50, shuffle: false, verbose: 0 });
    const losses = history.history.loss as number[];
    expect(losses[losses.length - 1]).toBeLessThan(losses[0] / 3);
    expect(accuracy(model, xTest, yTest)).toBeGreaterThan(0.8);
    model.dispose();
    optimizer.dispose();
    tf.dispose([all.x, all.y, xTrain, xTest, yTrain, yTest]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test.each(['fc', 'lenet'] as ModelName[])('%s takes MNIST on wasm: 20 Adam steps on 64 images lower the loss, no leak', async (name) => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const { x, y } = datasetTensors(mnist({ split: 'test', limit: 64 }), models[name].inputShape);
    const model = models[name]({ seed: 2 });
    const optimizer = tf.train.adam(0.003);
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const losses: number[] = [];
    for (let step = 0; step < 20; step++) losses.push((await model.trainOnBatch(x, y)) as number);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[19]).toBeLessThan(0.8 * losses[0]);
    model.dispose();
    optimizer.dispose();
    tf.dispose([x, y]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
