import * as tf from '@tensorflow/tfjs';
import { InvalidArgumentError } from '../../../src';
import { expectWasmMatchesCpu, rand, valuesOn } from './compare';

describe('UnsortedSegmentSum on wasm', () => {
  test.each<[string, number[], number[], number]>([
    ['1-D, repeated ids', [6], [2, 0, 2, 2, 1, 0], 3],
    ['rows of [2, 3], ids unsorted, a segment left empty', [5, 2, 3], [3, 1, 3, 0, 1], 5],
    ['negative and out-of-range ids add nothing', [6, 4], [-1, 2, 7, 2, 3, -5], 4],
    ['all rows into one segment', [8, 3], [1, 1, 1, 1, 1, 1, 1, 1], 2],
  ])('%s: matches cpu', async (_name, shape, ids, n) => {
    await expectWasmMatchesCpu(() => tf.unsortedSegmentSum(rand(shape, 1), tf.tensor1d(ids, 'int32'), n), 1e-6);
  });

  test('int32 data: an exact float32 result, as on cpu', async () => {
    for (const backend of ['cpu', 'wasm'] as const) {
      await valuesOn(backend, () => {
        const out = tf.unsortedSegmentSum(tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2], 'int32'), tf.tensor1d([1, 1, -1], 'int32'), 2);
        expect(out.dtype).toBe('float32');
        expect(Array.from(out.dataSync())).toEqual([0, 0, 4, 6]);
        return out;
      });
    }
  });

  test.each<[string, number[], number[], number]>([
    ['axis 0, repeated indices', [5, 3], [0, 2, 2, 4, 0, 1], 0],
    ['axis 1, repeated indices', [3, 6, 2], [5, 5, 0, 3], 1],
    ['2-D indices (Embedding on [batch, time])', [7, 3], [1, 1, 4, 6, 0, 1], 0],
  ])('gradient of gather, %s: matches cpu', async (name, shape, idx, axis) => {
    await expectWasmMatchesCpu(() => {
      const x = rand(shape, 2);
      const ids = name.startsWith('2-D') ? tf.tensor2d(idx, [2, 3], 'int32') : tf.tensor1d(idx, 'int32');
      const r = rand(tf.gather(x, ids, axis).shape, 3);
      return tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.gather(a, ids, axis), r)))(x);
    }, 1e-6);
  });

  test('a NaN stays in its segment (the cpu backend spreads it to every segment through its 0/1 mask)', async () => {
    const [out] = await valuesOn('wasm', () => tf.unsortedSegmentSum(tf.tensor1d([NaN, 1, 2]), tf.tensor1d([0, 1, 1], 'int32'), 2));
    expect(Number.isNaN(out[0])).toBe(true);
    expect(out[1]).toBe(3);
  });

  test('segment ids of rank 2 are refused with a typed error naming the fix', async () => {
    await tf.setBackend('wasm');
    const x = tf.ones([2, 2]);
    const ids = tf.tensor2d([0, 1, 1, 0], [2, 2], 'int32');
    const call = () => tf.unsortedSegmentSum(x, ids as unknown as tf.Tensor1D, 2);
    expect(call).toThrow(InvalidArgumentError);
    expect(call).toThrow(/segmentIds must be 1-D with one id per row of x \(2\), got shape \[2, 2\]\. Reshape/);
    tf.dispose([x, ids]);
  });
});
