/**
 * The "intrinsic dimension" button: the library's `intrinsicDimension` (Li et al. 2018) on the
 * page's data and architecture — a full-parameter baseline, then one subspace run per d and seed —
 * and d_int90, the smallest d reaching 90% of the baseline. The same protocol as the CLI's with a
 * smaller budget (stated on the page): 10 % of the training data held out; Adam's learning rate chosen
 * per run on it by one-epoch pilots around {@link SWEEP_PROTOCOL}.learningRate (the full model) or
 * subspaceLearningRate of it (each d); training stops after 2 epochs without a validation gain or at
 * the page's Epochs, and the best validation epoch is the one measured on the test split.
 */
import * as tf from '@tensorflow/tfjs';
import { intrinsicDimension, IntrinsicDimensionProgress, IntrinsicDimensionResult } from 'tfjs-subspace/intrinsic';
import { datasetTensors, ModelName, models } from 'tfjs-subspace/models';
import { TrainTest } from './datasets';
import { BasisKind, checkBasisSize } from './session';

/** The page's sweep budget: smaller than the CLI's defaults, so that a sweep takes a minute or two in a tab. */
export const SWEEP_PROTOCOL = { learningRate: 3e-3, pilotEpochs: 1, patience: 2, lrStep: 3, lrExpand: 1, validationFraction: 0.1 } as const;

export interface SweepConfig {
  arch: ModelName;
  basis: BasisKind;
  dims: number[];
  seeds: number[];
  /** The most epochs per run (the page's Epochs field). */
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
      optimizer: 'adam',
      ...SWEEP_PROTOCOL,
      maxEpochs: config.epochs,
      batchSize: config.batchSize,
      threshold: 0.9,
      signal,
      onProgress: yieldingEvery50ms(onProgress),
    });
  } finally {
    tf.dispose([train.x, train.y, test.x, test.y]);
  }
}
