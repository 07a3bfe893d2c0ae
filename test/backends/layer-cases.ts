import * as tf from '@tensorflow/tfjs';
import { uniformArray } from '../helpers';

/** One tiny model around one layer type, with a batch to train it on. */
export interface LayerCase {
  name: string;
  /** The model (built on the current backend; weights set by {@link seedWeights}). */
  model(): tf.LayersModel;
  /** Input shapes without the batch; 'int<N>' marks an integer input in [0, N) (Embedding). */
  inputs: Array<number[] | { ints: number; shape: number[] }>;
  /** Mean squared error against a seeded target unless 'crossentropy' (softmax outputs). */
  loss?: 'categoricalCrossentropy';
  /** Draws random numbers in training (dropout, noise): backends differ, so no cpu comparison. */
  random?: true;
  /**
   * The cpu backend's gradient is wrong here, so it is no reference: tfjs-backend-cpu 4.22's
   * ResizeNearestNeighborGrad for batch or channels > 1, and AvgPoolGrad / AvgPool3DGrad with 'same'
   * padding (every backend, replaced on wasm). The wasm gradients match finite differences
   * (layer-audit.test.ts, wasm/avg-pool-grad.test.ts).
   */
  cpuGradientWrong?: true;
  /** Indices (in trainableWeights) of weights whose gradient is zero by construction, with the reason. */
  unmoved?: number[];
}

const L = tf.layers;
const BATCH = 3;

/** A sequential model whose first layer gets `inputShape`, then (Flatten →) Dense(2). */
function seq(inputShape: number[], layers: () => tf.layers.Layer[]): () => tf.LayersModel {
  return () => {
    const input = tf.input({ shape: inputShape });
    let out = input as tf.SymbolicTensor;
    for (const layer of layers()) out = layer.apply(out) as tf.SymbolicTensor;
    if (out.shape.length > 2) out = L.flatten().apply(out) as tf.SymbolicTensor;
    out = L.dense({ units: 2 }).apply(out) as tf.SymbolicTensor;
    return tf.model({ inputs: input, outputs: out });
  };
}

/** A functional model with two inputs of `shape` merged by `merge`. */
function merged(shape: number[], merge: () => tf.layers.Layer): () => tf.LayersModel {
  return () => {
    const a = tf.input({ shape });
    const b = tf.input({ shape });
    const da = L.dense({ units: 4 }).apply(a) as tf.SymbolicTensor;
    const db = L.dense({ units: 4 }).apply(b) as tf.SymbolicTensor;
    const m = merge().apply([da, db]) as tf.SymbolicTensor;
    const flat = m.shape.length > 2 ? (L.flatten().apply(m) as tf.SymbolicTensor) : m;
    const out = L.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor;
    return tf.model({ inputs: [a, b], outputs: out });
  };
}

/**
 * One case per tfjs-layers layer type (and per gradient kernel it needs: strides, padding, depth
 * multipliers). Dilation > 1 is absent on purpose: tfjs-core has no gradient for it on any backend
 * (layer-audit.test.ts asserts that).
 */
export const LAYER_CASES: LayerCase[] = [
  { name: 'Dense', model: seq([5], () => [L.dense({ units: 3, activation: 'relu' })]), inputs: [[5]] },
  { name: 'Conv1D stride 2 same', model: seq([9, 2], () => [L.conv1d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })]), inputs: [[9, 2]] },
  { name: 'Conv1D valid', model: seq([7, 2], () => [L.conv1d({ filters: 2, kernelSize: 2 })]), inputs: [[7, 2]] },
  { name: 'Conv2D valid', model: seq([6, 6, 2], () => [L.conv2d({ filters: 3, kernelSize: 3 })]), inputs: [[6, 6, 2]] },
  { name: 'Conv2D stride 2 same', model: seq([7, 6, 2], () => [L.conv2d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })]), inputs: [[7, 6, 2]] },
  { name: 'Conv2D stride [2,1] valid', model: seq([7, 6, 2], () => [L.conv2d({ filters: 2, kernelSize: [3, 2], strides: [2, 1] })]), inputs: [[7, 6, 2]] },
  { name: 'Conv3D valid', model: seq([4, 5, 4, 2], () => [L.conv3d({ filters: 2, kernelSize: 2 })]), inputs: [[4, 5, 4, 2]] },
  { name: 'Conv3D stride 2 same', model: seq([5, 5, 4, 2], () => [L.conv3d({ filters: 3, kernelSize: 3, strides: 2, padding: 'same' })]), inputs: [[5, 5, 4, 2]] },
  { name: 'Conv2DTranspose', model: seq([4, 4, 2], () => [L.conv2dTranspose({ filters: 3, kernelSize: 3 })]), inputs: [[4, 4, 2]] },
  { name: 'Conv2DTranspose stride 2 same', model: seq([3, 4, 2], () => [L.conv2dTranspose({ filters: 2, kernelSize: 3, strides: 2, padding: 'same' })]), inputs: [[3, 4, 2]] },
  { name: 'Conv3DTranspose stride 2', model: seq([3, 3, 2, 2], () => [L.conv3dTranspose({ filters: 2, kernelSize: 2, strides: 2 })]), inputs: [[3, 3, 2, 2]] },
  { name: 'DepthwiseConv2D', model: seq([6, 6, 2], () => [L.depthwiseConv2d({ kernelSize: 3 })]), inputs: [[6, 6, 2]] },
  { name: 'DepthwiseConv2D stride 2 same, multiplier 3', model: seq([7, 6, 2], () => [L.depthwiseConv2d({ kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 3 })]), inputs: [[7, 6, 2]] },
  { name: 'DepthwiseConv2D [2,3] kernel, stride [1,2], multiplier 2', model: seq([6, 7, 3], () => [L.depthwiseConv2d({ kernelSize: [2, 3], strides: [1, 2], depthMultiplier: 2 })]), inputs: [[6, 7, 3]] },
  { name: 'SeparableConv2D', model: seq([6, 6, 2], () => [L.separableConv2d({ filters: 3, kernelSize: 3 })]), inputs: [[6, 6, 2]] },
  { name: 'SeparableConv2D [3,2] kernel, stride [2,1] valid', model: seq([7, 6, 2], () => [L.separableConv2d({ filters: 2, kernelSize: [3, 2], strides: [2, 1] }), L.separableConv2d({ filters: 2, kernelSize: 2 })]), inputs: [[7, 6, 2]] },
  { name: 'SeparableConv2D stride 2 same, multiplier 2', model: seq([7, 7, 3], () => [L.separableConv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', depthMultiplier: 2 })]), inputs: [[7, 7, 3]] },
  { name: 'MaxPooling1D', model: seq([8, 2], () => [L.conv1d({ filters: 2, kernelSize: 1 }), L.maxPooling1d({ poolSize: 2 })]), inputs: [[8, 2]] },
  { name: 'AveragePooling1D same', model: seq([7, 2], () => [L.conv1d({ filters: 2, kernelSize: 1 }), L.averagePooling1d({ poolSize: 3, strides: 2, padding: 'same' })]), inputs: [[7, 2]], cpuGradientWrong: true },
  { name: 'MaxPooling2D', model: seq([6, 6, 2], () => [L.conv2d({ filters: 2, kernelSize: 1 }), L.maxPooling2d({ poolSize: 2 })]), inputs: [[6, 6, 2]] },
  { name: 'AveragePooling2D same', model: seq([7, 5, 2], () => [L.conv2d({ filters: 2, kernelSize: 1 }), L.averagePooling2d({ poolSize: 3, strides: 2, padding: 'same' })]), inputs: [[7, 5, 2]], cpuGradientWrong: true },
  { name: 'MaxPooling3D', model: seq([4, 4, 4, 2], () => [L.conv3d({ filters: 2, kernelSize: 1 }), L.maxPooling3d({ poolSize: 2 })]), inputs: [[4, 4, 4, 2]] },
  { name: 'AveragePooling3D same', model: seq([5, 4, 3, 2], () => [L.conv3d({ filters: 2, kernelSize: 1 }), L.averagePooling3d({ poolSize: 2, strides: 2, padding: 'same' })]), inputs: [[5, 4, 3, 2]], cpuGradientWrong: true },
  { name: 'GlobalMaxPooling1D', model: seq([6, 2], () => [L.conv1d({ filters: 3, kernelSize: 2 }), L.globalMaxPooling1d()]), inputs: [[6, 2]] },
  { name: 'GlobalAveragePooling1D', model: seq([6, 2], () => [L.conv1d({ filters: 3, kernelSize: 2 }), L.globalAveragePooling1d()]), inputs: [[6, 2]] },
  { name: 'GlobalMaxPooling2D', model: seq([5, 5, 2], () => [L.conv2d({ filters: 3, kernelSize: 2 }), L.globalMaxPooling2d({})]), inputs: [[5, 5, 2]] },
  { name: 'GlobalAveragePooling2D', model: seq([5, 5, 2], () => [L.conv2d({ filters: 3, kernelSize: 2 }), L.globalAveragePooling2d({})]), inputs: [[5, 5, 2]] },
  { name: 'Embedding', model: seq([5], () => [L.embedding({ inputDim: 7, outputDim: 3 })]), inputs: [{ ints: 7, shape: [5] }] },
  { name: 'Embedding (mask_zero) → LSTM', model: seq([5], () => [L.embedding({ inputDim: 6, outputDim: 3, maskZero: true }), L.lstm({ units: 2 })]), inputs: [{ ints: 6, shape: [5] }] },
  { name: 'SimpleRNN', model: seq([4, 3], () => [L.simpleRNN({ units: 3, returnSequences: true })]), inputs: [[4, 3]] },
  { name: 'GRU', model: seq([4, 3], () => [L.gru({ units: 3 })]), inputs: [[4, 3]] },
  { name: 'LSTM', model: seq([4, 3], () => [L.lstm({ units: 3, returnSequences: true })]), inputs: [[4, 3]] },
  { name: 'Bidirectional(LSTM)', model: seq([4, 3], () => [L.bidirectional({ layer: L.lstm({ units: 2 }) as tf.RNN, mergeMode: 'concat' })]), inputs: [[4, 3]] },
  { name: 'TimeDistributed(Dense)', model: seq([4, 3], () => [L.timeDistributed({ layer: L.dense({ units: 2 }) })]), inputs: [[4, 3]] },
  { name: 'ConvLSTM2D', model: seq([3, 4, 4, 2], () => [L.convLstm2d({ filters: 2, kernelSize: 3, padding: 'same' })]), inputs: [[3, 4, 4, 2]] },
  // The Dense bias (weight 1) has a zero gradient: BatchNormalization subtracts the batch mean.
  { name: 'BatchNormalization', model: seq([4], () => [L.dense({ units: 3 }), L.batchNormalization()]), inputs: [[4]], unmoved: [1] },
  { name: 'BatchNormalization (conv, axis −1)', model: seq([4, 4, 2], () => [L.conv2d({ filters: 2, kernelSize: 1 }), L.batchNormalization()]), inputs: [[4, 4, 2]] },
  { name: 'LayerNormalization', model: seq([4, 3], () => [L.layerNormalization()]), inputs: [[4, 3]] },
  { name: 'PReLU', model: seq([5], () => [L.dense({ units: 3 }), L.prelu()]), inputs: [[5]] },
  { name: 'LeakyReLU', model: seq([5], () => [L.dense({ units: 3 }), L.leakyReLU({ alpha: 0.2 })]), inputs: [[5]] },
  { name: 'ELU', model: seq([5], () => [L.dense({ units: 3 }), L.elu()]), inputs: [[5]] },
  { name: 'ReLU (max 0.5)', model: seq([5], () => [L.dense({ units: 3 }), L.reLU({ maxValue: 0.5 })]), inputs: [[5]] },
  { name: 'ThresholdedReLU', model: seq([5], () => [L.dense({ units: 3 }), L.thresholdedReLU({ theta: 0.1 })]), inputs: [[5]] },
  { name: 'Softmax layer', model: seq([5], () => [L.dense({ units: 3 }), L.softmax()]), inputs: [[5]] },
  { name: 'Activation (selu, softplus, sigmoid, tanh, relu6)', model: seq([5], () => [L.dense({ units: 4 }), L.activation({ activation: 'selu' }), L.dense({ units: 4, activation: 'softplus' }), L.dense({ units: 4, activation: 'sigmoid' }), L.dense({ units: 3, activation: 'tanh' }), L.dense({ units: 3, activation: 'relu6' })]), inputs: [[5]] },
  { name: 'Dropout, SpatialDropout1D, GaussianNoise, GaussianDropout, AlphaDropout', model: seq([4, 3], () => [L.dropout({ rate: 0.3, seed: 1 }), L.spatialDropout1d({ rate: 0.2, seed: 2 }), L.gaussianNoise({ stddev: 0.1 }), L.gaussianDropout({ rate: 0.1 }), L.alphaDropout({ rate: 0.1 }), L.dense({ units: 2 })]), inputs: [[4, 3]], random: true },
  { name: 'Flatten, Reshape, Permute, RepeatVector', model: seq([6], () => [L.dense({ units: 6 }), L.reshape({ targetShape: [2, 3] }), L.permute({ dims: [2, 1] }), L.flatten(), L.repeatVector({ n: 2 })]), inputs: [[6]] },
  { name: 'Cropping2D, ZeroPadding2D', model: seq([5, 5, 1], () => [L.conv2d({ filters: 2, kernelSize: 1 }), L.cropping2D({ cropping: [[1, 0], [0, 1]] }), L.zeroPadding2d({ padding: 1 })]), inputs: [[5, 5, 1]] },
  { name: 'UpSampling2D nearest', model: seq([3, 4, 1], () => [L.conv2d({ filters: 2, kernelSize: 1 }), L.upSampling2d({ size: [2, 2] })]), inputs: [[3, 4, 1]], cpuGradientWrong: true },
  { name: 'UpSampling2D bilinear', model: seq([3, 3, 1], () => [L.conv2d({ filters: 2, kernelSize: 1 }), L.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })]), inputs: [[3, 3, 1]] },
  { name: 'Masking → SimpleRNN', model: seq([4, 2], () => [L.masking({ maskValue: 0 }), L.simpleRNN({ units: 2 })]), inputs: [[4, 2]] },
  // Resizing and CenterCrop are left out: in tfjs-layers 4.22 their symbolic output shape is wrong
  // (a following Conv2D sees rank 3) and CropAndResize has no gradient, on every backend.
  { name: 'Rescaling', model: seq([4, 4, 1], () => [L.rescaling({ scale: 0.5, offset: 0.1 }), L.conv2d({ filters: 2, kernelSize: 2 })]), inputs: [[4, 4, 1]] },
  { name: 'Concatenate', model: merged([3], () => L.concatenate()), inputs: [[3], [3]] },
  { name: 'Add', model: merged([3], () => L.add()), inputs: [[3], [3]] },
  { name: 'Multiply', model: merged([3], () => L.multiply()), inputs: [[3], [3]] },
  { name: 'Average', model: merged([3], () => L.average()), inputs: [[3], [3]] },
  { name: 'Maximum', model: merged([3], () => L.maximum()), inputs: [[3], [3]] },
  { name: 'Minimum', model: merged([3], () => L.minimum()), inputs: [[3], [3]] },
  { name: 'Dot (normalized)', model: merged([3], () => L.dot({ axes: 1, normalize: true })), inputs: [[3], [3]] },
  {
    name: 'softmax output, categorical crossentropy',
    model: () => tf.sequential({ layers: [L.dense({ inputShape: [5], units: 4, activation: 'relu' }), L.dense({ units: 3, activation: 'softmax' })] }),
    inputs: [[5]],
    loss: 'categoricalCrossentropy',
  },
];

/**
 * Seeded values for every weight of `model` (trainable or not), identical on every backend:
 * uniform in [−0.5, 0.5], variances in [0.5, 1.5] (BatchNormalization's moving variance).
 */
export function seedWeights(model: tf.LayersModel, seed: number): void {
  const values = model.weights.map((w, i) => {
    const u = uniformArray((w.shape as number[]).reduce((a, b) => a * b, 1), seed * 100 + i, 0.5);
    const positive = /variance/.test(w.originalName);
    return tf.tensor(positive ? u.map((v) => 1 + v) : u, w.shape as number[]);
  });
  model.setWeights(values);
  tf.dispose(values);
}

/** The batch (inputs and target) of `c`, seeded, identical on every backend. */
export function caseBatch(c: LayerCase, model: tf.LayersModel, seed: number): { xs: tf.Tensor[]; y: tf.Tensor } {
  const xs = c.inputs.map((shape, i) => {
    if (Array.isArray(shape)) {
      const size = BATCH * shape.reduce((a, b) => a * b, 1);
      // A few exact zeros, so Masking and ReLU-like kinks see them.
      return tf.tensor(uniformArray(size, seed + i).map((v, j) => (j % 7 === 3 ? 0 : v)), [BATCH, ...shape]);
    }
    const size = BATCH * shape.shape.reduce((a, b) => a * b, 1);
    const ints = uniformArray(size, seed + i).map((v) => Math.floor(((v + 1) / 2) * shape.ints));
    ints[0] = ints[1]; // a repeated index at least once (the segment sum adds both rows)
    return tf.tensor(ints, [BATCH, ...shape.shape]);
  });
  const outShape = (model.outputs[0].shape as number[]).slice(1);
  const size = BATCH * outShape.reduce((a, b) => a * b, 1);
  const y =
    c.loss === 'categoricalCrossentropy'
      ? tf.tidy(() => tf.oneHot(tf.tensor1d([0, 2, 1].slice(0, BATCH), 'int32'), outShape[0]).toFloat())
      : tf.tensor(uniformArray(size, seed + 50), [BATCH, ...outShape]);
  return { xs, y };
}
