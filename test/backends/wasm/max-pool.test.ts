import * as tf from '@tensorflow/tfjs';
import { expectWasmMatchesCpu, rand, valuesOn } from './compare';

type Pad = 'same' | 'valid';

describe('MaxPoolGrad, MaxPool3D and MaxPool3DGrad on wasm', () => {
  test.each<[number[], number | [number, number], number | [number, number], Pad]>([
    [[2, 6, 6, 2], 2, 2, 'valid'], // native MaxPoolGrad was wrong here
    [[2, 7, 5, 2], 3, 2, 'same'],
    [[1, 5, 7, 3], [2, 3], [1, 2], 'same'],
    [[1, 4, 4, 2], 2, 1, 'valid'],
    [[2, 9, 9, 1], 3, 3, 'valid'],
  ])('maxPool %j, filter %j, strides %j, %s: forward and ∂/∂x match cpu', async (shape, filter, strides, pad) => {
    await expectWasmMatchesCpu(() => {
      const x = rand(shape, 1);
      const y = tf.maxPool(x as tf.Tensor4D, filter, strides, pad);
      const r = rand(y.shape, 2);
      return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, filter, strides, pad), r)))(x)];
    });
  });

  test.each<[number[], number, number, Pad]>([
    [[2, 4, 4, 4, 2], 2, 2, 'valid'],
    [[2, 5, 4, 3, 2], 2, 2, 'same'], // native MaxPool3D forward and grad were wrong here
    [[1, 5, 5, 5, 1], 3, 2, 'same'],
    [[1, 4, 3, 3, 2], 3, 1, 'same'],
    [[1, 6, 5, 4, 1], 3, 2, 'valid'],
  ])('maxPool3d %j, filter %j, strides %j, %s: forward and ∂/∂x match cpu', async (shape, filter, strides, pad) => {
    await expectWasmMatchesCpu(() => {
      const x = rand(shape, 3);
      const y = tf.maxPool3d(x as tf.Tensor5D, filter, strides, pad);
      const r = rand(y.shape, 4);
      return [y, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(a as tf.Tensor5D, filter, strides, pad), r)))(x)];
    });
  });

  test("maxPool3d 'same' by hand: windows [1, 2] and [3, padding] give 2 and 3", async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      const [y] = await valuesOn(backend, () => tf.maxPool3d(tf.tensor5d([1, 2, 3], [1, 3, 1, 1, 1]), [2, 1, 1], [2, 1, 1], 'same'));
      expect(Array.from(y)).toEqual([2, 3]);
    }
  });

  test('ties: the whole gradient goes to one maximum, as on cpu (2D: the first in window order, 3D: the last)', async () => {
    // Every window is constant (all zeros), the hardest case for routing the gradient.
    for (const backend of ['cpu', 'wasm'] as const) {
      const [g2, g3] = await valuesOn(backend, () => [
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(a as tf.Tensor4D, 2, 2, 'valid'), tf.tensor4d([5], [1, 1, 1, 1]))))(tf.zeros([1, 2, 2, 1])),
        tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.maxPool3d(a as tf.Tensor5D, 2, 2, 'valid'), tf.tensor5d([7], [1, 1, 1, 1, 1]))))(tf.zeros([1, 2, 2, 2, 1])),
      ]);
      expect(Array.from(g2)).toEqual([5, 0, 0, 0]);
      expect(Array.from(g3)).toEqual([0, 0, 0, 0, 0, 0, 0, 7]);
    }
  });
});
