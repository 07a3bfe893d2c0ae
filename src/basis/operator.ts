import * as tf from '@tensorflow/tfjs-core';
import { readFloat32, writeFloat32 } from '../backends/host-arrays';
import { useTfOps } from '../backends/precision';
import { InvalidArgumentError } from '../errors';
import { adjointPair, Basis, checkAlive, checkDims, checkVector, HostOperator, makeHostOperator } from './basis';

/** Which implementation a structured basis uses: typed arrays ('js') or tf ops ('tf'). */
export type OperatorImpl = 'auto' | 'js' | 'tf';

/**
 * What the structured (matrix-free) bases share: size and argument checks, the choice between a
 * typed-array implementation (fastest on cpu/wasm) and a tf-op one (no download: webgl/webgpu), and
 * gradients given by adjointness (Q and Qᵀ are each other's gradient).
 */
export abstract class OperatorBasis implements Basis {
  abstract readonly kind: string;
  abstract readonly isDisposed: boolean;
  readonly ambientDim: number;
  readonly dim: number;
  readonly seed: number;
  protected readonly impl: OperatorImpl;

  protected constructor(where: string, D: number, d: number, seed: number, impl: OperatorImpl) {
    checkDims(where, D, d);
    if (!Number.isInteger(seed)) throw new InvalidArgumentError(`${where}: seed must be an integer, got ${seed}.`);
    if (!['auto', 'js', 'tf'].includes(impl)) {
      throw new InvalidArgumentError(`${where}: impl must be 'auto', 'js' or 'tf', got '${impl}'.`);
    }
    this.ambientDim = D;
    this.dim = d;
    this.seed = seed;
    this.impl = impl;
  }

  /**
   * 'tf' when asked, or on 'auto' with a GPU backend (where a download would stall the pipeline)
   * whose tensors hold the basis exactly; 'tf' where they cannot throws (backends/precision.ts).
   */
  protected useTf(): boolean {
    return useTfOps(`${this.kind}Basis`, this.impl, this.ambientDim);
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

  /** The typed-array operator when the 'js' implementation is in use (see {@link HostOperator}). */
  hostOperator(): HostOperator | null {
    if (this.useTf()) return null;
    checkAlive('hostOperator', this);
    return makeHostOperator(this.ambientDim, (x) => this.projectHost(x), (z, out, base) => this.liftInto(z, out, base));
  }

  /** Qᵀx on typed arrays (the 'js' implementation). */
  protected abstract projectHost(x: Float32Array): Float32Array;
  /** out ← base + Q·z (or Q·z without base) on typed arrays; out has length D and any contents. */
  protected abstract liftInto(z: Float32Array, out: Float32Array, base?: Float32Array): void;
  /** Qᵀv and Q·c with tf ops only (the 'tf' implementation: no download). */
  protected abstract projectTf(v: tf.Tensor1D): tf.Tensor1D;
  protected abstract liftTf(c: tf.Tensor1D): tf.Tensor1D;

  /**
   * Qᵀv and Q·c without checks or gradients. The 'js' path reads v in place and writes Q·c straight
   * into the output tensor's memory where the backend allows it (wasm, cpu), so a call holds no
   * D-long copy besides the basis' own work array.
   */
  protected projectRaw(v: tf.Tensor1D): tf.Tensor1D {
    return this.useTf() ? this.projectTf(v) : tf.tensor1d(this.projectHost(readFloat32(v)));
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
