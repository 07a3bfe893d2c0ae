// Type-checked by test/package/entries.test.ts against the built declarations (dist/*.d.ts, the
// "require" condition of package.json "exports"), resolving the package by its own name as a user's
// TypeScript does. Types from different entries must fit together: one declaration per class.
import * as tf from '@tensorflow/tfjs-core';
import { Basis, gaussianBasis, InvalidArgumentError, projectGradients, SubspaceOptimizer } from 'tfjs-subspace';
import { intrinsicDimension, IntrinsicDimensionOptions, LabelledTensors } from 'tfjs-subspace/intrinsic';
import { Dataset, digits } from 'tfjs-subspace/data';
import { datasetTensors, ModelName, models } from 'tfjs-subspace/models';
import { DataNotFoundError, mnist } from 'tfjs-subspace/node';

export function wire(name: ModelName, v: tf.Variable): SubspaceOptimizer {
  const data: Dataset = digits();
  const { x, y } = datasetTensors(data, models[name].inputShape);
  const train: LabelledTensors = { x, y };
  const basis: Basis = gaussianBasis(v.size, 2, { seed: 1 });
  const options: IntrinsicDimensionOptions = {
    createModel: (seed) => models[name]({ seed }),
    train,
    test: train,
    dims: [basis.dim],
  };
  void intrinsicDimension(options);
  const notFound: InvalidArgumentError = new DataNotFoundError('', '', []);
  void notFound;
  void mnist;
  return projectGradients(tf.train.sgd(0.1), basis, { variables: [v] });
}
