import * as tf from '@tensorflow/tfjs-core';

/** What this file uses of tfjs-backend-wasm's backend object (public methods of its class). */
interface WasmHeapBackend {
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
}

function wasmBackendOf(t?: tf.Tensor): WasmHeapBackend | null {
  const engine = tf.engine() as unknown as {
    backend: unknown;
    state: { tensorInfo: WeakMap<object, { backend: unknown }> };
  };
  const backend = (t ? engine.state.tensorInfo.get(t.dataId)?.backend : engine.backend) as Partial<WasmHeapBackend> | undefined;
  return backend && typeof backend.typedArrayFromHeap === 'function' && typeof backend.makeOutput === 'function'
    ? (backend as WasmHeapBackend)
    : null;
}

/**
 * A float32 tensor's values without a copy where the backend allows it: on wasm a view of the
 * backend's heap, on cpu the backend's own array; elsewhere (webgl, …) a downloaded copy. Read it at
 * once and never write to it: a wasm view goes stale at the next tensor allocation (the heap may
 * grow), and both views are the tensor's own storage. At D = 10⁷ this saves a 40 MB copy per read.
 */
export function readFloat32(t: tf.Tensor): Float32Array {
  const wasm = t.dtype === 'float32' ? wasmBackendOf(t) : null;
  return wasm ? wasm.typedArrayFromHeap(t) : (t.dataSync() as Float32Array);
}

/**
 * A new float32 vector of length n whose values `fill` writes in place: on wasm straight into the
 * output's heap memory (no JavaScript array, no upload copy), elsewhere into a new array that becomes
 * the tensor. `fill` must not create tensors (a growing wasm heap would detach the view it writes).
 */
export function writeFloat32(n: number, fill: (out: Float32Array) => void): tf.Tensor1D {
  const wasm = tf.getBackend() === 'wasm' ? wasmBackendOf() : null;
  if (wasm) {
    const info = wasm.makeOutput([n], 'float32');
    try {
      fill(wasm.typedArrayFromHeap(info));
    } catch (err) {
      tf.dispose(tf.engine().makeTensorFromTensorInfo(info)); // free the heap block
      throw err;
    }
    return tf.engine().makeTensorFromTensorInfo(info) as tf.Tensor1D;
  }
  const out = new Float32Array(n);
  fill(out);
  return tf.tensor1d(out);
}

/**
 * A new float32 tensor of this shape holding a copy of `values`, never a view of them (the cpu
 * backend would otherwise keep the array itself, so a caller reusing it would change the tensor).
 * On wasm the copy goes straight into the heap (no JavaScript temporary).
 */
export function copyFloat32(values: Float32Array, shape: number[]): tf.Tensor {
  const wasm = tf.getBackend() === 'wasm' ? wasmBackendOf() : null;
  if (wasm) {
    const info = wasm.makeOutput(shape, 'float32');
    wasm.typedArrayFromHeap(info).set(values);
    return tf.engine().makeTensorFromTensorInfo(info);
  }
  return tf.tensor(values.slice(), shape, 'float32');
}
