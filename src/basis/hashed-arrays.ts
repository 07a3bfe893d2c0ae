import { Engine } from '../linalg/engine';
import { arenaSize, CHUNK, Placed, SimdArena } from '../linalg/wasm/simd';

/**
 * The typed arrays of a hashed basis (its `compute: 'arrays'` path): col (the column of each
 * coordinate) and w (its weight ±1/√n_col) and the two passes over them. With the 'simd' engine they
 * live in a SIMD arena and vectors stream through 64 kB staging arrays; with 'loops' they are
 * JavaScript arrays and loops. Both engines give the same bits (project sums in float64; lift rounds
 * w·z, then base + w·z, to float32).
 */
export class HashedArrays {
  readonly col: Int32Array;
  readonly w: Float32Array;
  readonly engine: Engine;
  private readonly wasm: {
    arena: SimdArena;
    col: Placed<Int32Array>;
    w: Placed<Float32Array>;
    c: Placed<Float64Array>;
    z: Placed<Float32Array>;
    inStage: Placed<Float32Array>;
    outStage: Placed<Float32Array>;
  } | null;

  /** Empty col and w for D coordinates and d = dim columns, to be filled by the caller. */
  constructor(D: number, readonly dim: number, engine: Engine | 'auto' = 'auto') {
    const chunk = Math.min(D, CHUNK);
    const arena = engine === 'loops' ? null : SimdArena.create(arenaSize(4 * D, 4 * D, 8 * dim, 4 * dim, 4 * chunk, 4 * chunk));
    if (engine === 'simd' && !arena) throw new Error('HashedArrays: WebAssembly SIMD cannot run here.');
    if (arena) {
      const a = {
        arena,
        col: arena.i32(D),
        w: arena.f32(D),
        c: arena.f64(dim),
        z: arena.f32(dim),
        inStage: arena.f32(chunk),
        outStage: arena.f32(chunk),
      };
      this.wasm = a;
      [this.col, this.w, this.engine] = [a.col.array, a.w.array, 'simd'];
    } else {
      this.wasm = null;
      [this.col, this.w, this.engine] = [new Int32Array(D), new Float32Array(D), 'loops'];
    }
  }

  /** Qᵀx: c[col(i)] += w_i·x_i summed in float64, rounded to float32 at the end. */
  project(x: Float32Array): Float32Array {
    const a = this.wasm;
    if (!a) return projectLoops(this.col, this.w, x, this.dim);
    a.c.array.fill(0);
    for (let i = 0; i < x.length; i += CHUNK) {
      const n = Math.min(CHUNK, x.length - i);
      a.inStage.array.set(x.subarray(i, i + n));
      a.arena.ops.hashedProject(a.col.ptr + 4 * i, a.w.ptr + 4 * i, a.inStage.ptr, a.c.ptr, n);
    }
    return Float32Array.from(a.c.array);
  }

  /** out ← base + Q·z (or Q·z): out_i = base_i + fround(w_i·z[col(i)]), as tf.add(θ0, Q·z) rounds it. */
  liftInto(z: Float32Array, out: Float32Array, base?: Float32Array): void {
    const a = this.wasm;
    if (!a) return liftLoops(this.col, this.w, z, out, base);
    a.z.array.set(z);
    for (let i = 0; i < out.length; i += CHUNK) {
      const n = Math.min(CHUNK, out.length - i);
      if (base) a.inStage.array.set(base.subarray(i, i + n));
      a.arena.ops.hashedLift(a.col.ptr + 4 * i, a.w.ptr + 4 * i, a.z.ptr, a.inStage.ptr, base ? 1 : 0, a.outStage.ptr, n);
      out.set(a.outStage.array.subarray(0, n), i);
    }
  }
}

function projectLoops(col: Int32Array, w: Float32Array, x: Float32Array, d: number): Float32Array {
  const c = new Float64Array(d);
  for (let i = 0; i < col.length; i++) c[col[i]] += w[i] * x[i];
  return Float32Array.from(c);
}

function liftLoops(col: Int32Array, w: Float32Array, z: Float32Array, out: Float32Array, base?: Float32Array): void {
  if (base) for (let i = 0; i < col.length; i++) out[i] = base[i] + Math.fround(w[i] * z[col[i]]);
  else for (let i = 0; i < col.length; i++) out[i] = w[i] * z[col[i]];
}
