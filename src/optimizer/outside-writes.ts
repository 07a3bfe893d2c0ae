import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { OutsideWriteError } from '../errors';
import { ParameterLayout } from '../layout';
import { coordinatesOf, projectDirection } from '../subspace';

/**
 * Writes from outside (docs/reliability.md, "Writes from outside"). tfjs-core's `Variable.assign`
 * gives the variable the data of the value written (`dataId`), so comparing each variable's dataId
 * with the one it had after the optimizer's own last write tells, without reading any data, whether
 * `model.setWeights`, `loadWeights`, `layer.setWeights`, a checkpoint load or any `assign` wrote it
 * since. Only then is θ read, once, to decide what the write means.
 */

/** "In the subspace": ‖(I − P)(θ − θ0)‖ ≤ SPAN_TOLERANCE · max(1, ‖θ − θ0‖) (docs/concepts.md). */
export const SPAN_TOLERANCE = 1e-5;

const dataIdOf = (v: tf.Variable): unknown => (v as unknown as { dataId: unknown }).dataId;

/** θ after a write: its coordinates z = Qᵀ(θ − θ0) and how far θ lies from θ0 + span(Q). */
export interface WrittenPoint {
  /** Qᵀ(θ − θ0), a new tensor (the caller disposes it). */
  z: tf.Tensor1D;
  distance: number;
  displacement: number;
  /** ‖Qᵀ(θ − θ0) − z_own‖ when the optimizer's own z was given, else NaN. */
  moved: number;
  /** True when θ lies in θ0 + span(Q) within {@link SPAN_TOLERANCE}. */
  inSpan: boolean;
  /** The tolerance the distance was held to. */
  tolerance: number;
}

/** Reads θ once and measures it against the subspace (and against the optimizer's own z, if any). */
export function measureWritten(basis: Basis, origin: tf.Tensor1D, layout: ParameterLayout, own: tf.Tensor1D | null): WrittenPoint {
  const [z, numbers] = tf.tidy(() => {
    const delta = tf.sub(layout.read(), origin) as tf.Tensor1D;
    const c = coordinatesOf(basis, origin, layout.read());
    const distance = tf.norm(tf.sub(delta, projectDirection(basis, delta)));
    const moved = own ? tf.norm(tf.sub(c, own)) : tf.scalar(NaN);
    return [c, tf.stack([distance, tf.norm(delta), moved])];
  });
  const [distance, displacement, moved] = numbers.dataSync();
  numbers.dispose();
  const tolerance = SPAN_TOLERANCE * Math.max(1, displacement);
  return { z, distance, displacement, moved, inSpan: distance <= tolerance, tolerance };
}

/** A layer or model: what can be set `trainable = false` above a variable. */
interface Holder {
  name?: string;
  trainable: boolean;
}
interface LayerLike extends Holder {
  weights?: Array<{ read(): tf.Tensor }>;
  layers?: LayerLike[];
}

/**
 * For each variable, the layers and models that hold it (outermost first), found by walking a
 * layers model's `layers` (nested models included); empty for a plain variable list. Needed because
 * `layer.trainable = false` is not always visible on the variable: tfjs-layers' `compile` sets every
 * weight's own flag back to true while the layer stays frozen (and leaves it out of training).
 */
function holdersOf(source: unknown, variables: readonly tf.Variable[]): Holder[][] {
  const found = new Map<tf.Tensor, Holder[]>();
  const walk = (layer: LayerLike, chain: Holder[], seen: Set<LayerLike>) => {
    if (seen.has(layer)) return;
    seen.add(layer);
    const here = [...chain, layer];
    for (const sub of layer.layers ?? []) walk(sub, here, seen); // the innermost holder first
    for (const w of layer.weights ?? []) {
      const v = typeof w?.read === 'function' ? w.read() : null;
      if (v && !found.has(v)) found.set(v, here);
    }
  };
  const root = source as LayerLike;
  if (!Array.isArray(source) && Array.isArray(root?.layers)) walk(root, [], new Set());
  return variables.map((v) => found.get(v) ?? []);
}

/** Remembers which data the optimizer last wrote (or accepted) in each projected variable. */
export class WriteWatch {
  private seen: unknown[] | null = null;
  private readonly holders: Holder[][];
  private readonly trainableAtStart: boolean[];

  /** `source`: what the optimizer's `variables` option was (a layers model is walked for its layers). */
  constructor(private readonly layout: ParameterLayout, source?: unknown) {
    this.holders = holdersOf(source, layout.variables);
    this.trainableAtStart = layout.variables.map((_, i) => this.trainable(i));
    this.record();
  }

  private trainable(i: number): boolean {
    return this.layout.variables[i].trainable && this.holders[i].every((h) => h.trainable !== false);
  }

  /** The variables' current values are the optimizer's own (after each step and each re-binding). */
  record(): void {
    this.seen = this.layout.variables.map(dataIdOf);
  }

  /** Makes the next {@link written} report every variable (after the optimizer's state was restored). */
  forget(): void {
    this.seen = null;
  }

  /** Names of the variables written since {@link record} (all of them after {@link forget}). */
  written(): string[] {
    const seen = this.seen;
    return this.layout.variables.filter((v, i) => seen === null || dataIdOf(v) !== seen[i]).map((v) => v.name);
  }

  /**
   * Throws unless every variable that was trainable when the optimizer was made still is: a subspace
   * step moves every coordinate of θ, so it cannot leave a frozen layer in place.
   */
  checkTrainable(where: string): void {
    const frozen = this.layout.variables.flatMap((v, i) => (this.trainableAtStart[i] && !this.trainable(i) ? [i] : []));
    if (frozen.length === 0) return;
    const names = frozen.map((i) => {
      const layer = [...this.holders[i]].reverse().find((h) => h.trainable === false) ?? this.holders[i][this.holders[i].length - 1];
      return `'${this.layout.variables[i].name}'${layer?.name ? ` (layer '${layer.name}')` : ''}`;
    });
    throw new OutsideWriteError(
      `${where}: ${names.join(', ')} ${frozen.length === 1 ? 'was' : 'were'} made non-trainable (layer.trainable = false) ` +
        `after the optimizer was created. A subspace step moves every coordinate of θ = θ0 + Q·z, so it cannot keep a ` +
        `frozen layer in place. Create a new optimizer after freezing (with {variables: model} it leaves frozen layers ` +
        `out, or list them in 'frozen'), then compile again; or set trainable back to true. Nothing was changed.`,
    );
  }
}

/** The error for a write that put θ off θ0 + span(Q): what happened and the three ways to re-bind. */
export function offSpanError(where: string, names: string[], p: WrittenPoint): OutsideWriteError {
  const list = names.map((n) => `'${n}'`).join(', ');
  return new OutsideWriteError(
    `${where}: ${list} changed outside the optimizer since its last step (model.setWeights, loadWeights, ` +
      `layer.setWeights, a checkpoint load or an assign; or setWeights restored an origin they do not fit), and θ now ` +
      `lies off the subspace θ0 + span(Q): distance ${p.distance.toExponential(2)} for ‖θ − θ0‖ = ` +
      `${p.displacement.toExponential(2)} (tolerance 1e-5·max(1, ‖θ − θ0‖)). A step would undo that write. To train ` +
      `from the new values call optimizer.rebase() (they become the origin θ0, with z = 0), or create a new ` +
      `optimizer; to go back into the subspace call optimizer.setCoordinates(z). Nothing was changed.`,
  );
}

/**
 * Takes in a write from outside since the optimizer's last step: nothing to do when no variable's
 * data changed (or when the steps do not keep θ in the subspace); else θ is read once and, when it
 * lies in θ0 + span(Q), z follows it (coordinates mode: `own`); off the subspace, an
 * {@link OutsideWriteError} and nothing changes.
 */
export function followWrites(
  where: string,
  watch: WriteWatch,
  keepsSubspace: boolean,
  basis: Basis,
  origin: tf.Tensor1D,
  layout: ParameterLayout,
  own: tf.Variable | null,
): void {
  watch.checkTrainable(where);
  const names = watch.written();
  if (names.length === 0) return;
  if (!keepsSubspace) return watch.record();
  const p = measureWritten(basis, origin, layout, own as tf.Tensor1D | null);
  try {
    if (!p.inSpan) throw offSpanError(where, names, p);
    // Within tolerance of the optimizer's own point (a restore, the same values written back): keep z's bits.
    if (own && !(p.moved <= p.tolerance)) own.assign(p.z);
    watch.record();
  } finally {
    p.z.dispose();
  }
}
