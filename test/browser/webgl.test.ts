import * as path from 'path';
import { Browser } from 'playwright-core';
import { bundlePage, launchChromium, openPage } from './chromium';

/**
 * The webgl backend, in a real browser: the npm-shipped headless Chromium (WebGL2 through SwiftShader),
 * driven by playwright-core (see chromium.ts). page.ts does the checks.
 */
interface Result {
  kind: string;
  orth: number;
  projectLiftReads: number;
  stepReads: number;
  maxDiff: number;
  displacement: number;
  distance: number;
}

describe('webgl in headless Chromium', () => {
  let browser: Browser;
  let report: { backend: string; results: Result[]; numTensors: number };
  let wasmDense: { backend: string; storage: string; worst: number; numTensors: number };

  beforeAll(async () => {
    const script = await bundlePage(path.join(__dirname, 'page.ts'));
    browser = await launchChromium();
    const page = await openPage(browser, script);
    report = await page.evaluate(() => (window as unknown as { runChecks: () => Promise<typeof report> }).runChecks());
    wasmDense = await page.evaluate(() => (window as unknown as { runWasmDenseCheck: () => Promise<typeof wasmDense> }).runWasmDenseCheck());
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  test('runs on the webgl backend', () => {
    expect(report.backend).toBe('webgl');
    expect(report.results.map((r) => r.kind)).toEqual(['gaussian', 'hashed', 'srht', 'block']);
  });

  test.each(['gaussian', 'hashed', 'srht', 'block'])('%s: orthonormal, no download in project/lift or in a step', (kind) => {
    const r = report.results.find((x) => x.kind === kind) as Result;
    expect(r.orth).toBeLessThanOrEqual(1e-6);
    expect(r.projectLiftReads).toBe(0);
    expect(r.stepReads).toBe(0); // nonFinite: 'unchecked' — the default 'throw' reads one flag per step
    // Coordinates mode equals the reparameterized model on webgl too. SwiftShader's float32 shaders
    // round differently from the cpu backend; 10 steps of Adam at lr 0.05 on |θ| ≤ 2: 1e-4.
    expect(r.maxDiff).toBeLessThanOrEqual(1e-4);
    expect(r.displacement).toBeGreaterThan(1e-2);
    expect(r.distance).toBeLessThanOrEqual(1e-5 * Math.max(1, r.displacement));
  });

  test('no tensor is left on the page', () => {
    expect(report.numTensors).toBe(0);
    expect(wasmDense.numTensors).toBe(0);
  });

  test("a dense basis on cpu in a page takes storage 'wasm' and gives Qᵀv and Q·c", () => {
    expect(wasmDense.backend).toBe('cpu');
    expect(wasmDense.storage).toBe('wasm');
    // float32 sums of ≤ 2053 unit-scale products against float64 loops.
    expect(wasmDense.worst).toBeLessThanOrEqual(1e-5);
  });
});
