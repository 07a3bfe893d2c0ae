import { fwht } from '../linalg/fwht';
import { addInto, scatterSigned } from '../linalg/permute';
import { Engine } from '../linalg/engine';
import { arenaSize, CHUNK, Placed, SimdArena, simdTransform } from '../linalg/wasm/simd';

/** Up to this D the arena also holds a D-float output array, so the lift's scatter runs in WebAssembly too. */
export const OUT_IN_ARENA_MAX = 1 << 22;

/**
 * The typed arrays of an SRHT basis (its `compute: 'arrays'` path): its signed permutations, the work
 * array u and the passes over them. With the 'simd' engine (where WebAssembly SIMD runs) they live in
 * one SIMD arena, and inputs and outputs stream through 64 kB staging arrays; with 'loops' they are
 * JavaScript arrays and the same passes run as JavaScript loops. Both engines give the same bits.
 *
 * Memory: 12·D B (permutation, inverse, u), plus 128 kB of staging, plus 4·D B for the output
 * array when D ≤ 2²² (≤ 16 MB; above that the lift scatters from JavaScript into the caller's array).
 */
export class SrhtArrays {
  readonly order: Int32Array;
  readonly inverse: Int32Array;
  readonly u: Float32Array;
  readonly engine: Engine;
  private readonly wasm: {
    arena: SimdArena;
    order: Placed<Int32Array>;
    inverse: Placed<Int32Array>;
    u: Placed<Float32Array>;
    stage: Placed<Float32Array>;
    out: Placed<Float32Array> | null;
  } | null;

  /**
   * Empty arrays for a basis of dimension D, to be filled by the caller (order and inverse; u is
   * the work array). `outInArena` (default D ≤ 2²²) gives the arena a D-float output array.
   */
  constructor(D: number, engine: Engine | 'auto' = 'auto', outInArena = D <= OUT_IN_ARENA_MAX) {
    const arena =
      engine === 'loops' ? null : SimdArena.create(arenaSize(4 * D, 4 * D, 4 * D, 4 * CHUNK, outInArena ? 4 * D : 0));
    if (engine === 'simd' && !arena) throw new Error('SrhtArrays: WebAssembly SIMD cannot run here.');
    if (arena) {
      const w = {
        arena,
        order: arena.i32(D),
        inverse: arena.i32(D),
        u: arena.f32(D),
        stage: arena.f32(Math.min(D, CHUNK)),
        out: outInArena ? arena.f32(D) : null,
      };
      this.wasm = w;
      [this.order, this.inverse, this.u, this.engine] = [w.order.array, w.inverse.array, w.u.array, 'simd'];
    } else {
      this.wasm = null;
      [this.order, this.inverse, this.u, this.engine] = [new Int32Array(D), new Int32Array(D), new Float32Array(D), 'loops'];
    }
  }

  /** u[|inverse[i]|] = sign_i·x[i] for every coordinate i (x: length D, read only). */
  scatterIn(x: Float32Array): void {
    const w = this.wasm;
    if (!w) return scatterSigned(x, this.inverse, this.u);
    for (let i = 0; i < x.length; i += CHUNK) {
      const n = Math.min(CHUNK, x.length - i);
      w.stage.array.set(x.subarray(i, i + n));
      w.arena.ops.scatterSigned(w.stage.ptr, w.inverse.ptr + 4 * i, w.u.ptr, n);
    }
  }

  /** H·u[offset, offset + n) in place. */
  transform(offset: number, n: number): void {
    if (this.wasm) simdTransform(this.wasm.arena, this.u, this.wasm.u.ptr, offset, n);
    else fwht(this.u, offset, n);
  }

  /** out[|order[k]|] = sign_k·u[k] for every position k, then out += base (float32 sums). */
  scatterOut(out: Float32Array, base?: Float32Array): void {
    const w = this.wasm;
    if (w?.out) {
      w.arena.ops.scatterSigned(w.u.ptr, w.order.ptr, w.out.ptr, out.length);
      if (base) this.addStaged(w.out.ptr, base);
      out.set(w.out.array);
      return;
    }
    scatterSigned(this.u, this.order, out);
    if (base) addInto(out, base);
  }

  /** arena[ptr + 4i] += base[i] for every i, base streamed through the staging array. */
  private addStaged(ptr: number, base: Float32Array): void {
    const w = this.wasm as NonNullable<SrhtArrays['wasm']>;
    for (let i = 0; i < base.length; i += CHUNK) {
      const n = Math.min(CHUNK, base.length - i);
      w.stage.array.set(base.subarray(i, i + n));
      w.arena.ops.addInto(ptr + 4 * i, w.stage.ptr, n);
    }
  }
}
