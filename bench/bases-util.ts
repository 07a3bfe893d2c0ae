/**
 * Helpers for the structured-basis benchmarks (bench/bases*.ts): a cheap exactly orthonormal dense
 * matrix, timing of tensor-valued operations with warm-up and a time limit, memory snapshots.
 * Nothing here is part of the library.
 */
import * as tf from '@tensorflow/tfjs';
import { hashedAssignment } from '../src/basis/hashed';
import { simdWorkspaceBytes } from '../src/linalg/wasm/simd';
import { median, timeOnce } from './common';

/**
 * The D×d matrix of `hashedBasis(D, d, {seed})`, row-major float32, written directly (no tensor, no
 * QR): disjoint column supports, so it is exactly orthonormal up to the float32 rounding of 1/√n_j.
 * Used to build large DenseBasis objects in seconds instead of minutes (gaussianBasis(199210, 750)
 * takes ≈ 2 min). Dense products (wasm/cpu matMul, OpenBLAS, the JavaScript loops over Q) never skip zero
 * entries of Q, so their speed does not depend on what Q contains.
 */
export function hashedMatrix(D: number, d: number, seed = 1): Float32Array {
  const { order, weights } = hashedAssignment(D, d, seed);
  const q = new Float32Array(D * d);
  for (let k = 0; k < D; k++) {
    const i = order[k];
    q[i * d + (k % d)] = weights[i];
  }
  return q;
}

export interface OpTiming {
  /** The first call (includes one-time preparation such as wasm's packing of a matMul operand). */
  first: number;
  median: number;
  runs: number;
  note?: string;
}

/**
 * Times `f` (a tensor-valued op run in a tidy, its result read with dataSync and disposed): a first
 * call, a second (warm-up) call, then the median of 15 runs (7 when the warm-up call took > 100 ms,
 * 3 when > 2 s). When the warm-up call is slower than `limitMs`, it is reported alone.
 */
export function timeTensorOp(f: () => tf.Tensor, limitMs = 10_000): OpTiming {
  const once = () =>
    timeOnce(() => {
      const out = tf.tidy(f); // never return a typed array from tidy: it would be walked entry by entry
      out.dataSync();
      out.dispose();
    });
  const first = once();
  // The first call may include one-time work (wasm packs a matMul operand: seconds for a big dense Q).
  const warm = once();
  if (warm > limitMs) {
    return { first, median: warm, runs: 1, note: `a second run took ${(warm / 1000).toFixed(1)} s (> ${limitMs / 1000} s): not repeated` };
  }
  const n = warm > 2000 ? 3 : warm > 100 ? 7 : 15;
  const ts: number[] = [];
  for (let i = 0; i < n; i++) ts.push(once());
  return { first, median: median(ts), runs: n };
}

/** Median time of a void function over `runs` runs, with `setup` (untimed) before each. */
export function timeWithSetup(setup: () => void, fn: () => void, runs: number, warmup = 1): number {
  const ts: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    setup();
    const t = timeOnce(fn);
    if (i >= warmup) ts.push(t);
  }
  return median(ts);
}

/** Bytes of the wasm backend's heap (a WebAssembly.Memory only grows: this is its high-water mark). */
export function wasmHeapBytes(): number {
  if (tf.getBackend() !== 'wasm') return 0;
  const backend = tf.backend() as unknown as { wasm?: { HEAPU8?: Uint8Array } };
  return backend.wasm?.HEAPU8?.buffer.byteLength ?? 0;
}

export interface MemSnapshot {
  rss: number;
  arrayBuffers: number;
  external: number;
  heapUsed: number;
  wasmHeap: number;
  /** WebAssembly memory of the library's SIMD arenas, dense matrices and QR workspaces (not in process.memoryUsage()). */
  wasm: number;
  tfBytes: number;
}

export function memSnapshot(): MemSnapshot {
  const m = process.memoryUsage();
  return {
    rss: m.rss,
    arrayBuffers: m.arrayBuffers,
    external: m.external,
    heapUsed: m.heapUsed,
    wasmHeap: wasmHeapBytes(),
    wasm: simdWorkspaceBytes(),
    tfBytes: tf.memory().numBytes,
  };
}

/** Field-wise maximum of snapshots (a running peak). */
export function memMax(a: MemSnapshot, b: MemSnapshot): MemSnapshot {
  return {
    rss: Math.max(a.rss, b.rss),
    arrayBuffers: Math.max(a.arrayBuffers, b.arrayBuffers),
    external: Math.max(a.external, b.external),
    heapUsed: Math.max(a.heapUsed, b.heapUsed),
    wasmHeap: Math.max(a.wasmHeap, b.wasmHeap),
    wasm: Math.max(a.wasm, b.wasm),
    tfBytes: Math.max(a.tfBytes, b.tfBytes),
  };
}

/** Field-wise a − b. */
export function memDiff(a: MemSnapshot, b: MemSnapshot): MemSnapshot {
  return {
    rss: a.rss - b.rss,
    arrayBuffers: a.arrayBuffers - b.arrayBuffers,
    external: a.external - b.external,
    heapUsed: a.heapUsed - b.heapUsed,
    wasmHeap: a.wasmHeap - b.wasmHeap,
    wasm: a.wasm - b.wasm,
    tfBytes: a.tfBytes - b.tfBytes,
  };
}

/** Megabytes (10⁶ bytes), one decimal below 100. */
export function mb(bytes: number): string {
  const x = bytes / 1e6;
  return Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(1);
}

/**
 * Full garbage collections, with pauses, when node was started with --expose-gc (else nothing).
 * V8 frees large ArrayBuffer backing stores on a background task, so `arrayBuffers` read right after
 * one gc() still counts the garbage; three rounds 50 ms apart let it settle.
 */
export async function collect(): Promise<void> {
  const gc = (globalThis as unknown as { gc?: () => void }).gc;
  if (!gc) return;
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Sets the backend and waits for it; false (with the reason printed) when it cannot start. */
export async function useBackend(name: 'cpu' | 'wasm'): Promise<boolean> {
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok !== false && tf.getBackend() === name;
  } catch (e) {
    console.log(`backend ${name} unavailable: ${(e as Error).message}`);
    return false;
  }
}
