import * as tf from '@tensorflow/tfjs-core';
import { CheckpointError, DisposedError, DtypeError, InvalidArgumentError, UnknownVariableError } from '../errors';
import { GradientInput, NamedTensor } from '../layout';
import { exactInstanceof } from '../optimizer/exact-instanceof';
import { disposeInner, innerWeights, supportsExactState } from '../optimizer/inner-state';
import { rebuildFromConfig, savedConfigOf } from './saved-config';
import { slotFloats } from './moments';
import { checkGaloreArguments, GaloreOptions, GaloreSettings } from './options';
import { matrixView, ProjectedMatrix } from './projected-matrix';
import { disposeCopy, Entry, keepCopy, P_PREFIX, restoreBound, restoreBoundAsync, splitSaved } from './saved-state';

export type { GaloreOptions } from './options';

/** Floats held by an evolving-subspace optimizer's state, and what bare Adam would hold. */
export interface StateFloats {
  /** The inner optimizer's slots (r×n or m×r per projected matrix, full size for the others). */
  innerSlots: number;
  /** The bases P, min(m, n)·r per projected matrix. */
  projections: number;
  /** The proxies the inner optimizer steps (R's shape; zero between steps). */
  proxies: number;
  /** innerSlots + projections + proxies. */
  total: number;
  /** Adam on the same variables, unprojected: 2 floats per parameter. */
  fullAdam: number;
}

/**
 * GaLore (Zhao et al. 2024) and Flora (Hao et al. 2024): a tf.Optimizer that trains each large
 * matrix W in a low-rank subspace that evolves. For every variable whose 2-D view is m×n — a
 * matrix as it is, a conv kernel [kh, kw, in, out] as [kh·kw·in, out] — with min(m, n) > rank, the
 * gradient G is projected on its smaller side onto r orthonormal directions: m ≤ n: P is m×r,
 * R = Pᵀ·G (r×n); m > n: P is n×r, R = G·P (m×r). The inner optimizer steps a zero proxy of R's
 * shape with gradient R — so its state (Adam's two moments) is R-sized — and its step ΔR, which
 * for Adam is −lr·N_t with N_t = m̂/(√v̂ + ε) the update direction of the moments, is lifted:
 * W ← W + α·P·ΔR (or α·ΔR·Pᵀ), GaLore's W ← W − η·α·P·N_t. The proxy is then set back to zero: its
 * value is never part of the update (tf.train optimizers have no weight decay), and a zero-based
 * proxy makes ΔR its value exactly (no accumulated sum to subtract, nothing to carry across bases).
 *
 * Every `updateEvery` (T) steps — at steps 0, T, 2T, … — P is recomputed from the current gradient:
 * 'svd', its top-r singular vectors (src/evolving/projection.ts); 'random', a seeded Gaussian draw
 * (deterministic per seed, position and re-basing index). The inner slots are then carried to the
 * new basis by `moments` (src/evolving/moments.ts). Vectors (biases), the `full` variables and
 * matrices with min(m, n) ≤ rank go to the inner optimizer unchanged.
 *
 * The variables are those of the first step's gradients, in their order (model.fit and minimize
 * give the same list every step); every later step must give a gradient for each of them.
 */
export class EvolvingSubspaceOptimizer extends tf.Optimizer {
  static readonly className: string = 'EvolvingSubspaceOptimizer';
  private entries: Entry[] | null = null;
  /** A state restored before the first step (no variables known yet), applied when it binds. */
  private pending: ReturnType<typeof splitSaved> | null = null;
  private disposed = false;
  /** The gradient positions stepped in full (the `full` variables), known once bound — or from a saved config. */
  private fullPositions: number[] | null;

  constructor(
    /** The wrapped optimizer; owned (disposed with this one). */
    readonly inner: tf.Optimizer,
    readonly settings: GaloreSettings,
    private readonly where = 'galore',
    /** From a saved config (fromConfig): the `full` variables by gradient position, and how many variables it was saved with. */
    private readonly restoring: { full: number[]; variables: number | null } | null = null,
  ) {
    super();
    this.fullPositions = restoring ? restoring.full.slice() : null;
  }

  override getClassName(): string {
    return EvolvingSubspaceOptimizer.className;
  }

  /** The projected matrices, by gradient position (null where the variable is stepped in full); empty before the first step. */
  get matrices(): ReadonlyArray<ProjectedMatrix | null> {
    return (this.entries ?? []).map((e) => e.matrix);
  }

  override applyGradients(variableGradients: GradientInput): void {
    this.alive('applyGradients');
    const list = this.gradientList(variableGradients);
    const entries = this.entries ?? this.bind(list);
    const grads = this.ordered(entries, list);
    const { updateEvery, scale, seed, projection, moments } = this.settings;
    const rebase = this.iterations % updateEvery === 0;
    const index = Math.floor(this.iterations / updateEvery);
    tf.tidy(() => {
      const innerGrads = entries.map(({ variable, matrix }, position): NamedTensor => {
        if (!matrix) return { name: variable.name, tensor: grads[position] };
        if (rebase || !matrix.hasBasis) matrix.rebase(grads[position], { inner: this.inner, position, index, seed, projection, moments });
        return { name: matrix.proxy.name, tensor: matrix.project(grads[position]) };
      });
      this.inner.applyGradients(innerGrads);
      for (const { matrix } of entries) matrix?.applyProxy(scale);
    });
    this.incrementIterations();
  }

  /** How many floats the state holds (read from the variables, no device read), against bare Adam's 2 per parameter. */
  optimizerStateFloats(): StateFloats {
    this.alive('optimizerStateFloats');
    const entries = this.entries ?? [];
    const innerSlots = slotFloats(this.inner);
    const projections = entries.reduce((s, e) => s + (e.matrix?.floats.projection ?? 0), 0);
    const proxies = entries.reduce((s, e) => s + (e.matrix?.floats.proxy ?? 0), 0);
    const fullAdam = 2 * entries.reduce((s, e) => s + e.variable.size, 0);
    return { innerSlots, projections, proxies, total: innerSlots + projections + proxies, fullAdam };
  }

  /**
   * [iterations, `evolving/P/<position>` for each projected matrix, …the inner optimizer's state
   * (src/optimizer/inner-state.ts)]. As with tf.train optimizers the first entry is a new tensor
   * (dispose it); the others are this optimizer's own variables.
   */
  override async getWeights(): Promise<NamedTensor[]> {
    this.alive('getWeights');
    const iter = await this.saveIterations();
    if (!this.entries) {
      const kept = this.pending;
      return kept ? [iter, ...[...kept.bases].map(([pos, tensor]) => ({ name: `${P_PREFIX}${pos}`, tensor })), ...kept.inner] : [iter];
    }
    const bases = this.entries.flatMap((e, pos) => (e.matrix ? [{ name: `${P_PREFIX}${pos}`, tensor: e.matrix.P as tf.Tensor }] : []));
    return [iter, ...bases, ...(await innerWeights(this.inner))];
  }

  /**
   * Restores what {@link getWeights} returned (copies it), validated before anything changes. Before
   * the first step the variables are not known yet: the state is kept and applied, by gradient
   * position, when the first step binds them — so it restores into a fresh copy of the model.
   */
  override async setWeights(weightValues: NamedTensor[]): Promise<void> {
    this.alive('setWeights');
    const saved = splitSaved(`${this.where}.setWeights`, weightValues);
    if (this.entries) {
      await restoreBoundAsync(`${this.where}.setWeights`, this.inner, this.entries, saved);
    } else {
      if (!supportsExactState(this.inner)) {
        throw new CheckpointError(
          `${this.where}.setWeights: a ${this.inner.getClassName()} inner optimizer can only be restored after the first step; take one step first or use a tf.train optimizer.`,
        );
      }
      if (this.pending) disposeCopy(this.pending);
      // [iteration 0] alone is what an optimizer that never stepped returns (and model.save stores): nothing to restore.
      const empty = saved.iterations === 0 && saved.bases.size === 0 && saved.inner.length === 0;
      this.pending = empty ? null : keepCopy(saved);
    }
    this.iterations_ = saved.iterations;
  }

  /**
   * The config `model.save(…, {includeOptimizer: true})` stores (src/evolving/saved-config.ts): the
   * inner optimizer's class name and config, rank, updateEvery, scale, projection, seed, moments,
   * the `full` variables by gradient position and the number of variables. Throws CheckpointError
   * (so the save fails, nothing written) where the optimizer could not be rebuilt and restored on load.
   */
  override getConfig(): tf.serialization.ConfigDict {
    this.alive('getConfig');
    const variables = this.entries ? this.entries.length : (this.restoring?.variables ?? null);
    return savedConfigOf(`${this.where}.getConfig`, this.inner, this.settings, this.fullPositions, variables) as unknown as tf.serialization.ConfigDict;
  }

  /**
   * tf.serialization's entry for a saved EvolvingSubspaceOptimizer (tf.loadLayersModel): the config
   * is checked (a typed error naming the bad field, nothing left behind), the inner optimizer rebuilt
   * from its class name and config, and an optimizer made that binds at its first step, with the
   * `full` positions of the saved one; tfjs-layers then restores its state with setWeights.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    const { inner, settings, restoring } = rebuildFromConfig(`${EvolvingSubspaceOptimizer.className}.fromConfig`, config);
    const Cls = cls as unknown as new (...args: ConstructorParameters<typeof EvolvingSubspaceOptimizer>) => T;
    return new Cls(inner, settings, 'galore', restoring);
  }

  /** Frees the bases, the proxies, a pending restored state and the inner optimizer. Twice is harmless. */
  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    for (const e of this.entries ?? []) e.matrix?.dispose();
    if (this.pending) disposeCopy(this.pending);
    this.entries = null;
    this.pending = null;
    disposeInner(this.inner);
    super.dispose();
  }

  get isDisposed(): boolean {
    return this.disposed;
  }

  private alive(what: string): void {
    if (this.disposed) throw new DisposedError(`${this.where}.${what}: the optimizer was disposed; create a new one with galore(…).`);
  }

  private gradientList(grads: GradientInput): NamedTensor[] {
    const list = Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
    const missing = list.find((g) => !(g.tensor instanceof tf.Tensor));
    if (missing) {
      throw new InvalidArgumentError(`${this.where}.applyGradients: no gradient for '${missing.name}'; every step needs one per variable (leave the variable out of varList instead).`);
    }
    return list;
  }

  /** Makes the per-position state from the first step's gradients (and applies a pending restore). */
  private bind(list: NamedTensor[]): Entry[] {
    const where = `${this.where}.applyGradients`;
    const variables = list.map(({ name, tensor }) => {
      const v = tf.engine().registeredVariables[name];
      if (!v) throw new UnknownVariableError(`${where}: got a gradient for '${name}', which is no registered tf.Variable; pass gradients by variable name.`);
      if (v.dtype !== 'float32') throw new DtypeError(`${where}: variable '${name}' is ${v.dtype}; only float32 variables can be trained (mark it non-trainable).`);
      if (!tf.util.arraysEqual(v.shape, tensor.shape)) {
        throw new InvalidArgumentError(`${where}: the gradient of '${name}' has shape [${tensor.shape}], the variable [${v.shape}].`);
      }
      return v;
    });
    const { rank, full } = this.settings;
    const fullAt = this.fullPositionsFor(where, variables) ?? variables.flatMap((v, i) => (full.has(v.name) ? [i] : []));
    const entries: Entry[] = variables.map((variable, position) => {
      const view = matrixView(variable.shape);
      const projected = view !== null && Math.min(...view) > rank && !fullAt.includes(position);
      return { variable, matrix: projected ? new ProjectedMatrix(variable, rank) : null };
    });
    if (this.pending) {
      try {
        restoreBound(where, this.inner, entries, this.pending);
      } catch (e) {
        entries.forEach((x) => x.matrix?.dispose());
        throw e;
      }
      disposeCopy(this.pending);
      this.pending = null;
    }
    this.entries = entries;
    this.fullPositions = fullAt;
    return entries;
  }

  /** A restored optimizer's saved `full` positions, checked against the variables it binds to (null for one built by galore()). */
  private fullPositionsFor(where: string, variables: readonly tf.Variable[]): number[] | null {
    if (!this.restoring) return null;
    const { full, variables: count } = this.restoring;
    if (count !== null && count !== variables.length) {
      throw new CheckpointError(`${where}: the optimizer was saved for ${count} variable(s) but got gradients for ${variables.length}; it was saved for another model.`);
    }
    const outside = full.find((p) => p >= variables.length);
    if (outside !== undefined) {
      throw new CheckpointError(`${where}: the saved 'full' position ${outside} is not among the ${variables.length} variable(s); it was saved for another model.`);
    }
    return full.slice();
  }

  /** The gradients in the bound order, checked: the same variables as the first step, the same shapes. */
  private ordered(entries: readonly Entry[], list: NamedTensor[]): tf.Tensor[] {
    const where = `${this.where}.applyGradients`;
    const byName = new Map(list.map((g) => [g.name, g.tensor]));
    for (const { name } of list) {
      if (!entries.some((e) => e.variable.name === name)) {
        throw new UnknownVariableError(`${where}: got a gradient for '${name}', which was not among the first step's ${entries.length} variables; use one optimizer per model and the same varList every step.`);
      }
    }
    return entries.map(({ variable }) => {
      const g = byName.get(variable.name);
      if (!g) throw new InvalidArgumentError(`${where}: no gradient for '${variable.name}'; every step needs a gradient for each of the first step's ${entries.length} variables.`);
      if (!tf.util.arraysEqual(g.shape, variable.shape)) {
        throw new InvalidArgumentError(`${where}: the gradient of '${variable.name}' has shape [${g.shape}], the variable [${variable.shape}].`);
      }
      return g;
    });
  }
}

exactInstanceof(EvolvingSubspaceOptimizer);
tf.serialization.registerClass(EvolvingSubspaceOptimizer);

/**
 * An evolving-subspace optimizer around `inner` (see {@link EvolvingSubspaceOptimizer}); it owns
 * `inner`. Options are validated first: a typed error, and nothing is created.
 *
 * @example
 * const opt = galore(tf.train.adam(1e-3), { rank: 8, updateEvery: 200 });   // GaLore
 * const flora = galore(tf.train.adam(1e-3), { rank: 8, updateEvery: 200, projection: 'random', seed: 1 });
 * model.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
 */
export function galore(inner: tf.Optimizer, opts: GaloreOptions): EvolvingSubspaceOptimizer {
  return new EvolvingSubspaceOptimizer(inner, checkGaloreArguments('galore', inner, opts));
}
