import * as tf from '@tensorflow/tfjs-core';
import { readFloat32 } from '../../backends/tensor-arrays';
import { Basis, checkVector, arrayOperator } from '../../basis/basis';
import { NonFiniteError } from '../../errors';
import { NamedTensor } from '../../layout';
import { coordinatesOf, pointAt } from '../../subspace';
import { isFiniteTensor } from '../finite';
import { COORDINATES_WEIGHT, RuleContext, RuleDefinition, UpdateRule } from './rule';

/**
 * Coordinates mode (docs/concepts.md, "The three training paths", path 2): c = Qᵀg; the inner
 * optimizer steps an internal d-vector z with gradient c (its slots are d-dimensional), then
 * θ ← θ0 + Q·z. Since ∂L/∂z = Qᵀ∇L(θ0 + Qz), this is exactly the reparameterized model for every
 * optimizer, and θ is recomputed from z each step (no drift).
 */
class CoordinatesRule implements UpdateRule {
  readonly keepsSubspace = true;
  readonly coordinates: tf.Variable<tf.Rank.R1>;
  readonly slotNames: readonly string[];
  readonly slotShapes: ReadonlyArray<readonly number[]>;
  private originArray: { of: tf.Tensor1D; values: Float32Array } | null = null;
  private thetaArray: Float32Array | null = null;

  constructor(private readonly ctx: RuleContext) {
    const { basis, layout } = ctx;
    // 0 unless θ started off the origin.
    this.coordinates = tf.tidy(() => coordinatesOf(basis, ctx.origin(), layout.read()).variable(false) as tf.Variable<tf.Rank.R1>);
    this.slotNames = [this.coordinates.name];
    this.slotShapes = [[basis.dim]];
  }

  step(g: tf.Tensor1D, _present: readonly boolean[], free: NamedTensor[]): void {
    const { basis, inner, layout } = this.ctx;
    const z = this.coordinates;
    const arrays = arrayOperator(basis);
    if (arrays) {
      // Typed-array basis: read g once, write θ = θ0 + Q·z once (no split/add/concat ops).
      const c = tf.tensor1d(arrays.project(readFloat32(g))); // g read in place where the backend allows
      inner.applyGradients([{ name: z.name, tensor: c }, ...free]);
      this.thetaArray ??= new Float32Array(basis.ambientDim); // reused: no fresh D floats per step
      layout.assignFlat(arrays.lift(z.dataSync() as Float32Array, this.originAsArray(), this.thetaArray));
    } else {
      inner.applyGradients([{ name: z.name, tensor: basis.project(g) }, ...free]);
      layout.assign(pointAt(basis, this.ctx.origin(), z));
    }
  }

  /** θ0 as a typed array for the typed-array path (read once per origin: setWeights and rebase replace it). */
  private originAsArray(): Float32Array {
    const origin = this.ctx.origin();
    if (this.originArray?.of !== origin) this.originArray = { of: origin, values: origin.dataSync() as Float32Array };
    return this.originArray.values;
  }

  weights(): NamedTensor[] {
    return [{ name: COORDINATES_WEIGHT, tensor: this.coordinates }];
  }

  restoreWeights(weights: NamedTensor[]): void {
    this.coordinates.assign(weights[0].tensor as tf.Tensor1D);
  }

  dispose(): void {
    this.coordinates.dispose();
    this.originArray = null;
    this.thetaArray = null;
  }
}

export const coordinatesRule: RuleDefinition<'coordinates', 'ProjectedGradient'> = {
  mode: 'coordinates',
  savedAs: 'ProjectedGradient',
  savedWeights: [COORDINATES_WEIGHT],
  checkSaved(where: string, weights: NamedTensor[], basis: Basis): void {
    const z = weights[0].tensor;
    checkVector(where, z, basis.dim, `the saved coordinates '${COORDINATES_WEIGHT}'`);
    if (!isFiniteTensor(z)) {
      throw new NonFiniteError(`${where}: the saved coordinates '${COORDINATES_WEIGHT}' contain NaN or Infinity.`);
    }
  },
  create: (ctx) => new CoordinatesRule(ctx),
};
