import type * as tfl from '@tensorflow/tfjs-layers';
import { buildClassifier, ModelOptions } from './build';

/** Options of the fully connected models: the hidden widths (the paper varies them) besides the seed. */
export interface FcOptions extends ModelOptions {
  /** Widths of the hidden relu layers. Default [200, 200] for MNIST, [32, 32] for digits. */
  hidden?: number[];
}

/**
 * The fully connected MNIST network of Li et al. (2018), "Measuring the Intrinsic Dimension of
 * Objective Landscapes": 784-200-200-10, relu, softmax output; D = 199 210 parameters. Input [784]
 * (flattened 28×28 images). Seeded Glorot-uniform kernels, zero biases.
 *
 * @example
 * const model = fcMnist({ seed: 1 });
 * model.compile({ optimizer: projectGradients(tf.train.sgd(0.1), hashedBasis(199210, 750), { variables: model }),
 *   loss: 'categoricalCrossentropy' });
 */
export function fcMnist(options: FcOptions = {}): tfl.Sequential {
  return buildClassifier({ inputShape: [784], convs: [], hidden: options.hidden ?? [200, 200], classes: 10 }, options);
}

/**
 * LeNet-5 as in Li et al. (2018) for 28×28×1 inputs: conv 6 5×5 (valid, relu) → max-pool 2 → conv 16
 * 5×5 → max-pool 2 → dense 120 → 84 → 10 (softmax); D = 44 426 parameters.
 */
export function lenet(options: ModelOptions = {}): tfl.Sequential {
  const convs = [
    { filters: 6, kernelSize: 5, padding: 'valid' as const },
    { filters: 16, kernelSize: 5, padding: 'valid' as const },
  ];
  return buildClassifier({ inputShape: [28, 28, 1], convs, hidden: [120, 84], classes: 10 }, options);
}

/** A fully connected network for the embedded 8×8 digits: 64-32-32-10 by default; D = 3 466. */
export function fcDigits(options: FcOptions = {}): tfl.Sequential {
  return buildClassifier({ inputShape: [64], convs: [], hidden: options.hidden ?? [32, 32], classes: 10 }, options);
}

/**
 * A small LeNet-like network for 8×8×1 digits: conv 8 3×3 (same, relu) → max-pool 2 → conv 16 3×3 →
 * max-pool 2 → dense 10 (softmax); D = 1 898.
 */
export function convDigits(options: ModelOptions = {}): tfl.Sequential {
  const convs = [
    { filters: 8, kernelSize: 3, padding: 'same' as const },
    { filters: 16, kernelSize: 3, padding: 'same' as const },
  ];
  return buildClassifier({ inputShape: [8, 8, 1], convs, hidden: [], classes: 10 }, options);
}
