import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { NamedTensor } from '../layout';
import { VariableSelection } from '../selection';
import { NonFiniteGuard } from './non-finite';
import { SubspaceResidual } from './options';
import { RuleDefinition } from './rules/rule';
import { SavedConfig } from './saved-config';

/**
 * The two states of a {@link SubspaceOptimizer} (its state machine):
 *
 *     built by projectGradients/projectParameters ──────────────► BoundState ──dispose──► (disposed)
 *     built by tf.loadLayersModel ──► UnboundState ──bind(variables)──┘
 *
 * A `BoundState` (bound-state.ts) knows its variables and steps; an `UnboundState`
 * (unbound-state.ts) is a restored optimizer that has not met the model's variables yet: it holds
 * the saved config and copies of the saved weights, answers what it can from them and throws
 * `CheckpointError` for the rest. Both implement {@link WrapperState}, so the optimizer only
 * delegates; binding replaces the state object.
 */

/** What every state shares: the optimizer's fixed parts. */
export interface WrapperCore {
  /** The factory's name ('projectGradients'): the prefix of messages once bound. */
  readonly where: string;
  readonly inner: tf.Optimizer;
  readonly basis: Basis;
  readonly rule: RuleDefinition;
  /** Qᵀv for a fixed seeded v (saved-weights.ts): identifies the basis in saved weights. */
  readonly probe: tf.Tensor1D;
  readonly guard: NonFiniteGuard;
  /** The optimizer's step count now. */
  iterations(): number;
}

/** A bound state as the interface names it (bound-state.ts' BoundState). */
export interface BoundStateLike extends WrapperState {
  readonly isBound: true;
}

/** The interface both states answer; an unbound one throws CheckpointError where it needs the variables. */
export interface WrapperState {
  readonly isBound: boolean;
  /** The prefix of messages: the factory's name, or the saved class name while unbound. */
  readonly name: string;
  /** Throws CheckpointError while unbound ('what' names the call). */
  requireBound(what: string): void;
  /** The DisposedError message for a call `what` after dispose. */
  disposedMessage(what: string): string;
  /** θ0 (owned: do not dispose). */
  origin(what: string): tf.Tensor1D;
  /** z, a new tensor. */
  coordinates(what: string): tf.Tensor1D;
  setCoordinates(where: string, z: tf.Tensor1D): void;
  rebase(where: string): void;
  residual(): SubspaceResidual;
  /** The variables, split into projected, free and frozen. */
  selection(what: string): VariableSelection;
  /** The getWeights list (saved-weights.ts), `iterations()` (the optimizer's own entry) first. */
  weights(iterations: () => Promise<NamedTensor>): Promise<NamedTensor[]>;
  /** Validates and takes back a getWeights list (copies it); returns the saved iteration count. */
  restore(where: string, weights: NamedTensor[]): number;
  /** {@link restore} for an inner optimizer outside the seven tf.train ones (its own async setWeights). */
  restoreAsync(where: string, weights: NamedTensor[]): Promise<number>;
  /**
   * The state bound to `variables` (the saved ones, in order): an unbound state builds it and
   * restores its saved weights into it; a bound one returns itself for the same variables and
   * throws CheckpointError for others.
   */
  bind(variables: tf.Variable[], where: string): BoundStateLike;
  /** The config model.save stores. */
  config(className: string): SavedConfig;
  /** Frees what the state owns (not the basis, the inner optimizer or the variables). */
  dispose(): void;
}
