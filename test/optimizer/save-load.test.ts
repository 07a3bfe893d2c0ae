import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import {
  Basis,
  bindRestoredOptimizer,
  blockBasis,
  denseBasis,
  CheckpointError,
  gaussianBasis,
  hashedBasis,
  projectGradients,
  projectParameters,
  srhtBasis,
  SubspaceOptimizer,
  trajectoryBasis,
  withScaleDirection,
} from '../../src';
import { ProjectedGradientOptimizer } from '../../src/optimizer/project-gradients';
import { ProjectedParameterOptimizer } from '../../src/optimizer/project-parameters';
import { BACKENDS, batches, convDenseModel, uniformArray, useBackend } from '../helpers';

type Make = (m: tf.LayersModel) => { opt: SubspaceOptimizer; basis: Basis };
type Handler = 'memory' | 'file';

/** Saves through tf.io: into memory, or as model.json + weights.bin in a temp folder and back. */
async function roundTrip(model: tf.LayersModel, handler: Handler): Promise<tf.LayersModel> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    { includeOptimizer: true },
  );
  const a = saved as unknown as tf.io.ModelArtifacts;
  if (handler === 'memory') return tf.loadLayersModel(tf.io.fromMemory(a));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'subspace-save-'));
  const { weightData, ...json } = a;
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weightData as ArrayBuffer));
  const load: tf.io.IOHandler = {
    load: async () => {
      const back = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8')) as tf.io.ModelArtifacts;
      const bin = fs.readFileSync(path.join(dir, 'weights.bin'));
      fs.rmSync(dir, { recursive: true });
      return { ...back, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) };
    },
  };
  return tf.loadLayersModel(load);
}

const bits = (t: tf.Tensor) => Array.from(new Uint32Array(Float32Array.from(t.dataSync()).buffer));
const weightBits = (m: tf.LayersModel) => m.getWeights().map(bits);

const CASES: Array<[string, Handler, Make]> = [
  ['coordinates, adam, hashed', 'memory', (m) => {
    const basis = hashedBasis(m.countParams(), 20, { seed: 3 });
    return { basis, opt: projectGradients(tf.train.adam(0.02), basis, { variables: m }) };
  }],
  ['coordinates, centered rmsprop, gaussian', 'file', (m) => {
    const basis = gaussianBasis(m.countParams(), 12, { seed: 6 });
    return { basis, opt: projectGradients(tf.train.rmsprop(0.01, 0.9, 0.5, 1e-7, true), basis, { variables: m }) };
  }],
  ['coordinates, adamax, srht, frozen conv bias', 'memory', (m) => {
    const basis = srhtBasis(m.countParams() - 2, 16, { seed: 8 });
    return { basis, opt: projectGradients(tf.train.adamax(0.02), basis, { variables: m, frozen: [m.layers[0].trainableWeights[1]] }) };
  }],
  ['ambient, rmsprop, srht', 'file', (m) => {
    const basis = srhtBasis(m.countParams(), 30, { seed: 4 });
    return { basis, opt: projectGradients(tf.train.rmsprop(0.01, 0.9, 0.5), basis, { variables: m, mode: 'ambient' }) };
  }],
  ['ambient, nesterov momentum, hashed, free head bias', 'memory', (m) => {
    const basis = hashedBasis(m.countParams() - 3, 25, { seed: 2 });
    return { basis, opt: projectGradients(tf.train.momentum(0.05, 0.9, true), basis, { variables: m, mode: 'ambient', free: [m.layers[2].trainableWeights[1]] }) };
  }],
  ['parameters, momentum, gaussian, free head bias', 'file', (m) => {
    const basis = gaussianBasis(m.countParams() - 3, 15, { seed: 5 });
    return { basis, opt: projectParameters(tf.train.momentum(0.05, 0.9), basis, { variables: m, free: [m.layers[2].trainableWeights[1]] }) };
  }],
  ['parameters, adagrad, hashed', 'memory', (m) => {
    const basis = hashedBasis(m.countParams(), 18, { seed: 7 });
    return { basis, opt: projectParameters(tf.train.adagrad(0.1), basis, { variables: m }) };
  }],
];

describe.each(BACKENDS)('model.save({includeOptimizer}) → tf.loadLayersModel → training continues bit for bit (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(CASES)('%s (%s handler)', async (_label, handler, make) => {
    const data = batches(6, 1);
    const start = tf.memory().numTensors;
    const train = async (m: tf.LayersModel, from: number, to: number) => {
      for (let i = from; i < to; i++) await m.trainOnBatch(data[i].x, data[i].y);
    };
    // Reference: 6 uninterrupted steps.
    const ref = convDenseModel(1);
    const r = make(ref);
    ref.compile({ optimizer: r.opt, loss: 'categoricalCrossentropy' });
    await train(ref, 0, 6);
    // Saved after 3 steps, loaded into a new model (new variables, names with _1 suffixes), 3 more steps.
    const first = convDenseModel(1);
    const f = make(first);
    first.compile({ optimizer: f.opt, loss: 'categoricalCrossentropy' });
    await train(first, 0, 3);
    const loaded = await roundTrip(first, handler);
    const opt = loaded.optimizer as SubspaceOptimizer;
    // The same class and API as the saved optimizer, before any step.
    const cls = f.opt instanceof ProjectedParameterOptimizer ? ProjectedParameterOptimizer : ProjectedGradientOptimizer;
    expect(opt).toBeInstanceOf(cls);
    expect(opt).toBeInstanceOf(SubspaceOptimizer);
    expect(opt).toBeInstanceOf(tf.Optimizer);
    expect(opt.getClassName()).toBe(f.opt.getClassName());
    expect(opt.mode).toBe(f.opt.mode);
    expect(opt.iterations).toBe(3);
    expect(opt.basis.kind).toBe(f.basis.kind);
    expect(bits(opt.origin)).toEqual(bits(f.opt.origin));
    expect((loaded.trainableWeights[0].read() as tf.Variable).name).toMatch(/_\d+$/); // the suffix case
    await train(loaded, 3, 6);
    // Bit-identical: the seeded basis is rebuilt exactly and every piece of state was restored.
    expect(weightBits(loaded)).toEqual(weightBits(ref));
    expect(opt.iterations).toBe(6);
    const [zl, zr] = [opt.coordinates(), r.opt.coordinates()];
    expect(bits(zl)).toEqual(bits(zr));
    tf.dispose([zl, zr]);
    // residual() is the same computation on the same bits.
    expect(opt.residual()).toEqual(r.opt.residual());
    // And it saves and loads again (bound by then), resuming identically (names now gain _2).
    const again = await roundTrip(loaded, handler);
    await train(again, 0, 1);
    await train(ref, 0, 1);
    expect(weightBits(again)).toEqual(weightBits(ref));
    for (const m of [ref, first, loaded, again]) {
      m.optimizer.dispose();
      m.dispose();
    }
    r.basis.dispose();
    f.basis.dispose();
    // tfjs-layers' model.save never disposes the iteration-count tensor that Optimizer.getWeights
    // returns first (the same happens with a bare tf.train optimizer): one tensor per save, two saves.
    expect(tf.memory().numTensors).toBe(start + 2);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  });
});

/** Saves into memory (the handler records whether it was reached). */
async function saveArtifacts(model: tf.LayersModel): Promise<tf.io.ModelArtifacts> {
  let saved: tf.io.ModelArtifacts | null = null;
  await model.save(
    tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })),
    { includeOptimizer: true },
  );
  return saved as unknown as tf.io.ModelArtifacts;
}

describe('saving fails at save time, with a typed error, when the optimizer could not be rebuilt on load', () => {
  beforeAll(() => useBackend('cpu'));

  const NOT_SEEDED: Array<[string, (m: tf.LayersModel) => Basis]> = [
    ['dense', (m) => {
      const e = tf.randomNormal([m.countParams(), 4], 0, 1, 'float32', 1) as tf.Tensor2D;
      const b = denseBasis(e);
      e.dispose();
      return b;
    }],
    ['block', (m) => blockBasis([hashedBasis(20, 4, { seed: 1 }), hashedBasis(m.countParams() - 20, 6, { seed: 2 })])],
    ['trajectory', (m) => trajectoryBasis([0, 1, 2, 3].map((s) => uniformArray(m.countParams(), s)), 3)],
    ['scaled', (m) => {
      const inner = hashedBasis(m.countParams(), 5, { seed: 4 });
      const w = tf.tensor1d(uniformArray(m.countParams(), 9));
      const b = withScaleDirection(inner, w);
      w.dispose();
      return b;
    }],
  ];

  it.each(NOT_SEEDED)('%s basis: CheckpointError naming the basis and both fixes; nothing saved, nothing leaked, training goes on', async (kind, makeBasis) => {
    const m = convDenseModel(1);
    const basis = makeBasis(m);
    const opt = projectGradients(tf.train.sgd(0.1), basis, { variables: m });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    const data = batches(2, 2);
    await m.trainOnBatch(data[0].x, data[0].y);
    const before = weightBits(m);
    const start = tf.memory().numTensors;
    let reached = false;
    const handler = tf.io.withSaveHandler(async () => ((reached = true), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } }));
    let error: unknown;
    try {
      await m.save(handler, { includeOptimizer: true });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CheckpointError);
    const message = (error as Error).message;
    expect(message).toContain(`${basis.kind} basis cannot be rebuilt from a saved config`);
    expect(message).toMatch(/gaussianBasis, hashedBasis and srhtBasis/);
    expect(message).toMatch(/without includeOptimizer/);
    expect(reached).toBe(false);
    expect(tf.memory().numTensors).toBe(start);
    expect(weightBits(m)).toEqual(before);
    expect(opt.iterations).toBe(1);
    expect(basis.kind).toMatch(new RegExp(`^${kind === 'scaled' ? 'hashed\\+scale' : kind}$`));
    // The fix the message names works: save without the optimizer, recreate it with the same basis,
    // restore its state with setWeights: the next step is the uninterrupted one, bit for bit.
    const state = await opt.getWeights();
    let saved: tf.io.ModelArtifacts | null = null;
    await m.save(tf.io.withSaveHandler(async (a) => ((saved = a), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved as unknown as tf.io.ModelArtifacts));
    const again = projectGradients(tf.train.sgd(0.1), basis, { variables: loaded });
    await again.setWeights(state);
    state[0].tensor.dispose();
    loaded.compile({ optimizer: again, loss: 'categoricalCrossentropy' });
    await loaded.trainOnBatch(data[1].x, data[1].y);
    await m.trainOnBatch(data[1].x, data[1].y);
    expect(weightBits(loaded)).toEqual(weightBits(m));
    for (const o of [opt, again]) o.dispose();
    basis.dispose();
    loaded.dispose();
    m.dispose();
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  });

  it('an inner optimizer whose state cannot be restored exactly is refused at save time too', async () => {
    class OwnSgd extends tf.SGDOptimizer {
      static override get className() {
        return 'OwnSgd';
      }
      override getClassName() {
        return 'OwnSgd';
      }
    }
    tf.serialization.registerClass(OwnSgd);
    const m = convDenseModel(1);
    const basis = hashedBasis(m.countParams(), 5, { seed: 1 });
    const opt = projectGradients(new OwnSgd(0.1), basis, { variables: m });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await expect(saveArtifacts(m)).rejects.toThrow(/OwnSgd inner optimizer cannot be restored exactly/);
    opt.dispose();
    basis.dispose();
    m.dispose();
  });
});

describe('a restored optimizer binds only to the variables it was saved with', () => {
  let artifacts: tf.io.ModelArtifacts;
  let data: Array<{ x: tf.Tensor4D; y: tf.Tensor2D }>;
  beforeAll(async () => {
    await useBackend('cpu');
    data = batches(3, 4);
    const m = convDenseModel(1);
    const basis = hashedBasis(m.countParams(), 10, { seed: 1 });
    const opt = projectGradients(tf.train.adam(0.01), basis, { variables: m });
    m.compile({ optimizer: opt, loss: 'categoricalCrossentropy' });
    await m.trainOnBatch(data[0].x, data[0].y);
    artifacts = await saveArtifacts(m);
    opt.dispose();
    basis.dispose();
    m.dispose();
  });
  afterAll(() => tf.dispose(data.flatMap((b) => [b.x, b.y])));

  /** The saved model, and a second, uninterrupted copy to compare with (same saved state). */
  const load = () => tf.loadLayersModel(tf.io.fromMemory(artifacts));

  it('another architecture: CheckpointError naming the position, nothing bound, state untouched; the right model then binds', async () => {
    const loaded = await load();
    const opt = loaded.optimizer as SubspaceOptimizer;
    const other = tf.sequential({ layers: [tf.layers.dense({ units: 3, inputShape: [4] })] });
    const same = convDenseModel(2);
    const start = tf.memory().numTensors;
    const fails = () => bindRestoredOptimizer(opt, other);
    expect(fails).toThrow(CheckpointError);
    expect(fails).toThrow(/not the variables the optimizer was saved with \(2 variable\(s\) were given but 4 were saved\)/);
    const reversed = [...same.trainableWeights.map((w) => w.read() as tf.Variable)].reverse();
    expect(() => bindRestoredOptimizer(opt, reversed)).toThrow(/position 0: .* has shape \[3\], the saved .* had \[3,3,1,2\]/);
    expect(tf.memory().numTensors).toBe(start);
    expect(opt.iterations).toBe(1);
    expect(() => opt.residual()).toThrow(/call bindRestoredOptimizer\(model.optimizer, model\) to bind it now/);
    // minimize with a list of the right shapes but another model's names is refused as well.
    const f = () => tf.tidy(() => tf.losses.softmaxCrossEntropy(data[1].y, same.predict(data[1].x) as tf.Tensor)) as tf.Scalar;
    expect(() => opt.minimize(f, false, same.trainableWeights.map((w) => w.read() as tf.Variable))).toThrow(/is not the saved/);
    expect(() => opt.minimize(f)).toThrow(CheckpointError);
    expect(tf.memory().numTensors).toBe(start);
    // The model it was saved with binds, and the optimizer works before any step.
    expect(bindRestoredOptimizer(opt, loaded)).toBe(opt);
    expect(bindRestoredOptimizer(opt, loaded)).toBe(opt); // idempotent
    expect(opt.residual().distance).toBeLessThanOrEqual(1e-5);
    expect(() => bindRestoredOptimizer(opt, same)).toThrow(/already bound to other variables/);
    for (const m of [other, same]) m.dispose();
    loaded.optimizer.dispose();
    loaded.dispose();
  });

  it('applyGradients first: bound by the saved names, whatever order the gradients come in', async () => {
    const start = tf.memory().numTensors;
    const [a, b] = [await load(), await load()];
    const loss = (m: tf.LayersModel) => () => tf.losses.softmaxCrossEntropy(data[1].y, m.predict(data[1].x) as tf.Tensor) as tf.Scalar;
    // a: minimize over the model's variables in order; b: a custom loop whose gradient map lists them in reverse.
    a.optimizer.minimize(loss(a), false, a.trainableWeights.map((w) => w.read() as tf.Variable));
    const vars = b.trainableWeights.map((w) => w.read() as tf.Variable);
    const { value, grads } = tf.variableGrads(loss(b), vars);
    const reversed: tf.NamedTensorMap = {};
    for (const v of [...vars].reverse()) reversed[v.name] = grads[v.name];
    b.optimizer.applyGradients(reversed);
    tf.dispose([value, grads]);
    expect(weightBits(b)).toEqual(weightBits(a));
    const partial = { [vars[0].name]: tf.zerosLike(vars[0]) };
    const c = await load();
    expect(() => c.optimizer.applyGradients(partial)).toThrow(/name no variable\(s\) matching the saved .*bindRestoredOptimizer/);
    tf.dispose(Object.values(partial));
    for (const m of [a, b, c]) {
      m.optimizer.dispose();
      m.dispose();
    }
    expect(tf.memory().numTensors).toBe(start);
  });

  it('saved again before binding (the loaded state as it was), it resumes as the first load does', async () => {
    const start = tf.memory().numTensors;
    const direct = await load();
    const middle = await load();
    const resaved = await roundTrip(middle, 'memory'); // middle never trained: saved from its unbound state
    await direct.trainOnBatch(data[1].x, data[1].y);
    await resaved.trainOnBatch(data[1].x, data[1].y);
    expect((resaved.optimizer as SubspaceOptimizer).iterations).toBe(2);
    expect(weightBits(resaved)).toEqual(weightBits(direct));
    for (const m of [direct, middle, resaved]) {
      m.optimizer.dispose();
      m.dispose();
    }
    // One save: the iteration tensor tfjs-layers' save leaves undisposed (as with any optimizer).
    expect(tf.memory().numTensors).toBe(start + 1);
  });

  it('state that fails to restore while binding leaks nothing and binds nothing (the same error again)', async () => {
    const copy = { ...artifacts, weightSpecs: artifacts.weightSpecs!.map((w) => ({ ...w })) };
    const slot = copy.weightSpecs.find((w) => w.name === 'inner/accumulatedFirstMoment/0')!;
    slot.name = 'inner/accumulatedFirstMoment/7';
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(copy));
    const start = tf.memory().numTensors;
    const step = () => loaded.trainOnBatch(data[1].x, data[1].y);
    await expect(step()).rejects.toThrow(/unexpected optimizer weight 'inner\/accumulatedFirstMoment\/7'/);
    expect(tf.memory().numTensors).toBe(start);
    await expect(step()).rejects.toThrow(/unexpected optimizer weight/);
    expect(tf.memory().numTensors).toBe(start);
    expect(() => (loaded.optimizer as SubspaceOptimizer).residual()).toThrow(/to bind it now/);
    loaded.optimizer.dispose();
    loaded.dispose();
  });

  it('weights saved for another D are refused at load (CheckpointError), the config names the variables', async () => {
    const copy = JSON.parse(JSON.stringify({ ...artifacts, weightData: undefined })) as tf.io.ModelArtifacts;
    const cfg = copy.trainingConfig!.optimizer_config as { config: { basis: { D: number }; variables: Array<{ name: string; shape: number[] }> } };
    expect(cfg.config.variables.map((v) => v.shape)).toEqual([[3, 3, 1, 2], [2], [32, 3], [3]]);
    cfg.config.basis.D += 1;
    await expect(tf.loadLayersModel(tf.io.fromMemory({ ...copy, weightData: artifacts.weightData }))).rejects.toThrow(/origin must be a vector of length 120/);
    delete (cfg.config as { variables?: unknown }).variables;
    cfg.config.basis.D -= 1;
    await expect(tf.loadLayersModel(tf.io.fromMemory({ ...copy, weightData: artifacts.weightData }))).rejects.toThrow(
      /does not list the optimizer's variables/,
    );
  });
});
