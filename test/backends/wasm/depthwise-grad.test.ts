import * as tf from '@tensorflow/tfjs';
import { expectClose, expectWasmMatchesCpu, finiteDifferences, rand, valuesOn } from './compare';

interface Case {
  x: [number, number, number, number];
  k: [number, number];
  multiplier: number;
  stride: number | [number, number];
  pad: 'same' | 'valid' | number;
}

const CASES: Case[] = [
  { x: [2, 6, 6, 2], k: [3, 3], multiplier: 1, stride: 1, pad: 'valid' },
  { x: [2, 7, 6, 2], k: [3, 3], multiplier: 3, stride: 2, pad: 'same' },
  { x: [3, 6, 7, 3], k: [2, 3], multiplier: 2, stride: [1, 2], pad: 'valid' },
  { x: [1, 8, 5, 1], k: [3, 2], multiplier: 4, stride: [2, 1], pad: 'same' },
  { x: [2, 5, 5, 2], k: [3, 3], multiplier: 2, stride: 1, pad: 1 }, // explicit numeric padding
  { x: [1, 9, 9, 4], k: [5, 5], multiplier: 1, stride: 3, pad: 'same' },
];

describe('DepthwiseConv2dNativeBackpropFilter / BackpropInput on wasm', () => {
  test.each(CASES)('∂/∂x and ∂/∂w of depthwiseConv2d match the cpu backend: %j', async (c) => {
    await expectWasmMatchesCpu(() => {
      const x = rand(c.x, 1);
      const w = rand([...c.k, c.x[3], c.multiplier], 2);
      const r = rand(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.stride, c.pad).shape, 3);
      const loss = (a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), r));
      return tf.grads(loss)([x, w]);
    });
  });

  test('SeparableConv2D (depthwise then pointwise) gradients match cpu', async () => {
    await expectWasmMatchesCpu(() => {
      const x = rand([2, 7, 7, 3], 4);
      const dw = rand([3, 3, 3, 2], 5);
      const pw = rand([1, 1, 6, 4], 6);
      const r = rand([2, 4, 4, 4], 7);
      const loss = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
        tf.sum(tf.mul(tf.separableConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c as tf.Tensor4D, 2, 'same'), r));
      return tf.grads(loss)([x, dw, pw]);
    });
  });

  test('dilation 2, called as kernels (tfjs-core refuses that gradient, the kernels take the attribute): matches finite differences', async () => {
    // The cpu kernels read the dilation attribute but loop as if it were 1, so the reference here is
    // finite differences of the (dilated) forward pass, which is linear in x and in w.
    const attrs = { strides: 1, dilations: 2, pad: 'same' } as unknown as tf.NamedAttrMap;
    const [x0, w0, dy0] = [rand([2, 7, 6, 2], 1), rand([3, 3, 2, 2], 2), rand([2, 7, 6, 4], 3)];
    const conv = (x: tf.Tensor, w: tf.Tensor) => tf.mul(tf.depthwiseConv2d(x as tf.Tensor4D, w as tf.Tensor4D, 1, 'same', 'NHWC', 2), dy0);
    const fdW = await finiteDifferences((w) => conv(x0, w), w0);
    const fdX = await finiteDifferences((x) => conv(x, w0), x0);
    const wasm = await valuesOn('wasm', () => [
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x: x0, dy: dy0 }, { ...attrs, filterShape: w0.shape }) as tf.Tensor,
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropInput', { dy: dy0, filter: w0 }, { ...attrs, inputShape: x0.shape }) as tf.Tensor,
    ]);
    expectClose(wasm, [fdW, fdX], 1e-4); // exact differences up to float32 rounding of |L| ≲ 30
    tf.dispose([x0, w0, dy0]);
  });

  test('NCHW is refused with a typed error that names the fix', async () => {
    await expectWasmMatchesCpu(() => tf.zeros([1])); // switches backends, nothing else
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 2, 4, 4]);
    const dy = tf.zeros([1, 2, 2, 2]);
    expect(() =>
      tf.engine().runKernel('DepthwiseConv2dNativeBackpropFilter', { x, dy }, { strides: 1, dilations: 1, pad: 'valid', filterShape: [3, 3, 2, 1], dataFormat: 'NCHW' }),
    ).toThrow(/channels-last data only, got NCHW: use dataFormat 'channelsLast'/);
    tf.dispose([x, dy]);
  });
});
