import type { Dataset } from '../data/dataset';
import { ImageSetOptions, ImageSetSource, loadSplit, normalizeImageSetOptions } from './image-set';

/** Where Debian's `dataset-fashion-mnist` package installs the gzipped IDX files. */
export const FASHION_MNIST_DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';

/** The environment variable that overrides {@link FASHION_MNIST_DEFAULT_DIR}. */
export const FASHION_MNIST_DIR_ENV = 'FASHION_MNIST_DIR';

/** The names of the ten Fashion-MNIST classes, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const SOURCE: ImageSetSource = {
  name: 'Fashion-MNIST',
  install: 'apt-get install dataset-fashion-mnist',
  hint:
    `Install the Debian package dataset-fashion-mnist (\`apt-get install dataset-fashion-mnist\`, which puts the ` +
    `files in ${FASHION_MNIST_DEFAULT_DIR}), or point ${FASHION_MNIST_DIR_ENV} or { dir } at a directory with them.`,
};

/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, Zalando Research; MIT): 60 000 training and 10 000 test
 * 28×28 grey-scale images of 10 kinds of clothing, from `options.dir`, else `$FASHION_MNIST_DIR`,
 * else Debian's `dataset-fashion-mnist` (`/usr/share/datasets/fashion-mnist/*-ubyte.gz`). Pixels are
 * scaled from 0…255 to [0, 1]; labels are 0…9 (0 T-shirt/top … 9 ankle boot). Node only; plain arrays.
 *
 * @throws DataNotFoundError naming `apt-get install dataset-fashion-mnist` when the files are missing.
 * @example
 * const train = fashionMnist({ limit: 5000 }); // train.n = 5000, 28×28
 */
export function fashionMnist(options: ImageSetOptions = {}): Dataset {
  const { split, limit } = normalizeImageSetOptions(options);
  const dir = options.dir ?? (process.env[FASHION_MNIST_DIR_ENV] || undefined) ?? FASHION_MNIST_DEFAULT_DIR;
  return loadSplit(SOURCE, dir, split, limit);
}
