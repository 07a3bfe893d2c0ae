import * as tf from '@tensorflow/tfjs-core';

/** What happens to the inner optimizer's slots of a projected matrix when its basis P changes. */
export type MomentRule = 'project' | 'keep' | 'reset';
export const MOMENT_RULES: readonly MomentRule[] = ['project', 'keep', 'reset'];

/**
 * How a slot of a tf.train optimizer depends on the gradient, which decides how it is carried to a
 * new basis: 'linear' (a running sum of gradients: Adam's and Adamax's first moment, momentum,
 * RMSProp's mean gradient and its momentum of scaled steps), 'square' (a running sum of squared
 * gradients: Adam's second moment, Adagrad's, Adadelta's and RMSProp's accumulators), 'magnitude'
 * (Adamax's running max of |g|). The field names are those of tfjs-core 4.x, as in
 * src/optimizer/inner-state.ts; each slot array is indexed by the gradient's position.
 */
type SlotKind = 'linear' | 'square' | 'magnitude';
const SLOT_KINDS: Record<string, Record<string, SlotKind>> = {
  SGD: {},
  Momentum: { accumulations: 'linear' },
  Adagrad: { accumulatedGrads: 'square' },
  Adadelta: { accumulatedGrads: 'square', accumulatedUpdates: 'square' },
  Adam: { accumulatedFirstMoment: 'linear', accumulatedSecondMoment: 'square' },
  Adamax: { accumulatedFirstMoment: 'linear', accumulatedWeightedInfNorm: 'magnitude' },
  RMSProp: { accumulatedMeanSquares: 'square', accumulatedMoments: 'linear', accumulatedMeanGrads: 'linear' },
};

/** True when the moment rules can reach `inner`'s slots (the seven tf.train optimizers). */
export function knowsSlots(inner: tf.Optimizer): boolean {
  return SLOT_KINDS[inner.getClassName()] !== undefined;
}

interface Slot {
  variable: tf.Variable;
}

/** The inner optimizer's slot variables at gradient position `position` (none before its first step). */
export function slotsAt(inner: tf.Optimizer, position: number): Array<{ field: string; kind: SlotKind; variable: tf.Variable }> {
  const kinds = SLOT_KINDS[inner.getClassName()] ?? {};
  const self = inner as unknown as Record<string, Array<Slot | undefined> | undefined>;
  return Object.entries(kinds).flatMap(([field, kind]) => {
    const slot = self[field]?.[position];
    return slot ? [{ field, kind, variable: slot.variable }] : [];
  });
}

/** Floats held by every slot of `inner` (its few scalars, β-powers and the like, not counted). */
export function slotFloats(inner: tf.Optimizer): number {
  const self = inner as unknown as Record<string, Array<Slot | undefined> | undefined>;
  return Object.keys(SLOT_KINDS[inner.getClassName()] ?? {}).reduce(
    (sum, field) => sum + (self[field] ?? []).reduce((s, slot) => s + (slot?.variable.size ?? 0), 0),
    0,
  );
}

/**
 * Carries the slots at `position` from basis P_old to P_new (both p×r) by `rule` — inside a tidy:
 * - 'keep': unchanged (GaLore's published code does this: its Adam moments stay as they are).
 * - 'reset': every slot back to its initial value (0; Adagrad's `initialAccumulatorValue`). The
 *   optimizer's bias-correction powers (Adam's β₁ᵗ, β₂ᵗ) are shared by all variables and keep running.
 * - 'project': with C = P_newᵀ·P_old (r×r), the old slot S read in the new coordinates. A 'linear'
 *   slot is mapped exactly, S ← C·S ('left': S is r×n) or S ← S·Cᵀ ('right': S is m×r) — the
 *   first moment of the re-expressed gradients C·R. A 'square' slot cannot be mapped exactly (it
 *   holds no cross terms); it is mapped by (C∘C), the entrywise square of C: exact if the
 *   coordinates were uncorrelated, since E[(Σⱼ cᵢⱼ rⱼ)²] = Σⱼ cᵢⱼ² E[rⱼ²], and it stays ≥ 0.
 *   A 'magnitude' slot (Adamax's max |g|) by |C|, the bound |Σⱼ cᵢⱼ rⱼ| ≤ Σⱼ |cᵢⱼ|·|rⱼ|.
 */
export function carrySlots(
  inner: tf.Optimizer,
  position: number,
  rule: MomentRule,
  side: 'left' | 'right',
  pOld: tf.Tensor2D,
  pNew: tf.Tensor2D,
): void {
  if (rule === 'keep') return;
  const slots = slotsAt(inner, position);
  if (slots.length === 0) return;
  if (rule === 'reset') {
    const initial = (inner as unknown as { initialAccumulatorValue?: number }).initialAccumulatorValue;
    for (const { field, variable } of slots) {
      const fill = inner.getClassName() === 'Adagrad' && field === 'accumulatedGrads' ? (initial ?? 0.1) : 0;
      variable.assign(tf.fill(variable.shape, fill));
    }
    return;
  }
  const C = tf.matMul(pNew, pOld, true, false) as tf.Tensor2D;
  const maps: Record<SlotKind, tf.Tensor2D> = { linear: C, square: tf.square(C) as tf.Tensor2D, magnitude: tf.abs(C) as tf.Tensor2D };
  for (const { kind, variable } of slots) {
    const S = variable as tf.Variable<tf.Rank.R2>;
    variable.assign(side === 'left' ? tf.matMul(maps[kind], S) : tf.matMul(S, maps[kind], false, true));
  }
}
