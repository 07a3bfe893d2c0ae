import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { bindRestoredOptimizer } from '../../src';
import { useFileSystem } from '../../src/node';
import { useBackend } from '../helpers';
import { denseBatches, disposeRun, makeRun, optimizerBits, tempDir, train, weightBits } from './trained-model';

/**
 * The `file://` forms through tf.io's routers. tf.io has no way to remove a router, so this file's
 * routers stay registered for its whole run: the order of the tests matters (the stand-in for
 * tfjs-node is registered last, and answers only while `tfjsNodeLoaded` is true).
 */
describe("useFileSystem: model.save('file://…') and tf.loadLayersModel('file://…')", () => {
  let root: string;
  let run: ReturnType<typeof makeRun>;
  beforeAll(async () => {
    await useBackend('cpu');
    root = tempDir('router');
    run = makeRun('parameters, momentum, hashed');
    const data = denseBatches(2);
    await train(run.model, data, 0, 2);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  });
  afterAll(() => {
    disposeRun(run);
    fs.rmSync(root, { recursive: true });
  });

  test('before useFileSystem, file:// has no handler (tfjs-core alone)', async () => {
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toEqual([]);
    await expect(run.model.save(`file://${path.join(root, 'early')}`)).rejects.toThrow(/Cannot find any save handlers/);
  });

  test('saves and loads through the URL: the folder or its model.json, absolute or relative; the optimizer binds and matches', async () => {
    const undo = useFileSystem();
    const dir = path.join(root, 'url');
    await run.model.save(`file://${dir}`, { includeOptimizer: true });
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    const relative = path.relative(process.cwd(), dir);
    for (const url of [`file://${dir}/model.json`, `file://${dir}`, `file://${relative}/model.json`]) {
      const start = tf.memory().numTensors;
      const back = await tf.loadLayersModel(url);
      expect(weightBits(back)).toEqual(weightBits(run.model));
      const opt = bindRestoredOptimizer(back.optimizer, back);
      expect(await optimizerBits(opt)).toEqual(await optimizerBits(run.optimizer));
      opt.dispose();
      back.dispose();
      expect(tf.memory().numTensors).toBe(start);
    }
    undo();
  });

  test('idempotent: one handler however often it is called; off once every call is undone', async () => {
    const undos = [useFileSystem(), useFileSystem(), useFileSystem()];
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toHaveLength(1);
    expect(tf.io.getLoadHandlers('file:///tmp/x/model.json')).toHaveLength(1);
    expect(tf.io.getSaveHandlers('http://localhost/x')).toHaveLength(1); // tfjs's own http handler, untouched
    undos[0]();
    undos[0](); // undoing the same call twice counts once
    undos[1]();
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toHaveLength(1);
    undos[2]();
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toEqual([]);
    expect(tf.io.getLoadHandlers('file:///tmp/x/model.json')).toEqual([]);
  });

  test("with another file:// router (tfjs-node's) in the process, it steps aside: never two handlers", async () => {
    let tfjsNodeLoaded = false;
    const saved: string[] = [];
    const standIn = (url: string | string[]) =>
      (tfjsNodeLoaded && typeof url === 'string' && url.startsWith('file://')
        ? { save: async (a: tf.io.ModelArtifacts) => (saved.push(url), { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(a) }) }
        : null) as tf.io.IOHandler;
    const undo = useFileSystem();
    tf.io.registerSaveRouter(standIn); // registered after ours, as when tfjs-node is imported later
    tfjsNodeLoaded = true;
    expect(tf.io.getSaveHandlers('file:///tmp/x')).toHaveLength(1);
    const dir = path.join(root, 'other');
    await run.model.save(`file://${dir}`);
    expect(saved).toEqual([`file://${dir}`]);
    expect(fs.existsSync(dir)).toBe(false);
    // Once the other router stops answering, ours answers again.
    tfjsNodeLoaded = false;
    await run.model.save(`file://${dir}`);
    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    undo();
  });
});
