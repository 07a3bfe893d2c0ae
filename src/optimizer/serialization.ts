import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { basisFromSpec, checkBasisSpec } from '../basis/from-spec';
import { BasisSpec } from '../basis/spec';
import { CheckpointError, DisposedError, InvalidArgumentError } from '../errors';
import { GradientInput, NamedTensor } from '../layout';
import { supportsExactState } from './inner-state';
import { GradientMode, ProjectedGradientOptimizer } from './project-gradients';
import { ProjectedParameterOptimizer } from './project-parameters';
import { NonFinitePolicy, SubspaceOptimizer } from './subspace-optimizer';

interface SavedConfig {
  mode: GradientMode | 'parameters';
  nonFinite: NonFinitePolicy;
  innerClassName: string;
  innerConfig: tf.serialization.ConfigDict;
  basis: BasisSpec | null;
  variableCount: number;
  free: number[];
  frozen: number[];
}

/**
 * The optimizer `tf.loadLayersModel` gets back for a model saved with `{includeOptimizer: true}`:
 * its config names the seeded basis, the inner optimizer and which variables are free/frozen, but
 * not the variables themselves (they are created after the optimizer). It keeps the saved weights
 * and becomes the real wrapper on the first `minimize`/`applyGradients`, binding to the variables it
 * is asked to train (a model's trainable weights, in order): from then on it is exactly the saved
 * optimizer continuing — same basis bits, origin, z and inner state.
 */
export class RestoredSubspaceOptimizer extends tf.Optimizer {
  private target: SubspaceOptimizer | null = null;
  private basis: Basis | null = null;
  private pending: NamedTensor[] | null = null;
  private disposed = false;

  constructor(
    private readonly className: string,
    private readonly config: SavedConfig,
  ) {
    super();
    const where = `${className}.fromConfig`;
    if (config.basis == null) {
      throw new CheckpointError(
        `${where}: the saved optimizer used a basis that cannot be rebuilt from a seed (only gaussianBasis, ` +
          `hashedBasis and srhtBasis can); load the model without the optimizer and create the optimizer again.`,
      );
    }
    checkBasisSpec(where, config.basis);
    const cls = tf.serialization.SerializationMap.getMap().classNameMap[config.innerClassName];
    if (!cls) throw new CheckpointError(`${where}: the inner optimizer class '${config.innerClassName}' is not registered.`);
  }

  override getClassName(): string {
    return this.className;
  }

  override getConfig(): tf.serialization.ConfigDict {
    return this.target ? this.target.getConfig() : (this.config as unknown as tf.serialization.ConfigDict);
  }

  /** The bound wrapper (null until the first step). */
  get optimizer(): SubspaceOptimizer | null {
    return this.target;
  }

  override async getWeights(): Promise<NamedTensor[]> {
    if (this.target) return this.target.getWeights();
    if (!this.pending) throw new InvalidArgumentError(`${this.className}: no state yet; train one step first.`);
    const [iter, ...rest] = this.pending;
    return [{ name: iter.name, tensor: tf.clone(iter.tensor) }, ...rest];
  }

  override async setWeights(weights: NamedTensor[]): Promise<void> {
    this.alive();
    if (this.target) return this.target.setWeights(weights);
    const origin = weights?.[1]?.tensor;
    if (!origin || origin.rank !== 1 || origin.size !== (this.config.basis as BasisSpec).D) {
      throw new CheckpointError(
        `${this.className}.setWeights: the saved origin has shape [${origin?.shape ?? '?'}] but the saved basis has ` +
          `D = ${(this.config.basis as BasisSpec).D}; the weights belong to another model.`,
      );
    }
    this.disposePending();
    this.pending = weights.map(({ name, tensor }) => ({ name, tensor: tf.keep(tf.clone(tensor)) }));
  }

  override minimize(f: () => tf.Scalar, returnCost = false, varList?: tf.Variable[]): tf.Scalar | null {
    if (!varList) throw new InvalidArgumentError(`${this.className}.minimize: pass varList (the model's trainable variables) on the first call.`);
    return this.bind(varList).minimize(f, returnCost, varList);
  }

  override applyGradients(grads: GradientInput): void {
    const names = Array.isArray(grads) ? grads.map((g) => g.name) : Object.keys(grads);
    const registry = tf.engine().registeredVariables;
    this.bind(names.map((n) => registry[n])).applyGradients(grads);
  }

  private bind(variables: tf.Variable[]): SubspaceOptimizer {
    this.alive();
    if (this.target) return this.target;
    const c = this.config;
    if (variables.length !== c.variableCount || variables.some((v) => !(v instanceof tf.Variable))) {
      throw new CheckpointError(
        `${this.className}: the saved optimizer trained ${c.variableCount} variables, but it is now asked to ` +
          `train ${variables.length}; use it with the model it was saved with.`,
      );
    }
    const [cls, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap[c.innerClassName];
    const inner = fromConfig(cls, c.innerConfig) as tf.Optimizer;
    const basis = basisFromSpec(c.basis as BasisSpec);
    const opts = {
      variables,
      free: c.free.map((i) => variables[i]),
      frozen: c.frozen.map((i) => variables[i]),
      nonFinite: c.nonFinite,
    };
    let target: SubspaceOptimizer;
    try {
      target = c.mode === 'parameters' ? new ProjectedParameterOptimizer(inner, basis, opts) : new ProjectedGradientOptimizer(inner, basis, { ...opts, mode: c.mode });
      if (this.pending) {
        if (!supportsExactState(inner)) throw new CheckpointError(`${this.className}: cannot restore a ${c.innerClassName} inner optimizer.`);
        target.setWeightsSync(this.pending);
      }
    } catch (e) {
      basis.dispose();
      inner.dispose();
      throw e;
    }
    this.disposePending();
    [this.target, this.basis] = [target, basis];
    return target;
  }

  override dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.target?.dispose();
    this.basis?.dispose();
    this.disposePending();
  }

  private disposePending(): void {
    this.pending?.forEach((w) => w.tensor.dispose());
    this.pending = null;
  }

  private alive(): void {
    if (this.disposed) throw new DisposedError(`${this.className}: the optimizer was disposed.`);
  }
}

/**
 * Registers the wrappers with tf.serialization so that `model.save({includeOptimizer: true})` and
 * `tf.loadLayersModel` round-trip them (called on import; idempotent).
 */
export function registerSubspaceOptimizers(): void {
  for (const cls of [ProjectedGradientOptimizer, ProjectedParameterOptimizer]) {
    const withFromConfig = cls as unknown as tf.serialization.SerializableConstructor<tf.serialization.Serializable> & {
      fromConfig: (c: unknown, config: tf.serialization.ConfigDict) => tf.Optimizer;
    };
    withFromConfig.fromConfig = (_c, config) => new RestoredSubspaceOptimizer(cls.className, config as unknown as SavedConfig);
    tf.serialization.registerClass(withFromConfig);
  }
}
registerSubspaceOptimizers();
