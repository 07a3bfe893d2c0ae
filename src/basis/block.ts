import * as tf from '@tensorflow/tfjs-core';
import { checkLength } from '../backends/precision';
import { InvalidArgumentError } from '../errors';
import { variablesOf, VariableSource } from '../layout';
import { Basis, checkAlive, checkVector } from './basis';
import { withScaleDirection } from './scaled';

/**
 * A block-diagonal basis: part i acts on the coordinates [o_i, o_i + D_i) of θ with its own d_i, so
 * each variable (or group of consecutive variables) gets its own subspace dimension and basis kind.
 * Orthonormal blocks on disjoint coordinates: QᵀQ = I. D = Σ D_i, d = Σ d_i; z lists the parts'
 * coordinates in order. The block basis owns its parts (disposes them).
 */
export class BlockBasis implements Basis {
  readonly kind = 'block';
  readonly ambientDim: number;
  readonly dim: number;
  readonly parts: readonly Basis[];
  private disposed = false;

  constructor(parts: Basis[]) {
    if (!Array.isArray(parts) || parts.length === 0) {
      throw new InvalidArgumentError('blockBasis: give a non-empty array of bases, one per block of θ.');
    }
    parts.forEach((p, i) => {
      if (p == null || typeof p.project !== 'function') {
        throw new InvalidArgumentError(`blockBasis: parts[${i}] is not a Basis.`);
      }
      checkAlive(`blockBasis (parts[${i}])`, p);
    });
    checkLength('blockBasis', parts.reduce((s, p) => s + p.ambientDim, 0)); // backends/precision.ts
    this.parts = parts.slice();
    this.ambientDim = parts.reduce((s, p) => s + p.ambientDim, 0);
    this.dim = parts.reduce((s, p) => s + p.dim, 0);
  }

  get isDisposed(): boolean {
    return this.disposed || this.parts.some((p) => p.isDisposed);
  }

  project(v: tf.Tensor1D): tf.Tensor1D {
    checkAlive('project', this);
    checkVector('project', v, this.ambientDim, 'the vector to project');
    return tf.tidy(() => this.joined(split(v, this.parts.map((p) => p.ambientDim)).map((x, i) => this.parts[i].project(x))));
  }

  lift(c: tf.Tensor1D): tf.Tensor1D {
    checkAlive('lift', this);
    checkVector('lift', c, this.dim, 'the coordinates');
    return tf.tidy(() => this.joined(split(c, this.parts.map((p) => p.dim)).map((x, i) => this.parts[i].lift(x))));
  }

  private joined(xs: tf.Tensor1D[]): tf.Tensor1D {
    return (xs.length === 1 ? xs[0] : tf.concat(xs)) as tf.Tensor1D;
  }

  materialize(): tf.Tensor2D {
    checkAlive('materialize', this);
    return tf.tidy(() => {
      let row = 0;
      let col = 0;
      const blocks = this.parts.map((p) => {
        const q = p.materialize();
        const padded = tf.pad(q, [[0, 0], [col, this.dim - col - p.dim]]);
        row += p.ambientDim;
        col += p.dim;
        return padded;
      });
      return tf.concat(blocks, 0) as tf.Tensor2D;
    });
  }

  dispose(): void {
    this.parts.forEach((p) => p.dispose());
    this.disposed = true;
  }
}

function split(v: tf.Tensor1D, sizes: number[]): tf.Tensor1D[] {
  return (sizes.length === 1 ? [v] : tf.split(v, sizes)) as tf.Tensor1D[];
}

/**
 * Places `parts` block-diagonally (see {@link BlockBasis}).
 *
 * @example
 * // 200 coordinates for the conv kernel, 50 for everything else:
 * const basis = blockBasis([hashedBasis(kernelSize, 200), gaussianBasis(restSize, 50)]);
 */
export function blockBasis(parts: Basis[]): BlockBasis {
  return new BlockBasis(parts);
}

/**
 * One basis per variable, block-diagonally, in the variables' order (a model's trainableWeights).
 * `make(size, index, variable)` builds each variable's basis — so each layer can have its own d.
 * With `{scales: true}`, each variable also gets a SAID-style scale coordinate (Aghajanyan et al.
 * 2020, made linear): the direction of its current values orthogonal to its basis, so that one
 * coordinate scales the whole layer (none for a variable that is zero, like fresh biases).
 *
 * @example
 * const basis = perVariableBasis(model, (size, i) => hashedBasis(size, Math.min(size, 64), {seed: i}));
 */
export function perVariableBasis(
  variables: VariableSource,
  make: (size: number, index: number, variable: tf.Variable) => Basis,
  opts: { scales?: boolean } = {},
): BlockBasis {
  const vars = variablesOf('perVariableBasis', variables);
  return new BlockBasis(
    vars.map((v, i) => {
      const part = make(v.size, i, v);
      if (!opts.scales) return part;
      const w = tf.tidy(() => tf.reshape(v, [v.size]) as tf.Tensor1D);
      try {
        return withScaleDirection(part, w);
      } finally {
        w.dispose();
      }
    }),
  );
}
