/**
 * tfjs-subspace/models: the model zoo of the intrinsic-dimension experiments (Li et al.'s MNIST FC and
 * LeNet, and small digits models), seeded so that θ0 is the same on every backend, a registry of them
 * by name, and the tensors of a Dataset shaped for a model's input. docs/intrinsic-dimension.md.
 */
export { convDigits, fcDigits, fcMnist, lenet } from './zoo';
export type { FcOptions } from './zoo';
export type { ModelOptions } from './build';
export { models } from './registry';
export type { ModelFactory, ModelName } from './registry';
export { datasetTensors } from './tensors';
