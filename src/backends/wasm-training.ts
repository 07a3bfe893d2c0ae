import { registerCoreGradients } from './core-gradients';
import { avgPool3DGrad, avgPoolGrad } from './wasm/avg-pool-grad';
import { conv2DBackpropFilter } from './wasm/conv2d-grad';
import { conv3DBackpropFilter, conv3DBackpropInput } from './wasm/conv3d-grad';
import { depthwiseBackpropFilter, depthwiseBackpropInput } from './wasm/depthwise-grad';
import { registerWasm, WasmKernel } from './wasm/kernel-util';
import { maxPool3D, maxPool3DGrad, maxPoolGrad } from './wasm/max-pool';
import { unsortedSegmentSum } from './wasm/segment-sum';

/** Kernels tfjs-backend-wasm 4.22 lacks: registered unless some kernel of that name is already there. */
const MISSING: Array<[string, WasmKernel]> = [
  ['Conv2DBackpropFilter', conv2DBackpropFilter as unknown as WasmKernel], // Conv2D, Conv1D, Conv2DTranspose
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseBackpropFilter], // DepthwiseConv2D, SeparableConv2D
  ['DepthwiseConv2dNativeBackpropInput', depthwiseBackpropInput], // the same, when not the first layer
  ['UnsortedSegmentSum', unsortedSegmentSum], // gradient of gather: Embedding
];

/** Kernels tfjs-backend-wasm 4.22 ships with wrong results (measured): replaced. */
const WRONG: Array<[string, WasmKernel]> = [
  ['Conv3DBackpropFilterV2', conv3DBackpropFilter], // strides > 1 (stride 1 still runs the native one)
  ['Conv3DBackpropInputV2', conv3DBackpropInput], // any stride: Conv3D below the first layer, Conv3DTranspose
  ['MaxPoolGrad', maxPoolGrad], // strides > 1, 'same' padding: MaxPooling1D/2D
  ['MaxPool3D', maxPool3D], // 'same' padding with strides: MaxPooling3D's forward pass
  ['MaxPool3DGrad', maxPool3DGrad], // 'same' padding: MaxPooling3D
  // tfjs 4.22 (every backend) divides by the window size where the forward pass divided by the
  // number of in-bounds inputs: wrong with 'same' padding. AveragePooling1D/2D/3D.
  ['AvgPoolGrad', avgPoolGrad],
  ['AvgPool3DGrad', avgPool3DGrad],
];

/**
 * Makes every tfjs-layers layer type trainable on the `wasm` backend (tfjs-backend-wasm 4.22) with
 * the gradients the `cpu` backend computes. It registers the kernels wasm lacks
 * (`Conv2DBackpropFilter`, `DepthwiseConv2dNativeBackpropFilter`/`Input`, `UnsortedSegmentSum`),
 * replaces the wasm kernels that give wrong results (`Conv3DBackpropFilterV2` for strides > 1,
 * `Conv3DBackpropInputV2`, `MaxPoolGrad`, `MaxPool3D` and `MaxPool3DGrad` with 'same' padding;
 * `AvgPoolGrad` and `AvgPool3DGrad`, wrong with 'same' padding on every backend), and
 * adds two gradients tfjs-core lacks on every backend (Conv3DTranspose's `Conv3DBackpropInputV2`,
 * ThresholdedReLU's `Greater`). The new kernels are plain loops over the wasm heap, channels-last.
 * Call it once, before training; calling it again does nothing. Returns what it registered.
 * Dilation rates > 1 still cannot train: tfjs-core has no gradient for them on any backend.
 *
 * @example
 * import * as tf from '@tensorflow/tfjs';
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmTrainingKernels();
 * await tf.setBackend('wasm');
 * await model.fit(xs, ys); // Embedding, DepthwiseConv2D, Conv3D, … now train on wasm
 */
export function registerWasmTrainingKernels(): string[] {
  const added = MISSING.filter(([name, kernel]) => registerWasm(name, kernel)).map(([name]) => name);
  const replaced = WRONG.filter(([name, kernel]) => registerWasm(name, kernel, true)).map(([name]) => `${name} (replaced)`);
  return [...added, ...replaced, ...registerCoreGradients()];
}
