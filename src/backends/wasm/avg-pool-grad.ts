import { readF32, WasmKernel, zeroOutput } from './kernel-util';
import { Geometry, geometry2D, geometry3D, PoolAttrs } from './pool-geometry';

/**
 * dx: each output's gradient spread evenly over the inputs its window averaged, i.e. divided by the
 * number of in-bounds inputs — what the forward pass divides by ('same' padding leaves padded
 * positions out of the mean). tfjs 4.22's AvgPoolGrad and AvgPool3DGrad (cpu and wasm alike) divide
 * by the full window size instead, so with 'same' padding their gradient is not the forward pass's.
 */
function avgPoolBackprop(geometry: (shape: number[], a: PoolAttrs) => Geometry): WasmKernel {
  return ({ inputs, backend, attrs }) => {
    const { dy, input } = inputs;
    const g = geometry(input.shape, attrs as unknown as PoolAttrs);
    const dyv = readF32(backend, dy);
    const { info, out: dx } = zeroOutput(backend, [...input.shape]);
    const [ID, IH, IW] = g.inShape;
    const [OD, OH, OW] = g.outShape;
    const C = g.channels;
    const span = (o: number, axis: number, size: number): [number, number] => {
      const from = o * g.strides[axis] - g.pads[axis];
      return [Math.max(0, from), Math.min(size, from + g.filter[axis])];
    };
    for (let b = 0; b < g.batch; b++) {
      for (let od = 0; od < OD; od++) {
        const [d0, d1] = span(od, 0, ID);
        for (let oh = 0; oh < OH; oh++) {
          const [h0, h1] = span(oh, 1, IH);
          for (let ow = 0; ow < OW; ow++) {
            const [w0, w1] = span(ow, 2, IW);
            const count = (d1 - d0) * (h1 - h0) * (w1 - w0);
            if (count <= 0) continue;
            const o = (((b * OD + od) * OH + oh) * OW + ow) * C;
            for (let id = d0; id < d1; id++) {
              for (let ih = h0; ih < h1; ih++) {
                for (let iw = w0; iw < w1; iw++) {
                  const i = (((b * ID + id) * IH + ih) * IW + iw) * C;
                  for (let ch = 0; ch < C; ch++) dx[i + ch] += dyv[o + ch] / count;
                }
              }
            }
          }
        }
      }
    }
    return info;
  };
}

/** `AvgPoolGrad` on wasm, consistent with the forward pass (see {@link avgPoolBackprop}). */
export const avgPoolGrad = avgPoolBackprop(geometry2D);

/** `AvgPool3DGrad` on wasm, consistent with the forward pass (see {@link avgPoolBackprop}). */
export const avgPool3DGrad = avgPoolBackprop(geometry3D);
