import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import { Browser } from 'playwright-core';
import { bindRestoredOptimizer } from '../../src';
import { fileSystem } from '../../src/node';
import { serveStatic, StaticServer } from '../../docs/demo/serve';
import { useBackend } from '../helpers';
import { bits, denseBatches, disposeRun, makeRun, optimizerBits, RUN_KINDS, tempDir, train, weightBits } from '../node/trained-model';
import { bundlePage, launchChromium } from './chromium';
import type { Batch, PageResult } from './file-system-page';

/**
 * A model folder saved in Node by fileSystem (with its subspace optimizer) loads in a browser with
 * tfjs's own http handler: served on localhost beside a page (same origin), loaded in headless
 * Chromium (chromium.ts) by `tf.loadLayersModel('http://127.0.0.1:…/model.json')` on the cpu backend.
 * Its predictions, the bound optimizer's state and one more training step are bit for bit what Node
 * computes from the same folder (both run tfjs's cpu kernels in JavaScript).
 */
const asBatch = (x: tf.Tensor2D, y: tf.Tensor2D): Batch => ({ x: Array.from(x.dataSync()), y: Array.from(y.dataSync()), rows: x.shape[0] });

describe('a folder saved by fileSystem loads in headless Chromium through tf.io.http', () => {
  let root: string;
  let server: StaticServer;
  let browser: Browser;

  beforeAll(async () => {
    await useBackend('cpu');
    root = tempDir('browser');
    const script = await bundlePage(path.join(__dirname, 'file-system-page.ts'));
    fs.writeFileSync(path.join(root, 'page.js'), script);
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><html><body><script src="page.js"></script></body></html>');
    server = await serveStatic(root);
    browser = await launchChromium();
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it.each(RUN_KINDS)('%s: predictions, the bound optimizer and the next step match Node bit for bit', async (kind) => {
    const data = denseBatches(4);
    const run = makeRun(kind);
    await train(run.model, data, 0, 3);
    const folder = kind.replace(/[^a-z]+/g, '-');
    await run.model.save(fileSystem(path.join(root, folder)), { includeOptimizer: true });
    // What Node computes from the same folder.
    const prediction = run.model.predict(data[0].x) as tf.Tensor;
    const expected = { prediction: bits(prediction), optimizerBefore: await optimizerBits(run.optimizer) };
    prediction.dispose();
    const resumed = await tf.loadLayersModel(fileSystem(path.join(root, folder)));
    const opt = bindRestoredOptimizer(resumed.optimizer, resumed);
    await train(resumed, data, 3, 4);
    const after = { weightsAfter: weightBits(resumed), optimizerAfter: await optimizerBits(opt) };

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(server.url);
    const url = `${server.url}${folder}/model.json`;
    const got = (await page.evaluate(
      ([u, probe, step]) => (window as unknown as { loadAndResume: (...a: unknown[]) => Promise<PageResult> }).loadAndResume(u, probe, step),
      [url, asBatch(data[0].x, data[0].y), asBatch(data[3].x, data[3].y)] as const,
    )) as PageResult;
    await page.close();
    expect(errors).toEqual([]);
    expect(got.backend).toBe('cpu');
    expect(got.handler).toBe('HTTPRequest'); // tfjs-core's own http handler
    expect(got.prediction).toEqual(expected.prediction);
    expect(got.optimizerBefore).toEqual(expected.optimizerBefore);
    expect(got.weightsAfter).toEqual(after.weightsAfter);
    expect(got.optimizerAfter).toEqual(after.optimizerAfter);
    expect(got.numTensors).toBe(0);
    opt.dispose();
    resumed.dispose();
    disposeRun(run);
    tf.dispose(data.flatMap((b) => [b.x, b.y]));
  }, 120_000);
});
