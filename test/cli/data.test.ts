import { shufflePixels } from '../../src/cli/data';
import type { Dataset } from '../../src/data';

describe('--shuffle-pixels: one fixed permutation for every image of every split', () => {
  // Images whose pixel values are their own positions (plus an offset per image) show the permutation.
  const images = (n: number, offset: number): Dataset => {
    const x = new Float32Array(n * 64);
    for (let i = 0; i < n; i++) for (let p = 0; p < 64; p++) x[i * 64 + p] = p + 1000 * (i + offset);
    return { x, y: new Int32Array(n), n, height: 8, width: 8, classes: 10 };
  };

  it('moves pixel p of every image to the same place, a true permutation, seeded', () => {
    const [train, test] = shufflePixels([images(3, 0), images(2, 10)]);
    const perm = Array.from(train.x.subarray(0, 64));
    expect([...perm].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, p) => p)); // a permutation
    expect(perm.filter((v, p) => v === p).length).toBeLessThan(8); // far from the identity
    for (let i = 0; i < 3; i++) expect(Array.from(train.x.subarray(i * 64, i * 64 + 64)).map((v) => v - 1000 * i)).toEqual(perm);
    for (let i = 0; i < 2; i++) expect(Array.from(test.x.subarray(i * 64, i * 64 + 64)).map((v) => v - 1000 * (i + 10))).toEqual(perm);
    expect(Array.from(shufflePixels([images(1, 0)])[0].x)).toEqual(perm); // the same in every invocation
    expect(train.y).toEqual(new Int32Array(3)); // labels untouched
  });
});
