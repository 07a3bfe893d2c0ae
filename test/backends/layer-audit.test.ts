import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../src';
import { useBackend } from '../helpers'; // helpers calls registerWasmTrainingKernels()
import { caseBatch, LayerCase, LAYER_CASES, seedWeights } from './layer-cases';
import { expectClose, finiteDifferences, rand, valuesOn } from './wasm/compare';

/** One SGD step (trainOnBatch) of the case's model on a backend: the loss and the weights before/after. */
async function oneStep(backend: 'cpu' | 'wasm', c: LayerCase) {
  await useBackend(backend);
  const before = tf.memory().numTensors;
  const model = c.model();
  seedWeights(model, 3);
  const { xs, y } = caseBatch(c, model, 5);
  const optimizer = tf.train.sgd(0.1);
  model.compile({ optimizer, loss: c.loss ?? 'meanSquaredError' });
  const read = () => model.trainableWeights.map((w) => Float32Array.from(w.read().dataSync()));
  const start = read();
  try {
    const loss = (await model.trainOnBatch(xs.length === 1 ? xs[0] : xs, y)) as number;
    return { loss, start, end: read() };
  } finally {
    model.dispose();
    optimizer.dispose();
    tf.dispose([...xs, y]);
    expect(tf.memory().numTensors).toBe(before);
  }
}

describe('every tfjs-layers layer type trains on wasm after registerWasmTrainingKernels()', () => {
  test('a second call registers nothing', () => {
    expect(registerWasmTrainingKernels()).toEqual([]);
  });

  test.each(LAYER_CASES.map((c) => [c.name, c] as const))('%s: one SGD step, finite loss, every weight moves, as on cpu', async (_name, c) => {
    const wasm = await oneStep('wasm', c);
    expect(Number.isFinite(wasm.loss)).toBe(true);
    const moved = wasm.start.map((w0, i) => w0.some((v, j) => v !== wasm.end[i][j]));
    expect(moved).toEqual(moved.map((_, i) => !c.unmoved?.includes(i)));
    if (c.random || c.cpuGradientWrong) return; // see the case's flag: no cpu reference
    const cpu = await oneStep('cpu', c);
    // Same seeded start on both backends; the step differs by float32 summation order only:
    // losses and updated weights (values ≲ 1, gradients of sums of ≲ 100 products) within 1e-5.
    expectClose(wasm.start, cpu.start, 0);
    expect(Math.abs(wasm.loss - cpu.loss)).toBeLessThanOrEqual(1e-5 * Math.max(1, cpu.loss));
    expectClose(wasm.end, cpu.end, 1e-5);
  });

  test('UpSampling2D (ResizeNearestNeighborGrad): the wasm gradient matches finite differences', async () => {
    // The reference for the case flagged cpuGradientWrong: the cpu backend's kernel is not.
    const r = rand([2, 6, 8, 2], 7);
    const f = (x: tf.Tensor) => tf.mul(tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [6, 8]), r);
    const x0 = rand([2, 3, 4, 2], 1);
    const fd = await finiteDifferences(f, x0);
    const g = await valuesOn('wasm', () => tf.grad((x: tf.Tensor) => tf.sum(f(x)))(x0));
    expectClose(g, [fd], 1e-4); // linear in x: exact differences up to float32 rounding of |L| ≲ 20
    tf.dispose([r, x0]);
  });

  test.each<[string, () => tf.layers.Layer, number[]]>([
    ['Conv1D', () => tf.layers.conv1d({ filters: 2, kernelSize: 2, dilationRate: 2 }), [7, 2]],
    ['Conv2D', () => tf.layers.conv2d({ filters: 2, kernelSize: 2, dilationRate: 2 }), [6, 6, 1]],
    ['Conv3D', () => tf.layers.conv3d({ filters: 2, kernelSize: 2, dilationRate: 2 }), [5, 5, 5, 1]],
    ['SeparableConv2D', () => tf.layers.separableConv2d({ filters: 2, kernelSize: 2, dilationRate: 2 }), [6, 6, 2]],
  ])('%s with dilation 2 cannot train on any backend (tfjs-core has no such gradient): the same error on cpu and wasm', async (_name, layer, shape) => {
    const messages: string[] = [];
    for (const backend of ['cpu', 'wasm'] as const) {
      await useBackend(backend);
      const before = tf.memory().numTensors;
      const input = tf.input({ shape });
      const out = tf.layers.dense({ units: 1 }).apply(tf.layers.flatten().apply(layer().apply(input))) as tf.SymbolicTensor;
      const model = tf.model({ inputs: input, outputs: out });
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      const x = tf.ones([2, ...shape]);
      const y = tf.ones([2, 1]);
      await expect(model.trainOnBatch(x, y)).rejects.toThrow(/dilation rates greater than 1 are not yet supported/);
      messages.push(await model.trainOnBatch(x, y).then(() => '', (e: Error) => e.message));
      model.dispose();
      tf.dispose([x, y]);
      // The failed gradient pass leaves its intermediates behind (a tfjs-core leak, not ours): not counted.
      expect(tf.memory().numTensors).toBeGreaterThanOrEqual(before);
    }
    expect(messages[1]).toBe(messages[0]);
  });

  test('DepthwiseConv2D ignores dilationRate in tfjs-layers 4.22 (it runs undilated, so it trains)', async () => {
    await useBackend('wasm');
    const before = tf.memory().numTensors;
    const [dilated, plain] = [2, 1].map((rate) => tf.layers.depthwiseConv2d({ kernelSize: 2, dilationRate: rate, depthwiseInitializer: 'ones' }));
    const x = rand([1, 5, 5, 2], 3);
    const [a, b] = [dilated, plain].map((l) => l.apply(x) as tf.Tensor);
    expect(a.shape).toEqual([1, 4, 4, 2]); // a dilated 2×2 kernel would give 3×3
    expect(Array.from(a.dataSync())).toEqual(Array.from(b.dataSync()));
    [dilated, plain].forEach((l) => l.dispose());
    tf.dispose([x, a, b]);
    expect(tf.memory().numTensors).toBe(before);
  });
});
