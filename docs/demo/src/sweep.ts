/**
 * The "intrinsic dimension" button: the library's `intrinsicDimension` (Li et al. 2018) on the
 * page's data and architecture — a full-parameter baseline, then one subspace run per d and seed with
 * the same optimizer and budget — and d_int90, the smallest d reaching 90% of the baseline.
 */
import * as tf from '@tensorflow/tfjs';
import { datasetTensors, intrinsicDimension, IntrinsicDimensionProgress, IntrinsicDimensionResult, ModelName, models } from 'tfjs-subspace';
import { TrainTest } from './datasets';
import { BasisKind, checkBasisSize } from './session';

export interface SweepConfig {
  arch: ModelName;
  basis: BasisKind;
  dims: number[];
  seeds: number[];
  learningRate: number;
  epochs: number;
  batchSize: number;
}

/** Parses "10, 20, 50" (or spaces) into sorted distinct positive integers. */
export function parseDims(text: string): number[] {
  const values = text
    .split(/[\s,;]+/)
    .filter((s) => s !== '')
    .map(Number);
  if (values.length === 0 || !values.every((v) => Number.isInteger(v) && v > 0)) {
    throw new Error(`dimensions must be positive integers separated by commas, got "${text}".`);
  }
  return [...new Set(values)].sort((a, b) => a - b);
}

/**
 * trainOnBatch's await resolves without a macrotask on wasm and cpu, so the tab would not repaint (nor
 * see Stop) during a sweep; intrinsicDimension awaits the promise onProgress returns, so this lets the
 * browser in every 50 ms.
 */
function yieldingEvery50ms(report: (p: IntrinsicDimensionProgress) => void): (p: IntrinsicDimensionProgress) => Promise<void> | void {
  let last = performance.now();
  return (p) => {
    report(p);
    if (performance.now() - last <= 50) return;
    last = performance.now();
    return new Promise((resolve) => setTimeout(resolve, 0));
  };
}

export async function runSweep(
  config: SweepConfig,
  data: TrainTest,
  onProgress: (p: IntrinsicDimensionProgress) => void,
  signal: AbortSignal,
): Promise<IntrinsicDimensionResult> {
  const make = models[config.arch];
  checkBasisSize(config.basis, make.parameters, Math.max(...config.dims));
  const train = datasetTensors(data.train, make.inputShape);
  const test = datasetTensors(data.test, make.inputShape);
  try {
    return await intrinsicDimension({
      createModel: (seed: number) => make({ seed }),
      train,
      test,
      dims: config.dims,
      basis: config.basis,
      seeds: config.seeds,
      optimizer: () => tf.train.adam(config.learningRate),
      epochs: config.epochs,
      batchSize: config.batchSize,
      threshold: 0.9,
      signal,
      onProgress: yieldingEvery50ms(onProgress),
    });
  } finally {
    tf.dispose([train.x, train.y, test.x, test.y]);
  }
}
