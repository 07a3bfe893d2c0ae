import * as tf from '@tensorflow/tfjs-core';
import { readFloat32 } from '../backends/tensor-arrays';
import { NamedTensor } from '../layout';
import { arrayOperator, Basis, checkVector } from '../basis/basis';
import { InvalidArgumentError, NonFiniteError } from '../errors';
import { pointAt, projectDirection, projectPoint } from '../subspace';
import { SubspaceOptimizer, SubspaceOptimizerOptions } from './subspace-optimizer';
import { keepsGradientSpan } from './update-rule';

const REANCHOR_EVERY = 100;

/** How {@link projectGradients} hands the projected gradient to the inner optimizer. */
export type GradientMode = 'coordinates' | 'ambient';

/** Options of {@link projectGradients}. */
export interface ProjectGradientsOptions extends SubspaceOptimizerOptions {
  /** Default 'coordinates'. See {@link ProjectedGradientOptimizer}. */
  mode?: GradientMode;
}

/**
 * Gradient projection (docs/concepts.md, "The three training paths", path 2).
 *
 * - `coordinates`: c = Qᵀg; the inner optimizer steps an internal d-vector z with gradient c (its
 *   slots are d-dimensional), then θ ← θ0 + Q·z. Since ∂L/∂z = Qᵀ∇L(θ0 + Qz), this is exactly the
 *   reparameterized model for every optimizer, and θ is recomputed from z each step (no drift).
 * - `ambient`: the inner optimizer receives g̃ = QQᵀg per variable and keeps D-sized slots. Equal to
 *   the reparameterized model for SGD and momentum; element-wise adaptive optimizers (Adam, Adagrad,
 *   …) rescale g̃ coordinate by coordinate, so their steps leave span(Q). A variable whose gradient
 *   is null/undefined is handed to the inner optimizer as null, as tf.train does: it and its slots
 *   are not touched in that step.
 */
export class ProjectedGradientOptimizer extends SubspaceOptimizer {
  static readonly className = 'ProjectedGradient';
  private readonly gradientMode: GradientMode;
  private z: tf.Variable<tf.Rank.R1> | null;
  private hostOrigin: { of: tf.Tensor1D; values: Float32Array } | null = null;
  private hostTheta: Float32Array | null = null;
  /** Ambient mode: whether the inner update keeps steps in the span of the gradients (update-rule.ts). */
  private readonly reanchors: boolean;

  constructor(inner: tf.Optimizer, basis: Basis, opts: ProjectGradientsOptions) {
    const mode = opts?.mode ?? 'coordinates';
    if (mode !== 'coordinates' && mode !== 'ambient') {
      throw new InvalidArgumentError(
        `projectGradients: mode must be 'coordinates' or 'ambient', got '${mode}'.`,
      );
    }
    super('projectGradients', inner, basis, opts);
    this.gradientMode = mode;
    this.reanchors = mode === 'ambient' && keepsGradientSpan(inner);
    this.z =
      mode === 'coordinates'
        ? tf.tidy(() => this.coordinates().variable(false) as tf.Variable<tf.Rank.R1>) // 0 unless θ started off the origin
        : null;
  }

  get mode(): GradientMode {
    return this.gradientMode;
  }

  /** Coordinates mode always re-derives θ from z; ambient mode keeps θ in the subspace only when it re-anchors. */
  protected get keepsSubspace(): boolean {
    return this.z !== null || this.reanchors;
  }

  protected override ownCoordinates(): tf.Variable | null {
    return this.z;
  }

  protected step(g: tf.Tensor1D, present: boolean[], free: NamedTensor[]): void {
    const origin = this.alive('step');
    const host = this.z ? arrayOperator(this.basis) : null;
    if (this.z && host) {
      // Typed-array basis: read g once, write θ = θ0 + Q·z once (no split/add/concat ops).
      const z = this.z;
      const c = tf.tensor1d(host.project(readFloat32(g))); // g read in place where the backend allows
      this.inner.applyGradients([{ name: z.name, tensor: c }, ...free]);
      this.hostTheta ??= new Float32Array(this.basis.ambientDim); // reused: no fresh D floats per step
      this.layout.assignFlat(host.lift(z.dataSync() as Float32Array, this.originOnHost(), this.hostTheta));
    } else if (this.z) {
      const z = this.z;
      this.inner.applyGradients([{ name: z.name, tensor: this.basis.project(g) }, ...free]);
      this.layout.assign(pointAt(this.basis, origin, z));
    } else {
      const parts = this.layout.split(projectDirection(this.basis, g));
      const named = this.layout.names.map((name, i) => ({ name, tensor: present[i] ? parts[i] : null }));
      this.inner.applyGradients([...(named as NamedTensor[]), ...free]);
      // Steps of an update rule that keeps the gradients' span (SGD, momentum: update-rule.ts) lie in
      // span(Q) exactly, but float32 rounding of θ accumulates (relative distance 2e-6 after 10⁴ steps,
      // 1e-4 after 10⁵): re-anchor θ onto θ0 + span(Q) every 100 steps. Adaptive optimizers leave the
      // subspace by design in this mode and are left alone. Keyed to the iteration count (restored by
      // setWeights), so a resumed run re-anchors on the same steps.
      if (this.reanchors && (this.iterations + 1) % REANCHOR_EVERY === 0) {
        this.layout.assign(projectPoint(this.basis, origin, this.layout.read()));
      }
    }
  }

  /** θ0 as a host array for the typed-array path (read once per origin: setWeights replaces it). */
  private originOnHost(): Float32Array {
    const origin = this.alive('step');
    if (this.hostOrigin?.of !== origin) this.hostOrigin = { of: origin, values: origin.dataSync() as Float32Array };
    return this.hostOrigin.values;
  }

  protected projectedShapes(): ReadonlyArray<readonly number[]> {
    return this.z ? [[this.basis.dim]] : this.layout.shapes;
  }
  protected projectedNames(): readonly string[] {
    return this.z ? [this.z.name] : this.layout.names;
  }

  protected override ownWeights(): NamedTensor[] {
    return this.z ? [{ name: 'subspace/z', tensor: this.z }] : [];
  }
  protected override checkOwnWeights(weights: NamedTensor[]): void {
    if (!this.z) return;
    const z = weights[0].tensor;
    checkVector(this.where, z, this.basis.dim, "the saved coordinates 'subspace/z'");
    if (!tf.tidy(() => tf.all(tf.isFinite(z)).dataSync()[0])) {
      throw new NonFiniteError(`${this.where}: the saved coordinates 'subspace/z' contain NaN or Infinity.`);
    }
  }
  protected override restoreOwnWeights(weights: NamedTensor[]): void {
    this.z?.assign(weights[0].tensor as tf.Tensor1D);
  }
  protected override disposeOwn(): void {
    this.z?.dispose();
    this.z = null;
    this.hostOrigin = null;
    this.hostTheta = null;
  }
}

/**
 * Wraps `inner` so that every step moves the variables only within θ0 + span(Q): the full gradient g
 * is projected onto span(Q) before the inner optimizer sees it.
 *
 * @example
 * const basis = gaussianBasis(trainableParameterCount(model), 100, {seed: 1});
 * model.compile({optimizer: projectGradients(tf.train.adam(1e-2), basis, {variables: model}),
 *                loss: 'categoricalCrossentropy'});
 * await model.fit(xs, ys, {epochs: 5});
 *
 * Reference: Li, Farkhoor, Liu, Yosinski (2018), "Measuring the Intrinsic Dimension of Objective
 * Landscapes" (training in a random subspace θ0 + P·z).
 */
export function projectGradients(
  inner: tf.Optimizer,
  basis: Basis,
  opts: ProjectGradientsOptions,
): ProjectedGradientOptimizer {
  return new ProjectedGradientOptimizer(inner, basis, opts);
}
