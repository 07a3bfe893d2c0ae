import * as tf from '@tensorflow/tfjs-core';
import { nativeKernel, readF32, WasmKernel, zeroOutput } from './kernel-util';

type Pad = 'same' | 'valid' | number;
type Triple = [number, number, number];

/**
 * `Conv3DBackpropFilterV2` on wasm: dW[fd, fh, fw, ci, co] = Σ_{b, od, oh, ow} x[b, od·sd − front + fd,
 * oh·sh − top + fh, ow·sw − left + fw, ci] · dy[b, od, oh, ow, co]. tfjs-backend-wasm 4.22's native
 * kernel is right for stride 1 (kept, it is faster) and wrong for strides > 1 (this loop).
 */
export const conv3DBackpropFilter: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x, dy } = inputs;
  const { strides, pad, filterShape } = attrs as { strides: Triple; pad: Pad; filterShape: [number, number, number, number, number] };
  const c = tf.backend_util.computeConv3DInfo(x.shape as [number, number, number, number, number], filterShape, strides, 1, pad);
  const native = nativeKernel('Conv3DBackpropFilterV2');
  if (c.strideDepth === 1 && c.strideHeight === 1 && c.strideWidth === 1 && native && native !== (conv3DBackpropFilter as unknown)) {
    return native({ inputs: { x, dy }, backend: backend as unknown as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  }
  const xv = readF32(backend, x);
  const dyv = readF32(backend, dy);
  const { info, out: dw } = zeroOutput(backend, filterShape);
  visitTaps(c, (xIndex, dyIndex, wIndex) => {
    const { inChannels: CI, outChannels: CO } = c;
    for (let ci = 0; ci < CI; ci++) {
      const xval = xv[xIndex + ci];
      const row = wIndex + ci * CO;
      for (let co = 0; co < CO; co++) dw[row + co] += xval * dyv[dyIndex + co];
    }
  });
  return info;
};

/**
 * `Conv3DBackpropInputV2` on wasm: dx[b, id, ih, iw, ci] = Σ dy[b, od, oh, ow, co] · w[fd, fh, fw, ci, co]
 * over the taps that read that input position. tfjs-backend-wasm 4.22's native kernel gives wrong
 * results even at stride 1 (measured against finite differences of the cpu forward pass).
 */
export const conv3DBackpropInput: WasmKernel = ({ inputs, backend, attrs }) => {
  const { dy, filter } = inputs;
  const { strides, pad, inputShape } = attrs as { strides: Triple; pad: Pad; inputShape: [number, number, number, number, number] };
  const c = tf.backend_util.computeConv3DInfo(inputShape, filter.shape as [number, number, number, number, number], strides, 1, pad);
  const dyv = readF32(backend, dy);
  const wv = readF32(backend, filter);
  const { info, out: dx } = zeroOutput(backend, [...inputShape]);
  visitTaps(c, (xIndex, dyIndex, wIndex) => {
    const { inChannels: CI, outChannels: CO } = c;
    for (let ci = 0; ci < CI; ci++) {
      const row = wIndex + ci * CO;
      let acc = 0;
      for (let co = 0; co < CO; co++) acc += dyv[dyIndex + co] * wv[row + co];
      dx[xIndex + ci] += acc;
    }
  });
  return info;
};

/**
 * Calls `tap(xIndex, dyIndex, wIndex)` for every (batch, output position, filter tap) whose input
 * position lies inside the input: the flat offsets of x[b, id, ih, iw, 0], dy[b, od, oh, ow, 0] and
 * w[fd, fh, fw, 0, 0].
 */
function visitTaps(c: tf.backend_util.Conv3DInfo, tap: (xIndex: number, dyIndex: number, wIndex: number) => void): void {
  const { inDepth: ID, inHeight: IH, inWidth: IW, inChannels: CI, outChannels: CO } = c;
  const { outDepth: OD, outHeight: OH, outWidth: OW, filterDepth: FD, filterHeight: FH, filterWidth: FW } = c;
  const { front, top, left } = c.padInfo;
  for (let b = 0; b < c.batchSize; b++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          const dyIndex = (((b * OD + od) * OH + oh) * OW + ow) * CO;
          for (let fd = 0; fd < FD; fd++) {
            const id = od * c.strideDepth - front + fd * c.dilationDepth;
            if (id < 0 || id >= ID) continue;
            for (let fh = 0; fh < FH; fh++) {
              const ih = oh * c.strideHeight - top + fh * c.dilationHeight;
              if (ih < 0 || ih >= IH) continue;
              for (let fw = 0; fw < FW; fw++) {
                const iw = ow * c.strideWidth - left + fw * c.dilationWidth;
                if (iw < 0 || iw >= IW) continue;
                tap((((b * ID + id) * IH + ih) * IW + iw) * CI, dyIndex, ((fd * FH + fh) * FW + fw) * CI * CO);
              }
            }
          }
        }
      }
    }
  }
}
