import * as tf from '@tensorflow/tfjs';
import {
  gaussianBasis,
} from '../../src';
import {
  BACKENDS,
  batches,
  convDenseModel,
  MODES,
  OPTIMIZERS,
  useBackend,
  wrap,
} from '../helpers';

/**
 * Zero tensor leaks: after the first step (which creates the slots), the number of live tensors stays
 * the same for every further step, through every way TF.js drives an optimizer; disposing the
 * optimizer and the basis returns to the count before either was created.
 */

/** Runs `step` once to warm up, then `n` more times, returning the tensor count after each. */
async function countsPerStep(step: () => unknown, n = 3): Promise<number[]> {
  await step();
  const counts = [tf.memory().numTensors];
  for (let i = 0; i < n; i++) {
    await step();
    counts.push(tf.memory().numTensors);
  }
  return counts;
}

describe.each(BACKENDS)('no tensor leaks on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  describe.each(MODES)('%s mode', (mode) => {
    test.each(OPTIMIZERS.map(([name, make]) => [name, make] as const))(
      '%s through fit, trainOnBatch, fitDataset, minimize and applyGradients',
      async (_name, makeInner) => {
        const model = convDenseModel(3);
        const data = batches(2);
        const xs = tf.concat(data.map((d) => d.x));
        const ys = tf.concat(data.map((d) => d.y));
        const start = tf.memory().numTensors;
        const basis = gaussianBasis(model.countParams(), 6, { seed: 4 });
        const opt = wrap(mode, makeInner(), basis, model);
        model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
        const flat = (counts: number[]) => expect(new Set(counts).size).toBe(1);

        flat(await countsPerStep(() => model.fit(xs, ys, { epochs: 1, batchSize: 8, verbose: 0 })));
        flat(await countsPerStep(() => model.trainOnBatch(data[0].x, data[0].y)));
        const ds = tf.data.array(data.map((d) => ({ xs: d.x, ys: d.y })));
        flat(await countsPerStep(() => model.fitDataset(ds, { epochs: 1, verbose: 0 })));
        const loss = () => tf.mean(tf.metrics.categoricalCrossentropy(data[1].y, model.apply(data[1].x) as tf.Tensor)) as tf.Scalar;
        flat(await countsPerStep(() => opt.minimize(loss)));
        flat(
          await countsPerStep(() => {
            const { grads, value } = tf.variableGrads(loss);
            opt.applyGradients(grads); // map form
            opt.applyGradients(Object.keys(grads).map((name) => ({ name, tensor: grads[name] }))); // list form
            tf.dispose([value, ...Object.values(grads)]);
          }),
        );
        expect(opt.iterations).toBeGreaterThan(20);
        opt.dispose();
        basis.dispose();
        expect(tf.memory().numTensors).toBe(start);
        tf.dispose([xs, ys, ...data.flatMap((d) => [d.x, d.y])]);
        model.dispose();
      },
    );
  });
});
