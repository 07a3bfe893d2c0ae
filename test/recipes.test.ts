import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { Command, Option } from 'commander';
import { basisFromSpec, basisSpec, CheckpointError, denseBasis, GradientMode, InvalidArgumentError, projectGradients, SubspaceOptimizer } from '../src';
import { checkBasisSpec } from '../src/basis/from-spec';
import { registerSeededKind, SEEDED_BASIS_KINDS, SeededBasisKind, seededFactoryList, seededKindList } from '../src/basis/kinds';
import { main, program } from '../src/cli/main';
import { intrinsicDimension, subspaceLearningRate } from '../src/intrinsic';
import { seededBasis } from '../src/intrinsic/resolve';
import { ProjectedGradientOptimizer } from '../src/optimizer/project-gradients';
import { adaptiveStepOf, modesOf, registeredModes, registerUpdateRule, ruleOfMode, RuleMode } from '../src/optimizer/rules/registry';
import { axesBasis } from './recipes/axes';
import { reprojectedRule } from './recipes/reprojected';
import { toyData, toyMetric, toyModel } from './intrinsic/toy';

/**
 * docs/contributing.md's two recipes, followed for a throwaway seeded basis kind ('axes',
 * test/recipes/axes.ts) and a throwaway update rule ('reprojected', test/recipes/reprojected.ts):
 * step 1 is the one file, step 2 the one registry entry — made here at run time with the
 * registries' register functions, since a test cannot add a line to SEEDED_KINDS or UPDATE_RULES.
 * Then every reader the recipes list must pick them up without another change: each check below
 * fails if that reader stops reading the registry (a list of names written out again).
 *
 * The library's modules are imported above, before the registration: they read the registries
 * when called. test/helpers.ts copies them when it is imported (BASES, MODES), so it is required
 * only after the registration; the registrations are undone in afterAll.
 */

/** The arguments intrinsicDimension passed to the kind's create (it must build 'axes' by name). */
const created: Array<[number, number, number]> = [];

// Step 2 of each recipe: the one registry entry.
const unregister = [
  registerSeededKind('axes', {
    create: (D, d, seed) => (created.push([D, d, seed]), axesBasis(D, d, { seed })),
    factory: 'axesBasis',
    summary: 'd signed coordinate axes (a test kind)',
  }),
  registerUpdateRule(reprojectedRule),
];
afterAll(() => {
  unregister.forEach((undo) => undo());
  // Gone again, for whatever else runs in this worker.
  expect(SEEDED_BASIS_KINDS).not.toContain('axes');
  expect(registeredModes()).not.toContain('reprojected');
});

// Readers that copy the registries when imported, required after the registration.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const helpers = require('./helpers') as typeof import('./helpers');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { checkBasisContract } = require('./basis/contract') as typeof import('./basis/contract');

const AXES = 'axes' as SeededBasisKind;
const REPROJECTED = 'reprojected' as RuleMode;

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
const weightBits = (m: tf.LayersModel) => m.getWeights().map(bits);

/** The --basis option of a CLI command. */
function basisOption(root: Command, command: string): Option {
  const cmd = root.commands.find((c) => c.name() === command) as Command;
  return cmd.options.find((o) => o.long === '--basis') as Option;
}

describe('the recipes: a new seeded kind and a new update rule need one file and one registry entry each', () => {
  beforeAll(() => helpers.useBackend('wasm'));

  test('registering is refused for a name already taken, and the registries list the new entries last', () => {
    expect(SEEDED_BASIS_KINDS[SEEDED_BASIS_KINDS.length - 1]).toBe('axes');
    expect(registeredModes()[registeredModes().length - 1]).toBe('reprojected');
    const entry = { create: () => axesBasis(2, 1), factory: 'axesBasis', summary: '' };
    expect(() => registerSeededKind('axes', entry)).toThrow(InvalidArgumentError);
    expect(() => registerSeededKind('gaussian', entry)).toThrow(/'gaussian' is not a new kind name/);
    expect(() => registerUpdateRule(reprojectedRule)).toThrow(/'reprojected' is not a new mode/);
    expect(() => registerUpdateRule({ ...reprojectedRule, mode: 'other', savedAs: 'Elsewhere' as never })).toThrow(/savedAs must be one of/);
    expect(() => registerUpdateRule({ ...reprojectedRule, mode: 'other', adaptiveStep: 'sideways' as never })).toThrow(/adaptiveStep must be 'subspace' or 'ambient'/);
    expect(registeredModes()).not.toContain('other');
  });

  test("a definition's adaptiveStep is what subspaceLearningRate reads (no list beside the registry)", () => {
    const undo = registerUpdateRule({ ...reprojectedRule, mode: 'reprojected-ambient', adaptiveStep: 'ambient' });
    try {
      const mode = 'reprojected-ambient' as RuleMode;
      expect(adaptiveStepOf(ruleOfMode(mode)!)).toBe('ambient');
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer: 'adam', mode })).toBe(0.01);
    } finally {
      undo();
    }
    expect(registeredModes()).not.toContain('reprojected-ambient');
  });

  describe("the kind ('axes')", () => {
    test('it keeps the Basis contract (the file of step 1 is a correct basis)', () => {
      checkBasisContract(() => axesBasis(50, 7, { seed: 3 }), 50, 7);
    });

    test('basisFromSpec rebuilds it bit for bit from its spec; the spec check accepts it', () => {
      const start = tf.memory().numTensors;
      const b = axesBasis(30, 4, { seed: 7 });
      const spec = basisSpec(b);
      expect(spec).toEqual({ kind: 'axes', D: 30, d: 4, seed: 7 });
      expect(() => checkBasisSpec('test', spec)).not.toThrow();
      const again = basisFromSpec(spec!);
      expect(again.kind).toBe('axes');
      const seed8 = axesBasis(30, 4, { seed: 8 });
      const [q, q2, other] = [b.materialize(), again.materialize(), seed8.materialize()];
      expect(bits(q2)).toEqual(bits(q));
      expect(bits(other)).not.toEqual(bits(q));
      tf.dispose([q, q2, other]);
      [b, again, seed8].forEach((x) => x.dispose());
      expect(tf.memory().numTensors).toBe(start);
    });

    test('error messages list it: the spec check, intrinsicDimension, and saving an unseeded basis', () => {
      expect(seededKindList()).toMatch(/'axes'$/);
      expect(seededFactoryList('and')).toMatch(/and axesBasis$/);
      expect(() => checkBasisSpec('load', { kind: 'nope', D: 4, d: 2, seed: 0 })).toThrow(/a seeded basis is .*'axes'/);
      expect(() => seededBasis('nope' as never)).toThrow(/basis must be .*'axes' or a function/);
      const v = tf.tidy(() => tf.variable(tf.zeros([6])));
      const e = tf.tensor2d(helpers.uniformArray(12, 1), [6, 2]);
      const basis = denseBasis(e);
      const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: [v] });
      expect(() => opt.getConfig()).toThrow(CheckpointError);
      expect(() => opt.getConfig()).toThrow(/only .* and axesBasis are rebuilt from their seed/);
      opt.dispose();
      basis.dispose();
      tf.dispose([v, e]);
    });

    test("the CLI's --basis offers it (choices and help, read when the program is built) and parses it", async () => {
      const root = program();
      for (const command of ['id', 'train']) {
        const option = basisOption(root, command);
        expect(option.argChoices).toEqual([...SEEDED_BASIS_KINDS]);
        expect(option.argChoices).toContain('axes');
        expect(option.description).toContain('axes = d signed coordinate axes (a test kind)');
      }
      // An accepted choice reaches the command's action (replaced here: nothing trains).
      let chosen: unknown = null;
      (root.commands.find((c) => c.name() === 'train') as Command).action((opts: { basis: string }) => void (chosen = opts.basis));
      await root.parseAsync(['train', '--dim', '2', '--basis', 'axes'], { from: 'user' });
      expect(chosen).toBe('axes');
      // A wrong one is refused naming every choice, the new one included.
      const err: string[] = [];
      const spy = jest.spyOn(process.stderr, 'write').mockImplementation((s) => (err.push(String(s)), true));
      try {
        expect(await main(['train', '--dim', '2', '--basis', 'nope'])).toBe(2);
      } finally {
        spy.mockRestore();
      }
      expect(err.join('')).toMatch(/Allowed choices are .*srht, axes/);
    });

    test("intrinsicDimension({ basis: 'axes' }) trains in it", async () => {
      const [train, test] = [toyData(8), toyData(4)];
      const start = tf.memory().numTensors;
      created.length = 0;
      const r = await intrinsicDimension({
        createModel: toyModel, train, test, dims: [12], basis: AXES, seeds: [3], baseline: 1,
        loss: 'meanSquaredError', metric: toyMetric, learningRate: 0.01, lrStep: 1, maxEpochs: 2, patience: 1, pilotEpochs: 1, batchSize: 8,
      });
      expect(tf.memory().numTensors).toBe(start);
      expect(created).toEqual([[1000, 12, 3]]);
      expect(r.runs.map((run) => run.d)).toEqual([12]);
      tf.dispose([train.x, train.y, test.x, test.y]);
    });
  });

  describe("the rule ('reprojected')", () => {
    test('projectGradients({ mode }) builds it; it trains in θ0 + span(Q); the error for an unknown mode lists it', () => {
      expect(modesOf('ProjectedGradient')).toContain('reprojected');
      const v = tf.tidy(() => tf.variable(tf.tensor1d(helpers.uniformArray(10, 2))));
      const basis = axesBasis(10, 3, { seed: 1 });
      const opt = projectGradients(tf.train.adam(0.05), basis, { variables: [v], mode: REPROJECTED as GradientMode });
      expect(opt).toBeInstanceOf(ProjectedGradientOptimizer);
      expect(opt.mode).toBe('reprojected');
      for (let s = 0; s < 3; s++) opt.minimize(() => tf.sum(tf.square(tf.sub(v, 1))) as tf.Scalar);
      const r = opt.residual();
      expect(r.displacement).toBeGreaterThan(0.05);
      expect(r.distance).toBeLessThanOrEqual(1e-5);
      expect(() => projectGradients(tf.train.sgd(0.1), basis, { variables: [v], mode: 'nope' as GradientMode })).toThrow(/mode must be .*'reprojected', got 'nope'/);
      opt.dispose();
      basis.dispose();
      v.dispose();
    });

    test("the learning-rate rule accepts its mode and scales lr as the rule's keepsSubspace says; its error lists it", () => {
      // Every registered rule: lr is kept for an adaptive optimizer exactly where Adam's steps leave span(Q).
      for (const mode of registeredModes() as RuleMode[]) {
        const keeps = helpers.keepsSubspace(mode, () => tf.train.adam(0.01));
        expect([mode, adaptiveStepOf(ruleOfMode(mode)!)]).toEqual([mode, keeps ? 'subspace' : 'ambient']);
        expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer: 'adam', mode })).toBeCloseTo(keeps ? 0.1 : 0.01, 15);
      }
      expect(helpers.keepsSubspace(REPROJECTED, () => tf.train.adam(0.01))).toBe(true);
      expect(subspaceLearningRate(0.01, { D: 400, d: 4, optimizer: 'sgd', mode: REPROJECTED })).toBe(0.01);
      expect(() => subspaceLearningRate(0.01, { D: 400, d: 4, optimizer: 'adam', mode: 'nope' as RuleMode })).toThrow(/'reprojected'\), got 'nope'/);
    });
  });

  test('model.save({ includeOptimizer: true }) → tf.loadLayersModel restores both (the kind by its spec, the rule by its mode): training continues bit for bit', async () => {
    const data = helpers.batches(4, 2);
    const start = tf.memory().numTensors;
    const make = (m: tf.LayersModel) => {
      const basis = axesBasis(m.countParams(), 9, { seed: 4 });
      const opt = projectGradients(tf.train.adam(0.02), basis, { variables: m, mode: REPROJECTED as GradientMode });
      m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
      return basis;
    };
    const train = async (m: tf.LayersModel, from: number, to: number) => {
      for (let i = from; i < to; i++) await m.trainOnBatch(data[i].x, data[i].y);
    };
    const ref = helpers.convDenseModel(1);
    const refBasis = make(ref);
    await train(ref, 0, 4);
    const first = helpers.convDenseModel(1);
    const firstBasis = make(first);
    await train(first, 0, 2);
    let saved: tf.io.ModelArtifacts | null = null;
    await first.save(
      tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
      { includeOptimizer: true },
    );
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
    const opt = loaded.optimizer as SubspaceOptimizer;
    expect(opt).toBeInstanceOf(ProjectedGradientOptimizer);
    expect(opt.mode).toBe('reprojected');
    expect(opt.basis.kind).toBe('axes');
    expect(basisSpec(opt.basis)).toEqual(basisSpec(firstBasis));
    await train(loaded, 2, 4);
    expect(weightBits(loaded)).toEqual(weightBits(ref));
    for (const m of [ref, first, loaded]) {
      m.optimizer.dispose();
      m.dispose();
    }
    [refBasis, firstBasis].forEach((b) => b.dispose());
    // tfjs-layers' model.save never disposes the iteration count that getWeights returns first.
    expect(tf.memory().numTensors).toBe(start + 1);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  });

  test('the test matrices include both: BASES and MODES in test/helpers.ts, and wrap() builds the new mode', () => {
    const start = tf.memory().numTensors;
    const names = helpers.BASES.map(([name]) => name);
    expect(names).toEqual(expect.arrayContaining([...SEEDED_BASIS_KINDS]));
    const [, make] = helpers.BASES.find(([name]) => name === 'axes')!;
    const b = make(20, 3, 5);
    expect(basisSpec(b)).toEqual({ kind: 'axes', D: 20, d: 3, seed: 5 });
    expect(helpers.MODES).toEqual(registeredModes());
    expect(helpers.MODES).toContain('reprojected');
    expect(helpers.ownsCoordinates(REPROJECTED)).toBe(false);
    const v = tf.tidy(() => tf.variable(tf.zeros([20])));
    const opt = helpers.wrap(REPROJECTED, tf.train.sgd(0.1), b, [v]);
    expect(opt).toBeInstanceOf(ProjectedGradientOptimizer);
    expect(opt.mode).toBe('reprojected');
    opt.dispose();
    b.dispose();
    v.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
