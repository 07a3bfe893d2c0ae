import * as tf from '@tensorflow/tfjs';
import { copyFloat32, readFloat32, writeFloat32 } from '../../src/backends/tensor-arrays';
import { BACKENDS, uniformArray, useBackend } from '../helpers';

describe.each(BACKENDS)('host arrays on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('readFloat32 gives the values without a copy (the backend storage itself)', () => {
    const values = uniformArray(1000, 1);
    const t = tf.tensor1d(values);
    const a = readFloat32(t);
    expect(Array.from(a)).toEqual(Array.from(values));
    // No copy: two reads share one buffer (a download would make a new one each time).
    expect(readFloat32(t).buffer).toBe(a.buffer);
    const ints = tf.tensor1d([1, 2, 3], 'int32');
    expect(Array.from(readFloat32(ints))).toEqual([1, 2, 3]); // other dtypes: a normal download
    tf.dispose([t, ints]);
  });

  test('writeFloat32 fills a new tensor in place, counted and freed like any other', () => {
    const start = tf.memory();
    const t = writeFloat32(5, (out) => out.set([1, 2, 3, 4, 5]));
    expect(t.shape).toEqual([5]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5]);
    const u = tf.tidy(() => tf.add(t, 1));
    expect(Array.from(u.dataSync())).toEqual([2, 3, 4, 5, 6]);
    tf.dispose([t, u]);
    expect(tf.memory().numTensors).toBe(start.numTensors);
    expect(tf.memory().numBytes).toBe(start.numBytes);
  });

  test('a throwing fill leaves no tensor behind', () => {
    const start = tf.memory();
    expect(() =>
      writeFloat32(5, () => {
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(tf.memory().numTensors).toBe(start.numTensors);
    expect(tf.memory().numBytes).toBe(start.numBytes);
  });

  test('copyFloat32 copies: changing the source afterwards leaves the tensor alone', () => {
    const start = tf.memory().numTensors;
    const src = Float32Array.from([1, 2, 3, 4, 5, 6]);
    const t = copyFloat32(src.subarray(0, 4), [2, 2]);
    src.fill(9);
    expect(t.shape).toEqual([2, 2]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4]);
    t.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  test('tensors written inside tf.tidy are tracked by it', () => {
    const start = tf.memory().numTensors;
    const kept = tf.tidy(() => {
      writeFloat32(3, (out) => out.fill(7)); // disposed by the tidy
      return writeFloat32(2, (out) => out.fill(1));
    });
    expect(tf.memory().numTensors).toBe(start + 1);
    kept.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
