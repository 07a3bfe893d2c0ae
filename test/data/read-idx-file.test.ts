import { mkdtempSync, rmSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';
import { gzipSync } from 'zlib';
import { InvalidArgumentError } from '../../src/errors';
import { loadImageSet, loadSplit } from '../../src/node/image-set';
import { readIdxFile } from '../../src/node/read-idx-file';

/** A uint8 IDX file: magic 00 00 08 rank, big-endian dims, then the bytes. */
function ubyteIdx(dims: number[], body: number[]): Uint8Array {
  const header = [0, 0, 0x08, dims.length];
  for (const d of dims) header.push(d >>> 24, (d >>> 16) & 255, (d >>> 8) & 255, d & 255);
  return Uint8Array.from([...header, ...body]);
}

const dir = mkdtempSync(join(tmpdir(), 'idx-files-'));
afterAll(() => rmSync(dir, { recursive: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readIdxFile', () => {
  const labels = ubyteIdx([4], [3, 1, 4, 1]);

  test('reads plain files and gunzips by content, whatever the file is called', () => {
    expect(Array.from(readIdxFile(write('plain', labels)).data)).toEqual([3, 1, 4, 1]);
    expect(Array.from(readIdxFile(write('packed.gz', gzipSync(labels))).data)).toEqual([3, 1, 4, 1]);
    expect(Array.from(readIdxFile(write('renamed-without-suffix', gzipSync(labels))).data)).toEqual([3, 1, 4, 1]);
  });

  test('errors name the file: missing, bad gzip, bad IDX', () => {
    const missing = join(dir, 'absent');
    expect(() => readIdxFile(missing)).toThrow(new RegExp(`^cannot read IDX file ${missing}: ENOENT`));
    const broken = write('broken.gz', Uint8Array.from([0x1f, 0x8b, 8, 0, 1, 2, 3]));
    expect(() => readIdxFile(broken)).toThrow(InvalidArgumentError);
    expect(() => readIdxFile(broken)).toThrow(`${broken} starts like a gzip file but does not decompress`);
    const short = write('short', labels.subarray(0, labels.length - 1));
    expect(() => readIdxFile(short)).toThrow(`${short}: truncated IDX data: [4] uint8 needs 12 bytes in all, got 11`);
  });
});

describe('loadImageSet', () => {
  // Two 2×3 images with bytes 0, 51, 102, 153, 204, 255 and their reverse; labels 7 and 2.
  const pixels = [0, 51, 102, 153, 204, 255];
  const images = write('images', ubyteIdx([2, 2, 3], [...pixels, ...[...pixels].reverse()]));
  const labels = write('labels', ubyteIdx([2], [7, 2]));

  test('scales bytes to [0, 1] float32 and keeps the first `limit` examples', () => {
    const all = loadImageSet(images, labels, Infinity);
    expect([all.n, all.height, all.width, all.classes]).toEqual([2, 2, 3, 10]);
    expect(Array.from(all.x.subarray(0, 6))).toEqual(pixels.map((b) => Math.fround(b / 255)));
    expect(Array.from(all.y)).toEqual([7, 2]);
    const one = loadImageSet(images, labels, 1);
    expect([one.n, one.x.length, Array.from(one.y)]).toEqual([1, 6, [7]]);
  });

  test('rejects files of the wrong kind, mismatched counts and out-of-range labels', () => {
    const flat = write('flat', ubyteIdx([2, 6], pixels.concat(pixels)));
    expect(() => loadImageSet(flat, labels, Infinity)).toThrow(`${flat} holds [2, 6] uint8; an image file holds [n, height, width] uint8.`);
    const three = write('three', ubyteIdx([3], [1, 2, 3]));
    expect(() => loadImageSet(images, three, Infinity)).toThrow(`${three} holds [3] uint8; the labels of ${images} are [2] uint8.`);
    const eleven = write('eleven', ubyteIdx([2], [1, 10]));
    expect(() => loadImageSet(images, eleven, Infinity)).toThrow(`${eleven}: label 10 at 1 is not in 0 … 9.`);
  });

  test('loadSplit finds gzipped files by the MNIST names', () => {
    const split = mkdtempSync(join(dir, 'split-'));
    writeFileSync(join(split, 't10k-images-idx3-ubyte.gz'), gzipSync(ubyteIdx([1, 1, 2], [0, 255])));
    writeFileSync(join(split, 't10k-labels-idx1-ubyte.gz'), gzipSync(ubyteIdx([1], [5])));
    const source = { name: 'Tiny', install: 'nothing', hint: '' };
    const d = loadSplit(source, split, 'test', Infinity);
    expect([Array.from(d.x), Array.from(d.y)]).toEqual([[0, 1], [5]]);
    expect(() => loadSplit(source, split, 'train', Infinity)).toThrow(/^Tiny \(train\) not found: .* has no train-images/);
  });
});
