import * as tf from '@tensorflow/tfjs-core';
import { finiteFlag } from './finite';
import { ForwardWrite } from './forward-writes';

/**
 * Policy 'skip' without a device→host read: `step` runs, then every variable in `state` keeps its
 * new value where the gradients were all finite and gets its old one back where not — one `where` per
 * variable on a flag that stays on the device. The old values are reshapes to their own shape (a
 * second reference to the same data, no copy: `assign` gives a variable new data and leaves the old
 * in place; `tf.clone` would copy on wasm, forward-writes.ts). `counter` counts the dropped
 * steps on the device. `state` must hold every variable the step can change (variables, z, the inner
 * optimizer's slots and scalars), else a dropped step would leave the others changed. Returns the
 * flag (true: the step was applied), a new scalar the caller disposes; `counter` may be null.
 * `written`: variables changed before the step (by the loss function) with their earlier values,
 * which they get back too when the step is dropped.
 */
export function stepOrKeep(
  state: tf.Variable[],
  gradients: Array<tf.Tensor | null>,
  counter: tf.Variable | null,
  step: () => void,
  written: readonly ForwardWrite[] = [],
): tf.Tensor {
  return tf.tidy(() => {
    const ok = finiteFlag(gradients);
    const old = state.map((v) => tf.reshape(v, v.shape));
    step();
    // One full-shape condition per distinct shape, made by a broadcasting logicalAnd: tf.where's own
    // broadcast of a scalar condition (a bool Tile) was measured 3–6× slower on wasm.
    const masks = new Map<string, tf.Tensor>();
    const mask = (v: tf.Variable): tf.Tensor => {
      const key = v.shape.join('x');
      let m = masks.get(key);
      if (!m) masks.set(key, (m = tf.logicalAnd(ok, tf.cast(tf.onesLike(v), 'bool'))));
      return m;
    };
    state.forEach((v, i) => v.assign(tf.where(mask(v), v, old[i])));
    written.forEach(([v, before]) => v.assign(tf.where(mask(v), v, before)));
    counter?.assign(tf.add(counter, tf.cast(tf.logicalNot(ok), 'float32')));
    return ok;
  });
}
