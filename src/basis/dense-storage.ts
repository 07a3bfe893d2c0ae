import { InvalidArgumentError } from '../errors';

/** Where a dense basis keeps Q: see {@link DenseStorageOptions}. */
export type DenseStorage = 'wasm' | 'tensor' | 'array';

/** Where a dense basis keeps Q. */
export interface DenseStorageOptions {
  /**
   * 'wasm': Q in its own WebAssembly memory, applied by SIMD code that streams four rows at once
   * (and uses helper threads after `useWorkerThreads()` from 'tfjs-subspace/node'); vectors are read
   * from and written to the backend (fastest on cpu and wasm; up to 4 GiB of Q). 'tensor': Q (and Qᵀ,
   * see `keepTranspose`) as tensors on the backend: no download (webgl, webgpu). 'array': Q as a
   * float32 typed array in JavaScript memory, applied with plain loops — for bases past 4 GiB.
   * 'auto' (default): 'tensor' on a GPU backend, else 'wasm' where it runs and fits, else 'tensor'
   * up to 1.5 GiB, else 'array'. ('kernel' and 'host', the old names of 'wasm' and 'array', throw.)
   */
  storage?: 'auto' | DenseStorage;
  /**
   * For storage 'tensor'. true (default): keep Qᵀ beside Q so that both products are a row vector
   * times a matrix (the fast case of the wasm and cpu matMul; Q·c with Q as the left operand is
   * 3–4× slower on wasm), at twice the memory. false: only Q. (Was `layout: 'both' | 'single'`.)
   */
  keepTranspose?: boolean;
}

const STORAGES: readonly string[] = ['auto', 'wasm', 'tensor', 'array'];
const RENAMED: Record<string, string> = { kernel: 'wasm', host: 'array' };

/**
 * The one check of a dense basis' storage options (for DenseBasis, denseBasis and gaussianBasis, so
 * that a bad option throws before any QR work). Old spellings — storage 'kernel' or 'host', option
 * `layout` — throw an {@link InvalidArgumentError} naming the new one. Returns the options with
 * their defaults.
 */
export function checkStorageOptions(where: string, opts: DenseStorageOptions): { storage: 'auto' | DenseStorage; keepTranspose: boolean } {
  const o = opts as DenseStorageOptions & { layout?: unknown };
  if (o.layout !== undefined) {
    throw new InvalidArgumentError(
      `${where}: option 'layout' is now called 'keepTranspose' (layout 'both' is keepTranspose: true, ` +
        `'single' is keepTranspose: false).`,
    );
  }
  const storage = o.storage ?? 'auto';
  if (typeof storage === 'string' && Object.prototype.hasOwnProperty.call(RENAMED, storage)) {
    throw new InvalidArgumentError(`${where}: storage '${storage}' is now called '${RENAMED[storage]}'.`);
  }
  if (!STORAGES.includes(storage)) {
    throw new InvalidArgumentError(`${where}: storage must be 'auto', 'wasm', 'tensor' or 'array', got ${JSON.stringify(storage)}.`);
  }
  const keepTranspose = o.keepTranspose ?? true;
  if (typeof keepTranspose !== 'boolean') {
    throw new InvalidArgumentError(`${where}: keepTranspose must be true or false, got ${JSON.stringify(keepTranspose)}.`);
  }
  return { storage, keepTranspose };
}
