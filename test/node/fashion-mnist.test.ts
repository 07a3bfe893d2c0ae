import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { DataNotFoundError } from '../../src/node/data-not-found';
import { FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV, fashionMnist } from '../../src/node/fashion-mnist';

/**
 * fashionMnist over fixture files: a temporary directory laid out as Debian's dataset-fashion-mnist
 * lays out /usr/share/datasets/fashion-mnist (the training split gzipped, the test split plain, to
 * cover both). The tests on the real files are in test/data/image-sets.test.ts (run where installed).
 */
function ubyteIdx(dims: number[], body: number[]): Uint8Array {
  const header = [0, 0, 0x08, dims.length];
  for (const d of dims) header.push(d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...body]);
}

/** Image k (28×28) has byte (7·k + 3·p) mod 256 at pixel p: every byte value occurs, and images differ. */
const byte = (k: number, p: number) => (7 * k + 3 * p) % 256;
const imageBytes = (n: number) => Array.from({ length: n * 784 }, (_, i) => byte(Math.floor(i / 784), i % 784));
const TRAIN_LABELS = [9, 0, 0, 3, 8];
const TEST_LABELS = [1, 7, 2];

const dir = mkdtempSync(join(tmpdir(), 'fashion-fixture-'));
writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(ubyteIdx([5, 28, 28], imageBytes(5))));
writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(ubyteIdx([5], TRAIN_LABELS)));
writeFileSync(join(dir, 't10k-images-idx3-ubyte'), ubyteIdx([3, 28, 28], imageBytes(3)));
writeFileSync(join(dir, 't10k-labels-idx1-ubyte'), ubyteIdx([3], TEST_LABELS));
afterAll(() => rmSync(dir, { recursive: true }));

/** Runs `body` with FASHION_MNIST_DIR set to `value` (unset for undefined), then restores it. */
function withEnv<T>(value: string | undefined, body: () => T): T {
  const saved = process.env[FASHION_MNIST_DIR_ENV];
  if (value === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
  else process.env[FASHION_MNIST_DIR_ENV] = value;
  try {
    return body();
  } finally {
    if (saved === undefined) delete process.env[FASHION_MNIST_DIR_ENV];
    else process.env[FASHION_MNIST_DIR_ENV] = saved;
  }
}

test.each([
  ['train', 5, TRAIN_LABELS],
  ['test', 3, TEST_LABELS],
] as const)('the %s split of the fixture: sizes, labels, and every pixel equal to its byte / 255', (split, n, labels) => {
  const d = fashionMnist({ split, dir });
  expect([d.n, d.height, d.width, d.classes]).toEqual([n, 28, 28, 10]);
  expect(Array.from(d.y)).toEqual(labels);
  expect(d.x.length).toBe(n * 784);
  let wrong = 0;
  for (let i = 0; i < d.x.length; i++) if (d.x[i] !== Math.fround(byte(Math.floor(i / 784), i % 784) / 255)) wrong++;
  expect(wrong).toBe(0);
});

test('the default split is train; limit keeps the first examples', () => {
  const two = fashionMnist({ dir, limit: 2 });
  expect([two.n, Array.from(two.y)]).toEqual([2, [9, 0]]);
  expect(two.x).toEqual(fashionMnist({ dir }).x.subarray(0, 2 * 784));
});

test(`${FASHION_MNIST_DIR_ENV} is used when dir is not given; dir wins over it`, () => {
  const empty = mkdtempSync(join(tmpdir(), 'no-fashion-'));
  try {
    expect(Array.from(withEnv(dir, () => fashionMnist({ split: 'test' })).y)).toEqual(TEST_LABELS);
    expect(Array.from(withEnv(empty, () => fashionMnist({ split: 'test', dir })).y)).toEqual(TEST_LABELS);
    expect(() => withEnv(empty, () => fashionMnist({ split: 'test' }))).toThrow(DataNotFoundError);
  } finally {
    rmSync(empty, { recursive: true });
  }
});

test(`without dir or ${FASHION_MNIST_DIR_ENV} it reads ${FASHION_MNIST_DEFAULT_DIR}`, () => {
  // Both outcomes name the default directory: the data where Debian's package is installed, else an
  // error whose `searched` paths are in it.
  const load = () => withEnv(undefined, () => fashionMnist({ split: 'test', limit: 1 }));
  if (existsSync(FASHION_MNIST_DEFAULT_DIR)) {
    expect(load().n).toBe(1);
  } else {
    let caught: unknown;
    try {
      load();
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DataNotFoundError);
    expect((caught as DataNotFoundError).searched).toEqual([
      join(FASHION_MNIST_DEFAULT_DIR, 't10k-images-idx3-ubyte'),
      join(FASHION_MNIST_DEFAULT_DIR, 't10k-labels-idx1-ubyte'),
    ]);
  }
});
