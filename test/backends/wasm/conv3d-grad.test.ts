import * as tf from '@tensorflow/tfjs';
import { expectClose, expectWasmMatchesCpu, finiteDifferences, rand, valuesOn } from './compare';

interface Case {
  x: [number, number, number, number, number];
  k: [number, number, number];
  co: number;
  stride: number | [number, number, number];
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { x: [2, 4, 5, 4, 2], k: [2, 2, 2], co: 3, stride: 1, pad: 'valid' },
  { x: [2, 4, 5, 4, 2], k: [3, 3, 3], co: 2, stride: 1, pad: 'same' },
  { x: [2, 5, 5, 4, 2], k: [3, 3, 3], co: 3, stride: 2, pad: 'same' }, // native filter kernel wrong here
  { x: [1, 6, 5, 7, 3], k: [3, 2, 3], co: 2, stride: [2, 1, 3], pad: 'valid' },
  { x: [1, 5, 6, 5, 1], k: [2, 3, 2], co: 1, stride: [1, 2, 2], pad: 'same' },
];

/** Σ conv3d(x, w)·r: its gradients are Conv3DBackpropInputV2 (x) and Conv3DBackpropFilterV2 (w). */
function grads(c: Case) {
  const x = rand(c.x, 1);
  const w = rand([...c.k, c.x[4], c.co], 2);
  const y = tf.conv3d(x as tf.Tensor5D, w as tf.Tensor5D, c.stride, c.pad);
  const r = rand(y.shape, 3);
  return tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv3d(a as tf.Tensor5D, b as tf.Tensor5D, c.stride, c.pad), r)))([x, w]);
}

describe('Conv3D gradient kernels on wasm', () => {
  test.each(CASES)('∂/∂x and ∂/∂w of conv3d match the cpu backend: %j', async (c) => {
    await expectWasmMatchesCpu(() => grads(c));
  });

  test('Conv3DTranspose (Conv3DBackpropInputV2 as a forward pass) matches cpu and its new gradient matches finite differences', async () => {
    const dyShape = [2, 3, 2, 3, 2];
    const out: [number, number, number, number, number] = [2, 6, 4, 6, 3];
    const wShape = [2, 2, 2, 3, 2]; // [fd, fh, fw, out channels of the transpose, in channels]
    const f = (dy: tf.Tensor, w: tf.Tensor) => tf.mul(tf.conv3dTranspose(dy as tf.Tensor5D, w as tf.Tensor5D, out, 2, 'same'), rand(out, 9));
    await expectWasmMatchesCpu(() => tf.conv3dTranspose(rand(dyShape, 4) as tf.Tensor5D, rand(wShape, 5) as tf.Tensor5D, out, 2, 'same'));
    const dy0 = rand(dyShape, 4);
    const w0 = rand(wShape, 5);
    // The gradient is new (tfjs-core has none): check it against finite differences of the forward pass.
    const fdDy = await finiteDifferences((dy) => f(dy, w0), dy0);
    const fdW = await finiteDifferences((w) => f(dy0, w), w0);
    for (const backend of ['cpu', 'wasm'] as const) {
      const g = await valuesOn(backend, () => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(f(a, b)))([dy0, w0]));
      // Linear in each argument: finite differences exact up to float32 rounding of |L| ≲ 30: 1e-4.
      expectClose(g, [fdDy, fdW], 1e-4);
    }
    tf.dispose([dy0, w0]);
  });
});
