import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../../errors';
import { KernelArgs, nativeKernel, WasmBackendLike } from './kernel-util';

/**
 * `Conv2DBackpropFilter` on wasm (missing in tfjs-backend-wasm 4.x). With stride 1 it runs the
 * backend's native `Conv3DBackpropFilterV2` on the same memory viewed with a depth of 1 (no copy);
 * strided convolutions (where that native kernel is wrong) use a plain loop over the heap. NHWC.
 */
export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): tf.TensorInfo {
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
      'Conv2DBackpropFilter on wasm supports channels-last data only, got NCHW: use ' +
        "dataFormat 'channelsLast' (the tf.layers default) or another backend.",
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
  const conv3d = nativeKernel('Conv3DBackpropFilterV2');
  if (info.strideHeight === 1 && info.strideWidth === 1 && !Array.isArray(pad) && conv3d) {
    const depth1 = (t: tf.TensorInfo): tf.TensorInfo => ({
      dataId: t.dataId,
      dtype: t.dtype,
      shape: [t.shape[0], 1, ...t.shape.slice(1)],
    });
    const dw = conv3d({
      inputs: { x: depth1(x), dy: depth1(dy) },
      backend,
      attrs: { strides: [1, 1, 1], pad, filterShape: [1, ...filterShape] },
    }) as tf.TensorInfo;
    return { dataId: dw.dataId, dtype: dw.dtype, shape: filterShape };
  }
  return loopBackpropFilter(backend as unknown as WasmBackendLike, x, dy, info);
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
  const dw = backend.typedArrayFromHeap(out) as Float32Array;
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
