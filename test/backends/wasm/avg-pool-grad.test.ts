import * as tf from '@tensorflow/tfjs';
import { expectClose, expectWasmMatchesCpu, finiteDifferences, rand, valuesOn } from './compare';

type Pad = 'same' | 'valid';
const avg = (x: tf.Tensor, filter: number | number[], strides: number | number[], pad: Pad) =>
  x.rank === 4
    ? tf.avgPool(x as tf.Tensor4D, filter as [number, number], strides as [number, number], pad)
    : tf.avgPool3d(x as tf.Tensor5D, filter as [number, number, number], strides as [number, number, number], pad);

describe('AvgPoolGrad and AvgPool3DGrad on wasm', () => {
  test.each<[number[], number | number[], number | number[]]>([
    [[2, 6, 6, 2], 2, 2],
    [[1, 7, 5, 3], [3, 2], [2, 1]],
    [[2, 4, 4, 4, 2], 2, 2],
    [[1, 5, 6, 5, 1], 3, [1, 2, 2]],
  ])("'valid' padding (where cpu is right): x %j, filter %j, strides %j matches cpu", async (shape, filter, strides) => {
    await expectWasmMatchesCpu(() => {
      const x = rand(shape, 1);
      const r = rand(avg(x, filter, strides, 'valid').shape, 2);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(avg(a, filter, strides, 'valid'), r)))(x);
    });
  });

  test.each<[number[], number | number[], number | number[]]>([
    [[2, 7, 5, 2], 3, 2],
    [[1, 5, 5, 1], 2, 2],
    [[1, 6, 7, 2], [3, 3], [1, 2]],
    [[2, 5, 4, 3, 2], 2, 2],
    [[1, 4, 5, 3, 1], 3, 1],
  ])("'same' padding: x %j, filter %j, strides %j matches finite differences of the forward pass", async (shape, filter, strides) => {
    const x0 = rand(shape, 3);
    const r = rand(avg(x0, filter, strides, 'same').shape, 4);
    const f = (x: tf.Tensor) => tf.mul(avg(x, filter, strides, 'same'), r);
    const fd = await finiteDifferences(f, x0);
    const g = await valuesOn('wasm', () => tf.grad((a: tf.Tensor) => tf.sum(f(a)))(x0));
    expectClose(g, [fd], 1e-4); // linear in x: exact differences up to float32 rounding of |L| ≲ 20
    tf.dispose([x0, r]);
  });

  test("by hand: windows [1, 2] and [3, padding] average to 1.5 and 3, so ∂/∂x = [½, ½, 1]", async () => {
    const [y, g2, g3] = await valuesOn('wasm', () => [
      tf.avgPool(tf.tensor4d([1, 2, 3], [1, 3, 1, 1]), [2, 1], [2, 1], 'same'),
      tf.grad((x: tf.Tensor) => tf.sum(tf.avgPool(x as tf.Tensor4D, [2, 1], [2, 1], 'same')))(tf.tensor4d([1, 2, 3], [1, 3, 1, 1])),
      tf.grad((x: tf.Tensor) => tf.sum(tf.avgPool3d(x as tf.Tensor5D, [2, 1, 1], [2, 1, 1], 'same')))(tf.tensor5d([1, 2, 3], [1, 3, 1, 1, 1])),
    ]);
    expect(Array.from(y)).toEqual([1.5, 3]);
    expect(Array.from(g2)).toEqual([0.5, 0.5, 1]);
    expect(Array.from(g3)).toEqual([0.5, 0.5, 1]);
  });
});
