/**
 * Helper threads for the dense-matrix and thin-QR WebAssembly passes, behind an interface so that the main entry stays free of
 * Node built-ins: `useWorkerThreads()` from 'tfjs-subspace/node' registers a worker_threads pool
 * (src/node/worker-threads.ts). The registry lives on globalThis, so the separately bundled entries
 * (dist/index.js and dist/node.js) see the same pool.
 */

/** The exports of dense.wat a helper may run. */
export type DenseFunctionName = 'project1' | 'project4' | 'lift1' | 'lift4';
/** The exports of qr.wat a helper may run. */
export type QrFunctionName = 'gram' | 'trmm';
/** Every WebAssembly function a helper may run. */
export type WasmFunctionName = DenseFunctionName | QrFunctionName;

/** Helper threads that run WebAssembly functions on shared memories while the caller works too. */
export interface HelperThreads {
  /** Helpers besides the calling thread. */
  readonly helpers: number;
  /** Makes a shared memory and the module to instantiate on it known to every helper; a handle. */
  attach(memory: WebAssembly.Memory, module: WebAssembly.Module): number;
  /** Forgets an attached memory (so it can be freed). */
  detach(handle: number): void;
  /** Starts fn(...args) on helper h; false when that helper cannot take it (not started yet, busy, failed). */
  start(h: number, handle: number, fn: WasmFunctionName, args: number[]): boolean;
  /** Waits for helper h's job: true when it finished, false when it failed (the caller redoes it). */
  join(h: number): boolean;
}

const KEY = Symbol.for('tfjs-subspace.helper-threads');
type Registry = { [KEY]?: HelperThreads };

/** Registers the helper threads the WebAssembly passes use from now on (null: the calling thread only). */
export function setHelperThreads(threads: HelperThreads | null): void {
  (globalThis as Registry)[KEY] = threads ?? undefined;
}

/** The registered helper threads, or null. */
export function helperThreads(): HelperThreads | null {
  return (globalThis as Registry)[KEY] ?? null;
}
