import * as tf from '@tensorflow/tfjs-core';
import seedrandom from 'seedrandom';
import { fwht } from '../linalg/fwht';
import { shuffled } from '../random';
import { rememberSpec } from './spec';
import { checkAlive } from './basis';
import { OperatorBasis, OperatorImpl } from './operator';

/** Options of {@link srhtBasis}. */
export interface SrhtBasisOptions {
  /** Seed of the permutation, the signs and the column subsets (any integer). Default 0. */
  seed?: number;
  /**
   * 'js': a cache-blocked Walsh–Hadamard transform on typed arrays (fastest on cpu and wasm; reads
   * the vector from the device). 'tf': the same transform as tf ops (no download: the path for webgl
   * and webgpu). 'auto' (default): 'tf' on webgl/webgpu, else 'js'.
   */
  impl?: OperatorImpl;
}

interface Block {
  offset: number; // first position (in permuted order) of the block
  size: number; // n_b, a power of two
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
 */
export class SrhtBasis extends OperatorBasis {
  readonly kind = 'srht';
  readonly blocks: readonly Block[];
  private readonly order: Int32Array; // u_k = v[order[k]]
  private readonly inverse: Int32Array; // order⁻¹
  private readonly scale: Float32Array; // s_k / √n_b
  private tensors: { order: tf.Tensor1D; inverse: tf.Tensor1D; scale: tf.Tensor1D; spread: tf.Tensor1D[] } | null = null;
  private disposed = false;

  constructor(D: number, d: number, opts: SrhtBasisOptions = {}) {
    super('srhtBasis', D, d, opts.seed ?? 0, opts.impl ?? 'auto');
    const rng = seedrandom.alea(`srht:${this.seed}`);
    this.order = shuffled(D, rng);
    this.inverse = new Int32Array(D);
    this.order.forEach((i, k) => (this.inverse[i] = k));
    this.blocks = splitBlocks(D, d, rng);
    this.scale = new Float32Array(D);
    for (const b of this.blocks) {
      const s = 1 / Math.sqrt(b.size);
      for (let k = b.offset; k < b.offset + b.size; k++) this.scale[k] = rng() < 0.5 ? -s : s;
    }
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  protected projectRaw(v: tf.Tensor1D): tf.Tensor1D {
    return this.useTf() ? this.projectTf(v) : tf.tensor1d(this.projectHost(v.dataSync() as Float32Array));
  }

  protected liftRaw(c: tf.Tensor1D): tf.Tensor1D {
    return this.useTf() ? this.liftTf(c) : tf.tensor1d(this.liftHost(c.dataSync() as Float32Array));
  }

  protected projectHost(x: Float32Array): Float32Array {
    const u = new Float32Array(this.ambientDim);
    // Scatter through the inverse permutation (sequential reads), then scale in place: ≈ 4× faster
    // at D = 10⁷ than gathering x through the permutation.
    const { inverse, scale } = this;
    for (let i = 0; i < u.length; i++) u[inverse[i]] = x[i];
    for (let k = 0; k < u.length; k++) u[k] *= scale[k];
    const c = new Float32Array(this.dim);
    for (const b of this.blocks) {
      if (b.cols.length === 0) continue;
      fwht(u, b.offset, b.size);
      b.cols.forEach((j, t) => (c[b.colOffset + t] = u[b.offset + j]));
    }
    return c;
  }

  protected liftHost(z: Float32Array, base?: Float32Array): Float32Array {
    const u = new Float32Array(this.ambientDim);
    for (const b of this.blocks) {
      if (b.cols.length === 0) continue;
      b.cols.forEach((j, t) => (u[b.offset + j] = z[b.colOffset + t]));
      fwht(u, b.offset, b.size);
    }
    // Scattered writes through the permutation (a gather through the inverse reads ≈ 4× slower at
    // D = 10⁷), then θ0 added in θ order: each sum rounded once, as tf.add(θ0, Q·z) rounds it.
    const { order, scale } = this;
    const v = new Float32Array(this.ambientDim);
    for (let k = 0; k < u.length; k++) v[order[k]] = u[k] * scale[k];
    if (base) for (let i = 0; i < v.length; i++) v[i] += base[i];
    return v;
  }

  /** The tf-op tensors, made on first use of the 'tf' path. */
  private tfState() {
    if (!this.tensors) {
      this.tensors = tf.tidy(() => ({
        order: tf.keep(tf.tensor1d(this.order, 'int32')),
        inverse: tf.keep(tf.tensor1d(this.inverse, 'int32')),
        scale: tf.keep(tf.tensor1d(this.scale)),
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

  private projectTf(v: tf.Tensor1D): tf.Tensor1D {
    const s = this.tfState();
    return tf.tidy(() => {
      const u = tf.mul(tf.gather(v, s.order), s.scale);
      const parts = this.blocks
        .filter((b) => b.cols.length > 0)
        .map((b) => tf.gather(fwhtTf(tf.slice(u, b.offset, b.size)), tf.tensor1d(b.cols, 'int32')));
      return (parts.length === 1 ? parts[0] : tf.concat(parts)) as tf.Tensor1D;
    });
  }

  private liftTf(c: tf.Tensor1D): tf.Tensor1D {
    const s = this.tfState();
    return tf.tidy(() => {
      const zero = tf.zeros([1]);
      const parts = this.blocks.map((b, i) =>
        b.cols.length === 0
          ? tf.zeros([b.size])
          : fwhtTf(tf.gather(tf.concat([tf.slice(c, b.colOffset, b.cols.length), zero]), s.spread[i])),
      );
      const u = parts.length === 1 ? parts[0] : tf.concat(parts);
      return tf.gather(tf.mul(u, s.scale), s.inverse) as tf.Tensor1D;
    });
  }

  /** Q from its closed form Q[order[k], col] = scale_k·(−1)^popcount((k − o_b) & j) (small D only). */
  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    const { ambientDim: D, dim: d } = this;
    const q = new Float32Array(D * d);
    for (const b of this.blocks) {
      for (let i = 0; i < b.size; i++) {
        const k = b.offset + i;
        b.cols.forEach((j, t) => (q[this.order[k] * d + b.colOffset + t] = this.scale[k] * (popcount(i & j) % 2 ? -1 : 1)));
      }
    }
    return tf.tensor2d(q, [D, d]);
  }

  dispose(): void {
    if (this.tensors) {
      const { order, inverse, scale, spread } = this.tensors;
      tf.dispose([order, inverse, scale, ...spread]);
      this.tensors = null;
    }
    this.disposed = true;
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
    const block = { offset, size, cols: Int32Array.from(cols), colOffset };
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
  const basis = new SrhtBasis(D, d, opts);
  return rememberSpec(basis, { kind: 'srht', D, d, seed: basis.seed });
}
