import * as tf from '@tensorflow/tfjs';
import { digits } from '../../src/data/digits';
import { InvalidArgumentError } from '../../src/errors';
import { models, ModelName } from '../../src/models/registry';
import { datasetTensors } from '../../src/models/tensors';
import { convDigits, fcDigits, fcMnist, lenet } from '../../src/models/zoo';
import { useBackend } from '../helpers';

/** Every trainable weight of a model, concatenated, as raw bytes (for bit-identity checks). */
function weightBytes(model: tf.LayersModel): Buffer {
  return Buffer.concat(model.trainableWeights.map((w) => Buffer.from((w.read().dataSync() as Float32Array).buffer)));
}

/** Builds a model from a factory, returns its weight bytes, and disposes it. */
function initialBytes(make: () => tf.LayersModel): Buffer {
  const model = make();
  const bytes = weightBytes(model);
  model.dispose();
  return bytes;
}

const NAMES = Object.keys(models) as ModelName[];

beforeAll(() => useBackend('cpu'));

describe('the model zoo', () => {
  test.each(NAMES)('%s: parameter count, input and output shapes, no leak', (name) => {
    const before = tf.memory().numTensors;
    const model = models[name]({ seed: 3 });
    expect(model.countParams()).toBe(models[name].parameters);
    expect(model.inputs[0].shape).toEqual([null, ...models[name].inputShape]);
    expect(model.outputs[0].shape).toEqual([null, 10]);
    // Softmax outputs: every row of a prediction sums to 1.
    const sums = tf.tidy(() => tf.sum(model.predict(tf.ones([2, ...models[name].inputShape])) as tf.Tensor, 1).arraySync());
    expect(sums).toEqual([expect.closeTo(1, 5), expect.closeTo(1, 5)]);
    model.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  test('the paper sizes: FC 784-200-200-10 has D = 199 210, LeNet D = 44 426; the small ones 3 466 and 1 898', () => {
    const counts = [fcMnist, lenet, fcDigits, convDigits].map((make) => {
      const model = make();
      const n = model.countParams();
      model.dispose();
      return n;
    });
    expect(counts).toEqual([199_210, 44_426, 3_466, 1_898]);
    const narrow = fcMnist({ hidden: [50] });
    expect(narrow.countParams()).toBe(784 * 50 + 50 + 50 * 10 + 10);
    narrow.dispose();
  });

  test.each(NAMES)('%s: the same seed gives bit-identical weights, another seed different ones', (name) => {
    const a = initialBytes(() => models[name]({ seed: 11 }));
    initialBytes(() => models[name]({ seed: 5 })); // layer-name counters move on in between
    expect(initialBytes(() => models[name]({ seed: 11 })).equals(a)).toBe(true);
    const b = initialBytes(() => models[name]({ seed: 12 }));
    expect(b.equals(a)).toBe(false);
    expect(initialBytes(() => models[name]()).equals(initialBytes(() => models[name]({ seed: 0 })))).toBe(true);
  });

  test('initial weights do not depend on the backend; biases start at zero', async () => {
    const onCpu = initialBytes(() => lenet({ seed: 7 }));
    await useBackend('wasm');
    try {
      expect(initialBytes(() => lenet({ seed: 7 })).equals(onCpu)).toBe(true);
    } finally {
      await useBackend('cpu');
    }
    const model = fcDigits({ seed: 7 });
    const biases = model.trainableWeights.filter((w) => w.shape.length === 1);
    expect(biases.map((b) => Math.max(...Array.from(b.read().dataSync(), Math.abs)))).toEqual([0, 0, 0]);
    model.dispose();
  });

  test('bad seeds and widths are InvalidArgumentErrors', () => {
    for (const seed of [1.5, NaN, 2 ** 53]) {
      expect(() => fcDigits({ seed })).toThrow(new InvalidArgumentError(`model options: seed must be a safe integer (|seed| ≤ 2^53 − 1), got ${seed}.`));
    }
    expect(() => fcDigits({ hidden: [0] })).toThrow(/layer widths must be positive integers, got 0/);
  });
});

describe('datasetTensors', () => {
  const data = digits();

  test('flat and image layouts hold the same pixels; labels are one-hot', () => {
    const before = tf.memory().numTensors;
    const flat = datasetTensors(data, models['fc-digits'].inputShape);
    const image = datasetTensors(data, models['conv-digits'].inputShape);
    expect(flat.x.shape).toEqual([1797, 64]);
    expect(image.x.shape).toEqual([1797, 8, 8, 1]);
    expect(flat.y.shape).toEqual([1797, 10]);
    expect(flat.x.dataSync()).toEqual(image.x.dataSync());
    expect(tf.tidy(() => Array.from(flat.y.argMax(1).dataSync()))).toEqual(Array.from(data.y));
    tf.dispose([flat.x, flat.y, image.x, image.y]);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('an input shape that does not hold one image is refused', () => {
    expect(() => datasetTensors(data, [28, 28, 1])).toThrow(
      new InvalidArgumentError('input shape [28, 28, 1] does not hold one 8×8 image: use [64] (flattened) or [8, 8, 1].'),
    );
  });
});
