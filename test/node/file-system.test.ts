import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import * as fs from 'fs';
import * as path from 'path';
import { bindRestoredOptimizer, loadCompactCheckpoint, ProjectedGradientOptimizer } from '../../src';
import { runTrain } from '../../src/cli/train-command';
import { models } from '../../src/models/registry';
import { fileSystem, stopWorkerThreads, useFileSystem } from '../../src/node';
import { BACKENDS, useBackend } from '../helpers';
import { bits, denseBatches, disposeRun, makeRun, optimizerBits, RUN_KINDS, tempDir, train, weightBits } from './trained-model';

/** The bytes weight specs take in weights.bin (every weight here is float32 or int32). */
const specBytes = (specs: tf.io.WeightsManifestEntry[]) => specs.reduce((n, s) => n + 4 * s.shape.reduce((a, b) => a * b, 1), 0);

describe.each(BACKENDS)('fileSystem: save with the optimizer → load → bind → training continues bit for bit (%s)', (backend) => {
  beforeAll(() => useBackend(backend));

  it.each(RUN_KINDS)('%s', async (kind) => {
    const data = denseBatches(6);
    const start = tf.memory().numTensors;
    // Reference: six uninterrupted steps.
    const ref = makeRun(kind);
    await train(ref.model, data, 0, 6);
    // Three steps, saved into a folder that does not exist yet (created, parents too), loaded back.
    const first = makeRun(kind);
    await train(first.model, data, 0, 3);
    const dir = path.join(tempDir('fs'), 'nested', 'model');
    await first.model.save(fileSystem(dir), { includeOptimizer: true });
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']); // no temporary file left
    const loaded = await tf.loadLayersModel(fileSystem(dir));
    expect(weightBits(loaded)).toEqual(weightBits(first.model)); // moving statistics too
    const opt = bindRestoredOptimizer(loaded.optimizer, loaded);
    expect(opt.iterations).toBe(3);
    expect(await optimizerBits(opt)).toEqual(await optimizerBits(first.optimizer));
    await train(loaded, data, 3, 6);
    expect(weightBits(loaded)).toEqual(weightBits(ref.model));
    expect(await optimizerBits(opt)).toEqual(await optimizerBits(ref.optimizer));
    // Saved again over the same folder (bound by then) and loaded through the model.json path.
    await loaded.save(fileSystem(dir), { includeOptimizer: true });
    const again = await tf.loadLayersModel(fileSystem(path.join(dir, 'model.json')));
    await train(again, data, 0, 1);
    await train(ref.model, data, 0, 1);
    expect(weightBits(again)).toEqual(weightBits(ref.model));
    expect(await optimizerBits(again.optimizer)).toEqual(await optimizerBits(ref.optimizer));
    [ref, first].forEach(disposeRun);
    for (const m of [loaded, again]) {
      m.optimizer.dispose();
      m.dispose();
    }
    // tfjs-layers' model.save does not dispose the iteration count Optimizer.getWeights returns
    // (docs/api.md, Saving and loading): one tensor per save with includeOptimizer, two saves here.
    expect(tf.memory().numTensors).toBe(start + 2);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
    fs.rmSync(path.dirname(path.dirname(dir)), { recursive: true });
  });
});

describe('fileSystem: the folder is the layout tfjs-node writes', () => {
  let dir: string;
  let json: tf.io.ModelJSON;
  let run: ReturnType<typeof makeRun>;

  beforeAll(async () => {
    await useBackend('cpu');
    run = makeRun('coordinates, adam, gaussian');
    const data = denseBatches(2);
    await train(run.model, data, 0, 2);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
    run.model.setUserDefinedMetadata({ note: 'saved by the test', steps: 2 });
    dir = tempDir('layout');
    await run.model.save(fileSystem(dir), { includeOptimizer: true });
    json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
  });
  afterAll(() => {
    disposeRun(run);
    fs.rmSync(dir, { recursive: true });
  });

  test("model.json's fields, one weights.bin whose length is what the manifest describes", () => {
    expect(Object.keys(json).sort()).toEqual(['convertedBy', 'format', 'generatedBy', 'modelTopology', 'trainingConfig', 'userDefinedMetadata', 'weightsManifest']);
    expect(json.format).toBe('layers-model');
    expect(json.generatedBy).toMatch(/^TensorFlow\.js tfjs-layers v4\./);
    expect(json.convertedBy).toBeNull();
    expect((json.modelTopology as { class_name: string }).class_name).toBe('Sequential');
    expect(json.userDefinedMetadata).toEqual({ note: 'saved by the test', steps: 2 });
    expect((json.trainingConfig?.optimizer_config as { class_name: string }).class_name).toBe(ProjectedGradientOptimizer.className);
    expect(json.weightsManifest).toHaveLength(1);
    const [group] = json.weightsManifest;
    expect(group.paths).toEqual(['weights.bin']);
    // The model's weights (trainable and moving statistics) then the optimizer's, as tfjs-layers lists them.
    const modelSpecs = group.weights.filter((s) => s.group !== 'optimizer');
    expect(modelSpecs.map((s) => s.name)).toEqual(run.model.weights.map((w) => w.originalName));
    expect(group.weights.slice(modelSpecs.length).every((s) => s.group === 'optimizer')).toBe(true);
    expect(group.weights.length).toBeGreaterThan(modelSpecs.length);
    expect(group.weights.map((s) => s.dtype).filter((t) => t !== 'float32')).toEqual(['int32']); // the iteration count
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(specBytes(group.weights));
  });

  test("a reader that does what tfjs-node's does (model.json, then each manifest path beside it) gets the same model", async () => {
    const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
      const buffers = manifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
      return [manifest.flatMap((g) => g.weights), new Uint8Array(Buffer.concat(buffers)).buffer];
    });
    const back = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(weightBits(back)).toEqual(weightBits(run.model));
    expect(back.getUserDefinedMetadata()).toEqual({ note: 'saved by the test', steps: 2 });
    back.optimizer.dispose();
    back.dispose();
  });

  test('save and load without the optimizer leave no tensor behind', async () => {
    const start = tf.memory().numTensors;
    const other = tempDir('plain');
    const info = await run.model.save(fileSystem(other));
    expect(info.modelArtifactsInfo.weightDataBytes).toBe(fs.statSync(path.join(other, 'weights.bin')).size);
    const plain = JSON.parse(fs.readFileSync(path.join(other, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    expect(plain.trainingConfig).toBeUndefined();
    const back = await tf.loadLayersModel(fileSystem(other));
    expect(back.optimizer).toBeUndefined();
    expect(weightBits(back)).toEqual(weightBits(run.model));
    back.dispose();
    expect(tf.memory().numTensors).toBe(start);
    fs.rmSync(other, { recursive: true });
  });
});

describe("the CLI's model folder loads with fileSystem and file://", () => {
  const out = tempDir('cli');
  afterAll(() => fs.rmSync(out, { recursive: true }));

  it('train writes model.json + weights.bin that predict as its checkpoint.json', async () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await runTrain({ data: 'digits', basis: 'hashed', dim: 20, seed: 2, epochs: 1, trainLimit: 100, testLimit: 20, fullLr: 1e-3, backend: 'cpu', threads: 1, out, quiet: true });
    } finally {
      log.mockRestore();
      stopWorkerThreads();
    }
    const viaHandler = await tf.loadLayersModel(fileSystem(out));
    const undo = useFileSystem();
    const viaUrl = await tf.loadLayersModel(`file://${path.join(out, 'model.json')}`);
    undo();
    const fromCheckpoint = models['fc-digits']({ seed: 2 });
    loadCompactCheckpoint(JSON.parse(fs.readFileSync(path.join(out, 'checkpoint.json'), 'utf8')), fromCheckpoint);
    const x = tf.randomUniform([16, 64], 0, 1, 'float32', 1);
    const [a, b, c] = [viaHandler, viaUrl, fromCheckpoint].map((m) => m.predict(x) as tf.Tensor);
    expect(bits(a)).toEqual(bits(c));
    expect(bits(b)).toEqual(bits(c));
    tf.dispose([x, a, b, c]);
    [viaHandler, viaUrl, fromCheckpoint].forEach((m) => m.dispose());
    expect(viaHandler.optimizer).toBeUndefined(); // the CLI saves the model alone; checkpoint.json holds z
  });
});
