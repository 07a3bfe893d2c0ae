import * as tf from '@tensorflow/tfjs-core';
import { InvalidArgumentError } from '../errors';

/**
 * What the active backend keeps tensors in. tfjs-webgl stores every tensor, int32 ones included, in
 * float textures: float32 ones where the device can render to them, else float16
 * (`WEBGL_RENDER_FLOAT32_ENABLED` false: most phones, or forced with `WEBGL_FORCE_F16_TEXTURES`).
 * A float32 holds every integer up to 2²⁴ exactly, a float16 every integer up to 2¹¹ = 2048 and
 * about 3.3 significant digits. cpu, wasm and webgpu keep float32 and int32 as such.
 */
export interface TensorPrecision {
  backend: string;
  /** 16 where tensors live in float16 textures (webgl without float32 render targets), else 32. */
  floatBits: 16 | 32;
  /** The largest n with every integer 0 … n held exactly by an int32 tensor: 2048, 2²⁴ or 2³¹ − 1. */
  exactIntegers: number;
}

/** A basis cannot be made exact on this backend, and no exact fallback was allowed by its options. */
export class PrecisionError extends InvalidArgumentError {
  readonly precision: TensorPrecision;
  constructor(message: string, precision: TensorPrecision) {
    super(message);
    this.precision = precision;
  }
}

/** The precision of tensors on `backend` (default: the active one), read from tfjs-webgl's flags. */
export function tensorPrecision(backend = activeBackend()): TensorPrecision {
  if (backend !== 'webgl') return { backend, floatBits: 32, exactIntegers: 2 ** 31 - 1 };
  const float32 = flag('WEBGL_RENDER_FLOAT32_ENABLED') !== false;
  return { backend, floatBits: float32 ? 32 : 16, exactIntegers: float32 ? 2 ** 24 : 2 ** 11 };
}

/** Why tensors on this backend cannot hold a basis of D coordinates exactly (indices up to D − 1), or null. */
export function precisionProblem(p: TensorPrecision, D: number): string | null {
  if (p.floatBits === 16) {
    return (
      `the ${p.backend} backend keeps tensors in float16 here (WEBGL_RENDER_FLOAT32_ENABLED is false): ` +
      `numbers keep about 3 significant digits and integers (indices) are exact only up to ${p.exactIntegers}, ` +
      `so Q would not be orthonormal`
    );
  }
  if (D - 1 > p.exactIntegers) {
    return (
      `the ${p.backend} backend keeps int32 tensors as float32, exact only up to 2^24 = ${p.exactIntegers}, ` +
      `and the basis would gather with indices up to D − 1 = ${D - 1}`
    );
  }
  return null;
}

/** The fix to name when the device could render to float32 but the flag was turned off. */
function float32Hint(p: TensorPrecision): string {
  return p.floatBits === 16 && flag('WEBGL_RENDER_FLOAT32_CAPABLE') === true
    ? ` This device can render to float32: tf.env().set('WEBGL_RENDER_FLOAT32_ENABLED', true) before making tensors.`
    : '';
}

/**
 * Why vectors of D numbers cannot be held on this backend at all, or null: tfjs-webgl computes
 * element positions in float32, so its shaders misplace elements past position 2²⁴ (measured in
 * test/browser/precision.test.ts: an add writes element 2²⁴ + 1 from element 2²⁴). No basis can
 * then be exact: θ and the gradient are D-long vectors there.
 */
export function lengthProblem(p: TensorPrecision, D: number): string | null {
  if (p.backend !== 'webgl' || D - 1 <= 2 ** 24) return null;
  return (
    `tfjs-webgl computes element positions in float32, so it misplaces the elements of a D-long vector ` +
    `(θ, the gradient) past position 2^24 = ${2 ** 24}, and D − 1 = ${D - 1}`
  );
}

/** Throws a {@link PrecisionError} where vectors of D numbers are not held exactly (webgl, D − 1 > 2²⁴). */
export function checkLength(where: string, D: number): void {
  const p = tensorPrecision();
  const problem = lengthProblem(p, D);
  if (problem === null) return;
  throw new PrecisionError(
    `${where}: a basis of D = ${D} coordinates cannot be exact on the ${p.backend} backend: ${problem}. ` +
      `Use the wasm or cpu backend, or train at most 2^24 + 1 parameters in the subspace (the \`variables\` option).`,
    p,
  );
}

/**
 * Whether a structured basis (hashed, SRHT) of D coordinates takes its tf-op path: compute 'tf', or
 * 'auto' on webgl/webgpu where tensors hold its indices and weights exactly. Where they do not,
 * 'auto' falls back to the exact typed-array path ('arrays': each project/lift then reads its vector
 * back), and 'tf' throws a {@link PrecisionError}; so does any compute where D-long vectors are not
 * held exactly ({@link checkLength}).
 */
export function useTfOps(where: string, compute: 'auto' | 'arrays' | 'tf', D: number): boolean {
  const backend = activeBackend();
  if (backend === 'webgl') checkLength(where, D);
  if (compute === 'arrays' || (compute === 'auto' && backend !== 'webgl' && backend !== 'webgpu')) return false;
  const p = tensorPrecision(backend);
  const problem = precisionProblem(p, D);
  if (problem === null) return true;
  if (compute === 'auto') return false;
  throw new PrecisionError(
    `${where}: compute 'tf' cannot be exact: ${problem}. Use compute 'auto' or 'arrays' (Q stays exact in typed arrays; ` +
      `each project/lift then reads its vector back from the GPU), or the wasm or cpu backend.${float32Hint(p)}`,
    p,
  );
}

/**
 * For a dense basis on a GPU backend: true where Q may live in tensors, false where they would round
 * it to float16 (Q then stays exact in typed arrays). Throws where D-long vectors are not held exactly.
 */
export function gpuHoldsBasis(where: string, D: number): boolean {
  checkLength(where, D);
  return tensorPrecision().floatBits === 32;
}

/**
 * Throws a {@link PrecisionError} where a basis whose columns live in tensors (`what`) would be
 * rounded to float16. `fix` names the option that keeps it exact, if there is one.
 */
export function checkFloat32Tensors(where: string, what: string, fix = ''): void {
  const p = tensorPrecision();
  if (p.floatBits === 32) return;
  throw new PrecisionError(
    `${where}: ${what} cannot be exact: ${precisionProblem(p, 1)}. ${fix}Or use the wasm or cpu backend.${float32Hint(p)}`,
    p,
  );
}

function activeBackend(): string {
  try {
    return tf.getBackend() ?? '';
  } catch {
    return '';
  }
}

/** A tfjs environment flag, or undefined where it is not registered (webgl not loaded). */
function flag(name: string): boolean | undefined {
  try {
    return tf.env().getBool(name);
  } catch {
    return undefined;
  }
}
