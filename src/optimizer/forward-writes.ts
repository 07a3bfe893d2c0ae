import * as tf from '@tensorflow/tfjs-core';

/** A variable the loss function wrote, and its value before (a reshape to its own shape: same data, no copy). */
export type ForwardWrite = readonly [tf.Variable, tf.Tensor];

const dataIdOf = (v: tf.Tensor): unknown => (v as unknown as { dataId: unknown }).dataId;

/**
 * What a loss function writes besides the trained variables — BatchNormalization's moving mean and
 * variance, which tfjs-layers updates with `assign` during the training forward pass — so that a
 * step that is dropped (a non-finite gradient, an error) leaves them as they were too. Before the
 * loss runs, every registered variable outside `trained` gets a second tensor on its data (a reshape
 * to its own shape: a reference count on every backend, where `tf.clone` copies the data on wasm;
 * bench/forward-writes.ts: 2 µs per variable, 0.1 % of a step with one model in memory); afterwards, those whose data changed (`assign` replaces a variable's
 * dataId) are the writes, kept with their old values until {@link undo} or {@link dispose}.
 */
export class ForwardWrites {
  private before: Map<tf.Variable, tf.Tensor> | null = new Map();
  private changed: ForwardWrite[] = [];

  /** Snapshots every registered variable except `trained` (no data is copied). */
  constructor(trained: readonly tf.Variable[]) {
    const skip = new Set<tf.Variable>(trained);
    const registry = tf.engine().registeredVariables;
    for (const name of Object.keys(registry)) {
      const v = registry[name];
      if (!skip.has(v) && !v.isDisposed) (this.before as Map<tf.Variable, tf.Tensor>).set(v, tf.keep(tf.reshape(v, v.shape)));
    }
  }

  /** After the loss ran: keeps the variables it wrote, frees the other snapshots. Returns the writes. */
  settle(): readonly ForwardWrite[] {
    if (!this.before) return this.changed;
    for (const [v, old] of this.before) {
      if (!v.isDisposed && dataIdOf(v) !== dataIdOf(old)) this.changed.push([v, old]);
      else old.dispose();
    }
    this.before = null;
    return this.changed;
  }

  /** Puts every written variable back to its value before the loss ran. */
  undo(): void {
    this.settle();
    for (const [v, old] of this.changed) if (!v.isDisposed) v.assign(old);
  }

  /** Frees the old values (call once the step is over, applied or undone). */
  dispose(): void {
    this.settle();
    for (const [, old] of this.changed) old.dispose();
    this.changed = [];
  }
}

/**
 * Runs `step` (which runs the loss, then the step) with the writes of the loss tracked: they are put
 * back when `step` throws, or when it calls `undo` (a step dropped on the host), and their old values
 * are freed at the end either way.
 */
export function withForwardWrites<T>(trained: readonly tf.Variable[], step: (writes: ForwardWrites) => T): T {
  const writes = new ForwardWrites(trained);
  try {
    return step(writes);
  } catch (e) {
    writes.undo();
    throw e;
  } finally {
    writes.dispose();
  }
}
