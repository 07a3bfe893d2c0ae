import * as tf from '@tensorflow/tfjs';
import { keepsGradientSpan } from '../../src/optimizer/gradient-span';
import { BACKENDS, OPTIMIZERS, useBackend } from '../helpers';

/**
 * Ambient mode re-anchors θ only for inner optimizers that keep each step in the span of the gradients;
 * that is measured on a copy of the optimizer, not looked up by class name (src/optimizer/gradient-span.ts).
 */

class RenamedSgd extends tf.SGDOptimizer {
  static override get className(): string {
    return 'RenamedSgdForTest';
  }
  override getClassName(): string {
    return 'RenamedSgdForTest';
  }
}
tf.serialization.registerClass(RenamedSgd);

/** A custom rule nobody registered: sign descent, which does not keep the span. */
class SignDescent extends tf.Optimizer {
  applyGradients(grads: tf.NamedTensorMap | Array<{ name: string; tensor: tf.Tensor }>): void {
    const list = Array.isArray(grads) ? grads : Object.keys(grads).map((name) => ({ name, tensor: grads[name] }));
    for (const { name, tensor } of list) {
      const v = tf.engine().registeredVariables[name];
      tf.tidy(() => v.assign(tf.sub(v, tf.mul(0.1, tf.sign(tensor)))));
    }
  }
  getConfig(): tf.serialization.ConfigDict {
    return {};
  }
  static className = 'SignDescentForTest';
}

describe.each(BACKENDS)('update rules on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(OPTIMIZERS)('%s: keeps the gradients’ span iff its update is linear in them (%#)', (_name, make, kind) => {
    const inner = make();
    const count = tf.memory().numTensors;
    const variables = Object.keys(tf.engine().registeredVariables).length;
    expect(keepsGradientSpan(inner)).toBe(kind === 'linear');
    expect(tf.memory().numTensors).toBe(count);
    expect(Object.keys(tf.engine().registeredVariables).length).toBe(variables);
    inner.dispose();
  });

  test('the property, not the name: an SGD registered under another name keeps the span; an unregistered rule does not count', () => {
    expect(keepsGradientSpan(new RenamedSgd(0.1))).toBe(true);
    expect(keepsGradientSpan(new SignDescent())).toBe(false);
  });
});
