import * as tf from '@tensorflow/tfjs-core';
import { registerWasmTrainingKernels } from './wasm-training';

/**
 * Registers the `Conv2DBackpropFilter` kernel for the `wasm` backend (missing in tfjs-backend-wasm
 * 4.x), and with it every kernel {@link registerWasmTrainingKernels} registers. Returns true when
 * this call registered `Conv2DBackpropFilter`.
 *
 * @deprecated Call {@link registerWasmTrainingKernels}, which makes every tfjs-layers layer type
 * trainable on wasm (Conv2D included).
 *
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmConv2DGradient(); // prefer registerWasmTrainingKernels()
 * await tf.setBackend('wasm');
 */
export function registerWasmConv2DGradient(): boolean {
  const had = tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined;
  registerWasmTrainingKernels();
  return !had;
}
