import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors';

type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Registers the `Conv2DBackpropFilter` kernel for the `wasm` backend, which tfjs-backend-wasm 4.x
 * lacks (so `Conv2D` layers cannot be trained there: "Kernel 'Conv2DBackpropFilter' not registered
 * for backend 'wasm'"). With stride 1 it runs the backend's own native `Conv3DBackpropFilterV2`
 * kernel on the same memory viewed with a depth of 1 (no copy). That native kernel gives wrong
 * results for strides > 1 in tfjs-backend-wasm 4.22, so strided convolutions use a plain loop over
 * the wasm heap instead. NHWC only (what tf.layers uses). Does nothing if the kernel already exists.
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
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as {
    strides: [number, number] | number;
    pad: 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
    dataFormat: 'NHWC' | 'NCHW';
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
    filterShape: [number, number, number, number];
  };
  if (dataFormat === 'NCHW') {
    throw new InvalidArgumentError(
      'registerWasmConv2DGradient: only NHWC (channelsLast) convolutions are supported on wasm.',
    );
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const conv3d = tf.getKernel('Conv3DBackpropFilterV2', 'wasm');
  if (info.strideHeight === 1 && info.strideWidth === 1 && !Array.isArray(pad) && conv3d) {
    const depth1 = (t: tf.TensorInfo): tf.TensorInfo => ({
      dataId: t.dataId,
      dtype: t.dtype,
      shape: [t.shape[0], 1, ...t.shape.slice(1)],
    });
    const dw = conv3d.kernelFunc({
      inputs: { x: depth1(x), dy: depth1(dy) },
      backend,
      attrs: { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] },
    }) as tf.TensorInfo;
    return { dataId: dw.dataId, dtype: dw.dtype, shape: filterShape };
  }
  return loopBackpropFilter(backend as unknown as WasmBackendLike, x, dy, info);
}

interface WasmBackendLike {
  readSync(dataId: tf.DataId): unknown;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array;
}

/** dW[fh, fw, ci, co] = Σ_{b, oh, ow} x[b, oh·sh − top + fh, ow·sw − left + fw, ci] · dy[b, oh, ow, co]. */
function loopBackpropFilter(
  backend: WasmBackendLike,
  x: tf.TensorInfo,
  dy: tf.TensorInfo,
  c: tf.backend_util.Conv2DInfo,
): tf.TensorInfo {
  const xv = backend.readSync(x.dataId) as Float32Array;
  const dyv = backend.readSync(dy.dataId) as Float32Array;
  const out = backend.makeOutput([c.filterHeight, c.filterWidth, c.inChannels, c.outChannels], 'float32');
  const dw = backend.typedArrayFromHeap(out);
  dw.fill(0);
  const { inHeight: H, inWidth: W, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW } = c;
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyBase = ((b * OH + oh) * OW + ow) * CO;
        for (let fh = 0; fh < c.filterHeight; fh++) {
          const ih = oh * c.strideHeight - c.padInfo.top + fh;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < c.filterWidth; fw++) {
            const iw = ow * c.strideWidth - c.padInfo.left + fw;
            if (iw < 0 || iw >= W) continue;
            const xBase = ((b * H + ih) * W + iw) * CI;
            const wBase = (fh * c.filterWidth + fw) * CI * CO;
            for (let ci = 0; ci < CI; ci++) {
              const xval = xv[xBase + ci];
              const row = wBase + ci * CO;
              for (let co = 0; co < CO; co++) dw[row + co] += xval * dyv[dyBase + co];
            }
          }
        }
      }
    }
  }
  return out;
}
