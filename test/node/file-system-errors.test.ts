import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { CheckpointError, SubspaceError } from '../../src';
import { fileSystem, ModelFileError } from '../../src/node';
import { useBackend } from '../helpers';
import { denseBatches, disposeRun, makeRun, tempDir, train, weightBits } from './trained-model';

/** Runs `f`, expects a ModelFileError (a CheckpointError, code CHECKPOINT) matching `message` about `at`; returns it. */
async function refused(f: () => Promise<unknown>, message: RegExp, at: string): Promise<ModelFileError> {
  const e = await f().then(
    () => null,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelFileError);
  expect(e).toBeInstanceOf(CheckpointError);
  expect(e).toBeInstanceOf(SubspaceError);
  const err = e as ModelFileError;
  expect(err.code).toBe('CHECKPOINT');
  expect(err.message).toMatch(message);
  expect(err.path).toBe(at);
  return err;
}

describe('fileSystem: what it refuses, with the file at fault and the fix', () => {
  let root: string;
  let saved: string;
  let run: ReturnType<typeof makeRun>;
  const load = (p: string) => () => tf.loadLayersModel(fileSystem(p));
  /** A copy of the saved folder to damage. */
  const copy = (name: string) => {
    const to = path.join(root, name);
    fs.cpSync(saved, to, { recursive: true });
    return to;
  };

  beforeAll(async () => {
    await useBackend('cpu');
    root = tempDir('errors');
    saved = path.join(root, 'saved');
    run = makeRun('coordinates, adam, gaussian');
    const data = denseBatches(1);
    await train(run.model, data, 0, 1);
    tf.dispose([data[0].x, data[0].y]);
    await run.model.save(fileSystem(saved), { includeOptimizer: true });
  });
  afterAll(() => {
    disposeRun(run);
    fs.rmSync(root, { recursive: true });
  });

  test('loading: nothing at the path, a folder without model.json', async () => {
    const none = path.join(root, 'none');
    await refused(load(none), /no model to load at .*none: .*model\.json does not exist\. Pass the folder/, path.join(none, 'model.json'));
    await refused(load(path.join(none, 'model.json')), /does not exist/, path.join(none, 'model.json'));
    const empty = path.join(root, 'empty');
    fs.mkdirSync(empty);
    await refused(load(empty), /empty has no model\.json: pass the folder a model was saved into/, path.join(empty, 'model.json'));
  });

  test('loading: model.json cut short, not a model, or naming a file outside its folder', async () => {
    const cut = copy('cut');
    const file = path.join(cut, 'model.json');
    fs.writeFileSync(file, fs.readFileSync(file, 'utf8').slice(0, 100));
    await refused(load(cut), /model\.json is not valid JSON \(100 characters; cut short/, file);
    fs.writeFileSync(file, '[1, 2]');
    await refused(load(cut), /is not a JSON object: it is not a model\.json written by model\.save/, file);
    fs.writeFileSync(file, '{"format": "layers-model"}');
    await refused(load(cut), /has neither modelTopology nor weightsManifest/, file);
    const json = JSON.parse(fs.readFileSync(path.join(saved, 'model.json'), 'utf8')) as tf.io.ModelJSON;
    for (const escape of ['../saved/weights.bin', '/etc/passwd']) {
      json.weightsManifest[0].paths = [escape];
      fs.writeFileSync(file, JSON.stringify(json));
      await refused(load(cut), /lists the weights file .* which is not a relative path inside its folder/, file);
    }
  });

  test('loading: weights.bin missing, short, or longer than the manifest says', async () => {
    const dir = copy('weights');
    const bin = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(bin);
    fs.rmSync(bin);
    await refused(load(dir), /weights\.bin is missing: .*model\.json lists it in its weightsManifest\. Copy the whole folder/, bin);
    fs.writeFileSync(bin, bytes.subarray(0, bytes.length - 4));
    await refused(load(dir), new RegExp(`weights\\.bin has ${bytes.length - 4} bytes, but .*describes ${bytes.length} \\(\\d+ weights\\): the data is cut short`), bin);
    fs.writeFileSync(bin, Buffer.concat([bytes, Buffer.alloc(8)]));
    await refused(load(dir), /the data is from another save\. Save the model again, or copy model\.json and weights\.bin together/, bin);
    fs.writeFileSync(bin, bytes); // and whole again, it loads
    const back = await tf.loadLayersModel(fileSystem(dir));
    expect(weightBits(back)).toEqual(weightBits(run.model));
    back.optimizer.dispose();
    back.dispose();
  });

  test('saving: into a file, under a file, or to a .json name other than model.json', async () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    await refused(() => run.model.save(fileSystem(file)), /cannot save into .*a-file: it is a file\. Pass a folder/, file);
    const under = path.join(file, 'model');
    await refused(() => run.model.save(fileSystem(under)), /cannot create the folder .*a-file\/model: it, or a folder above it, is a file/, under);
    const other = path.join(root, 'other.json');
    await refused(() => run.model.save(fileSystem(other)), /names a \.json file; pass its folder/, other);
    expect(fs.readFileSync(file, 'utf8')).toBe('x');
    expect(fs.existsSync(other)).toBe(false);
    expect(() => fileSystem('')).toThrow(ModelFileError);
  });

  test('saving: a failed save leaves the old files whole and no temporary file behind', async () => {
    const dir = copy('kept');
    const before = fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)));
    const handler = fileSystem(dir);
    const specs: tf.io.WeightsManifestEntry[] = [{ name: 'w', shape: [3], dtype: 'float32' }];
    const artifacts = { modelTopology: {}, weightSpecs: specs, weightData: new ArrayBuffer(8) };
    await refused(() => (handler.save as tf.io.SaveHandler)(artifacts), /the model gave 8 bytes of weights for specs describing 12; nothing was written/, dir);
    await refused(() => (handler.save as tf.io.SaveHandler)({ modelTopology: new ArrayBuffer(4) }), /cannot save a binary \(GraphDef\) topology/, dir);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(fs.readdirSync(dir).map((f) => fs.readFileSync(path.join(dir, f)))).toEqual(before);
    // A write that fails on the disk (here: weights.bin is a folder, so it cannot be replaced).
    const blocked = copy('blocked');
    const json = fs.readFileSync(path.join(blocked, 'model.json'));
    fs.rmSync(path.join(blocked, 'weights.bin'));
    fs.mkdirSync(path.join(blocked, 'weights.bin', 'inside'), { recursive: true });
    await refused(() => run.model.save(fileSystem(blocked)), /cannot save into .*blocked: .*Its weights\.bin and model\.json are as they were/, blocked);
    expect(fs.readdirSync(blocked).sort()).toEqual(['model.json', 'weights.bin']);
    expect(fs.readFileSync(path.join(blocked, 'model.json'))).toEqual(json);
  });

  test('saving to the path of model.json writes its folder', async () => {
    const dir = path.join(root, 'by-json');
    await run.model.save(fileSystem(path.join(dir, 'model.json')));
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const back = await tf.loadLayersModel(fileSystem(dir));
    expect(weightBits(back)).toEqual(weightBits(run.model));
    back.dispose();
  });
});
