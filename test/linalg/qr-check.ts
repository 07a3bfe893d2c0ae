/**
 * Runs thinQr on a seeded D×d gaussian matrix in a plain Node process and prints
 * {"orthonormality": max|QᵀQ − I| (float64), "minDiagR": …, "ms": …} as JSON. qr.test.ts calls it for the
 * large sizes: numeric loops run several times slower inside Jest's vm sandbox than in Node itself.
 * Usage: node -r ts-node/register/transpile-only test/linalg/qr-check.ts D d seed
 */
import { thinQr } from '../../src/linalg/qr';
import { gaussianArray } from '../../src/random';
import { orthonormalityError } from './orthonormality';

const [D, d, seed] = process.argv.slice(2).map(Number);
const E = gaussianArray(D * d, seed);
const t0 = performance.now();
const { q, r } = thinQr(E, D, d);
const ms = performance.now() - t0;
let minDiagR = Infinity;
for (let j = 0; j < d; j++) minDiagR = Math.min(minDiagR, r[j * d + j]);
process.stdout.write(JSON.stringify({ orthonormality: orthonormalityError(q, D, d), minDiagR, ms }) + '\n');
