import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels } from '../../src';
import { uniformArray, useBackend } from '../helpers';

/** ∂/∂filter of Σ(conv2d(x, w)·r) on one backend, as plain numbers. */
async function filterGrad(backend: 'cpu' | 'wasm', c: Case): Promise<Float32Array> {
  await useBackend(backend);
  return tf.tidy(() => {
    const x = tf.tensor4d(uniformArray(c.n * c.h * c.w * c.ci, 1), [c.n, c.h, c.w, c.ci]);
    const w = tf.tensor4d(uniformArray(c.k * c.k * c.ci * c.co, 2), [c.k, c.k, c.ci, c.co]);
    const f = (filter: tf.Tensor) => {
      const y = tf.conv2d(x, filter as tf.Tensor4D, c.stride, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(uniformArray(y.size, 3), y.shape)));
    };
    return tf.grad(f)(w).dataSync() as Float32Array;
  });
}

interface Case {
  n: number; h: number; w: number; ci: number; co: number; k: number; stride: number; pad: 'same' | 'valid';
}

describe('Conv2DBackpropFilter on wasm', () => {
  test('registers once', () => {
    // helpers.ts registered it already (every suite trains Conv2D on wasm): a second call adds nothing.
    expect(registerWasmTrainingKernels()).toEqual([]);
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
  });

  test.each<Case>([
    { n: 2, h: 6, w: 6, ci: 1, co: 2, k: 3, stride: 1, pad: 'valid' },
    { n: 3, h: 7, w: 5, ci: 3, co: 4, k: 3, stride: 1, pad: 'same' },
    { n: 1, h: 8, w: 8, ci: 1, co: 1, k: 3, stride: 2, pad: 'valid' },
    { n: 3, h: 7, w: 5, ci: 3, co: 4, k: 3, stride: 2, pad: 'same' },
    { n: 1, h: 9, w: 9, ci: 2, co: 3, k: 5, stride: 2, pad: 'valid' },
  ])('matches the cpu kernel: %o', async (c) => {
    const cpu = await filterGrad('cpu', c);
    const wasm = await filterGrad('wasm', c);
    // Sums of ≤ n·h·w products of numbers in [-1, 1] in float32, in different orders: ≤ 1e-5 apart.
    expect(wasm.length).toBe(cpu.length);
    cpu.forEach((v, i) => expect(Math.abs(wasm[i] - v)).toBeLessThanOrEqual(1e-5 * Math.max(1, Math.abs(v))));
  });
});
