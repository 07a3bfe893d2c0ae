import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { Engine } from '../linalg/engine';
import { SrhtArrays } from './srht-arrays';
import { shuffled } from '../random';
import { rememberSpec } from './spec';
import { checkAlive } from './basis';
import { checkStructuredOptions, OperatorBasis, StructuredBasisOptions } from './operator';

/**
 * Options of {@link srhtBasis} and `new SrhtBasis(D, d, opts)`: `seed` (of the permutation, the signs
 * and the column subsets) and `compute` — 'arrays': typed arrays (a WebAssembly SIMD transform, or
 * JavaScript loops with the same bits); 'tf': the same transform as tf ops, same bits (no download:
 * webgl/webgpu); 'auto' (default).
 */
export type SrhtBasisOptions = StructuredBasisOptions;

interface Block {
  offset: number; // first position (in permuted order) of the block
  size: number; // n_b, a power of two
  scale: number; // 1/√n_b as a float32
  cols: Int32Array; // the chosen columns of H_b, ascending
  colOffset: number; // where the block's coordinates start in z
}

/**
 * A subsampled randomized Hadamard basis (Le, Sarlós, Smola 2013, "Fastfood", made exactly
 * orthonormal): θ's coordinates are permuted at random and cut into power-of-two blocks (the binary
 * digits of D); block b contributes d_b ≈ d·n_b/D columns of S_b·H_b/√n_b (random signs S_b, Walsh–
 * Hadamard matrix H_b, a random subset of its columns), placed block-diagonally. Orthogonal blocks
 * of orthogonal matrices: QᵀQ = I exactly. project and lift cost one O(n log n) transform per block
 * and O(D) memory; no D×d matrix ever exists.
 *
 * Memory: the permutation and its inverse with the random signs folded into them (a negative entry
 * ~i stands for coordinate i with sign −1), 8·D bytes, plus a D-float work array made on the first
 * typed-array call (see {@link SrhtArrays}: in WebAssembly memory where SIMD runs): 12·D
 * bytes in all, and 4·D more for D ≤ 2²².
 * Arithmetic: every transform stage is rounded to float32 and 1/√n_b is applied to the d selected
 * values (project) or to z (lift), so the 'arrays' (either engine) and 'tf' paths give the same bits.
 */
export class SrhtBasis extends OperatorBasis {
  readonly kind = 'srht';
  readonly blocks: readonly Block[];
  private order: Int32Array | null; // position k holds coordinate order[k] (~order[k] if its sign is −1)
  private inverse: Int32Array | null; // coordinate i sits at position inverse[i] (same sign encoding)
  private arrays: SrhtArrays | null = null;
  private tensors: { order: tf.Tensor1D; inverse: tf.Tensor1D; signs: tf.Tensor1D; spread: tf.Tensor1D[] } | null = null;

  constructor(D: number, d: number, opts: SrhtBasisOptions = {}) {
    super('SrhtBasis', D, d, opts);
    const rng = seedrandom.alea(`srht:${this.seed}`);
    // The typed arrays now unless the tf path is certain, so the permutations are built in place
    // (in WebAssembly memory where SIMD runs) rather than built and copied.
    this.arrays = this.useTf() ? null : new SrhtArrays(D);
    const order = shuffled(D, rng, this.arrays?.order);
    this.blocks = splitBlocks(D, d, rng);
    for (let k = 0; k < D; k++) if (rng() < 0.5) order[k] = ~order[k];
    const inverse = this.arrays?.inverse ?? new Int32Array(D);
    for (let k = 0; k < D; k++) {
      const i = order[k];
      if (i < 0) inverse[~i] = ~k;
      else inverse[i] = k;
    }
    this.order = order;
    this.inverse = inverse;
  }

  get isDisposed(): boolean {
    return this.order === null;
  }

  /** The typed arrays (made here if the basis was built for the tf path and is now used on cpu/wasm). */
  private typedArrays(): SrhtArrays {
    if (!this.arrays) {
      const arrays = new SrhtArrays(this.ambientDim);
      arrays.order.set(this.order as Int32Array);
      arrays.inverse.set(this.inverse as Int32Array);
      [this.arrays, this.order, this.inverse] = [arrays, arrays.order, arrays.inverse]; // the JS copies are dropped
    }
    return this.arrays;
  }

  /** The engine compute 'arrays' runs on: 'simd' (WebAssembly SIMD) or 'loops' (JavaScript loops). */
  get engine(): Engine {
    return this.typedArrays().engine;
  }

  protected projectArrays(x: Float32Array): Float32Array {
    const arrays = this.typedArrays();
    // Scatter through the inverse permutation (sequential reads; ≈ 4× faster at D = 10⁷ than
    // gathering through the permutation), the sign applied on the way.
    arrays.scatterIn(x);
    const u = arrays.u;
    const c = new Float32Array(this.dim);
    for (const b of this.blocks) {
      if (b.cols.length === 0) continue;
      arrays.transform(b.offset, b.size);
      for (let t = 0; t < b.cols.length; t++) c[b.colOffset + t] = u[b.offset + b.cols[t]] * b.scale;
    }
    return c;
  }

  protected liftInto(z: Float32Array, out: Float32Array, base?: Float32Array): void {
    const arrays = this.typedArrays();
    const u = arrays.u;
    for (const b of this.blocks) {
      u.fill(0, b.offset, b.offset + b.size);
      if (b.cols.length === 0) continue;
      for (let t = 0; t < b.cols.length; t++) u[b.offset + b.cols[t]] = z[b.colOffset + t] * b.scale;
      arrays.transform(b.offset, b.size);
    }
    // Scattered writes through the permutation (a gather through the inverse reads ≈ 4× slower at
    // D = 10⁷), then θ0 added in θ order: each sum rounded once, as tf.add(θ0, Q·z) rounds it.
    arrays.scatterOut(out, base);
  }

  /** The tf-op tensors, made on first use of the 'tf' path. */
  private tfState() {
    if (!this.tensors) {
      const order = this.order as Int32Array;
      const plain = (a: Int32Array) => Int32Array.from(a, (t) => (t < 0 ? ~t : t));
      const signs = Float32Array.from(order, (t) => (t < 0 ? -1 : 1));
      this.tensors = tf.tidy(() => ({
        order: tf.keep(tf.tensor1d(plain(order), 'int32')),
        inverse: tf.keep(tf.tensor1d(plain(this.inverse as Int32Array), 'int32')),
        signs: tf.keep(tf.tensor1d(signs)),
        // spread_b[i]: where position i of block b takes its value from in [c_b, 0] (d_b = zero).
        spread: this.blocks.map((b) => {
          const idx = new Int32Array(b.size).fill(b.cols.length);
          b.cols.forEach((j, t) => (idx[j] = t));
          return tf.keep(tf.tensor1d(idx, 'int32'));
        }),
      }));
    }
    return this.tensors;
  }

  protected projectTf(v: tf.Tensor1D): tf.Tensor1D {
    const s = this.tfState();
    return tf.tidy(() => {
      const u = tf.mul(tf.gather(v, s.order), s.signs);
      const parts = this.blocks
        .filter((b) => b.cols.length > 0)
        .map((b) => tf.mul(tf.gather(fwhtTf(tf.slice(u, b.offset, b.size)), tf.tensor1d(b.cols, 'int32')), b.scale));
      return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor1D;
    });
  }

  protected liftTf(c: tf.Tensor1D): tf.Tensor1D {
    const s = this.tfState();
    return tf.tidy(() => {
      const zero = tf.zeros([1]);
      const parts = this.blocks.map((b, i) =>
        b.cols.length === 0
          ? tf.zeros([b.size])
          : fwhtTf(tf.gather(tf.concat([tf.mul(tf.slice(c, b.colOffset, b.cols.length), b.scale), zero]), s.spread[i])),
      );
      const u = parts.length === 1 ? parts[0] : tf.concat(parts);
      return tf.gather(tf.mul(u, s.signs), s.inverse) as tf.Tensor1D;
    });
  }

  /** Q from its closed form Q[i, col] = sign·(−1)^popcount((k − o_b) & j)/√n_b at i's position k (small D only). */
  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    const { ambientDim: D, dim: d } = this;
    const order = this.order as Int32Array;
    const q = new Float32Array(D * d);
    for (const b of this.blocks) {
      for (let r = 0; r < b.size; r++) {
        const t = order[b.offset + r];
        const [i, sign] = t < 0 ? [~t, -1] : [t, 1];
        b.cols.forEach((j, col) => (q[i * d + b.colOffset + col] = sign * b.scale * (popcount(r & j) % 2 ? -1 : 1)));
      }
    }
    return tf.tensor2d(q, [D, d]);
  }

  dispose(): void {
    if (this.tensors) {
      const { order, inverse, signs, spread } = this.tensors;
      tf.dispose([order, inverse, signs, ...spread]);
      this.tensors = null;
    }
    this.order = this.inverse = null;
    this.arrays = null;
  }
}

/** H·x over a power-of-two-long tensor with tf ops: log2(n) reshape/add/sub stages. */
function fwhtTf(x: tf.Tensor): tf.Tensor1D {
  const n = x.size;
  let y = x;
  for (let h = 1; h < n; h *= 2) {
    const pairs = tf.reshape(y, [n / (2 * h), 2, h]);
    const [a, b] = tf.split(pairs, 2, 1);
    y = tf.reshape(tf.concat([tf.add(a, b), tf.sub(a, b)], 1), [n]);
  }
  return y as tf.Tensor1D;
}

function popcount(x: number): number {
  let c = 0;
  for (; x; x &= x - 1) c++;
  return c;
}


/**
 * The power-of-two blocks of D (its binary digits, largest first) and d split among them in
 * proportion to their sizes (largest remainders; never more columns than a block has rows), each
 * block with a seeded random subset of its columns.
 */
function splitBlocks(D: number, d: number, rng: () => number): Block[] {
  const sizes: number[] = [];
  for (let bit = 30; bit >= 0; bit--) if (D & (1 << bit)) sizes.push(1 << bit);
  const exact = sizes.map((n) => (d * n) / D);
  const counts = exact.map(Math.floor);
  let left = d - counts.reduce((a, b) => a + b, 0);
  const byRemainder = exact.map((e, i) => [e - Math.floor(e), i]).sort((a, b) => b[0] - a[0]);
  for (const [, i] of byRemainder) {
    if (left === 0) break;
    if (counts[i] < sizes[i]) {
      counts[i]++;
      left--;
    }
  }
  let offset = 0;
  let colOffset = 0;
  return sizes.map((size, i) => {
    const cols = shuffled(size, rng).subarray(0, counts[i]).sort();
    const block = { offset, size, scale: Math.fround(1 / Math.sqrt(size)), cols: Int32Array.from(cols), colOffset };
    offset += size;
    colOffset += counts[i];
    return block;
  });
}

/**
 * An exactly orthonormal SRHT basis of d columns in R^D, seeded (the same Q on every backend).
 *
 * @example
 * const basis = srhtBasis(model.countParams(), 10_000, {seed: 3});
 */
export function srhtBasis(D: number, d: number, opts: SrhtBasisOptions = {}): SrhtBasis {
  checkStructuredOptions('srhtBasis', D, d, opts);
  const basis = new SrhtBasis(D, d, opts);
  return rememberSpec(basis, { kind: 'srht', D, d, seed: basis.seed });
}
