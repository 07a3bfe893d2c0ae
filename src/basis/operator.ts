import * as tf from '@tensorflow/tfjs-core';
import { readFloat32, writeFloat32 } from '../backends/tensor-arrays';
import { useTfOps } from '../backends/precision';
import { InvalidArgumentError } from '../errors';
import { checkSeed } from '../random';
import { adjointPair, ArrayOperator, Basis, checkAlive, checkDims, checkVector, makeArrayOperator } from './basis';

/**
 * Where a structured basis computes: 'arrays' (JavaScript typed arrays, on the 'simd' engine where
 * WebAssembly SIMD runs and on 'loops' otherwise, with the same bits), 'tf' (tf ops on the backend:
 * no download) or 'auto' ('tf' on webgl/webgpu where tensors hold the basis exactly, else 'arrays').
 */
export type StructuredCompute = 'auto' | 'arrays' | 'tf';

/** The options every structured basis (hashed, SRHT) takes. */
export interface StructuredBasisOptions {
  /** Seed of the basis' random choices (a safe integer). Default 0. The same seed gives the same Q everywhere. */
  seed?: number;
  /**
   * 'arrays': typed arrays (WebAssembly SIMD where it runs, JavaScript loops with the same bits
   * otherwise); fastest on cpu and wasm, where the vector is read in place. 'tf': tf ops, the same
   * bits (no download: the path for webgl and webgpu). 'auto' (default): 'tf' on webgl/webgpu, else
   * 'arrays'. (Was `impl: 'auto' | 'js' | 'tf'`, which now throws.)
   */
  compute?: StructuredCompute;
}

const COMPUTES: readonly string[] = ['auto', 'arrays', 'tf'];

/**
 * The one check of a structured basis' arguments (for the factory and the constructor alike): D and
 * d, the options object, its seed and compute. Old spellings throw an {@link InvalidArgumentError}
 * naming the new one: a bare seed as third argument (`new HashedBasis(D, d, seed)`), option `impl`,
 * compute 'js'. Returns the seed and compute with their defaults.
 */
export function checkStructuredOptions(
  where: string,
  D: number,
  d: number,
  opts: unknown,
): { seed: number; compute: StructuredCompute } {
  checkDims(where, D, d);
  if (typeof opts === 'number') {
    throw new InvalidArgumentError(
      `${where}: the seed now goes in the options object: pass { seed: ${opts} } as the third argument ` +
        `(and { compute } instead of a fourth 'impl' argument).`,
    );
  }
  if (opts === null || typeof opts !== 'object') {
    throw new InvalidArgumentError(`${where}: the options must be an object { seed, compute }, got ${String(opts)}.`);
  }
  const o = opts as StructuredBasisOptions & { impl?: unknown };
  if (o.impl !== undefined) {
    throw new InvalidArgumentError(
      `${where}: option 'impl' is now called 'compute' (impl 'js' is now compute 'arrays'); ` +
        `pass { compute: 'auto' | 'arrays' | 'tf' }.`,
    );
  }
  const compute = o.compute ?? 'auto';
  if (!COMPUTES.includes(compute)) {
    const renamed = (compute as string) === 'js' ? " (compute 'js' is now called 'arrays')" : '';
    throw new InvalidArgumentError(`${where}: compute must be 'auto', 'arrays' or 'tf', got ${JSON.stringify(compute)}${renamed}.`);
  }
  return { seed: checkSeed(where, o.seed), compute };
}

/**
 * What the structured (matrix-free) bases share: size and argument checks, the choice between
 * computing on typed arrays (fastest on cpu/wasm) and with tf ops (no download: webgl/webgpu), and
 * gradients given by adjointness (Q and Qᵀ are each other's gradient).
 */
export abstract class OperatorBasis implements Basis {
  abstract readonly kind: string;
  abstract readonly isDisposed: boolean;
  readonly ambientDim: number;
  readonly dim: number;
  readonly seed: number;
  protected readonly compute: StructuredCompute;

  protected constructor(where: string, D: number, d: number, opts: StructuredBasisOptions) {
    const { seed, compute } = checkStructuredOptions(where, D, d, opts);
    this.ambientDim = D;
    this.dim = d;
    this.seed = seed;
    this.compute = compute;
  }

  /**
   * 'tf' when asked, or on 'auto' with a GPU backend (where a download would stall the pipeline)
   * whose tensors hold the basis exactly; 'tf' where they cannot throws (backends/precision.ts).
   */
  protected useTf(): boolean {
    return useTfOps(`${this.kind}Basis`, this.compute, this.ambientDim);
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    checkAlive('project', this);
    checkVector('project', v, this.ambientDim, 'the vector to project');
    return this.ops.project(v);
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    checkAlive('lift', this);
    checkVector('lift', c, this.dim, 'the coordinates');
    return this.ops.lift(c);
  }

  /** The typed-array operator when the basis computes on 'arrays' (see {@link ArrayOperator}). */
  arrayOperator(): ArrayOperator | null {
    if (this.useTf()) return null;
    checkAlive('arrayOperator', this);
    return makeArrayOperator(this.ambientDim, (x) => this.projectArrays(x), (z, out, base) => this.liftInto(z, out, base));
  }

  /** Qᵀx on typed arrays (compute 'arrays'). */
  protected abstract projectArrays(x: Float32Array): Float32Array;
  /** out ← base + Q·z (or Q·z without base) on typed arrays; out has length D and any contents. */
  protected abstract liftInto(z: Float32Array, out: Float32Array, base?: Float32Array): void;
  /** Qᵀv and Q·c with tf ops only (compute 'tf': no download). */
  protected abstract projectTf(v: tf.Tensor1D): tf.Tensor1D;
  protected abstract liftTf(c: tf.Tensor1D): tf.Tensor1D;

  /**
   * Qᵀv and Q·c without checks or gradients. The 'arrays' path reads v in place and writes Q·c straight
   * into the output tensor's memory where the backend allows it (wasm, cpu), so a call holds no
   * D-long copy besides the basis' own work array.
   */
  protected projectRaw(v: tf.Tensor1D): tf.Tensor1D {
    return this.useTf() ? this.projectTf(v) : tf.tensor1d(this.projectArrays(readFloat32(v)));
  }

  protected liftRaw(c: tf.Tensor1D): tf.Tensor1D {
    if (this.useTf()) return this.liftTf(c);
    const z = c.dataSync() as Float32Array; // d numbers, read before the output is allocated
    return writeFloat32(this.ambientDim, (out) => this.liftInto(z, out));
  }

  private readonly ops = adjointPair(
    (v) => this.projectRaw(v),
    (c) => this.liftRaw(c),
  );

  abstract materialize(): tf.Tensor2D;
  abstract dispose(): void;
}

/** The active backend's name, or '' where none can be initialized yet. */
export function currentBackend(): string {
  try {
    return tf.getBackend() ?? '';
  } catch {
    return '';
  }
}
