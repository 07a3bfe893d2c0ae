import { readF32, WasmKernel, zeroOutput } from './kernel-util';
import { Geometry, geometry2D, geometry3D, PoolAttrs } from './pool-geometry';

/**
 * Calls `visit(outIndex, argmaxIndex)` for every output element: the flat index of the largest input
 * in its window, padding skipped, ties as the cpu backend breaks them (2D: the first in row-major
 * window order, 3D: the last, `lastOnTies`), or −1 when no input qualifies (all padding or NaN; 2D also −∞).
 */
function forEachArgmax(g: Geometry, lastOnTies: boolean, x: Float32Array, visit: (outIndex: number, argmax: number) => void): void {
  const [ID, IH, IW] = g.inShape;
  const [OD, OH, OW] = g.outShape;
  const C = g.channels;
  let outIndex = 0;
  for (let b = 0; b < g.batch; b++) {
    for (let od = 0; od < OD; od++) {
      for (let oh = 0; oh < OH; oh++) {
        for (let ow = 0; ow < OW; ow++) {
          for (let ch = 0; ch < C; ch++, outIndex++) {
            let best = -Infinity;
            let at = -1;
            for (let fd = 0; fd < g.filter[0]; fd++) {
              const id = od * g.strides[0] - g.pads[0] + fd;
              if (id < 0 || id >= ID) continue;
              for (let fh = 0; fh < g.filter[1]; fh++) {
                const ih = oh * g.strides[1] - g.pads[1] + fh;
                if (ih < 0 || ih >= IH) continue;
                for (let fw = 0; fw < g.filter[2]; fw++) {
                  const iw = ow * g.strides[2] - g.pads[2] + fw;
                  if (iw < 0 || iw >= IW) continue;
                  const i = (((b * ID + id) * IH + ih) * IW + iw) * C + ch;
                  if (x[i] > best || (lastOnTies && x[i] === best)) {
                    best = x[i];
                    at = i;
                  }
                }
              }
            }
            visit(outIndex, at);
          }
        }
      }
    }
  }
}

/** dx: each output's gradient added at its window's first maximum (see {@link forEachArgmax}). */
function maxPoolBackprop(geometry: (shape: number[], a: PoolAttrs) => Geometry, lastOnTies: boolean): WasmKernel {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const g = geometry(input.shape, attrs as unknown as PoolAttrs);
    const xv = readF32(backend, input);
    const dyv = readF32(backend, dy);
    const { info, out: dx } = zeroOutput(backend, [...input.shape]);
    forEachArgmax(g, lastOnTies, xv, (o, at) => {
      if (at >= 0) dx[at] += dyv[o];
    });
    return info;
  };
}

/**
 * `MaxPoolGrad` on wasm. tfjs-backend-wasm 4.22's native kernel routes gradients to the wrong inputs
 * for strides > 1 and for 'same' padding (measured against finite differences of the forward pass).
 */
export const maxPoolGrad = maxPoolBackprop(geometry2D, false);

/** `MaxPool3DGrad` on wasm (the native one is wrong with 'same' padding, as its forward pass). */
export const maxPool3DGrad = maxPoolBackprop(geometry3D, true);

/**
 * `MaxPool3D` on wasm: the window maximum; −∞ for a window of padding only. tfjs-backend-wasm
 * 4.22's native kernel returns wrong values with 'same' padding and strides > 1.
 */
export const maxPool3D: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x } = inputs;
  const g = geometry3D(x.shape, attrs as unknown as PoolAttrs);
  const xv = readF32(backend, x);
  const { info, out } = zeroOutput(backend, [g.batch, ...g.outShape, g.channels]);
  forEachArgmax(g, true, xv, (o, at) => {
    out[o] = at >= 0 ? xv[at] : -Infinity;
  });
  return info;
};
