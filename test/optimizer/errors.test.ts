import * as tf from '@tensorflow/tfjs';
import {
  DimensionMismatchError,
  DisposedError,
  DtypeError,
  gaussianBasis,
  InvalidArgumentError,
  NonFiniteError,
  projectGradients,
  projectParameters,
  SubspaceOptimizer,
  UnknownVariableError,
} from '../../src';
import {
  BACKENDS,
  MODES,
  snapshot,
  uniformArray,
  useBackend,
  wrap,
} from '../helpers';

/** Two variables (a 2×3 matrix and a 3-vector, D = 9) and a quadratic loss in them. */
function problem() {
  const w = tf.tidy(() => tf.variable(tf.tensor2d(uniformArray(6, 1), [2, 3])));
  const b = tf.tidy(() => tf.variable(tf.tensor1d(uniformArray(3, 2))));
  const loss = () => tf.tidy(() => tf.add(tf.sum(tf.square(tf.sub(w, 0.5))), tf.sum(tf.square(b))) as tf.Scalar);
  return { w, b, loss, vars: [w, b] };
}

describe.each(BACKENDS)('bad input on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test.each(MODES)('%s: a non-finite gradient throws before anything changes; "skip" drops the step', async (mode) => {
    const { w, b, loss, vars } = problem();
    const basis = gaussianBasis(9, 4, { seed: 3 });
    const opt = wrap(mode, tf.train.adam(0.1), basis, vars);
    for (let i = 0; i < 3; i++) opt.minimize(loss);
    const before = await snapshot(opt, vars);
    const bad = tf.tensor1d([0, NaN, Infinity]);
    const good = tf.ones([2, 3]);
    const count = tf.memory().numTensors;
    for (const grads of [{ [w.name]: good, [b.name]: bad }, [{ name: b.name, tensor: bad }]]) {
      expect(() => opt.applyGradients(grads)).toThrow(NonFiniteError);
      expect(() => opt.applyGradients(grads)).toThrow(new RegExp(`gradient of '${b.name}' contains NaN`));
    }
    expect(tf.memory().numTensors).toBe(count);
    expect(await snapshot(opt, vars)).toEqual(before);

    const skipping = wrap(mode, tf.train.adam(0.1), basis, vars, { nonFinite: 'skip' });
    const skipBefore = await snapshot(skipping, vars);
    skipping.applyGradients({ [w.name]: good, [b.name]: bad });
    expect(skipping.skippedSteps).toBe(1);
    // A dropped step changes no variable or slot; it counts in the iteration count (as tf.train's own
    // counter counts calls), since the sync-free form of 'skip' cannot know on the host.
    const skipAfter = await snapshot(skipping, vars);
    expect(skipAfter.iterations).toBe(skipBefore.iterations + 1);
    expect(skipAfter.weights.slice(1)).toEqual(skipBefore.weights.slice(1));
    expect(skipAfter.variables).toEqual(skipBefore.variables);
    tf.dispose([bad, good]);
    opt.dispose();
    skipping.dispose();
    basis.dispose();
    tf.dispose(vars);
  });

  test.each(MODES)('%s: a gradient for an unknown variable or of the wrong shape changes nothing', async (mode) => {
    const { w, b, vars } = problem();
    const stranger = tf.tidy(() => tf.variable(tf.zeros([2])));
    const basis = gaussianBasis(9, 4, { seed: 3 });
    const opt = wrap(mode, tf.train.momentum(0.1, 0.9), basis, vars);
    const g = { [w.name]: tf.ones([2, 3]), [b.name]: tf.ones([3]) };
    opt.applyGradients(g);
    const before = await snapshot(opt, vars);
    const extra = tf.ones([2]);
    expect(() => opt.applyGradients({ ...g, [stranger.name]: extra })).toThrow(UnknownVariableError);
    expect(() => opt.applyGradients({ ...g, [stranger.name]: extra })).toThrow(
      new RegExp(`variable '${stranger.name}', which is not among .* \\(2 projected, 0 free, 0 frozen\\)\\. If it belongs to another model, create one optimizer per model .*; otherwise list it in 'variables' \\(projected\\), 'free' or 'frozen'`),
    );
    expect(() => opt.minimize(() => tf.sum(stranger) as tf.Scalar, false, [stranger])).toThrow(UnknownVariableError);
    const wrong = tf.ones([3, 2]);
    expect(() => opt.applyGradients({ [w.name]: wrong })).toThrow(DimensionMismatchError);
    expect(() => opt.applyGradients({ [w.name]: wrong })).toThrow(/shape \[3,2\], but the variable has shape \[2,3\]/);
    expect(await snapshot(opt, vars)).toEqual(before);
    // A missing (null) gradient counts as zero and is not an error.
    opt.applyGradients({ [w.name]: g[w.name], [b.name]: null as unknown as tf.Tensor });
    expect(opt.iterations).toBe(2);
    tf.dispose([extra, wrong, stranger, ...Object.values(g)]);
    opt.dispose();
    basis.dispose();
    tf.dispose(vars);
  });

  test('construction rejects what cannot work, with the fix in the message, and allocates nothing', () => {
    const { vars } = problem();
    const basis = gaussianBasis(9, 4);
    const small = gaussianBasis(8, 4);
    const inner = tf.train.sgd(0.1);
    const start = tf.memory().numTensors;
    expect(() => projectGradients(inner, small, { variables: vars })).toThrow(DimensionMismatchError);
    expect(() => projectGradients(inner, small, { variables: vars })).toThrow(
      /basis has D = 8 rows but the 2 projected variable\(s\) hold 9 numbers. Build the basis for D = 9/,
    );
    const ints = tf.tidy(() => tf.variable(tf.tensor1d([1, 2], 'int32')));
    const tiny = gaussianBasis(2, 1);
    expect(() => projectParameters(inner, tiny, { variables: [ints] })).toThrow(DtypeError);
    tiny.dispose();
    expect(() => projectParameters(inner, basis, { variables: [ints, ...vars] })).toThrow(
      new RegExp(`'${ints.name}' has dtype int32; subspace training needs float32`),
    );
    expect(() => projectGradients(inner, basis, { variables: [] })).toThrow(/no variables to train/);
    expect(() => projectGradients(inner, basis, { variables: [vars[0], vars[0]] })).toThrow(/listed twice/);
    expect(() => projectGradients(inner, basis, { variables: vars, mode: 'sideways' as never })).toThrow(
      InvalidArgumentError,
    );
    expect(() => projectGradients(inner, basis, { variables: vars, nonFinite: 'maybe' as never })).toThrow(
      /nonFinite must be one of 'throw', 'skip', 'unchecked'/,
    );
    expect(() => projectGradients({} as tf.Optimizer, basis, { variables: vars })).toThrow(/must be a tf.Optimizer/);
    const shortOrigin = tf.zeros([8]) as tf.Tensor1D;
    expect(() => projectGradients(inner, basis, { variables: vars, origin: shortOrigin })).toThrow(
      /origin must be a vector of length 9, got shape \[8\]/,
    );
    const nanOrigin = tf.fill([9], NaN) as tf.Tensor1D;
    expect(() => projectParameters(inner, basis, { variables: vars, origin: nanOrigin })).toThrow(NonFiniteError);
    tf.dispose([shortOrigin, nanOrigin, ints]);
    expect(tf.memory().numTensors).toBe(start);
    basis.dispose();
    expect(() => projectGradients(inner, basis, { variables: vars })).toThrow(DisposedError);
    small.dispose();
    inner.dispose();
    tf.dispose(vars);
  });

  test('use after dispose, and a basis disposed under the optimizer, are DisposedErrors', () => {
    const { loss, vars } = problem();
    const basis = gaussianBasis(9, 3, { seed: 1 });
    const opt: SubspaceOptimizer = projectGradients(tf.train.sgd(0.1), basis, { variables: vars });
    opt.minimize(loss);
    basis.dispose();
    expect(() => opt.minimize(loss)).toThrow(DisposedError);
    expect(() => opt.minimize(loss)).toThrow(/basis .* was disposed/);
    opt.dispose();
    opt.dispose();
    expect(() => opt.minimize(loss)).toThrow(/optimizer was disposed/);
    expect(() => opt.residual()).toThrow(DisposedError);
    tf.dispose(vars);
  });

  test('instanceof tells the wrappers apart (tf.Optimizer itself answers by duck typing)', () => {
    const { vars } = problem();
    const basis = gaussianBasis(9, 2);
    const adam = tf.train.adam();
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: vars });
    expect(adam instanceof SubspaceOptimizer).toBe(false);
    expect(opt instanceof SubspaceOptimizer).toBe(true);
    expect(opt instanceof tf.Optimizer).toBe(true);
    [adam, opt, basis].forEach((x) => x.dispose());
    tf.dispose(vars);
  });
});
