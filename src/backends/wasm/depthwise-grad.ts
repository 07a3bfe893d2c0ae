import * as tf from '@tensorflow/tfjs-core';
import { channelsLastOnly, readF32, WasmKernel, zeroOutput } from './kernel-util';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface DepthwiseAttrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: Pad;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  dataFormat?: string;
}

/**
 * `DepthwiseConv2dNativeBackpropFilter` on wasm (missing in tfjs-backend-wasm 4.22): with channel
 * multiplier m, dW[fh, fw, ci, q] = Σ_{b, oh, ow} x[b, oh·sh − top + fh·dh, ow·sw − left + fw·dw, ci] ·
 * dy[b, oh, ow, ci·m + q]. NHWC.
 */
export const depthwiseBackpropFilter: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const a = attrs as unknown as DepthwiseAttrs & { filterShape: [number, number, number, number] };
  const c = info('DepthwiseConv2dNativeBackpropFilter', x.shape, a.filterShape, a);
  const xv = readF32(backend, x);
  const dyv = readF32(backend, dy);
  const { info: result, out: dw } = zeroOutput(backend, [...a.filterShape]);
  visitTaps(c, (xIndex, dyIndex, wIndex) => {
    const m = c.outChannels / c.inChannels;
    for (let ci = 0; ci < c.inChannels; ci++) {
      const xval = xv[xIndex + ci];
      for (let q = 0; q < m; q++) dw[wIndex + ci * m + q] += xval * dyv[dyIndex + ci * m + q];
    }
  });
  return result;
};

/**
 * `DepthwiseConv2dNativeBackpropInput` on wasm (missing in tfjs-backend-wasm 4.22):
 * dx[b, ih, iw, ci] = Σ dy[b, oh, ow, ci·m + q] · w[fh, fw, ci, q] over the taps reading (ih, iw). NHWC.
 */
export const depthwiseBackpropInput: WasmKernel = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs;
  const a = attrs as unknown as DepthwiseAttrs & { inputShape: [number, number, number, number] };
  const c = info('DepthwiseConv2dNativeBackpropInput', a.inputShape, filter.shape, a);
  const dyv = readF32(backend, dy);
  const wv = readF32(backend, filter);
  const { info: result, out: dx } = zeroOutput(backend, [...a.inputShape]);
  visitTaps(c, (xIndex, dyIndex, wIndex) => {
    const m = c.outChannels / c.inChannels;
    for (let ci = 0; ci < c.inChannels; ci++) {
      let acc = 0;
      for (let q = 0; q < m; q++) acc += dyv[dyIndex + ci * m + q] * wv[wIndex + ci * m + q];
      dx[xIndex + ci] += acc;
    }
  });
  return result;
};

function info(where: string, xShape: number[], filterShape: number[], a: DepthwiseAttrs): tf.backend_util.Conv2DInfo {
  channelsLastOnly(where, a.dataFormat);
  return tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    a.strides,
    a.dilations ?? 1,
    a.pad,
    a.dimRoundingMode,
    true,
  );
}

/**
 * Calls `tap(xIndex, dyIndex, wIndex)` for every (batch, output position, filter tap) whose input
 * position lies inside the input: flat offsets of x[b, ih, iw, 0], dy[b, oh, ow, 0], w[fh, fw, 0, 0].
 */
function visitTaps(c: tf.backend_util.Conv2DInfo, tap: (xIndex: number, dyIndex: number, wIndex: number) => void): void {
  const { inHeight: H, inWidth: W, inChannels: CI, outChannels: CO, outHeight: OH, outWidth: OW } = c;
  for (let b = 0; b < c.batchSize; b++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const dyIndex = ((b * OH + oh) * OW + ow) * CO;
        for (let fh = 0; fh < c.filterHeight; fh++) {
          const ih = oh * c.strideHeight - c.padInfo.top + fh * c.dilationHeight;
          if (ih < 0 || ih >= H) continue;
          for (let fw = 0; fw < c.filterWidth; fw++) {
            const iw = ow * c.strideWidth - c.padInfo.left + fw * c.dilationWidth;
            if (iw < 0 || iw >= W) continue;
            tap(((b * H + ih) * W + iw) * CI, dyIndex, (fh * c.filterWidth + fw) * CO);
          }
        }
      }
    }
  }
}
