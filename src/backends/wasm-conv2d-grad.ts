import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Registers the `Conv2DBackpropFilter` kernel for the `wasm` backend, which tfjs-backend-wasm 4.x
 * lacks (so `Conv2D` layers cannot be trained there: "Kernel 'Conv2DBackpropFilter' not registered
 * for backend 'wasm'"). It runs the backend's own native `Conv3DBackpropFilterV2` kernel on the same
 * memory viewed with a depth of 1: no copy, no JavaScript loop. NHWC only, with 'same', 'valid' or a
 * single number as padding (what tf.layers uses). Does nothing if the kernel already exists.
 * Returns true when it registered the kernel.
 *
 * @example
 * import '@tensorflow/tfjs-backend-wasm';
 * registerWasmConv2DGradient();
 * await tf.setBackend('wasm');
 */
export function registerWasmConv2DGradient(): boolean {
  if (tf.getKernel('Conv2DBackpropFilter', 'wasm') !== undefined) return false;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2DBackpropFilter as unknown as tf.KernelFunc,
  });
  return true;
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
  const { x, dy } = inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const { strides, pad, dataFormat, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'same' | 'valid' | number | unknown[];
    dataFormat: 'NHWC' | 'NCHW';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW' || Array.isArray(pad)) {
    throw new InvalidArgumentError(
      'registerWasmConv2DGradient: only NHWC convolutions with same/valid/numeric padding are ' +
        'supported on wasm; use the cpu backend for this model.',
    );
  }
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (conv3d === undefined) {
    throw new InvalidArgumentError(
      'registerWasmConv2DGradient: this tfjs-backend-wasm has no Conv3DBackpropFilterV2 kernel.',
    );
  }
  const [sh, sw] = typeof strides === 'number' ? [strides, strides] : strides;
  const depth1 = (t: tf.TensorInfo): tf.TensorInfo => ({
    dataId: t.dataId,
    dtype: t.dtype,
    shape: [t.shape[0], 1, ...t.shape.slice(1)],
  });
  const dw = conv3d.kernelFunc({
    inputs: { x: depth1(x), dy: depth1(dy) },
    backend,
    attrs: { strides: [1, sh, sw], pad, filterShape: [1, ...filterShape] },
  }) as tf.TensorInfo;
  return { dataId: dw.dataId, dtype: dw.dtype, shape: filterShape };
}
