import { fwht } from '../fwht';
import { Engine } from '../engine';
import { SIMD_WASM_BASE64 } from './bytes';

/** The exports of simd.wat (addresses are byte offsets into the instance's memory). */
export interface SimdExports {
  memory: WebAssembly.Memory;
  fwht(p: number, n: number): void;
  scatterSigned(src: number, to: number, dst: number, n: number): void;
  addInto(out: number, base: number, n: number): void;
  hashedProject(col: number, w: number, x: number, c: number, n: number): void;
  hashedLift(col: number, w: number, z: number, base: number, withBase: number, out: number, n: number): void;
}

let compiled: WebAssembly.Module | null | undefined;

/** The compiled module, or null where WebAssembly or its SIMD extension is missing. */
function simdModule(): WebAssembly.Module | null {
  if (compiled === undefined) compiled = compileModule(SIMD_WASM_BASE64);
  return compiled;
}

/**
 * A module from its base64 bytes, or null where WebAssembly or a feature it uses (SIMD, shared
 * memory) is missing. The modules are ≈ 1 kB: a synchronous compile is allowed everywhere.
 */
export function compileModule(base64: string): WebAssembly.Module | null {
  try {
    if (typeof WebAssembly !== 'object') return null;
    const bytes = Uint8Array.from(atob(base64), (ch) => ch.charCodeAt(0));
    return WebAssembly.validate(bytes) ? new WebAssembly.Module(bytes) : null;
  } catch {
    return null;
  }
}

/** True when this runtime runs WebAssembly SIMD (Node ≥ 16, current browsers): the 'simd' engine. */
export function simdAvailable(): boolean {
  return simdModule() !== null;
}

const PAGE = 65536;

/** Floats per staged piece of a vector streamed through a SIMD arena (64 kB). */
export const CHUNK = 1 << 14;
let arenaBytes = 0;
const released =
  typeof FinalizationRegistry === 'function' ? new FinalizationRegistry<number>((bytes) => (arenaBytes -= bytes)) : null;

/**
 * Bytes of WebAssembly memory held by live arenas, dense matrices and QR workspaces (freed when one is
 * garbage-collected).
 * process.memoryUsage() does not count WebAssembly memories: benchmarks add this.
 */
export function simdWorkspaceBytes(): number {
  return arenaBytes;
}

/** Counts `bytes` of WebAssembly memory in {@link simdWorkspaceBytes} until `owner` is garbage-collected. */
export function trackWorkspace(owner: object, bytes: number): void {
  arenaBytes += bytes;
  released?.register(owner, bytes);
}

/** A typed array in an arena and its byte address there. */
export interface Placed<T> {
  ptr: number;
  array: T;
}

/**
 * One instance of simd.wat with its own memory, sized once for everything it will hold (so the
 * views handed out never go stale), and a bump allocator over it (16-byte aligned).
 */
export class SimdArena {
  /** The module's functions. */
  readonly ops: SimdExports;
  private used = 0;

  private constructor(ops: SimdExports, private readonly capacity: number) {
    this.ops = ops;
  }

  /** An arena of at least `bytes` bytes, or null where WebAssembly SIMD cannot run or the memory cannot grow that far. */
  static create(bytes: number): SimdArena | null {
    const mod = simdModule();
    if (!mod) return null;
    const ops = new WebAssembly.Instance(mod, {}).exports as unknown as SimdExports;
    const pages = Math.max(1, Math.ceil(bytes / PAGE));
    try {
      if (pages > 1) ops.memory.grow(pages - 1);
    } catch {
      return null; // past the engine's limit (4 GiB for wasm32): the caller uses JavaScript arrays
    }
    const arena = new SimdArena(ops, ops.memory.buffer.byteLength);
    trackWorkspace(arena, arena.capacity);
    return arena;
  }

  private place(bytes: number): number {
    const ptr = this.used;
    this.used += Math.ceil(bytes / 16) * 16;
    if (this.used > this.capacity) throw new Error(`SimdArena: ${this.used} bytes asked of ${this.capacity}.`);
    return ptr;
  }

  f32(length: number): Placed<Float32Array> {
    const ptr = this.place(length * 4);
    return { ptr, array: new Float32Array(this.ops.memory.buffer, ptr, length) };
  }

  i32(length: number): Placed<Int32Array> {
    const ptr = this.place(length * 4);
    return { ptr, array: new Int32Array(this.ops.memory.buffer, ptr, length) };
  }

  f64(length: number): Placed<Float64Array> {
    const ptr = this.place(length * 8);
    return { ptr, array: new Float64Array(this.ops.memory.buffer, ptr, length) };
  }
}

/** Bytes an arena needs for arrays of these byte sizes (each rounded up to 16). */
export function arenaSize(...bytes: number[]): number {
  return bytes.reduce((s, b) => s + Math.ceil(b / 16) * 16, 0);
}

/**
 * A float32 work array of fixed length and the in-place Walsh–Hadamard transform of its power-of-two
 * segments; with the 'simd' engine the array lives in a SIMD arena. Both engines give bit-identical
 * results.
 */
export interface FwhtWorkspace {
  readonly array: Float32Array;
  readonly engine: Engine;
  /** H·array[offset, offset + n) in place; n a power of two. */
  transform(offset: number, n: number): void;
}

/**
 * A workspace of `length` floats: 'auto' (default) takes 'simd' where it runs; 'simd' throws elsewhere.
 * The transform alone, for benchmarks and tests (the bases use their own arenas: src/basis/srht-arrays.ts).
 */
export function fwhtWorkspace(length: number, engine: Engine | 'auto' = 'auto'): FwhtWorkspace {
  const arena = engine === 'loops' ? null : SimdArena.create(arenaSize(length * 4));
  if (engine === 'simd' && !arena) throw new Error('fwhtWorkspace: WebAssembly SIMD cannot run here.');
  if (arena) {
    const { ptr, array } = arena.f32(length);
    return { array, engine: 'simd', transform: (offset, n) => simdTransform(arena, array, ptr, offset, n) };
  }
  const array = new Float32Array(length);
  return { array, engine: 'loops', transform: (offset, n) => fwht(array, offset, n) };
}

/** The SIMD transform of array[offset, offset + n) (array at byte address ptr); n < 4 in JavaScript. */
export function simdTransform(arena: SimdArena, array: Float32Array, ptr: number, offset: number, n: number): void {
  if (n < 4) fwht(array, offset, n);
  else arena.ops.fwht(ptr + offset * 4, n);
}
