/**
 * Helper threads for the dense and thin-QR kernels, behind an interface so that the main entry stays free of
 * Node built-ins: `useWorkerThreads()` from 'tfjs-subspace/node' registers a worker_threads pool
 * (src/node/worker-threads.ts). The registry lives on globalThis, so the separately bundled entries
 * (dist/index.js and dist/node.js) see the same pool.
 */

/** The exports of dense.wat a helper may run. */
export type DenseKernelName = 'project1' | 'project4' | 'lift1' | 'lift4';
/** The exports of qr.wat a helper may run. */
export type QrKernelName = 'gram' | 'trmm';
/** Every kernel a helper may run. */
export type KernelName = DenseKernelName | QrKernelName;

/** Helper threads that run dense kernels on shared memories while the caller works too. */
export interface KernelThreads {
  /** Helpers besides the calling thread. */
  readonly helpers: number;
  /** Makes a shared memory and the module to instantiate on it known to every helper; a handle. */
  attach(memory: WebAssembly.Memory, module: WebAssembly.Module): number;
  /** Forgets an attached memory (so it can be freed). */
  detach(handle: number): void;
  /** Starts fn(...args) on helper h; false when that helper cannot take it (not started yet, busy, failed). */
  start(h: number, handle: number, fn: KernelName, args: number[]): boolean;
  /** Waits for helper h's job: true when it finished, false when it failed (the caller redoes it). */
  join(h: number): boolean;
}

const KEY = Symbol.for('tfjs-subspace.kernel-threads');
type Registry = { [KEY]?: KernelThreads };

/** Registers the helper threads the dense kernels use from now on (null: the calling thread only). */
export function setKernelThreads(threads: KernelThreads | null): void {
  (globalThis as Registry)[KEY] = threads ?? undefined;
}

/** The registered helper threads, or null. */
export function kernelThreads(): KernelThreads | null {
  return (globalThis as Registry)[KEY] ?? null;
}
