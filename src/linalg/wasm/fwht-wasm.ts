import { fwht } from '../fwht';
import { FWHT_WASM_BASE64 } from './fwht-bytes';

/** Which transform a {@link FwhtWorkspace} runs: WebAssembly SIMD, or the JavaScript loops. */
export type FwhtKernel = 'simd' | 'js';

/**
 * A float32 work array of fixed length and the in-place Walsh–Hadamard transform of its power-of-two
 * segments. With the SIMD kernel the array lives in the kernel's own WebAssembly memory (sized once,
 * never grown again, so the view stays valid). Both kernels give bit-identical results.
 */
export interface FwhtWorkspace {
  readonly array: Float32Array;
  readonly kernel: FwhtKernel;
  /** H·array[offset, offset + n) in place; n a power of two. */
  transform(offset: number, n: number): void;
}

let simd: WebAssembly.Module | null | undefined;

/** The compiled SIMD module, or null where WebAssembly or its SIMD extension is missing. */
function simdModule(): WebAssembly.Module | null {
  if (simd === undefined) {
    simd = null;
    try {
      if (typeof WebAssembly === 'object') {
        const bytes = Uint8Array.from(atob(FWHT_WASM_BASE64), (ch) => ch.charCodeAt(0));
        if (WebAssembly.validate(bytes)) simd = new WebAssembly.Module(bytes); // 735 bytes: synchronous compile is allowed everywhere
      }
    } catch {
      simd = null;
    }
  }
  return simd;
}

/** True when this runtime can run the SIMD kernel. */
export function simdAvailable(): boolean {
  return simdModule() !== null;
}

const PAGE = 65536;

let simdBytes = 0;
const released =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<number>((bytes) => (simdBytes -= bytes)) : null;

/**
 * Bytes of WebAssembly memory held by live SIMD workspaces (their arrays; freed when a workspace is
 * garbage-collected). process.memoryUsage() does not count WebAssembly memories: benchmarks add this.
 */
export function simdWorkspaceBytes(): number {
  return simdBytes;
}

/**
 * A workspace of `length` floats. 'auto' (default) takes the SIMD kernel where it runs (Node ≥ 16,
 * current browsers) and the JavaScript loops elsewhere; 'simd' throws where it cannot run.
 */
export function fwhtWorkspace(length: number, kernel: FwhtKernel | 'auto' = 'auto'): FwhtWorkspace {
  const mod = kernel === 'js' ? null : simdModule();
  if (kernel === 'simd' && !mod) throw new Error('fwhtWorkspace: WebAssembly SIMD is not available in this runtime.');
  if (mod) {
    const instance = new WebAssembly.Instance(mod, {});
    const { memory, fwht: run } = instance.exports as { memory: WebAssembly.Memory; fwht: (p: number, n: number) => void };
    const pages = Math.max(1, Math.ceil((length * 4) / PAGE));
    try {
      if (pages > 1) memory.grow(pages - 1);
      const array = new Float32Array(memory.buffer, 0, length);
      const workspace: FwhtWorkspace = {
        array,
        kernel: 'simd',
        transform: (offset, n) => (n < 4 ? fwht(array, offset, n) : run(offset * 4, n)),
      };
      simdBytes += memory.buffer.byteLength;
      released?.register(workspace, memory.buffer.byteLength);
      return workspace;
    } catch (err) {
      if (kernel === 'simd') throw err;
      // the memory could not grow that far: fall back to an ordinary array
    }
  }
  const array = new Float32Array(length);
  return { array, kernel: 'js', transform: (offset, n) => fwht(array, offset, n) };
}
