import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import type { Dataset } from '../data/dataset';
import { digits } from '../data/digits';
import { InvalidArgumentError } from '../errors';
import { LabelledTensors } from '../intrinsic/train';
import { datasetTensors } from '../models/tensors';
import { fashionMnist } from '../node/fashion-mnist';
import { mnist } from '../node/mnist';
import { shuffled } from '../random';
import { VALIDATION_FRACTION } from './defaults';

export const DATA_NAMES = ['digits', 'mnist', 'fashion-mnist'] as const;
export type DataName = (typeof DATA_NAMES)[number];

/** The digits have no official split: a seeded 80/20 split of the 1,797 (1,438 train, 359 test). */
function splitDigits(all: Dataset): { train: Dataset; test: Dataset } {
  const order = shuffled(all.n, seedrandom.alea('digits-split'));
  const nTrain = Math.round(0.8 * all.n);
  const take = (idx: Int32Array): Dataset => {
    const x = new Float32Array(idx.length * 64);
    idx.forEach((i, k) => x.set(all.x.subarray(i * 64, i * 64 + 64), k * 64));
    return { ...all, x, y: Int32Array.from(idx, (i) => all.y[i]), n: idx.length };
  };
  return { train: take(order.subarray(0, nTrain)), test: take(order.subarray(nTrain)) };
}

/** Tensors of a data set as loadData returns them, with what the header line says about them. */
export interface LoadedData {
  train: LabelledTensors;
  test: LabelledTensors;
  name: DataName;
  /** The image size, and ', pixels shuffled' when they are: '8×8'. */
  shape: string;
  /** Examples in each split as loaded (before any validation hold-out). */
  sizes: { train: number; test: number };
}

/** Train and test tensors for a named data set, shaped for a model input; the caller disposes them. */
export function loadData(name: DataName, inputShape: readonly number[], limits: { train?: number; test?: number; shufflePixels?: boolean } = {}): LoadedData {
  let train: Dataset;
  let test: Dataset;
  if (name === 'digits') {
    ({ train, test } = splitDigits(digits()));
    if (limits.train !== undefined) train = head(train, limits.train);
    if (limits.test !== undefined) test = head(test, limits.test);
  } else if (name === 'mnist' || name === 'fashion-mnist') {
    const load = name === 'mnist' ? mnist : fashionMnist;
    train = load({ split: 'train', limit: limits.train });
    test = load({ split: 'test', limit: limits.test });
  } else {
    throw new InvalidArgumentError(`unknown data set '${name}'; use one of ${DATA_NAMES.join(', ')}.`);
  }
  const size = train.height * train.width;
  const wanted = inputShape.reduce((a, b) => a * b, 1);
  if (size !== wanted) {
    throw new InvalidArgumentError(
      `the model takes inputs of shape [${inputShape}] but ${name} has ${train.height}×${train.width} images; ` +
        `use a ${size === 64 ? "digits model ('fc-digits', 'conv-digits')" : "28×28 model ('fc', 'lenet')"}.`,
    );
  }
  if (limits.shufflePixels) [train, test] = shufflePixels([train, test]);
  return {
    train: datasetTensors(train, inputShape),
    test: datasetTensors(test, inputShape),
    name,
    shape: `${train.height}×${train.width}${limits.shufflePixels ? ', pixels shuffled' : ''}`,
    sizes: { train: train.n, test: test.n },
  };
}

const count = (n: number) => n.toLocaleString('en');

/**
 * The header's data line: the examples a command really trains on, validates on and tests on. With
 * `validationFraction` (id), the counts of the hold-out every run makes (holdOut in
 * src/intrinsic/protocol.ts: max(1, round(fraction·n)) examples); with null (train), all of the
 * training split trains and the line says that no validation split is held out.
 */
export function describeSplit(data: LoadedData, validationFraction: number | null): string {
  const { train, test } = data.sizes;
  if (validationFraction === null) {
    return `${data.name}: ${count(train)} train / ${count(test)} test, ${data.shape} (no validation split: train trains on all ${count(train)}; id holds out ${100 * VALIDATION_FRACTION} % of them by default)`;
  }
  const validation = Math.max(1, Math.round(validationFraction * train));
  const percent = Number((100 * validationFraction).toPrecision(3));
  return `${data.name}: ${count(train - validation)} train / ${count(validation)} validation (${percent} % of ${count(train)} held out) / ${count(test)} test, ${data.shape}`;
}

/**
 * One fixed permutation of the pixel positions (seeded 'shuffle-pixels'), applied to every image of
 * every split: Li et al.'s (2018) shuffled-pixel MNIST, which keeps the task for a fully connected
 * network and takes its spatial prior from a convolutional one.
 */
export function shufflePixels(sets: Dataset[]): Dataset[] {
  const size = sets[0].height * sets[0].width;
  const perm = shuffled(size, seedrandom.alea('shuffle-pixels'));
  return sets.map((d) => {
    const x = new Float32Array(d.x.length);
    for (let i = 0; i < d.n; i++) {
      const [src, dst] = [d.x.subarray(i * size, (i + 1) * size), x.subarray(i * size, (i + 1) * size)];
      for (let p = 0; p < size; p++) dst[p] = src[perm[p]];
    }
    return { ...d, x };
  });
}

function head(d: Dataset, n: number): Dataset {
  const k = Math.min(n, d.n);
  return { ...d, x: d.x.subarray(0, k * d.height * d.width), y: d.y.subarray(0, k), n: k };
}

export function disposeData(d: { train: LabelledTensors; test: LabelledTensors }): void {
  tf.dispose([d.train.x, d.train.y, d.test.x, d.test.y]);
}
