import * as path from 'path';
import { Browser } from 'playwright-core';
import { bundlePage, launchChromium, openPage } from './chromium';

/**
 * src/backends/precision.ts on the real webgl backend (headless Chromium, SwiftShader): with float16
 * textures forced by either flag, and with float32 textures past 2²⁴ coordinates. Each scenario runs
 * in a fresh page, because tfjs-webgl reads the flags when it starts. precision-page.ts does the work.
 */
interface Caught {
  name: string;
  message: string;
  tensorsLeft: number;
}
interface Half {
  precision: { backend: string; floatBits: number; exactIntegers: number };
  premise: { gathered: number[]; third: number };
  errors: Record<'hashedTf' | 'srhtTf' | 'denseTensor' | 'scaleDirection', Caught | null>;
  fallbacks: Array<{ kind: string; arrayPath: boolean; storage: string | null; apply: number; orth: number }>;
  tensorsLeft: number;
}
interface Past {
  precision: Half['precision'];
  added: number[];
  gathered: number[];
  errors: Record<'hashedTf' | 'hashedAuto' | 'srhtArrays' | 'gaussian' | 'block', Caught | null>;
  largest: Caught | null;
  tensorsLeft: number;
}

const F16 = /the webgl backend keeps tensors in float16 here \(WEBGL_RENDER_FLOAT32_ENABLED is false\): .*integers \(indices\) are exact only up to 2048, so Q would not be orthonormal/;
// SwiftShader can render to float32, so the message also names the flag that turns it back on.
const CAPABLE = /This device can render to float32: tf\.env\(\)\.set\('WEBGL_RENDER_FLOAT32_ENABLED', true\)/;

describe('bases on webgl where tensors cannot hold them exactly (headless Chromium)', () => {
  let browser: Browser;
  const half: Record<string, Half> = {};
  let past: Past;

  beforeAll(async () => {
    const script = await bundlePage(path.join(__dirname, 'precision-page.ts'));
    browser = await launchChromium();
    const run = async <T>(name: string, arg?: string): Promise<T> => {
      const page = await openPage(browser, script);
      const result = await page.evaluate(
        ([n, a]) => (window as unknown as Record<string, (x?: string) => Promise<unknown>>)[n as string](a),
        [name, arg],
      );
      await page.close();
      return result as T;
    };
    half.render32 = await run<Half>('runHalfFloat', 'render32');
    half.forceF16 = await run<Half>('runHalfFloat', 'forceF16');
    past = await run<Past>('runPast2to24');
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
  });

  describe.each(['render32', 'forceF16'])('float16 textures (%s)', (flag) => {
    test('the premise: indices past 2048 and float32 values are rounded there', () => {
      const r = half[flag];
      expect(r.precision).toEqual({ backend: 'webgl', floatBits: 16, exactIntegers: 2048 });
      expect(r.premise.gathered[0]).toBe(3); // 2047 is a float16
      expect(r.premise.gathered.slice(1)).not.toEqual([1, 3, 1]); // 2049, 2051, 4097 are not
      expect(r.premise.third).not.toBe(Math.fround(1 / 3));
      expect(Math.abs(r.premise.third - 1 / 3)).toBeLessThanOrEqual(2 ** -11 / 3); // float16: 11 significant bits
    });

    test("compute 'tf', storage 'tensor' and withScaleDirection: a PrecisionError naming the problem and the fix, nothing left", () => {
      const { hashedTf, srhtTf, denseTensor, scaleDirection } = half[flag].errors;
      for (const [e, where, fix] of [
        [hashedTf, 'hashedBasis', /Use compute 'auto' or 'arrays'/],
        [srhtTf, 'srhtBasis', /Use compute 'auto' or 'arrays'/],
        [denseTensor, 'DenseBasis', /Pass \{ storage: 'array' \}/],
        [scaleDirection, 'withScaleDirection', /Or use the wasm or cpu backend/],
      ] as Array<[Caught | null, string, RegExp]>) {
        expect(e).not.toBeNull();
        expect(e!.name).toBe('PrecisionError');
        expect(e!.message.startsWith(`${where}: `)).toBe(true);
        expect(e!.message).toMatch(F16);
        expect(e!.message).toMatch(fix);
        expect(e!.message).toMatch(CAPABLE);
        expect(e!.tensorsLeft).toBe(0);
      }
    });

    test.each(['hashed', 'srht', 'gaussian'])("'auto' %s falls back to typed arrays: orthonormal, and exact on the values the GPU holds", (kind) => {
      const r = half[flag].fallbacks.find((x) => x.kind === kind)!;
      expect(r.arrayPath).toBe(true);
      if (kind === 'gaussian') expect(r.storage).toBe('wasm');
      // float32 Q from the basis' typed arrays against float64 sums over D = 5000: 1e-6 (Gram) and
      // 1e-5 (products of unit-scale values). A float16 Q or index would be off by ≥ 1e-4.
      expect(r.orth).toBeLessThanOrEqual(1e-6);
      expect(r.apply).toBeLessThanOrEqual(1e-5);
    });

    test('no tensor is left on the page', () => {
      expect(half[flag].tensorsLeft).toBe(0);
    });
  });

  describe('float32 textures, D = 2²⁴ + 2', () => {
    test('the premise: shaders misplace elements past position 2²⁴, and gather indices past 2²⁴ miss', () => {
      expect(past.precision).toEqual({ backend: 'webgl', floatBits: 32, exactIntegers: 2 ** 24 });
      // Positions 2²⁴ − 1, 2²⁴, 2²⁴ + 1 hold 1, 2, 3.
      expect(past.added.slice(0, 2)).toEqual([1, 2]);
      expect(past.added[2]).not.toBe(3);
      expect(past.gathered.slice(0, 2)).toEqual([1, 2]);
      expect(past.gathered[2]).not.toBe(3);
    });

    test('every basis kind and compute: a PrecisionError naming D and the fix (no fallback can be exact), nothing left', () => {
      const problem =
        `tfjs-webgl computes element positions in float32, so it misplaces the elements of a D-long vector ` +
        `(θ, the gradient) past position 2^24 = 16777216, and D − 1 = 16777217. Use the wasm or cpu backend, ` +
        `or train at most 2^24 + 1 parameters in the subspace (the \`variables\` option).`;
      for (const [key, where] of [
        ['hashedTf', 'hashedBasis'],
        ['hashedAuto', 'hashedBasis'],
        ['srhtArrays', 'srhtBasis'],
        ['gaussian', 'DenseBasis'],
        ['block', 'blockBasis'],
      ] as const) {
        const e = past.errors[key];
        expect(e?.name).toBe('PrecisionError');
        expect(e!.message).toBe(`${where}: a basis of D = 16777218 coordinates cannot be exact on the webgl backend: ${problem}`);
        expect(e!.tensorsLeft).toBe(0);
      }
    });

    test('D = 2²⁴ + 1 (last position 2²⁴, a float32) is accepted', () => {
      expect(past.largest).toBeNull();
      expect(past.tensorsLeft).toBe(0);
    });
  });
});
