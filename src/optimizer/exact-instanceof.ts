/**
 * tf.Optimizer answers `instanceof` by duck typing (any object with minimize/applyGradients), and
 * subclasses inherit that static: without this, `tf.train.adam() instanceof SubspaceOptimizer` would
 * be true. Gives `cls` (and its subclasses) the ordinary prototype-chain `instanceof`.
 */
export function exactInstanceof(cls: object): void {
  Object.defineProperty(cls, Symbol.hasInstance, {
    value: function (this: object, instance: unknown): boolean {
      return Function.prototype[Symbol.hasInstance].call(this, instance);
    },
  });
}
