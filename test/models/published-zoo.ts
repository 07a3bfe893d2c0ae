import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';

/**
 * Architectures as they appear in published TF.js code (tfjs-examples, tutorials), written small
 * for tests: each with a seeded synthetic task it can learn in a few epochs.
 */
export interface ZooEntry {
  name: string;
  /** Builds the model with seeded initial weights (the same on every backend). */
  build(): tf.LayersModel;
  /** Inputs and targets, 16 samples. */
  data(): { x: tf.Tensor | tf.Tensor[]; y: tf.Tensor | tf.Tensor[] };
  loss: string | string[];
  /**
   * Tensors one fit + dispose of this model leaves behind with a plain tf.train.sgd (tfjs-layers 4.22,
   * measured by published-zoo.test.ts): 1 for the seq2seq and two-output models (in fit); 6 for the
   * nested model (model.dispose() leaves the nested model's 4 weights and the shared layer's 2).
   */
  tfjsLeak: number;
}

const L = tf.layers;
const N = 16;

/** Seeded initializers: call `init()` for each new weight. */
function seeds(start: number) {
  let seed = start;
  return {
    kernel: () => tf.initializers.glorotUniform({ seed: seed++ }),
    bias: () => tf.initializers.randomUniform({ minval: -0.1, maxval: 0.1, seed: seed++ }),
  };
}

/** A custom layer with one trainable weight (a learned scale, as used for attention temperatures). */
export class LearnedScale extends tf.layers.Layer {
  static readonly className = 'ZooLearnedScale';
  private scale!: tf.LayerVariable;
  override build(): void {
    this.scale = this.addWeight('scale', [1], 'float32', tf.initializers.constant({ value: 0.8 }));
    this.built = true;
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, this.scale.read()));
  }
  override getClassName(): string {
    return LearnedScale.className;
  }
}

/** A custom layer without weights: the last time step of a sequence ([b, t, f] → [b, f]). */
export class LastTimestep extends tf.layers.Layer {
  static readonly className = 'ZooLastTimestep';
  override computeOutputShape(shape: tf.Shape | tf.Shape[]): tf.Shape {
    const s = (Array.isArray(shape[0]) ? shape[0] : shape) as tf.Shape;
    return [s[0], s[2]];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => tf.squeeze(tf.slice(x, [0, x.shape[1]! - 1, 0], [-1, 1, -1]), [1]));
  }
  override getClassName(): string {
    return LastTimestep.className;
  }
}
tf.serialization.registerClass(LearnedScale);
tf.serialization.registerClass(LastTimestep);

function ints(n: number, shape: number[], max: number, seed: string): number[][] {
  const rng = seedrandom.alea(seed);
  return Array.from({ length: n }, () => Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => Math.floor(rng() * max)));
}

function uniform(shape: number[], seed: string): tf.Tensor {
  const rng = seedrandom.alea(seed);
  return tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => 2 * rng() - 1), shape);
}

function oneHot(labels: number[], classes: number, shape: number[]): tf.Tensor {
  return tf.tidy(() => tf.reshape(tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat(), [...shape, classes]));
}

const VOCAB = 6;
const T = 4;

export const PUBLISHED_ZOO: ZooEntry[] = [
  {
    // Luong attention over an LSTM encoder-decoder (the date-conversion example's shape).
    name: 'seq2seq LSTM with attention and custom layers',
    build() {
      const s = seeds(10);
      const encIn = tf.input({ shape: [T] });
      const decIn = tf.input({ shape: [T] });
      const embed = L.embedding({ inputDim: VOCAB, outputDim: 4, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 1 }) });
      const encoder = L.lstm({ units: 6, returnSequences: true, kernelInitializer: s.kernel(), recurrentInitializer: s.kernel(), biasInitializer: s.bias() }).apply(embed.apply(encIn)) as tf.SymbolicTensor;
      const last = new LastTimestep({}).apply(encoder) as tf.SymbolicTensor;
      const decoder = L.lstm({ units: 6, returnSequences: true, kernelInitializer: s.kernel(), recurrentInitializer: s.kernel(), biasInitializer: s.bias() }).apply(embed.apply(decIn), { initialState: [last, last] }) as tf.SymbolicTensor;
      const scores = new LearnedScale({}).apply(L.dot({ axes: [2, 2] }).apply([decoder, encoder])) as tf.SymbolicTensor;
      const attention = L.activation({ activation: 'softmax' }).apply(scores) as tf.SymbolicTensor;
      const context = L.dot({ axes: [2, 1] }).apply([attention, encoder]) as tf.SymbolicTensor;
      const joined = L.concatenate().apply([context, decoder]) as tf.SymbolicTensor;
      const hidden = L.timeDistributed({ layer: L.dense({ units: 6, activation: 'tanh', kernelInitializer: s.kernel(), biasInitializer: s.bias() }) }).apply(joined);
      const out = L.timeDistributed({ layer: L.dense({ units: VOCAB, activation: 'softmax', kernelInitializer: s.kernel(), biasInitializer: s.bias() }) }).apply(hidden) as tf.SymbolicTensor;
      return tf.model({ inputs: [encIn, decIn], outputs: out });
    },
    data() {
      // Reverse the sequence; the decoder sees the target shifted right (teacher forcing, start token 0).
      const src = ints(N, [T], VOCAB - 1, 'seq').map((r) => r.map((v) => v + 1));
      const tgt = src.map((r) => [...r].reverse());
      const dec = tgt.map((r) => [0, ...r.slice(0, T - 1)]);
      return { x: [tf.tensor2d(src), tf.tensor2d(dec)], y: oneHot(tgt.flat(), VOCAB, [N, T]) };
    },
    loss: 'categoricalCrossentropy',
    tfjsLeak: 1,
  },
  {
    name: 'GRU forecaster',
    build() {
      const s = seeds(20);
      return tf.sequential({
        layers: [
          L.gru({ inputShape: [6, 1], units: 5, kernelInitializer: s.kernel(), recurrentInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.dense({ units: 1, kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
        ],
      });
    },
    data() {
      // Windows of a noisy sine wave; the target is the next value.
      const rng = seedrandom.alea('gru');
      const series = Array.from({ length: N + 7 }, (_, t) => Math.sin(0.7 * t) + 0.05 * (rng() - 0.5));
      const x = Array.from({ length: N }, (_, i) => series.slice(i, i + 6));
      return { x: tf.tensor3d(x.map((w) => w.map((v) => [v]))), y: tf.tensor2d(Array.from({ length: N }, (_, i) => [series[i + 6]])) };
    },
    loss: 'meanSquaredError',
    tfjsLeak: 0,
  },
  {
    name: 'Embedding + Conv1D text classifier',
    build() {
      const s = seeds(30);
      return tf.sequential({
        layers: [
          L.embedding({ inputDim: 12, outputDim: 4, inputLength: 8, embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: 2 }) }),
          L.conv1d({ filters: 4, kernelSize: 3, activation: 'relu', kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.globalMaxPooling1d(),
          L.dense({ units: 2, activation: 'softmax', kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
        ],
      });
    },
    data() {
      const docs = ints(N, [8], 12, 'text');
      return { x: tf.tensor2d(docs), y: oneHot(docs.map((d) => (d.includes(3) ? 1 : 0)), 2, [N]) };
    },
    loss: 'categoricalCrossentropy',
    tfjsLeak: 0,
  },
  {
    name: 'Conv + BatchNorm + Dropout',
    build() {
      const s = seeds(40);
      return tf.sequential({
        layers: [
          L.conv2d({ inputShape: [8, 8, 1], filters: 4, kernelSize: 3, kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.batchNormalization(),
          L.activation({ activation: 'relu' }),
          L.maxPooling2d({ poolSize: 2 }),
          L.dropout({ rate: 0.25, seed: 3 }),
          L.flatten(),
          L.dense({ units: 3, activation: 'softmax', kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
        ],
      });
    },
    data() {
      return imageTask([8, 8, 1], 'cbd');
    },
    loss: 'categoricalCrossentropy',
    tfjsLeak: 0,
  },
  {
    name: 'depthwise-separable block (MobileNet style)',
    build() {
      const s = seeds(50);
      return tf.sequential({
        layers: [
          L.conv2d({ inputShape: [8, 8, 3], filters: 4, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.depthwiseConv2d({ kernelSize: 3, padding: 'same', depthMultiplier: 2, depthwiseInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.batchNormalization(),
          L.reLU({ maxValue: 6 }),
          L.conv2d({ filters: 6, kernelSize: 1, kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.separableConv2d({ filters: 6, kernelSize: 3, strides: 2, padding: 'same', depthwiseInitializer: s.kernel(), pointwiseInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.globalAveragePooling2d({}),
          L.dense({ units: 3, activation: 'softmax', kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
        ],
      });
    },
    data() {
      return imageTask([8, 8, 3], 'dws');
    },
    loss: 'categoricalCrossentropy',
    tfjsLeak: 0,
  },
  {
    name: 'functional model, two inputs and two outputs',
    build() {
      const s = seeds(60);
      const a = tf.input({ shape: [5] });
      const b = tf.input({ shape: [4] });
      const da = L.dense({ units: 6, activation: 'relu', kernelInitializer: s.kernel(), biasInitializer: s.bias() }).apply(a) as tf.SymbolicTensor;
      const db = L.dense({ units: 6, activation: 'relu', kernelInitializer: s.kernel(), biasInitializer: s.bias() }).apply(b) as tf.SymbolicTensor;
      const trunk = L.dense({ units: 6, activation: 'tanh', kernelInitializer: s.kernel(), biasInitializer: s.bias() }).apply(L.concatenate().apply([da, db]));
      const value = L.dense({ units: 1, kernelInitializer: s.kernel(), biasInitializer: s.bias() }).apply(trunk) as tf.SymbolicTensor;
      const klass = L.dense({ units: 3, activation: 'softmax', kernelInitializer: s.kernel(), biasInitializer: s.bias() }).apply(trunk) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: [value, klass] });
    },
    data() {
      const a = uniform([N, 5], 'fa');
      const b = uniform([N, 4], 'fb');
      const value = tf.tidy(() => tf.sum(tf.concat([a, b], 1), 1, true));
      const labels = Array.from(tf.tidy(() => tf.argMax(a, 1)).dataSync(), (v) => v % 3);
      return { x: [a, b], y: [value, oneHot(labels, 3, [N])] };
    },
    loss: ['meanSquaredError', 'categoricalCrossentropy'],
    tfjsLeak: 1,
  },
  {
    name: 'nested model with a shared layer (siamese)',
    build() {
      const s = seeds(70);
      const inner = tf.sequential({
        layers: [
          L.dense({ inputShape: [4], units: 5, activation: 'tanh', kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
          L.dense({ units: 3, kernelInitializer: s.kernel(), biasInitializer: s.bias() }),
        ],
      });
      const shared = L.dense({ units: 3, activation: 'tanh', kernelInitializer: s.kernel(), biasInitializer: s.bias() });
      const a = tf.input({ shape: [4] });
      const b = tf.input({ shape: [4] });
      const ea = shared.apply(inner.apply(a)) as tf.SymbolicTensor;
      const eb = shared.apply(inner.apply(b)) as tf.SymbolicTensor;
      const out = L.dense({ units: 1, kernelInitializer: s.kernel(), biasInitializer: s.bias() }).apply(L.concatenate().apply([ea, eb, L.multiply().apply([ea, eb]) as tf.SymbolicTensor])) as tf.SymbolicTensor;
      return tf.model({ inputs: [a, b], outputs: out });
    },
    data() {
      const a = uniform([N, 4], 'sa');
      const b = uniform([N, 4], 'sb');
      return { x: [a, b], y: tf.tidy(() => tf.sum(tf.mul(a, b), 1, true)) };
    },
    loss: 'meanSquaredError',
    tfjsLeak: 6,
  },
];

/** Images whose class is the quadrant (of three) holding the brightest pixel block. */
function imageTask(shape: [number, number, number], seed: string): { x: tf.Tensor; y: tf.Tensor } {
  const labels = ints(N, [1], 3, seed).map((r) => r[0]);
  const x = tf.tidy(() => {
    const noise = tf.mul(uniform([N, ...shape], seed), 0.3);
    const masks = labels.map((c) => {
      const m = new Float32Array(shape[0] * shape[1] * shape[2]);
      for (let i = 0; i < shape[0]; i++) for (let j = 0; j < shape[1]; j++) {
        const on = c === 0 ? i < 4 && j < 4 : c === 1 ? i < 4 && j >= 4 : i >= 4;
        for (let k = 0; k < shape[2]; k++) if (on) m[(i * shape[1] + j) * shape[2] + k] = 1;
      }
      return Array.from(m);
    });
    return tf.add(noise, tf.tensor(masks.flat(), [N, ...shape]));
  });
  return { x, y: oneHot(labels, 3, [N]) };
}
