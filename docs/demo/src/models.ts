/**
 * The architectures a visitor can pick, each a seeded `tf.LayersModel` factory for an h×w image with
 * `classes` outputs (softmax). Seeds make a run reproducible: the same seed gives the same θ0.
 */
import * as tf from '@tensorflow/tfjs';

export type ArchName = 'logistic' | 'mlp' | 'fc' | 'cnn';

export interface InputSpec {
  height: number;
  width: number;
  classes: number;
}

export interface Architecture {
  label: string;
  /** Whether the model takes [n, h, w, 1] images (else flat [n, h·w] rows). */
  image: boolean;
  build(input: InputSpec, seed: number): tf.LayersModel;
}

const init = (seed: number) => tf.initializers.glorotUniform({ seed });

export const ARCHITECTURES: Record<ArchName, Architecture> = {
  logistic: {
    label: 'Softmax regression',
    image: false,
    build: ({ height, width, classes }, seed) =>
      tf.sequential({
        layers: [tf.layers.dense({ units: classes, activation: 'softmax', inputShape: [height * width], kernelInitializer: init(seed) })],
      }),
  },
  mlp: {
    label: 'MLP, 1 hidden layer of 32',
    image: false,
    build: ({ height, width, classes }, seed) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 32, activation: 'relu', inputShape: [height * width], kernelInitializer: init(seed) }),
          tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(seed + 1) }),
        ],
      }),
  },
  fc: {
    label: 'FC 200-200 (Li et al. 2018)',
    image: false,
    build: ({ height, width, classes }, seed) =>
      tf.sequential({
        layers: [
          tf.layers.dense({ units: 200, activation: 'relu', inputShape: [height * width], kernelInitializer: init(seed) }),
          tf.layers.dense({ units: 200, activation: 'relu', kernelInitializer: init(seed + 1) }),
          tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(seed + 2) }),
        ],
      }),
  },
  cnn: {
    label: 'CNN, conv 3×3×8 + max-pool',
    image: true,
    build: ({ height, width, classes }, seed) =>
      tf.sequential({
        layers: [
          tf.layers.conv2d({ filters: 8, kernelSize: 3, padding: 'same', activation: 'relu', inputShape: [height, width, 1], kernelInitializer: init(seed) }),
          tf.layers.maxPooling2d({ poolSize: 2 }),
          tf.layers.flatten(),
          tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: init(seed + 1) }),
        ],
      }),
  },
};

/** D, the number of trainable parameters, without keeping the model. */
export function parameterCount(arch: ArchName, input: InputSpec): number {
  const model = ARCHITECTURES[arch].build(input, 0);
  const D = model.countParams();
  model.dispose();
  return D;
}
