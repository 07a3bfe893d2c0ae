import { existsSync } from 'fs';
import { join } from 'path';
import type { Dataset } from '../data/dataset';
import { InvalidArgumentError } from '../errors';
import { DataNotFoundError } from './data-not-found';
import { readIdxFile } from './read-idx-file';

/** Which half of an MNIST-style set: the 60 000 training or the 10 000 test examples. */
export type Split = 'train' | 'test';

/** Options shared by the MNIST-style loaders. */
export interface ImageSetOptions {
  /** Which split to load. Default `'train'`. */
  split?: Split;
  /** Keep only the first `limit` examples (all of them when it exceeds the split). Default: all. */
  limit?: number;
  /** The directory holding the four IDX files (plain or `.gz`). Default: the loader's own source. */
  dir?: string;
}

/** The file names of one split, in the MNIST convention: `train-…` and `t10k-…`, images then labels. */
export function splitFiles(split: Split): [string, string] {
  const prefix = split === 'train' ? 'train' : 't10k';
  return [`${prefix}-images-idx3-ubyte`, `${prefix}-labels-idx1-ubyte`];
}

/** The path of `name` or `name.gz` in `dir`, whichever exists (the plain one first); undefined if neither. */
export function findIdxFile(dir: string, name: string): string | undefined {
  return [name, `${name}.gz`].map((n) => join(dir, n)).find((p) => existsSync(p));
}

/** Checks `split` and `limit` once; returns the split and the limit (Infinity when unset). */
export function normalizeImageSetOptions(options: ImageSetOptions): { split: Split; limit: number } {
  const split = options.split ?? 'train';
  if (split !== 'train' && split !== 'test') {
    throw new InvalidArgumentError(`split must be 'train' or 'test', got ${JSON.stringify(split)}.`);
  }
  const limit = options.limit ?? Infinity;
  if (limit !== Infinity && !(Number.isInteger(limit) && limit >= 0)) {
    throw new InvalidArgumentError(`limit must be a non-negative integer (the number of examples to keep), got ${limit}.`);
  }
  return { split, limit };
}

/**
 * Reads an IDX image file ([n, height, width] uint8, 0…255) and its label file ([n] uint8) into a
 * {@link Dataset}: pixels scaled to [0, 1] as float32, labels as int32, the first `limit` examples.
 */
export function loadImageSet(imagesPath: string, labelsPath: string, limit: number, classes = 10): Dataset {
  const images = readIdxFile(imagesPath);
  const labels = readIdxFile(labelsPath);
  if (images.dtype !== 'uint8' || images.dims.length !== 3) {
    throw new InvalidArgumentError(
      `${imagesPath} holds [${images.dims.join(', ')}] ${images.dtype}; an image file holds [n, height, width] uint8.`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.dims.length !== 1 || labels.dims[0] !== images.dims[0]) {
    throw new InvalidArgumentError(
      `${labelsPath} holds [${labels.dims.join(', ')}] ${labels.dtype}; the labels of ${imagesPath} are ` +
        `[${images.dims[0]}] uint8.`,
    );
  }
  const [total, height, width] = images.dims;
  const n = Math.min(limit, total);
  const pixels = images.data.subarray(0, n * height * width);
  const x = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) x[i] = pixels[i] / 255;
  const y = Int32Array.from(labels.data.subarray(0, n));
  const bad = y.findIndex((v) => v >= classes);
  if (bad >= 0) throw new InvalidArgumentError(`${labelsPath}: label ${y[bad]} at ${bad} is not in 0 … ${classes - 1}.`);
  return { x, y, n, height, width, classes };
}

/** Where an MNIST-style set comes from, for the error when its files are missing. */
export interface ImageSetSource {
  /** The set's name in messages, e.g. 'Fashion-MNIST'. */
  name: string;
  /** The command that installs it. */
  install: string;
  /** One sentence on how to install it or point the loader elsewhere. */
  hint: string;
}

/**
 * Loads one split of an MNIST-style set from `dir` (files named as {@link splitFiles} says, plain or
 * gzipped). Throws {@link DataNotFoundError} naming the missing files and `source.install`.
 */
export function loadSplit(source: ImageSetSource, dir: string, split: Split, limit: number): Dataset {
  const names = splitFiles(split);
  const [images, labels] = names.map((n) => findIdxFile(dir, n));
  if (images === undefined || labels === undefined) {
    const missing = names.filter((_, i) => [images, labels][i] === undefined).map((n) => `${n}[.gz]`);
    throw new DataNotFoundError(
      `${source.name} (${split}) not found: ${dir} has no ${missing.join(' and no ')}. ${source.hint}`,
      source.install,
      names.map((n) => join(dir, n)),
    );
  }
  return loadImageSet(images, labels, limit);
}
