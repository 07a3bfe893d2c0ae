import { execFile } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Browser, Page } from 'playwright-core';
import { buildPage, checkBrowserSafe, PageBuild } from '../../docs/demo/build';
import { serveStatic, StaticServer } from '../../docs/demo/serve';
import { launchChromium } from './chromium';
import { blockWebgl, DemoWindow, Panel, readPanel, recompute, RunSummary } from './demo-driver';

/**
 * The demo page (docs/demo) end to end: built with its own build script, served on localhost,
 * driven through its form in headless Chromium (test/browser/chromium.ts). A short run on webgl (SwiftShader) must
 * reach the accuracy threshold, and every number the page shows must agree with the library's result
 * and with an independent recomputation from the trained model; then webgl is made unavailable and
 * the page must fall back to wasm, train a convolutional net and run the intrinsic dimension sweep.
 * Screenshots go to results/demo-page/.
 */
const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'results', 'demo-page');
/**
 * 8×8 digits, 10 classes (chance 10%): fcDigits trained in 100 hashed coordinates with Adam 0.05
 * passes 70% test accuracy at epoch 4 and reaches ≈ 78% at epoch 6; convDigits in 100 SRHT
 * coordinates passes it at about epoch 8.
 */
const THRESHOLD = 0.7;

describe('demo page in headless Chromium', () => {
  let built: PageBuild;
  let server: StaticServer;
  let browser: Browser;
  /** Uncaught errors and console errors of the page open now: checked when it closes. */
  let errors: string[] = [];

  async function open(query: string, setup?: (page: Page) => Promise<void>): Promise<Page> {
    errors = [];
    const page = await browser.newPage({ viewport: { width: 1280, height: 940 } });
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    await setup?.(page);
    await page.goto(server.url + query);
    await page.waitForFunction(() => (window as unknown as DemoWindow).subspaceDemo?.status !== 'loading', null, { timeout: 30_000 });
    return page;
  }

  async function close(page: Page): Promise<void> {
    await page.close();
    expect(errors).toEqual([]);
  }

  /** Clicks Train, waits for the shown test accuracy to pass THRESHOLD (then `whenPassed`) and for the run to end. */
  async function train(page: Page, whenPassed?: () => Promise<void>): Promise<RunSummary> {
    const numTensors = await page.evaluate(() => (window as unknown as DemoWindow).subspaceDemo.tf.memory().numTensors);
    await page.click('#train');
    await page.waitForFunction(
      (t) => {
        const shown = Number(document.getElementById('stat-accuracy')?.dataset.value);
        return shown >= t || (window as unknown as DemoWindow).subspaceDemo.status !== 'training';
      },
      THRESHOLD,
      { timeout: 60_000 },
    );
    expect(Number(await page.getAttribute('#stat-accuracy', 'data-value'))).toBeGreaterThanOrEqual(THRESHOLD);
    await whenPassed?.();
    await page.waitForFunction(() => (window as unknown as DemoWindow).subspaceDemo.status !== 'training', null, { timeout: 60_000 });
    const state = await page.evaluate(() => {
      const demo = (window as unknown as DemoWindow).subspaceDemo;
      return { summary: demo.summary, error: demo.error };
    });
    expect(state.error).toBeNull();
    const summary = state.summary as RunSummary;
    const panel = await readPanel(page);
    const check = await recompute(page);
    // What is shown is the library's result: the text and its unrounded data-value.
    expect(panel['stat-accuracy'].value).toBe(summary.testAccuracy);
    expect(Math.abs(panel['stat-accuracy'].shown - summary.testAccuracy)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(panel['stat-loss'].value).toBe(summary.testLoss);
    expect(Math.abs(panel['stat-loss'].shown - summary.testLoss)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(panel['stat-distance'].value).toBe(summary.distance);
    expect(panel['stat-displacement'].value).toBe(summary.displacement);
    expect(Math.abs(panel['stat-displacement'].shown - summary.displacement)).toBeLessThanOrEqual(0.0005 + 1e-9);
    expect(panel['stat-d'].shown).toBe(summary.d);
    expect(panel['stat-D'].shown).toBe(summary.D);
    // …and the library's result is the trained model's: accuracy counted from its predictions (the
    // same float32 model and data on the same backend: the same count), D from its weights, d from
    // the basis and the form, and the distance recomputed from θ, θ0 and the basis. Both distances
    // are float32 rounding of a vector that should be 0: each must be below the contract's tolerance
    // 1e-5·max(1, ‖θ − θ0‖), not equal to the other. ‖θ − θ0‖ agrees to float32 summation order.
    expect(Math.abs(check.accuracy - summary.testAccuracy)).toBeLessThanOrEqual(0.5 / check.testExamples);
    expect(check.weightSizes).toBe(summary.D);
    expect(check.countParams).toBe(summary.D);
    expect(check.basisDim).toBe(summary.d);
    expect(summary.d).toBe(Number(await page.inputValue('#d')));
    const tolerance = 1e-5 * Math.max(1, check.displacement);
    expect(check.distance).toBeLessThanOrEqual(tolerance);
    if (summary.d < summary.D) expect(summary.distance).toBeLessThanOrEqual(tolerance);
    expect(Math.abs(check.displacement - summary.displacement)).toBeLessThanOrEqual(1e-4 * summary.displacement);
    expect(summary.displacement).toBeGreaterThan(1);
    // Disposing the run frees every tensor it made.
    expect(check.numTensorsAfterDispose).toBe(numTensors);
    return summary;
  }

  /** The page's own type check (docs/demo/src/tsconfig.json), started first to overlap the build. */
  let typecheck: Promise<string | null>;

  beforeAll(async () => {
    const tsc = require.resolve('typescript/bin/tsc');
    typecheck = new Promise((resolve) =>
      execFile(process.execPath, [tsc, '-p', path.join(ROOT, 'docs/demo/src/tsconfig.json')], (error, stdout) =>
        resolve(error ? stdout || error.message : null),
      ),
    );
    fs.mkdirSync(SHOTS, { recursive: true });
    built = await buildPage({ outDir: fs.mkdtempSync(path.join(os.tmpdir(), 'subspace-demo-')), minify: false, sourcemap: false });
    server = await serveStatic(built.outDir);
    browser = await launchChromium();
  }, 60_000);

  afterAll(async () => {
    await typecheck;
    await browser?.close();
    await server?.close();
    if (built) fs.rmSync(built.outDir, { recursive: true, force: true });
  });

  test('every browser entry of the library bundles with no Node built-in on the path', async () => {
    const safety = await checkBrowserSafe();
    expect(safety.entries).toEqual(['index', 'intrinsic', 'data', 'models']);
    expect(safety.fromLibrary).toEqual([]);
    expect(safety.unresolved).toEqual([]);
    // What dependencies declare Node-only behind their package.json "browser" field is replaced by
    // empty modules (tfjs-core's Node platform, seedrandom's crypto seeding).
    for (const { module } of safety.disabledByDependencies) expect(['node-fetch', 'util', 'crypto']).toContain(module);
    // The page takes the library from its ESM build, as a user's bundler would.
    expect(built.inputs).toContain('dist/index.mjs');
    expect(built.inputs.filter((f) => f.startsWith('src/'))).toEqual([]);
  });

  test('the page code type-checks (browser types only)', async () => {
    expect(await typecheck).toBeNull();
  });

  test('webgl: trains fcDigits in 100 coordinates past the threshold, and shows the library numbers', async () => {
    const page = await open('?backend=webgl');
    expect(await page.evaluate(() => (window as unknown as DemoWindow).subspaceDemo.backend?.name)).toBe('webgl');
    expect(await page.textContent('#backend')).toBe('webgl');
    await page.selectOption('#dataset', 'digits');
    await page.selectOption('#arch', 'fc-digits');
    await page.selectOption('#basis', 'hashed');
    await page.fill('#d', '100');
    await page.fill('#epochs', '6');
    const summary = await train(page);
    expect(summary.backend).toBe('webgl');
    expect(summary.history).toHaveLength(6);
    expect(summary.D).toBe(64 * 32 + 32 + 32 * 32 + 32 + 32 * 10 + 10);
    // The last point of the accuracy curve is fit's evaluation of the same final model.
    expect(Math.abs(summary.history[5].testAccuracy - summary.testAccuracy)).toBeLessThanOrEqual(1e-6);
    await page.screenshot({ path: path.join(SHOTS, 'webgl.png'), fullPage: true });
    await close(page);
  }, 90_000);

  test('webgl unavailable: falls back to wasm; convDigits (Conv2D gradient on wasm); Stop; the sweep', async () => {
    const page = await open('', blockWebgl);
    const backend = await page.evaluate(() => (window as unknown as DemoWindow).subspaceDemo.backend);
    expect(backend?.name).toBe('wasm');
    expect(backend?.skipped.map((s) => s.name)).toEqual(['webgl']);
    expect(await page.textContent('#backend')).toBe('wasm (webgl unavailable)');
    await page.selectOption('#arch', 'conv-digits');
    await page.selectOption('#basis', 'srht');
    await page.fill('#d', '100');
    await page.fill('#epochs', '60');
    const summary = await train(page, () => page.click('#stop'));
    expect(summary.backend).toBe('wasm');
    expect(summary.stopped).toBe(true);
    expect(summary.history.length).toBeLessThan(60);

    await page.fill('#dims', '5, 20, 80');
    await page.fill('#epochs', '4');
    await page.selectOption('#basis', 'hashed');
    await page.selectOption('#arch', 'fc-digits');
    await page.click('#sweep');
    await page.waitForFunction(() => (window as unknown as DemoWindow).subspaceDemo.status !== 'sweeping', null, { timeout: 60_000 });
    const sweep = await page.evaluate(() => (window as unknown as DemoWindow).subspaceDemo.sweep);
    expect(sweep?.curve.map((c) => c.d)).toEqual([5, 20, 80]);
    const panel: Panel = await readPanel(page);
    expect(panel['stat-baseline'].value).toBe(sweep?.baseline.accuracy);
    if (sweep?.dInt == null) expect(await page.textContent('#stat-dint')).toBe('not reached');
    else expect(panel['stat-dint'].shown).toBe(Math.round(sweep.dInt));
    // One marker per d, and the baseline and 90% lines.
    expect(await page.locator('#chart-sweep circle').count()).toBe(3);
    expect(await page.locator('#chart-sweep text', { hasText: '90% of the full model' }).count()).toBe(1);
    await page.screenshot({ path: path.join(SHOTS, 'wasm-sweep.png'), fullPage: true });
    await close(page);
  }, 90_000);

  test('?backend=cpu forces cpu; a bad d shows the library error; MNIST is offered only when served and loads', async () => {
    const page = await open('?backend=cpu&arch=fc-digits');
    expect(await page.textContent('#backend')).toBe('cpu');
    // A d the model cannot have: the library's error is shown, and nothing is left allocated.
    const numTensors = await page.evaluate(() => (window as unknown as DemoWindow).subspaceDemo.tf.memory().numTensors);
    await page.fill('#d', '5000');
    await page.click('#train');
    await page.waitForFunction(() => (window as unknown as DemoWindow).subspaceDemo.status === 'error');
    expect(await page.textContent('#status')).toContain('d must be an integer with 1 ≤ d ≤ D = 3466, got d = 5000');
    expect(await page.evaluate(() => (window as unknown as DemoWindow).subspaceDemo.tf.memory().numTensors)).toBe(numTensors);
    errors = errors.filter((e) => !e.includes('got d = 5000'));
    await page.fill('#d', '100');
    const mnist = page.locator('#dataset option[value="mnist"]');
    expect(await mnist.isDisabled()).toBe(!built.mnist);
    if (built.mnist) {
      await page.selectOption('#dataset', 'mnist');
      // The page fetched and parsed the IDX files (their sizes), and offers the 28×28 models only.
      await page.waitForFunction(() => document.getElementById('data-size')?.textContent === '(10,000 train / 2,000 test)', null, { timeout: 20_000 });
      expect(await page.inputValue('#arch')).toBe('fc');
      expect(await page.locator('#arch option[value="fc-digits"]').isDisabled()).toBe(true);
      expect(await page.textContent('#d-of')).toBe('(0.05% of D = 199,210)');
    }
    await close(page);
  }, 30_000);
});
