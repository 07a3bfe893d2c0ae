import * as tf from '@tensorflow/tfjs';
import {
  CheckpointError,
  DimensionMismatchError,
  gaussianBasis,
  GradientMode,
  InvalidArgumentError,
  NonFiniteError,
  OutsideWriteError,
  projectGradients,
  projectParameters,
  SubspaceOptimizer,
  SubspaceOptimizerOptions,
} from '../../src';
import { ParameterLayout, residualOf } from '../../src/tools';
import { Basis } from '../../src/basis/basis';
import { disposeInner } from '../../src/optimizer/inner-state';
import { UPDATE_RULES } from '../../src/optimizer/rules/registry';
import { FACTORIES, RuleContext, RuleDefinition } from '../../src/optimizer/rules/rule';
import { BACKENDS, batches, convDenseModel, EPS32, uniformArray, useBackend } from '../helpers';
import { liftedColumns } from './plain-reference';
import { LR, MOMENTUM, projectedStep } from './projected-step-rule';

/**
 * The update-rule interface (src/optimizer/rules/rule.ts; docs/contributing.md, "Adding an update
 * rule"): a rule written only against it runs in the one wrapper class with every policy around it,
 * and each registered rule keeps its contract. The registry is read, so a new rule is tested here.
 */

/** Two projected variables (D = 15) and a free one (3 numbers), seeded. */
function variables(seed: number): { w: tf.Variable; b: tf.Variable; head: tf.Variable } {
  return tf.tidy(() => ({
    w: tf.variable(tf.tensor2d(uniformArray(12, seed, 0.5), [4, 3])),
    b: tf.variable(tf.tensor1d(uniformArray(3, seed + 1, 0.5))),
    head: tf.variable(tf.tensor1d(uniformArray(3, seed + 2, 0.5))),
  }));
}

const values = (vs: tf.Variable[]) => Float64Array.from(vs.flatMap((v) => Array.from(v.dataSync())));
const bits = (vs: tf.Variable[]) => Array.from(new Uint32Array(Float32Array.from(values(vs)).buffer));

describe.each(BACKENDS)('update rules on %s', (backend) => {
  beforeAll(() => useBackend(backend));

  test('a rule written only against UpdateRule runs in SubspaceOptimizer: θ and the free variable as an independent float64 computation', () => {
    const { w, b, head } = variables(1);
    const basis = gaussianBasis(15, 4, { seed: 3 });
    const start = tf.memory().numTensors;
    const [D, d, T] = [15, 4, 12];
    const q = liftedColumns(basis); // Q's float32 values, as float64
    const theta = values([w, b]);
    const theta0 = theta.slice();
    const free = values([head]);
    const opt = new SubspaceOptimizer('projectedStep', tf.train.momentum(LR, MOMENTUM), basis, projectedStep, { variables: [w, b, head], free: [head] });
    expect(opt.mode).toBe('projected-step');
    const [v, vFree] = [new Float64Array(D), new Float64Array(3)];
    for (let t = 0; t < T; t++) {
      const g = uniformArray(D, 100 + t);
      const gFree = uniformArray(3, 200 + t);
      const grads = [tf.tensor2d(g.slice(0, 12), [4, 3]), tf.tensor1d(g.slice(12)), tf.tensor1d(gFree)];
      opt.applyGradients([w, b, head].map((x, i) => ({ name: x.name, tensor: grads[i] })));
      tf.dispose(grads);
      // float64: v ← m·v + g; θ ← θ − lr·QQᵀv (the projected momentum step); the free variable in full.
      for (let i = 0; i < D; i++) v[i] = MOMENTUM * v[i] + g[i];
      const c = Array.from({ length: d }, (_, k) => v.reduce((s, vi, i) => s + q[i * d + k] * vi, 0));
      for (let i = 0; i < D; i++) theta[i] -= LR * c.reduce((s, ck, k) => s + q[i * d + k] * ck, 0);
      for (let i = 0; i < 3; i++) {
        vFree[i] = MOMENTUM * vFree[i] + gFree[i];
        free[i] -= LR * vFree[i];
      }
    }
    // Each step rounds a handful of float32 operations (the momentum update, θ_after − θ_before, the
    // float32 Qᵀ·/Q· sums of ≤ 15 terms, θ_before + …) on values of size ≤ max(1, |θ|∞): ≈ 4 ulp per
    // step, accumulating at most linearly: T · 4 · EPS32 · max(1, |θ|∞) (helpers' equalTolerance).
    const scale = Math.max(1, ...Array.from(theta, Math.abs), ...Array.from(free, Math.abs));
    const tol = T * 4 * EPS32 * scale;
    const got = values([w, b]);
    expect(Math.max(...Array.from(got, (x, i) => Math.abs(x - theta[i])))).toBeLessThanOrEqual(tol);
    expect(Math.max(...Array.from(values([head]), (x, i) => Math.abs(x - free[i])))).toBeLessThanOrEqual(tol);
    // The wrapper's own reading of the state: in the subspace, and z = Qᵀ(θ − θ0).
    expect(opt.residual().distance).toBeLessThanOrEqual(1e-5);
    const z = opt.coordinates();
    const zRef = Array.from({ length: d }, (_, k) => got.reduce((s, x, i) => s + q[i * d + k] * (x - theta0[i]), 0));
    // Qᵀ(θ − θ0) in float32: 15-term sums of values ≤ 1: a few ulp.
    Array.from(z.dataSync()).forEach((zk, k) => expect(Math.abs(zk - zRef[k])).toBeLessThanOrEqual(1e-6));
    z.dispose();
    expect(opt.iterations).toBe(T);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start);
    basis.dispose();
    tf.dispose([w, b, head]);
  });

  test("the wrapper's policies compose with it: a NaN step, writes from outside, rebase, save/restore; saving it is refused", async () => {
    const { w, b, head } = variables(5);
    const basis = gaussianBasis(15, 4, { seed: 6 });
    const make = (nonFinite: SubspaceOptimizerOptions['nonFinite']) =>
      new SubspaceOptimizer('projectedStep', tf.train.momentum(LR, MOMENTUM), basis, projectedStep, { variables: [w, b, head], free: [head], nonFinite });
    const step = (o: SubspaceOptimizer, seed: number, poison = false) => {
      const gs = [tf.tensor2d(uniformArray(12, seed), [4, 3]), tf.tensor1d(uniformArray(3, seed + 1)), tf.tensor1d(uniformArray(3, seed + 2))];
      if (poison) {
        gs[1].dispose();
        gs[1] = tf.tensor1d([NaN, 0, 0]);
      }
      try {
        o.applyGradients([w, b, head].map((x, i) => ({ name: x.name, tensor: gs[i] })));
      } finally {
        tf.dispose(gs);
      }
    };
    const skipping = make('skip');
    step(skipping, 1);
    step(skipping, 2);
    const state = async () => {
      const ws = await skipping.getWeights(); // [a new iteration tensor, …the optimizer's own variables]
      const copies = ws.map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) }));
      ws[0].tensor.dispose();
      return copies;
    };
    const stateBits = (ws: Array<{ tensor: tf.Tensor }>) => ws.map((x) => Array.from(x.tensor.dataSync()));
    const before = { vars: bits([w, b, head]), state: await state() };
    const savedState = stateBits(before.state);
    const start = tf.memory().numTensors;
    const now = async () => {
      const copies = await state();
      const out = stateBits(copies);
      tf.dispose(copies.map((x) => x.tensor));
      return out;
    };
    step(skipping, 3, true);
    expect(skipping.skippedSteps).toBe(1);
    expect(skipping.iterations).toBe(3); // a dropped step still counts as a call
    expect(bits([w, b, head])).toEqual(before.vars);
    expect((await now()).slice(1)).toEqual(savedState.slice(1));
    // Saved state goes back in: slot names and shapes come from the rule (slotNames/slotShapes).
    step(skipping, 4);
    expect(await now()).not.toEqual(savedState);
    await skipping.setWeights(before.state);
    expect(await now()).toEqual(savedState);
    expect(skipping.iterations).toBe(2);
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose(before.state.map((x) => x.tensor));
    skipping.dispose();
    // Policy 'throw': a NaN gradient names the variable and changes nothing.
    const throwing = make('throw');
    const vars = bits([w, b, head]);
    expect(() => step(throwing, 5, true)).toThrow(NonFiniteError);
    expect(bits([w, b, head])).toEqual(vars);
    // keepsSubspace: a write off θ0 + span(Q) is refused; rebase() takes it as the new origin.
    tf.tidy(() => b.assign(tf.add(b, tf.tensor1d([0.3, 0, 0]))));
    expect(() => step(throwing, 6)).toThrow(OutsideWriteError);
    throwing.rebase();
    step(throwing, 7);
    expect(throwing.residual().distance).toBeLessThanOrEqual(1e-5);
    // Not a registered rule: model.save would write a config nothing can load.
    expect(() => throwing.getConfig()).toThrow(CheckpointError);
    expect(() => throwing.getConfig()).toThrow(/update rule 'projected-step' is not registered for SubspaceOptimizer/);
    throwing.dispose();
    basis.dispose();
    tf.dispose([w, b, head]);
  });

  describe.each(UPDATE_RULES.map((r) => [r.mode, r] as const))('the registered rule %s', (_mode, rule: RuleDefinition) => {
    /** The rule made directly from its definition, on two variables, with Adam as the inner optimizer. */
    function made(basis: Basis) {
      const { w, b, head } = variables(9);
      head.dispose();
      const layout = new ParameterLayout('test', [w, b]);
      const origin = tf.keep(tf.tidy(() => layout.read()));
      const inner = tf.train.adam(0.01);
      let iterations = 0;
      const ctx: RuleContext = { where: 'test', inner, basis, layout, origin: () => origin, iterations: () => iterations };
      const before = tf.memory().numTensors;
      const instance = rule.create(ctx);
      const created = tf.memory().numTensors - before;
      const step = (seed: number) => {
        tf.tidy(() => instance.step(tf.tensor1d(uniformArray(15, seed)), [true, true], []));
        iterations++;
      };
      return { w, b, layout, origin, inner, instance, step, created, dispose: () => (instance.dispose(), disposeInner(inner), tf.dispose([origin, w, b])) };
    }

    test('its own tensors only, unchanged over steps; dispose frees them all', () => {
      const basis = gaussianBasis(15, 4, { seed: 2 });
      const start = tf.memory().numTensors;
      const r = made(basis);
      // The rule's own tensors: z in coordinates mode, none in the others.
      expect(r.created).toBe(r.instance.coordinates ? 1 : 0);
      r.step(1);
      const afterFirst = tf.memory().numTensors; // the inner optimizer's slots now exist
      for (let s = 2; s < 6; s++) r.step(s);
      expect(tf.memory().numTensors).toBe(afterFirst);
      // The inner optimizer's slots are those the rule announced: names and shapes.
      const slots = r.instance.slotNames.map((name, i) => [`${name}/m`, r.instance.slotShapes[i]]);
      const adam = r.inner as unknown as { accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable }> };
      expect(adam.accumulatedFirstMoment.map((m) => [m.originalName, m.variable.shape])).toEqual(slots);
      if (r.instance.keepsSubspace) {
        const d = tf.tidy(() => residualOf(basis, r.origin, r.layout.read()).distance.dataSync()[0]);
        expect(d).toBeLessThanOrEqual(1e-5);
      }
      r.dispose();
      expect(tf.memory().numTensors).toBe(start);
      basis.dispose();
    });

    test('its saved weights: named as the definition says, checked, restored bit for bit', () => {
      const basis = gaussianBasis(15, 4, { seed: 2 });
      const r = made(basis);
      r.step(1);
      const saved = r.instance.weights();
      expect(saved.map((x) => x.name)).toEqual(rule.savedWeights);
      expect(() => rule.checkSaved('test', saved, basis)).not.toThrow();
      const copies = saved.map((x) => ({ name: x.name, tensor: tf.clone(x.tensor) }));
      r.step(2);
      const start = tf.memory().numTensors;
      r.instance.restoreWeights(copies);
      expect(tf.memory().numTensors).toBe(start);
      r.instance.weights().forEach((x, i) => expect(Array.from(x.tensor.dataSync())).toEqual(Array.from(copies[i].tensor.dataSync())));
      for (const bad of saved.map((x) => ({ name: x.name, tensor: tf.zeros([x.tensor.size + 1]) }))) {
        expect(() => rule.checkSaved('test', [bad], basis)).toThrow(DimensionMismatchError);
        bad.tensor.dispose();
      }
      tf.dispose(copies.map((x) => x.tensor));
      r.dispose();
      basis.dispose();
    });

    test('through its factory: saved under its class, loaded back, training continues bit for bit', async () => {
      const factory = (m: tf.LayersModel, basis: Basis) =>
        rule.savedAs === 'ProjectedGradient'
          ? projectGradients(tf.train.adam(0.02), basis, { variables: m, mode: rule.mode as GradientMode })
          : projectParameters(tf.train.adam(0.02), basis, { variables: m });
      const data = batches(3, 2);
      const [ref, first] = [convDenseModel(1), convDenseModel(1)];
      const basis = gaussianBasis(ref.countParams(), 8, { seed: 4 });
      for (const m of [ref, first]) m.compile({ optimizer: factory(m, basis), loss: 'categoricalCrossentropy' });
      expect(first.optimizer.getClassName()).toBe(rule.savedAs);
      expect((first.optimizer as SubspaceOptimizer).mode).toBe(rule.mode);
      for (const m of [ref, first]) await m.trainOnBatch(data[0].x, data[0].y);
      let artifacts: tf.io.ModelArtifacts | null = null;
      await first.save(
        tf.io.withSaveHandler(async (a) => ((artifacts = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
        { includeOptimizer: true },
      );
      const loaded = await tf.loadLayersModel(tf.io.fromMemory(artifacts as unknown as tf.io.ModelArtifacts));
      expect((loaded.optimizer as SubspaceOptimizer).mode).toBe(rule.mode);
      for (const m of [ref, loaded]) await m.trainOnBatch(data[1].x, data[1].y);
      const weightBits = (m: tf.LayersModel) => m.getWeights().map((t) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer)));
      expect(weightBits(loaded)).toEqual(weightBits(ref));
      for (const m of [ref, first, loaded]) {
        m.optimizer.dispose();
        m.dispose();
      }
      basis.dispose();
      tf.dispose(data.flatMap((x) => [x.x, x.y]));
    });
  });
});

describe('the registry', () => {
  test('one rule per mode; each saved class is registered with tf.serialization and has a factory', () => {
    const modes = UPDATE_RULES.map((r) => r.mode);
    expect(new Set(modes).size).toBe(modes.length);
    for (const r of UPDATE_RULES) {
      expect(tf.serialization.SerializationMap.getMap().classNameMap[r.savedAs]).toBeDefined();
      expect(FACTORIES[r.savedAs]).toMatch(/^project/);
    }
  });

  test("projectGradients' modes are the rules saved as ProjectedGradient; another mode is refused by name", () => {
    const v = tf.variable(tf.zeros([6]));
    const basis = gaussianBasis(6, 2, { seed: 1 });
    const gradientModes = UPDATE_RULES.filter((r) => r.savedAs === 'ProjectedGradient').map((r) => `'${r.mode}'`);
    expect(gradientModes.slice(0, 2)).toEqual(["'coordinates'", "'ambient'"]);
    const bad = () => projectGradients(tf.train.sgd(0.1), basis, { variables: [v], mode: 'parameters' as GradientMode });
    expect(bad).toThrow(InvalidArgumentError);
    expect(bad).toThrow(`projectGradients: mode must be ${gradientModes.slice(0, -1).join(', ')} or ${gradientModes[gradientModes.length - 1]}, got 'parameters'.`);
    basis.dispose();
    v.dispose();
  });
});
