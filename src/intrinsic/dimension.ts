import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { InvalidArgumentError } from '../errors';
import { variablesOf } from '../layout';
import { projectGradients } from '../optimizer/project-gradients';
import { crossing, CurvePoint, logGrid, refineBetween, summarize } from './interpolate';
import { accuracy, checkLabelled, LabelledTensors, trainSeeded, TrainingTick } from './train';
import { IntrinsicDimensionOptions, IntrinsicDimensionResult, RunResult, resolveOptions } from './options';


export type { IntrinsicDimensionOptions, IntrinsicDimensionResult, RunResult } from './options';

/** A compiled-able model as the factory returns it (a `tf.LayersModel`). */
interface FactoryModel {
  compile(args: { optimizer: tf.Optimizer; loss: string }): void;
  countParams(): number;
  trainableWeights: Array<{ read(): tf.Tensor }>;
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<number | number[]>;
  predict(x: tf.Tensor, config?: { batchSize?: number }): tf.Tensor | tf.Tensor[];
  dispose(): unknown;
}

/**
 * Measures the intrinsic dimension of a task (Li, Farkhoor, Liu, Yosinski 2018): trains the model
 * in full (the baseline), then in random subspaces θ0 + Q·z of each d with the same architecture,
 * optimizer and budget, and reports test accuracy per d and d_int — the smallest d reaching
 * `threshold` × the baseline's accuracy, interpolated between the bracketing d. With `search`, d is
 * first taken on a log grid and then refined between the bracketing points.
 *
 * Every run is seeded (model init, basis, batch order), so a result can be reproduced exactly.
 * `onProgress` is called after every batch; `signal` cancels between batches (CancelledError).
 *
 * @example
 * const r = await intrinsicDimension({createModel: (seed) => fcDigits({seed}), train, test,
 *   dims: [10, 20, 40, 80, 160], basis: 'srht', epochs: 5});
 * console.log(r.dInt, r.curve);
 */
export async function intrinsicDimension(options: IntrinsicDimensionOptions): Promise<IntrinsicDimensionResult> {
  const o = resolveOptions(options);
  checkLabelled('intrinsicDimension', 'train', o.train);
  checkLabelled('intrinsicDimension', 'test', o.test);
  const start = performance.now();
  const runs: RunResult[] = [];
  const probe = o.createModel(o.seeds[0]) as unknown as FactoryModel;
  const D = probe.countParams();
  probe.dispose();
  const maxD = Math.max(...(o.dims ?? [o.search!.max]));
  if (maxD > D) {
    throw new InvalidArgumentError(`intrinsicDimension: d = ${maxD} exceeds the model's D = ${D} parameters.`);
  }
  let planned = o.dims ? o.dims.slice() : logGrid(o.search!.min, o.search!.max, o.search!.points);
  let refinePending = o.search?.refine ?? 0;
  const total = () => (o.baseline === undefined ? 1 : 0) + (planned.length + refinePending) * o.seeds.length;
  let done = 0;

  const runOnce = async (d: number | null, seed: number): Promise<RunResult> => {
    const t0 = performance.now();
    const model = o.createModel(seed) as unknown as FactoryModel;
    let basis: Basis | null = null;
    let optimizer: tf.Optimizer | null = null;
    try {
      optimizer = d === null ? o.baselineOptimizer() : o.optimizer();
      if (d !== null) {
        basis = o.makeBasis(model.countParams(), d, seed);
        optimizer = projectGradients(optimizer, basis, { variables: variablesOf('intrinsicDimension', model) });
      }
      model.compile({ optimizer, loss: o.loss });
      const budget = { epochs: o.epochs, batchSize: o.batchSize, shuffleSeed: seed };
      const progress = (tick: TrainingTick) =>
        o.onProgress?.({ ...tick, d, seed, run: done, runs: total(), elapsedSeconds: (performance.now() - start) / 1000 });
      const loss = await trainSeeded(model, o.train, budget, progress, o.signal);
      const result = { d, seed, accuracy: accuracy(model, o.test), loss, seconds: (performance.now() - t0) / 1000 };
      o.onRun?.(result);
      return result;
    } finally {
      optimizer?.dispose(); // a wrapper disposes its inner optimizer too
      model.dispose();
      basis?.dispose();
      done++;
    }
  };

  let baseline: RunResult;
  if (o.baseline === undefined) {
    baseline = await runOnce(null, o.seeds[0]);
  } else {
    baseline = { d: null, seed: o.seeds[0], accuracy: o.baseline, loss: NaN, seconds: 0 };
  }
  const target = o.threshold * baseline.accuracy;
  const measure = async (dims: number[]) => {
    for (const d of dims) for (const seed of o.seeds) runs.push((await runOnce(d, seed)) as RunResult & { d: number });
  };
  await measure(planned);
  refinePending = o.search && crossing(curveOf(runs), target).bracket ? refinePending : 0;
  let curve = curveOf(runs);
  let cross = crossing(curve, target);
  if (o.search && cross.bracket && o.search.refine > 0) {
    const extra = refineBetween(cross.bracket[0], cross.bracket[1], o.search.refine).filter((d) => !planned.includes(d));
    planned = [...planned, ...extra];
    refinePending = 0;
    await measure(extra);
    curve = curveOf(runs);
    cross = crossing(curve, target);
  }
  return {
    D,
    baseline,
    runs,
    curve,
    threshold: o.threshold,
    target,
    dInt: cross.dInt,
    bracket: cross.bracket,
    status: cross.status,
    config: {
      dims: planned.slice().sort((a, b) => a - b),
      basis: o.basisName,
      seeds: o.seeds.slice(),
      epochs: o.epochs,
      batchSize: o.batchSize,
      loss: o.loss,
      optimizer: o.optimizerName,
      backend: tf.getBackend(),
      trainExamples: o.train.x.shape[0],
      testExamples: o.test.x.shape[0],
    },
    wallSeconds: (performance.now() - start) / 1000,
  };
}

function curveOf(runs: RunResult[]): CurvePoint[] {
  const byD = new Map<number, number[]>();
  for (const r of runs) if (r.d !== null) byD.set(r.d, [...(byD.get(r.d) ?? []), r.accuracy]);
  return [...byD.entries()].sort((a, b) => a[0] - b[0]).map(([d, accs]) => summarize(d, accs));
}

export type { LabelledTensors };
