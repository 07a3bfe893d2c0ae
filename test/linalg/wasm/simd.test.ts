import * as fs from 'fs';
import * as path from 'path';
import { fwht } from '../../../src/linalg/fwht';
import { fwhtWorkspace, simdAvailable } from '../../../src/linalg/wasm/simd';
import {
  DENSE_SHARED_WASM_BASE64,
  DENSE_WASM_BASE64,
  SIMD_WASM_BASE64,
  QR_SHARED_WASM_BASE64,
  QR_WASM_BASE64,
} from '../../../src/linalg/wasm/bytes';
import { bytesModule, compileWat } from '../../../src/linalg/wasm/compile';
import { uniformArray } from '../../helpers';
import { equalBits } from './bits';

describe('the WebAssembly SIMD Walsh–Hadamard transform', () => {
  test('runs in this Node (SIMD is part of every Node ≥ 16 and current browsers)', () => {
    expect(simdAvailable()).toBe(true);
    expect(fwhtWorkspace(8).engine).toBe('simd');
    expect(fwhtWorkspace(8, 'loops').engine).toBe('loops');
  });

  // Every branch of the schedule: n < 4 (JavaScript), the in-register stages only (4), a single
  // leftover stage in the block (8, 32, 2^13 = block), radix-4 to the end (16, 2^12), and the
  // stages over the whole segment after the 2^13 blocks (2^14: one single stage; 2^15: one radix-4
  // pass; 2^17; 2^20), at offsets that are and are not multiples of 4 floats.
  test.each([1, 2, 4, 8, 16, 32, 1 << 12, 1 << 13, 1 << 14, 1 << 15, 1 << 17, 1 << 20])(
    'gives the JavaScript transform bit for bit at n = %i',
    (n) => {
      for (const offset of [0, 3, 8]) {
        const x = uniformArray(offset + n + 5, n + offset, 100);
        const simd = fwhtWorkspace(x.length, 'simd');
        simd.array.set(x);
        simd.transform(offset, n);
        const js = x.slice();
        fwht(js, offset, n);
        expect(equalBits(simd.array, js)).toBe(true);
        expect(equalBits(simd.array.subarray(0, offset), x.subarray(0, offset))).toBe(true); // untouched
        expect(equalBits(simd.array.subarray(offset + n), x.subarray(offset + n))).toBe(true);
      }
    },
  );

  test('a workspace past one wasm page is one contiguous array of the asked length', () => {
    const ws = fwhtWorkspace(100_003);
    expect(ws.array.length).toBe(100_003);
    ws.array.fill(1);
    ws.transform(65_536, 32_768); // H·1 = n·e₀ over the segment
    expect(ws.array[65_536]).toBe(32_768);
    expect(ws.array[65_537]).toBe(0);
    expect(ws.array[100_002]).toBe(1);
  });

  test('bytes.ts is the compiled .wat files (run `npm run wasm` after editing one)', async () => {
    const modules = await compileWat();
    expect(modules).toHaveLength(5);
    expect(SIMD_WASM_BASE64).toBe(Buffer.from(modules[0]).toString('base64'));
    expect(DENSE_WASM_BASE64).toBe(Buffer.from(modules[1]).toString('base64'));
    expect(DENSE_SHARED_WASM_BASE64).toBe(Buffer.from(modules[2]).toString('base64'));
    expect(QR_WASM_BASE64).toBe(Buffer.from(modules[3]).toString('base64'));
    expect(QR_SHARED_WASM_BASE64).toBe(Buffer.from(modules[4]).toString('base64'));
    const file = fs.readFileSync(path.join(__dirname, '../../../src/linalg/wasm/bytes.ts'), 'utf8');
    expect(file).toBe(bytesModule(modules));
  });
});
