import { digits } from '../../src/data';

test('the embedded digits decode to 1797 labelled 8×8 images', () => {
  const d = digits();
  expect([d.n, d.height, d.width, d.classes]).toEqual([1797, 8, 8, 10]);
  expect(d.x.length).toBe(1797 * 64);
  expect(Math.min(...d.x)).toBe(0);
  expect(Math.max(...d.x)).toBe(1);
  const counts = new Array(10).fill(0);
  d.y.forEach((y) => counts[y]++);
  // sklearn's digits: 178, 182, 177, 183, 181, 182, 181, 179, 174, 180 images of 0 … 9.
  expect(counts).toEqual([178, 182, 177, 183, 181, 182, 181, 179, 174, 180]);
  // First image of the CSV (a zero): its first row of pixels is 0,0,5,13,9,1,0,0 (÷16).
  expect(Array.from(d.x.subarray(0, 8)).map((v) => v * 16)).toEqual([0, 0, 5, 13, 9, 1, 0, 0]);
  expect(d.y[0]).toBe(0);
});
