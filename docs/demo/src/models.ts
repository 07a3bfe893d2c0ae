/**
 * The architectures on offer are the library's model zoo (`models`): two for the 8×8 digits and
 * two for 28×28 MNIST. Switching the data set switches to the same kind of model for its image size.
 */
import { ModelName, models } from 'tfjs-subspace/models';
import { DatasetName } from './datasets';

const FAMILY = { digits: 'digits', mnist: '28x28' } as const;
const COUNTERPART: Record<ModelName, ModelName> = { 'fc-digits': 'fc', fc: 'fc-digits', 'conv-digits': 'lenet', lenet: 'conv-digits' };

/** Whether the zoo model takes this data set's images. */
export function fits(name: ModelName, dataset: DatasetName): boolean {
  return models[name].data === FAMILY[dataset];
}

/** `name` if it fits the data set, else its counterpart for the other image size. */
export function modelFor(dataset: DatasetName, name: ModelName): ModelName {
  return fits(name, dataset) ? name : COUNTERPART[name];
}
