/**
 * tfjs-subspace/data: data sets that need no file system — sklearn's 8×8 digits (embedded), one-hot
 * labels, and the IDX parser for MNIST-style files already in memory (fetched in a browser, read in
 * Node). The Node file readers of MNIST and Fashion-MNIST are in tfjs-subspace/node. docs/data.md.
 */
export { digits, oneHot } from './digits';
export type { Dataset } from './dataset';
export { parseIdx } from './idx';
export type { IdxArray, IdxData, IdxDtype } from './idx';
