/**
 * tfjs-subspace/node: the Node-only part of the library (file system readers of the real data sets,
 * the model folder handler for model.save and tf.loadLayersModel, worker threads).
 * Everything else is in the main entry, which stays free of Node built-ins for browser bundles.
 */
export { mnist, mnistDataDir } from './node/mnist';
export { fashionMnist, FASHION_MNIST_CLASSES, FASHION_MNIST_DEFAULT_DIR, FASHION_MNIST_DIR_ENV } from './node/fashion-mnist';
export { readIdxFile, isGzip } from './node/read-idx-file';
export { DataNotFoundError } from './node/data-not-found';
export type { ImageSetOptions, Split } from './node/image-set';
export { useWorkerThreads, stopWorkerThreads } from './node/worker-threads';
export { fileSystem } from './node/file-system';
export { useFileSystem } from './node/file-router';
export { ModelFileError } from './node/model-file-error';
