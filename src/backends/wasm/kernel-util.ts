import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../../errors';

/** What the kernels here use of tfjs-backend-wasm's backend object (public methods of its class). */
export interface WasmBackendLike {
  /** A copy of the tensor's values (the wasm backend slices its heap). */
  readSync(dataId: tf.DataId): unknown;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(t: tf.TensorInfo): Float32Array | Int32Array;
}

/** The arguments tfjs passes to a kernel function. */
export type KernelArgs = Parameters<tf.KernelFunc>[0];

/** A kernel written against {@link WasmBackendLike}. */
export type WasmKernel = (args: { inputs: Record<string, tf.TensorInfo>; backend: WasmBackendLike; attrs: Record<string, unknown> }) => tf.TensorInfo;

/** A copy of a tensor's values as float32 (int32 inputs are converted). */
export function readF32(backend: WasmBackendLike, t: tf.TensorInfo): Float32Array {
  const v = backend.readSync(t.dataId) as Float32Array | Int32Array;
  return v instanceof Float32Array ? v : Float32Array.from(v);
}

/**
 * A new zero-filled output of this shape and dtype, and a heap view to write it through. Write it at
 * once: the view goes stale if anything allocates on the wasm heap before the kernel returns.
 */
export function zeroOutput(backend: WasmBackendLike, shape: number[], dtype: tf.DataType = 'float32') {
  const info = backend.makeOutput(shape, dtype);
  const out = backend.typedArrayFromHeap(info);
  out.fill(0);
  return { info, out };
}

/** Rejects NCHW / NCDHW data formats (tf.layers only emits channels-last on wasm). */
export function channelsLastOnly(where: string, dataFormat: unknown): void {
  if (dataFormat === 'NCHW' || dataFormat === 'NCDHW') {
    throw new InvalidArgumentError(
      `${where} on wasm supports channels-last data only, got ${String(dataFormat)}: ` +
        `use dataFormat 'channelsLast' (the tf.layers default) or another backend.`,
    );
  }
}

/**
 * Registers `kernel` as `kernelName` on wasm. With `replace`, an existing registration is replaced
 * (tfjs-backend-wasm 4.22 ships some kernels that give wrong results; see registerWasmTrainingKernels).
 * Returns true when it registered; false when a kernel was there and `replace` is false, or when
 * the registered one is already this one.
 */
export function registerWasm(kernelName: string, kernel: WasmKernel, replace = false): boolean {
  const existing = tf.getKernel(kernelName, 'wasm');
  if (existing && (!replace || existing.kernelFunc === (kernel as unknown))) return false;
  if (existing) {
    if (!natives.has(kernelName)) natives.set(kernelName, existing.kernelFunc);
    tf.unregisterKernel(kernelName, 'wasm');
  }
  // The native kernel's set-up (binding its wasm function) must still run when the backend starts:
  // the replacement delegates to it in some cases (see nativeKernel).
  const setupFunc = existing?.setupFunc;
  tf.registerKernel({ kernelName, backendName: 'wasm', kernelFunc: kernel as unknown as tf.KernelFunc, setupFunc });
  return true;
}

const natives = new Map<string, tf.KernelFunc>();

/** The kernel tfjs-backend-wasm registered under this name, before {@link registerWasm} replaced it. */
export function nativeKernel(kernelName: string): tf.KernelFunc | undefined {
  return natives.get(kernelName) ?? tf.getKernel(kernelName, 'wasm')?.kernelFunc;
}
