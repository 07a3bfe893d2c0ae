import * as tf from '@tensorflow/tfjs-core';
import { carrySlots, MomentRule } from './moments';
import { randomDirections, rebaseSeed, SvdReport, topLeftSingularVectors } from './projection';

/**
 * The 2-D view of a variable: a matrix m×n as it is, any higher-rank tensor (a conv kernel
 * [kh, kw, in, out]) as [product of all dims but the last, last] = [kh·kw·in, out]. Null for
 * scalars and vectors.
 */
export function matrixView(shape: readonly number[]): [number, number] | null {
  if (shape.length < 2) return null;
  const last = shape[shape.length - 1];
  return [shape.slice(0, -1).reduce((a, b) => a * b, 1), last];
}

let nextId = 0;

/** What a re-basing needs to know besides the gradient. */
export interface RebaseContext {
  inner: tf.Optimizer;
  /** The matrix's position in the gradient list (= its slots' index in the inner optimizer). */
  position: number;
  /** Which re-basing this is (⌊iteration / T⌋): with `seed`, it fixes Flora's draw. */
  index: number;
  seed: number;
  projection: 'svd' | 'random';
  moments: MomentRule;
}

/**
 * One projected matrix W (m×n view) of an evolving-subspace optimizer: its basis P and the proxy
 * variable the inner optimizer steps instead of W. The projection is on the smaller side: m ≤ n
 * ('left'): P is m×r, R = Pᵀ·G (r×n), ΔW = P·ΔR; m > n ('right'): P is n×r, R = G·P (m×r),
 * ΔW = ΔR·Pᵀ. The proxy (R's shape) is zero between steps: the inner optimizer's step on it is ΔR.
 */
export class ProjectedMatrix {
  readonly view: [number, number];
  readonly side: 'left' | 'right';
  readonly P: tf.Variable<tf.Rank.R2>;
  readonly proxy: tf.Variable<tf.Rank.R2>;
  /** False until the first re-basing (or a restore) has set P. */
  hasBasis = false;
  /** How the last SVD went (null before the first, and with 'random'). */
  lastSvd: SvdReport | null = null;

  constructor(
    readonly variable: tf.Variable,
    readonly rank: number,
  ) {
    const id = nextId++; // unique names: two optimizers may wrap the same variable
    this.view = matrixView(variable.shape) as [number, number];
    const [m, n] = this.view;
    this.side = m <= n ? 'left' : 'right';
    const p = Math.min(m, n);
    // tf.variable keeps its initial value's data, not the tensor: the tidy frees the zeros (no tensor left after dispose()).
    this.P = tf.tidy(() => tf.variable(tf.zeros([p, rank]), false, `evolving${id}/${variable.name}/P`)) as tf.Variable<tf.Rank.R2>;
    const proxyShape: [number, number] = this.side === 'left' ? [rank, n] : [m, rank];
    this.proxy = tf.tidy(() => tf.variable(tf.zeros(proxyShape), false, `evolving${id}/${variable.name}/R`)) as tf.Variable<tf.Rank.R2>;
  }

  /** R of the gradient g (W's shape), for the inner optimizer. */
  project(g: tf.Tensor): tf.Tensor2D {
    const G = tf.reshape(g, this.view) as tf.Tensor2D;
    return this.side === 'left' ? tf.matMul(this.P, G, true, false) : tf.matMul(G, this.P);
  }

  /** W ← W + α·lift(proxy), and the proxy back to zero. Inside a tidy. */
  applyProxy(scale: number): void {
    const delta = this.side === 'left' ? tf.matMul(this.P, this.proxy) : tf.matMul(this.proxy, this.P, false, true);
    this.variable.assign(tf.add(this.variable, tf.reshape(tf.mul(delta, scale), this.variable.shape)));
    this.proxy.assign(tf.zerosLike(this.proxy));
  }

  /**
   * A new P from the gradient g: 'svd', the top-r singular vectors of G on the smaller side (left
   * ones of G, or of Gᵀ); 'random', Flora's seeded Gaussian draw. Then the inner optimizer's slots
   * of this matrix are carried over by the moment rule (src/evolving/moments.ts). Inside a tidy.
   */
  rebase(g: tf.Tensor, ctx: RebaseContext): void {
    const p = this.P.shape[0];
    const seed = rebaseSeed(ctx.seed, ctx.position, ctx.index);
    let values: Float32Array;
    if (ctx.projection === 'random') {
      values = randomDirections(p, this.rank, seed);
    } else {
      const G = tf.reshape(g, this.view) as tf.Tensor2D;
      const { P, report } = topLeftSingularVectors(this.side === 'left' ? G : tf.transpose(G), this.rank, { seed });
      values = P;
      this.lastSvd = report;
    }
    const pNew = tf.tensor2d(values, [p, this.rank]);
    if (this.hasBasis) carrySlots(ctx.inner, ctx.position, ctx.moments, this.side, this.P, pNew);
    this.P.assign(pNew);
    this.hasBasis = true;
  }

  /** Floats held: P and the proxy. */
  get floats(): { projection: number; proxy: number } {
    return { projection: this.P.size, proxy: this.proxy.size };
  }

  dispose(): void {
    this.P.dispose();
    this.proxy.dispose();
  }
}
