import { InvalidArgumentError } from '../../errors';
import { WasmKernel } from './kernel-util';

/**
 * `UnsortedSegmentSum` on wasm (missing in tfjs-backend-wasm 4.22; tfjs-core's gradient of gather,
 * so Embedding layers need it): out[s, …] = Σ_{i : ids[i] = s} x[i, …], shape [numSegments,
 * …x.shape[1:]]. As on the cpu backend: ids outside [0, numSegments) add nothing, and the result is
 * float32 even for int32 x. segmentIds must be 1-D (what tfjs-core's ops pass). Unlike the cpu
 * backend (which multiplies x by a 0/1 mask per segment) a NaN or ±∞ in x stays in its own segment.
 */
export const unsortedSegmentSum: WasmKernel = ({ inputs, backend, attrs }) => {
  const { x, segmentIds } = inputs;
  const numSegments = attrs.numSegments as number;
  if (segmentIds.shape.length !== 1 || segmentIds.shape[0] !== x.shape[0]) {
    throw new InvalidArgumentError(
      `UnsortedSegmentSum on wasm: segmentIds must be 1-D with one id per row of x (${x.shape[0]}), ` +
        `got shape [${segmentIds.shape.join(', ')}]. Reshape x to [rows, …] and the ids to [rows].`,
    );
  }
  const xv = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const row = x.shape.slice(1).reduce((a, b) => a * b, 1);
  const info = backend.makeOutput([numSegments, ...x.shape.slice(1)], 'float32');
  const out = backend.typedArrayFromHeap(info) as Float32Array;
  out.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const from = i * row;
    const to = s * row;
    for (let k = 0; k < row; k++) out[to + k] += xv[from + k];
  }
  return info;
};
