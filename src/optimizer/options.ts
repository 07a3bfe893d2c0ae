import * as tf from '@tensorflow/tfjs-core';
import { Basis, checkAlive } from '../basis/basis';
import { InvalidArgumentError } from '../errors';
import { VariableSource } from '../layout';
import { VariableRef, VariableSelection } from '../selection';
import { checkBasisRows, checkOrigin } from './checks';

/** What to do with a gradient that contains NaN or ±Infinity. */
export type NonFinitePolicy = 'throw' | 'skip' | 'unchecked';

/** Options shared by both wrappers. */
export interface SubspaceOptimizerOptions {
  /** The variables to train, in the order that defines θ; a `tf.LayersModel` means its trainableWeights. */
  variables: VariableSource;
  /**
   * Variables (or layer weights, or names) the inner optimizer steps in full, outside the subspace —
   * e.g. a classifier head. They are left out of θ (D counts only the projected variables).
   */
  free?: VariableRef[];
  /** Variables (or layer weights, or names) that never change; their gradients are ignored. */
  frozen?: VariableRef[];
  /**
   * θ0, the origin of the affine subspace (length D). Default: the variables' values at creation.
   * When given, the variables are moved at creation to the nearest point θ0 + P(θ − θ0) of the subspace.
   */
  origin?: tf.Tensor1D;
  /**
   * 'throw' (default): a non-finite gradient changes no variable or slot and throws
   * {@link NonFiniteError} — on cpu/wasm at that step (one flag read, free there); on a GPU backend
   * without a sync: the step is dropped on the device, and the next call into the optimizer (or
   * `await opt.checkNonFinite()`) throws once its flag has been read. 'skip': such a step
   * changes no variable or slot and is counted in `skippedSteps` (and, as a call, in `iterations`),
   * with no read: the old state is selected on the device once the inner optimizer's slots exist
   * (docs/reliability.md §4d). 'unchecked': no check.
   */
  nonFinite?: NonFinitePolicy;
}

/** Distance of θ from the affine subspace, see {@link residualOf}. */
export interface SubspaceResidual {
  /** ‖(I − P)(θ − θ0)‖. */
  distance: number;
  /** ‖θ − θ0‖. */
  displacement: number;
}

const POLICIES: NonFinitePolicy[] = ['throw', 'skip', 'unchecked'];

/**
 * Validates a wrapper's arguments before anything is created: the inner optimizer, the basis (alive,
 * D matching the projected variables), the variable selection, the non-finite policy and the origin.
 */
export function checkWrapperArguments(
  where: string,
  inner: tf.Optimizer,
  basis: Basis,
  opts: SubspaceOptimizerOptions,
): { selection: VariableSelection; nonFinite: NonFinitePolicy } {
  if (!(inner instanceof tf.Optimizer)) {
    throw new InvalidArgumentError(`${where}: the first argument must be a tf.Optimizer (e.g. tf.train.adam()).`);
  }
  if (basis == null || typeof basis.project !== 'function' || typeof basis.lift !== 'function') {
    throw new InvalidArgumentError(`${where}: the second argument must be a Basis (e.g. gaussianBasis(D, d)).`);
  }
  checkAlive(where, basis);
  if (opts == null) {
    throw new InvalidArgumentError(`${where}: options with 'variables' are required.`);
  }
  const selection = new VariableSelection(where, opts.variables, opts.free, opts.frozen);
  const layout = selection.projected;
  checkBasisRows(where, basis, layout);
  const nonFinite = opts.nonFinite ?? 'throw';
  if (!POLICIES.includes(nonFinite)) {
    throw new InvalidArgumentError(
      `${where}: nonFinite must be one of ${POLICIES.map((p) => `'${p}'`).join(', ')}, got '${nonFinite}'.`,
    );
  }
  if (opts.origin != null) checkOrigin(where, opts.origin, layout.size);
  return { selection, nonFinite };
}
