import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { InvalidArgumentError, projectGradients } from '../../src';
import { SEEDED_KINDS } from '../../src/basis/kinds';
import { digits, oneHot } from '../../src/data';
import { accuracy, intrinsicDimension, LI2018, li2018ModelOptions, li2018Optimizer, li2018Options, li2018Task, runFixedBudget, trainSeeded } from '../../src/intrinsic';
import type { IntrinsicDimensionProgress } from '../../src/intrinsic';
import { models } from '../../src/models';
import { useBackend } from '../helpers';

/**
 * Li et al.'s protocol (training: 'fixed', thresholdOf: 'absolute') and the preset's settings. The
 * paper-scale runs (MNIST, 100 epochs) are in docs/intrinsic-dimension.md; these check on the digits
 * that each run trains the whole training set for exactly its budget at one lr and keeps its final
 * weights, that the target is the absolute threshold, and the model options the preset uses.
 */
describe("Li et al.'s protocol: fixed budget, final weights, absolute threshold", () => {
  let train: { x: tf.Tensor2D; y: tf.Tensor2D };
  let testSet: { x: tf.Tensor2D; y: tf.Tensor2D };
  beforeAll(async () => {
    await useBackend('wasm');
    const data = digits();
    const x = tf.tensor2d(data.x, [data.n, 64]);
    const y = oneHot(data.y, 10);
    train = { x: x.slice(0, 1400), y: y.slice(0, 1400) };
    testSet = { x: x.slice(1400), y: y.slice(1400) };
    tf.dispose([x, y]);
  });
  afterAll(() => tf.dispose([train.x, train.y, testSet.x, testSet.y]));

  it('trains every run on all of train for maxEpochs at the rule’s lr; the final weights are measured; target = threshold', async () => {
    const start = tf.memory().numTensors;
    const batches = new Map<string, number>();
    const lrs = new Set<number>();
    const r = await intrinsicDimension({
      createModel: (seed) => models['fc-digits']({ seed }), train, test: testSet, dims: [50, 400], seeds: [0], basis: 'srht',
      training: 'fixed', thresholdOf: 'absolute', threshold: 0.9, learningRate: 0.01, learningRateRule: (lr) => lr, maxEpochs: 3, batchSize: 32,
      onProgress: (e: IntrinsicDimensionProgress) => {
        batches.set(String(e.d), (batches.get(String(e.d)) ?? 0) + 1);
        lrs.add(e.learningRate);
      },
    });
    // 3 epochs of ⌈1400 / 32⌉ = 44 batches: the whole training set, no validation split, no pilots.
    expect([...batches.values()]).toEqual([132, 132, 132]);
    expect([...lrs]).toEqual([0.01]);
    expect(r.config).toMatchObject({ training: 'fixed', thresholdOf: 'absolute', validationExamples: 0, trainExamples: 1400, validationFraction: 0 });
    for (const run of [...r.baselines, ...r.runs]) {
      expect(run).toMatchObject({ epochs: 3, bestEpoch: 3, stopReason: 'max-epochs', pilots: [], learningRate: 0.01 });
      expect(run.validation).toBeNaN();
    }
    expect(r.target).toBe(0.9); // not 0.9 × the baseline's accuracy
    expect(r.firstReaching).toBe(r.curve.find((p) => p.mean >= 0.9)?.d ?? null);

    // The d = 400 run, trained by hand: the same seeded model, basis and batch order, final weights.
    const model = models['fc-digits']({ seed: 0 });
    const basis = SEEDED_KINDS.srht.create(models['fc-digits'].parameters, 400, 0);
    const opt = projectGradients(tf.train.adam(0.01), basis, { variables: model });
    model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await trainSeeded(model, train, { epochs: 3, batchSize: 32, shuffleSeed: 0 });
    expect(r.runs.find((x) => x.d === 400)?.accuracy).toBe(accuracy(model, testSet));
    opt.dispose();
    basis.dispose();
    model.dispose();
    // The caller's tensors are intact (no split was made from them, none disposed) and nothing leaked.
    expect(train.x.isDisposed).toBe(false);
    expect(tf.memory().numTensors).toBe(start);
  }, 120_000);

  it('a run whose loss diverges stops there as diverged (the subspace optimizer refuses the non-finite gradient), nothing left', async () => {
    const start = tf.memory().numTensors;
    // A linear model under squared error at lr 1e20: the first steps overflow float32 (softmax and
    // cross-entropy would saturate instead, their loss stays finite).
    const linear = () => tf.sequential({ layers: [tf.layers.dense({ units: 10, inputShape: [64], kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) })] });
    const basis = SEEDED_KINDS.srht.create(650, 50, 0);
    const trainee = (lr: number) => {
      const model = linear();
      const opt = projectGradients(tf.train.sgd(lr), basis, { variables: model });
      model.compile({ optimizer: opt, loss: 'meanSquaredError' });
      return { model, dispose: () => (opt.dispose(), model.dispose()) };
    };
    const { trainee: t, outcome } = await runFixedBudget(trainee, 1e20, train, { maxEpochs: 5, batchSize: 100 }, 0);
    expect(outcome).toMatchObject({ stopReason: 'diverged', epochs: 1, pilots: [], history: [] });
    expect(outcome.loss).toBeNaN();
    t.dispose();
    basis.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  test('bad training or thresholdOf: typed errors naming the choices', async () => {
    const base = { createModel: (seed: number) => models['fc-digits']({ seed }), train, test: testSet, dims: [5] };
    await expect(intrinsicDimension({ ...base, training: 'li' as never })).rejects.toThrow(InvalidArgumentError);
    await expect(intrinsicDimension({ ...base, training: 'li' as never })).rejects.toThrow(/'training' must be 'converged' or 'fixed'/);
    await expect(intrinsicDimension({ ...base, thresholdOf: 'best' as never })).rejects.toThrow(/'thresholdOf' must be 'baseline' or 'absolute'/);
  });
});

describe('the li2018 preset', () => {
  beforeAll(() => useBackend('cpu'));

  test('the four tasks with the settings of the authors’ launch scripts; other models are refused', () => {
    expect(Object.keys(LI2018).sort()).toEqual(['mnist-fc', 'mnist-fc-shuffled', 'mnist-lenet', 'mnist-lenet-shuffled']);
    expect(Object.values(LI2018).map((s) => s.paper)).toEqual([750, 290, 750, 1400]);
    for (const s of Object.values(LI2018)) expect(s).toMatchObject({ epochs: 100, batchSize: 128 });
    expect(li2018Task('lenet', true)).toBe('mnist-lenet-shuffled');
    expect(() => li2018Task('fc-digits', false)).toThrow(/covers MNIST with --model fc or lenet/);
    const o = li2018Options('mnist-fc');
    expect(o).toMatchObject({ training: 'fixed', thresholdOf: 'absolute', threshold: 0.9, learningRate: 1e-3, lrStep: 1, maxEpochs: 100, batchSize: 128 });
    expect(o.learningRateRule!(1e-3, { D: 199_210, d: 750, optimizer: 'Adam' })).toBe(1e-3);
    const adam = li2018Optimizer(LI2018['mnist-fc'])(1e-3);
    expect(adam.getConfig()).toMatchObject({ learningRate: 1e-3, beta1: 0.9, beta2: 0.99 });
    const sgd = li2018Optimizer(LI2018['mnist-lenet-shuffled'])(0.01);
    expect(sgd.getConfig()).toMatchObject({ learningRate: 0.01, momentum: 0.9 });
    adam.dispose();
    sgd.dispose();
  });

  test("model options: He-normal kernels (truncated normal, std √(2/fan-in)), zero biases, L2 on kernels only", async () => {
    const model = models.fc(li2018ModelOptions(LI2018['mnist-fc'], 3));
    const kernel = model.layers[0].getWeights()[0]; // 784 × 200
    const values = Array.from(kernel.dataSync());
    const std = Math.sqrt(values.reduce((a, v) => a + v * v, 0) / values.length);
    // A normal truncated at 2σ keeps 0.8796 of its standard deviation; 156,800 draws: ±1 % covers sampling.
    expect(Math.abs(std / (0.8796 * Math.sqrt(2 / 784)) - 1)).toBeLessThan(0.01);
    expect(values.reduce((m, v) => Math.max(m, Math.abs(v)), 0)).toBeLessThanOrEqual(2 * Math.sqrt(2 / 784) * 1.0001);
    expect(Array.from(model.layers[0].getWeights()[1].dataSync()).every((v) => v === 0)).toBe(true);
    // The penalty tfjs-layers adds to the training loss, l2·Σw² on kernels: with a zero input the data
    // loss gives the first kernel no gradient, so one SGD step (lr 1) scales it by exactly 1 − 2·l2
    // (up to float32 rounding of w·(1 − 2e-4)); without l2 it does not move.
    const x = tf.zeros([1, 784]);
    const y = tf.oneHot([3], 10).toFloat();
    const plain = models.fc({ seed: 3, init: 'he-normal' });
    for (const m of [model, plain]) m.compile({ optimizer: tf.train.sgd(1), loss: 'categoricalCrossentropy' });
    const before = Float32Array.from(kernel.dataSync());
    await model.trainOnBatch(x, y);
    await plain.trainOnBatch(x, y);
    const after = model.layers[0].getWeights()[0].dataSync();
    const worst = before.reduce((m, w, i) => Math.max(m, Math.abs(after[i] - w * (1 - 2e-4))), 0);
    expect(worst).toBeLessThan(1e-7 * Math.sqrt(2 / 784) * 4);
    expect(Array.from(plain.layers[0].getWeights()[0].dataSync())).toEqual(Array.from(before));
    expect(() => models.fc({ init: 'lecun' as never })).toThrow(/init must be 'glorot-uniform' or 'he-normal'/);
    expect(() => models.fc({ l2: -1 })).toThrow(/l2 must be a number ≥ 0/);
    tf.dispose([x, y]);
    model.dispose();
    plain.dispose();
  });
});
