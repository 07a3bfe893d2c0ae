import type * as tfl from '@tensorflow/tfjs-layers';
import type { ModelOptions } from './build';
import { convDigits, fcDigits, fcMnist, lenet } from './zoo';

/** A model factory of the zoo, with the shape of one input example and the data it is meant for. */
export interface ModelFactory {
  (options?: ModelOptions): tfl.LayersModel;
  /** The shape of one example: [784], [28, 28, 1], [64] or [8, 8, 1]. */
  readonly inputShape: readonly number[];
  /** The data set family it takes: 28×28 images (MNIST, Fashion-MNIST) or the 8×8 digits. */
  readonly data: '28x28' | 'digits';
  /** The number of trainable parameters D. */
  readonly parameters: number;
}

/** The names the zoo answers to (e.g. on a command line). */
export type ModelName = 'fc' | 'lenet' | 'fc-digits' | 'conv-digits';

function entry(
  create: (options?: ModelOptions) => tfl.LayersModel,
  inputShape: number[],
  data: ModelFactory['data'],
  parameters: number,
): ModelFactory {
  return Object.assign((options?: ModelOptions) => create(options), { inputShape, data, parameters });
}

/**
 * The model zoo by name: 'fc' ({@link fcMnist}, 784-200-200-10), 'lenet' ({@link lenet}),
 * 'fc-digits' ({@link fcDigits}) and 'conv-digits' ({@link convDigits}). Every factory takes
 * `{ seed }` and builds the same initial weights for the same seed; all outputs are softmax.
 *
 * @example
 * const make = models[name as ModelName];
 * const model = make({ seed: 0 });
 * const { x, y } = datasetTensors(data, make.inputShape);
 */
export const models: Readonly<Record<ModelName, ModelFactory>> = {
  fc: entry(fcMnist, [784], '28x28', 199_210),
  lenet: entry(lenet, [28, 28, 1], '28x28', 44_426),
  'fc-digits': entry(fcDigits, [64], 'digits', 3_466),
  'conv-digits': entry(convDigits, [8, 8, 1], 'digits', 1_898),
};
