import * as tfl from '@tensorflow/tfjs-layers';
import { InvalidArgumentError } from '../errors';
import { checkSeed } from '../random';

/** Options every model factory accepts. */
export interface ModelOptions {
  /**
   * Seeds the initial weights: the same seed gives bit-identical weights on every backend (the
   * initializers draw from seeded JS generators, not from a backend), so θ0 can be rebuilt from it.
   * A safe integer (the library's one seed rule, src/random.ts). Default 0.
   */
  seed?: number;
  /**
   * The kernels' initializer: 'glorot-uniform' (default) or 'he-normal' (a truncated normal of
   * standard deviation √(2/fan-in), what Li et al.'s code uses); biases start at zero either way.
   */
  init?: 'glorot-uniform' | 'he-normal';
  /** An L2 penalty l2·Σw² on every kernel (not the biases), added to the loss by tfjs-layers. Default 0 (none). */
  l2?: number;
}

/** One convolution of a {@link ClassifierSpec}, followed by a 2×2 max-pool (stride 2). */
export interface ConvSpec {
  filters: number;
  kernelSize: number;
  padding: 'valid' | 'same';
}

/** A small image classifier: convolutions (each with a 2×2 max-pool), then dense layers, then softmax. */
export interface ClassifierSpec {
  /** The shape of one example, e.g. [784] or [28, 28, 1]. */
  inputShape: number[];
  /** Convolutions (relu), each followed by a 2×2 max-pool; needs a [height, width, channels] input. */
  convs: ConvSpec[];
  /** Widths of the hidden dense layers (relu). */
  hidden: number[];
  classes: number;
}

/**
 * Builds the classifier `spec` describes as a `tf.Sequential`. The last layer applies softmax, so
 * the outputs are class probabilities: compile with `loss: 'categoricalCrossentropy'` and one-hot
 * labels (or use `tf.metrics.categoricalCrossentropy` in a custom loss). Kernels are Glorot-uniform
 * (or He-normal, `init`; with `l2`, an L2 penalty on each kernel),
 * layer i drawing from seed `1000·seed + i` (streams of different seeds never coincide while
 * |seed| < 9·10¹², where that sum is exact); biases start at zero. Activations are relu.
 */
export function buildClassifier(spec: ClassifierSpec, options: ModelOptions = {}): tfl.Sequential {
  const seed = checkSeed('model options', options.seed);
  for (const w of [...spec.hidden, ...spec.convs.map((c) => c.filters), spec.classes]) {
    if (!Number.isInteger(w) || w < 1) throw new InvalidArgumentError(`layer widths must be positive integers, got ${w}.`);
  }
  if (spec.convs.length > 0 && spec.inputShape.length !== 3) {
    throw new InvalidArgumentError(`convolutions need a [height, width, channels] input, got [${spec.inputShape.join(', ')}].`);
  }
  const kind = options.init ?? 'glorot-uniform';
  if (kind !== 'glorot-uniform' && kind !== 'he-normal') throw new InvalidArgumentError(`model options: init must be 'glorot-uniform' or 'he-normal', got ${JSON.stringify(options.init)}.`);
  const l2 = options.l2 ?? 0;
  if (!(Number.isFinite(l2) && l2 >= 0)) throw new InvalidArgumentError(`model options: l2 must be a number ≥ 0, got ${options.l2}.`);
  let layer = 0;
  const init = () => {
    const layerSeed = 1000 * seed + layer++;
    return {
      kernelInitializer: kind === 'he-normal' ? tfl.initializers.heNormal({ seed: layerSeed }) : tfl.initializers.glorotUniform({ seed: layerSeed }),
      biasInitializer: tfl.initializers.zeros(),
      ...(l2 > 0 ? { kernelRegularizer: tfl.regularizers.l2({ l2 }) } : {}),
    };
  };
  const model = tfl.sequential();
  const first = { inputShape: spec.inputShape };
  spec.convs.forEach((c, i) => {
    model.add(tfl.layers.conv2d({ ...(i === 0 ? first : {}), ...c, activation: 'relu', ...init() }));
    model.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  });
  if (spec.inputShape.length > 1) model.add(tfl.layers.flatten(spec.convs.length === 0 ? first : {}));
  const widths = [...spec.hidden, spec.classes];
  widths.forEach((units, i) => {
    const start = model.layers.length === 0 ? first : {};
    const activation = i === widths.length - 1 ? 'softmax' : 'relu';
    model.add(tfl.layers.dense({ ...start, units, activation, ...init() }));
  });
  return model;
}
