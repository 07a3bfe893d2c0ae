import * as tf from '@tensorflow/tfjs-core';

/** The `tf.train` optimizers by the name `getClassName()` gives (case-insensitive) or their factory name. */
export type OptimizerName = 'sgd' | 'momentum' | 'adagrad' | 'adadelta' | 'adam' | 'adamax' | 'rmsprop';

/** The inner optimizer `intrinsicDimension({optimizer: name})` builds for a learning rate (momentum 0.9); the CLI's --optimizer choices, in this order. */
export const OPTIMIZERS: Readonly<Record<OptimizerName, (lr: number) => tf.Optimizer>> = {
  adam: (lr) => tf.train.adam(lr),
  adamax: (lr) => tf.train.adamax(lr),
  rmsprop: (lr) => tf.train.rmsprop(lr),
  adagrad: (lr) => tf.train.adagrad(lr),
  sgd: (lr) => tf.train.sgd(lr),
  momentum: (lr) => tf.train.momentum(lr, 0.9),
  adadelta: (lr) => tf.train.adadelta(lr),
};
