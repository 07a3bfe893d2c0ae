import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError, UnknownVariableError } from './errors';
import { GradientInput, ParameterLayout, VariableSource, variablesOf } from './layout';

/** A variable named by itself, by a layer weight (`model.layers[i].trainableWeights[j]`) or by name. */
export type VariableRef = tf.Variable | { read(): tf.Tensor } | string;

/**
 * How the variables split: `projected` ones form θ and move only within θ0 + span(Q); `free` ones are
 * stepped in full by the inner optimizer (e.g. a classifier head); `frozen` ones never change and
 * their gradients are ignored.
 */
export class VariableSelection {
  readonly projected: ParameterLayout;
  readonly free: ParameterLayout | null;
  /** Every variable the optimizer was given, in order (projected, free and frozen). */
  readonly all: readonly tf.Variable[];
  private readonly frozen: Set<string>;

  constructor(where: string, source: VariableSource, free: VariableRef[] = [], frozen: VariableRef[] = []) {
    const all = variablesOf(where, source);
    const freeVars = resolve(where, 'free', free, all);
    const frozenVars = resolve(where, 'frozen', frozen, all);
    const both = freeVars.find((v) => frozenVars.includes(v));
    if (both) {
      throw new InvalidArgumentError(`${where}: variable '${both.name}' is listed as both free and frozen.`);
    }
    const projected = all.filter((v) => !freeVars.includes(v) && !frozenVars.includes(v));
    checkTrainable(where, [...projected, ...freeVars]);
    if (projected.length === 0 && all.length > 0) {
      throw new InvalidArgumentError(
        `${where}: every variable is free or frozen, so there is nothing to project; leave at least one ` +
          `variable out of 'free' and 'frozen'.`,
      );
    }
    this.projected = new ParameterLayout(where, projected);
    this.free = freeVars.length > 0 ? new ParameterLayout(where, freeVars) : null;
    this.frozen = new Set(frozenVars.map((v) => v.name));
    this.all = all.slice();
  }

  /** Positions in {@link all} of the free and of the frozen variables (what a saved config records). */
  get positions(): { free: number[]; frozen: number[] } {
    const free = this.all.flatMap((v, i) => (this.free?.indexOf(v.name) !== undefined ? [i] : []));
    const frozen = this.all.flatMap((v, i) => (this.frozen.has(v.name) ? [i] : []));
    return { free, frozen };
  }

  /** The variables an optimizer steps, in the order its inner optimizer sees them after θ. */
  get trained(): tf.Variable[] {
    return [...this.projected.variables, ...(this.free?.variables ?? [])];
  }

  /**
   * Routes gradients to the projected and free variables (null where none was given), validating
   * names and shapes without touching any state; frozen variables' gradients are dropped.
   */
  route(where: string, grads: GradientInput): { projected: Array<tf.Tensor | null>; free: Array<tf.Tensor | null> } {
    const projected: Array<tf.Tensor | null> = this.projected.names.map(() => null);
    const free: Array<tf.Tensor | null> = (this.free?.names ?? []).map(() => null);
    const entries: Array<[string, tf.Tensor | null | undefined]> = Array.isArray(grads)
      ? grads.map((g) => [g.name, g.tensor])
      : Object.keys(grads).map((name) => [name, grads[name]]);
    for (const [name, tensor] of entries) {
      if (this.frozen.has(name)) continue;
      const i = this.projected.indexOf(name);
      const j = i === undefined ? this.free?.indexOf(name) : undefined;
      if (i === undefined && j === undefined) {
        throw new UnknownVariableError(
          `${where}: got a gradient for variable '${name}', which is not among the variables this ` +
            `optimizer was created with (${this.projected.names.length} projected, ` +
            `${this.free?.names.length ?? 0} free, ${this.frozen.size} frozen). If it belongs to another ` +
            `model, create one optimizer per model (each compile() needs its own); otherwise list it in ` +
            `'variables' (projected), 'free' or 'frozen' when creating the optimizer, or leave it out of ` +
            `minimize's varList.`,
        );
      }
      if (tensor == null) continue;
      if (i !== undefined) {
        this.projected.checkShape(where, i, tensor);
        projected[i] = tensor;
      } else {
        (this.free as ParameterLayout).checkShape(where, j as number, tensor);
        free[j as number] = tensor;
      }
    }
    return { projected, free };
  }
}

function resolve(where: string, list: string, refs: VariableRef[], all: tf.Variable[]): tf.Variable[] {
  if (!Array.isArray(refs)) {
    throw new InvalidArgumentError(`${where}: '${list}' must be an array of variables, layer weights or names.`);
  }
  return refs.map((ref) => {
    if (typeof ref === 'string') {
      const found = all.find((v) => v.name === ref);
      if (!found) {
        throw new InvalidArgumentError(
          `${where}: '${list}' names '${ref}', but no variable of 'variables' has that name ` +
            `(they are: ${all.map((v) => `'${v.name}'`).join(', ')}).`,
        );
      }
      return found;
    }
    const v = ref instanceof tf.Variable ? ref : typeof ref?.read === 'function' ? ref.read() : null;
    if (!(v instanceof tf.Variable)) {
      throw new InvalidArgumentError(`${where}: an entry of '${list}' is not a variable, a layer weight or a name.`);
    }
    return v;
  });
}

/**
 * Throws unless every variable to train is trainable: tfjs computes no gradient for a variable with
 * `trainable: false` (BatchNormalization's moving statistics, which `model.getWeights()` and
 * `model.weights` include), and the forward pass writes such statistics itself.
 */
function checkTrainable(where: string, vars: readonly tf.Variable[]): void {
  const fixed = vars.filter((v) => v instanceof tf.Variable && v.trainable === false);
  if (fixed.length === 0) return;
  const names = fixed.slice(0, 3).map((v) => `'${v.name}'`).join(', ') + (fixed.length > 3 ? `, … (${fixed.length} in all)` : '');
  throw new InvalidArgumentError(
    `${where}: ${names} ${fixed.length === 1 ? 'is' : 'are'} not trainable (e.g. BatchNormalization's moving ` +
      `statistics, which model.getWeights() and model.weights include): tfjs computes no gradient for ` +
      `${fixed.length === 1 ? 'it' : 'them'}. Pass the model itself or model.trainableWeights, or list ${fixed.length === 1 ? 'it' : 'them'} in 'frozen'.`,
  );
}
