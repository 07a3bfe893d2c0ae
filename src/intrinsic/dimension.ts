import * as tf from '@tensorflow/tfjs-core';
import { Basis } from '../basis/basis';
import { InvalidArgumentError } from '../errors';
import { variablesOf } from '../layout';
import { projectGradients } from '../optimizer/project-gradients';
import { trainableParameterCount } from '../parameter-count';
import { crossing, CurvePoint, logGrid, refineBetween, summarize } from './interpolate';
import { bootstrapDimension } from './bootstrap';
import { IntrinsicDimensionOptions, IntrinsicDimensionResult, RunResult } from './options';
import { Resolved, resolveOptions } from './resolve';
import { holdOut, runProtocol, Trainee, TrainingProtocol } from './protocol';
import { checkLabelled, LabelledTensors, TrainingTick } from './train';
import { runFixedBudget } from './fixed-budget';


export type { IntrinsicDimensionOptions, IntrinsicDimensionResult, RunResult } from './options';

/** A compiled-able model as the factory returns it (a `tf.LayersModel`). */
interface FactoryModel {
  compile(args: { optimizer: tf.Optimizer; loss: string }): void;
  trainableWeights: Array<{ read(): tf.Tensor }>;
  trainOnBatch(x: tf.Tensor, y: tf.Tensor): Promise<number | number[]>;
  predict(x: tf.Tensor, config?: { batchSize?: number }): tf.Tensor | tf.Tensor[];
  dispose(): unknown;
}

/**
 * Measures the intrinsic dimension of a task (Li, Farkhoor, Liu, Yosinski 2018): trains the model
 * in full (the baseline), then in random subspaces θ0 + Q·z of each d, and reports test accuracy per
 * d and d_int — the smallest d reaching `threshold` × the baseline's accuracy, interpolated between
 * the bracketing d, with a bootstrap interval over seeds when there are several.
 *
 * Every run (the baseline and each d, per seed) follows the same protocol (docs/intrinsic-dimension.md):
 * `validationFraction` of the training data is held out; the learning rate is chosen on it by short
 * pilots on a log grid around a centre (the full model's `learningRate` for the baseline,
 * {@link subspaceLearningRate} of it for each d), widened while the best is at an edge; the chosen
 * one trains until validation accuracy stops improving (`patience`, `maxEpochs`) and its best
 * validation epoch is measured on the test split — the only test measurement of the run.
 *
 * Every run is seeded (model init, basis, batch order), so a result can be reproduced exactly.
 * `resume` takes finished runs back (a partial result), `onRun` sees each new one; `onProgress` is
 * called after every batch; `signal` cancels between batches (CancelledError).
 *
 * @example
 * const r = await intrinsicDimension({createModel: (seed) => fcDigits({seed}), train, test,
 *   dims: [10, 20, 40, 80, 160], basis: 'srht', seeds: [0, 1, 2]});
 * console.log(r.dInt, r.interval, r.curve, r.runs.map((x) => [x.d, x.learningRate, x.epochs, x.stopReason]));
 */
export async function intrinsicDimension(options: IntrinsicDimensionOptions): Promise<IntrinsicDimensionResult> {
  const o = resolveOptions(options);
  checkLabelled('intrinsicDimension', 'train', o.train);
  checkLabelled('intrinsicDimension', 'test', o.test);
  const probe = o.createModel(o.seeds[0]) as unknown as FactoryModel;
  // The trainable parameters only: countParams() also counts BatchNorm's moving statistics.
  const D = trainableParameterCount(variablesOf('intrinsicDimension', probe));
  probe.dispose();
  const maxD = Math.max(...(o.dims ?? [o.search!.max]));
  if (maxD > D) {
    throw new InvalidArgumentError(`intrinsicDimension: d = ${maxD} exceeds the model's D = ${D} parameters.`);
  }
  const finished = resumeMap(o.resume ?? []);
  const start = performance.now();
  // Fixed-budget runs train on the whole training set: no validation split to make (or dispose).
  if (o.training === 'fixed') return measureAll(o, D, { fit: o.train, validation: null }, finished, start);
  const split = holdOut(o.train, o.validationFraction);
  try {
    return await measureAll(o, D, split, finished, start);
  } finally {
    tf.dispose([split.fit.x, split.fit.y, split.validation.x, split.validation.y]);
  }
}

const keyOf = (d: number | null, seed: number) => `${d ?? 'full'}:${seed}`;

function resumeMap(runs: RunResult[]): Map<string, RunResult> {
  const out = new Map<string, RunResult>();
  for (const r of runs) {
    if (r == null || !(r.d === null || Number.isInteger(r.d)) || !Number.isInteger(r.seed) || typeof r.accuracy !== 'number') {
      throw new InvalidArgumentError(`intrinsicDimension: 'resume' holds ${JSON.stringify(r)}, which is not a RunResult; pass the 'runs' and 'baselines' of a result.`);
    }
    out.set(keyOf(r.d, r.seed), r);
  }
  return out;
}

async function measureAll(
  o: Resolved,
  D: number,
  split: { fit: LabelledTensors; validation: LabelledTensors | null },
  finished: Map<string, RunResult>,
  start: number,
): Promise<IntrinsicDimensionResult> {
  const runs: RunResult[] = [];
  let planned = o.dims ? o.dims.slice() : logGrid(o.search!.min, o.search!.max, o.search!.points);
  let refinePending = o.search?.refine ?? 0;
  const total = () => (o.baseline === undefined ? o.seeds.length : 0) + (planned.length + refinePending) * o.seeds.length;
  let done = 0;
  let resumed = 0;
  const protocol: TrainingProtocol = { maxEpochs: o.maxEpochs, patience: o.patience, minDelta: o.minDelta, pilotEpochs: o.pilotEpochs, lrStep: o.lrStep, lrExpand: o.lrExpand, batchSize: o.batchSize };
  const optimizerClass = o.optimizerName.split(' ')[0];

  const runOnce = async (d: number | null, seed: number): Promise<RunResult> => {
    const previous = finished.get(keyOf(d, seed));
    if (previous) {
      resumed++;
      done++;
      return previous;
    }
    const t0 = performance.now();
    const centre = d === null ? o.learningRate : o.rule(o.learningRate, { D, d, optimizer: optimizerClass });
    const basis: Basis | null = d === null ? null : o.makeBasis(D, d, seed);
    const startCandidate = (lr: number): Trainee => {
      const model = o.createModel(seed) as unknown as FactoryModel & Trainee['model'];
      let optimizer: tf.Optimizer | null = null;
      try {
        optimizer = o.makeOptimizer(lr);
        if (basis) optimizer = projectGradients(optimizer, basis, { variables: variablesOf('intrinsicDimension', model) });
        model.compile({ optimizer, loss: o.loss });
      } catch (e) {
        optimizer?.dispose();
        model.dispose();
        throw e;
      }
      return { model, dispose: () => (optimizer!.dispose(), model.dispose()) }; // a wrapper disposes its inner optimizer too
    };
    try {
      const progress = (tick: TrainingTick & { learningRate: number }) =>
        o.onProgress?.({ ...tick, d, seed, run: done, runs: total(), elapsedSeconds: (performance.now() - start) / 1000 });
      const { trainee, outcome } =
        split.validation === null
          ? await runFixedBudget(startCandidate, centre, split.fit, o, seed, progress, o.signal)
          : await runProtocol(startCandidate, centre, { fit: split.fit, validation: split.validation }, o.metric, protocol, seed, progress, o.signal);
      let acc: number;
      try {
        acc = o.metric(trainee.model, o.test);
      } finally {
        trainee.dispose();
      }
      const { history: _history, ...kept } = outcome;
      const result: RunResult = { d, seed, accuracy: acc, ...kept, learningRateCentre: centre, seconds: (performance.now() - t0) / 1000 };
      o.onRun?.(result);
      return result;
    } finally {
      basis?.dispose();
      done++;
    }
  };

  /**
   * Trains the runs of `keys` here in order, except those `delegate` takes (they train elsewhere):
   * their promises are returned unresolved, so that this process goes on with its next runs (a
   * helper does not wait for the lead's baseline before taking subspace runs).
   */
  const inTurn = async (keys: ReadonlyArray<readonly [number | null, number]>): Promise<Array<RunResult | Promise<RunResult>>> => {
    const out: Array<RunResult | Promise<RunResult>> = [];
    for (const [d, seed] of keys) {
      const elsewhere = finished.has(keyOf(d, seed)) ? null : (o.delegate?.(d, seed) ?? null);
      if (elsewhere) {
        const later = elsewhere.then((r) => (done++, r));
        later.catch(() => undefined); // awaited later (or dropped when a run here fails first): never an unhandled rejection
        out.push(later);
      } else out.push(await runOnce(d, seed));
    }
    return out;
  };
  const dimKeys = (dims: number[]) => dims.flatMap((d) => o.seeds.map((seed) => [d, seed] as const));
  const pendingBaselines = o.baseline === undefined ? await inTurn(o.seeds.map((seed) => [null, seed])) : o.seeds.map((seed) => knownBaseline(seed, o.baseline!));
  const pendingRuns = await inTurn(dimKeys(planned));
  const baselines = await Promise.all(pendingBaselines);
  runs.push(...(await Promise.all(pendingRuns)));
  const baselineAccuracy = baselines.reduce((a, b) => a + b.accuracy, 0) / baselines.length;
  const target = o.threshold * (o.thresholdOf === 'absolute' ? 1 : baselineAccuracy);
  const measure = async (dims: number[]) => void runs.push(...(await Promise.all(await inTurn(dimKeys(dims)))));
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
    baseline: baselines[0],
    baselines,
    baselineAccuracy,
    runs,
    curve,
    threshold: o.threshold,
    target,
    dInt: cross.dInt,
    firstReaching: curve.find((p) => p.mean >= target)?.d ?? null,
    bracket: cross.bracket,
    status: cross.status,
    interval: o.seeds.length > 1 ? intervalOf(o.thresholdOf === 'absolute' ? baselines.map((b) => ({ ...b, accuracy: 1 })) : baselines, runs, o.threshold, o.bootstrap) : null,
    config: {
      dims: planned.slice().sort((a, b) => a - b),
      basis: o.basisName,
      seeds: o.seeds.slice(),
      ...protocol,
      learningRate: o.learningRate,
      validationFraction: split.validation === null ? 0 : o.validationFraction,
      training: o.training,
      thresholdOf: o.thresholdOf,
      loss: o.loss,
      optimizer: o.optimizerName,
      backend: tf.getBackend(),
      trainExamples: split.fit.x.shape[0],
      validationExamples: split.validation?.x.shape[0] ?? 0,
      testExamples: o.test.x.shape[0],
    },
    resumed,
    wallSeconds: (performance.now() - start) / 1000,
  };
}

/** The stand-in baseline run when the caller gives its accuracy. */
function knownBaseline(seed: number, accuracy: number): RunResult {
  return { d: null, seed, accuracy, validation: NaN, learningRate: NaN, learningRateCentre: NaN, epochs: 0, bestEpoch: 0, stopReason: 'given', pilots: [], loss: NaN, seconds: 0 };
}

function intervalOf(baselines: RunResult[], runs: RunResult[], threshold: number, resamples: number) {
  const base = new Map(baselines.map((b) => [b.seed, b.accuracy]));
  const curves = new Map<number, Map<number, number>>();
  for (const r of runs) {
    if (!curves.has(r.seed)) curves.set(r.seed, new Map());
    curves.get(r.seed)!.set(r.d as number, r.accuracy);
  }
  return bootstrapDimension({ baselines: base, curves }, threshold, resamples);
}

function curveOf(runs: RunResult[]): CurvePoint[] {
  const byD = new Map<number, number[]>();
  for (const r of runs) if (r.d !== null) byD.set(r.d, [...(byD.get(r.d) ?? []), r.accuracy]);
  return [...byD.entries()].sort((a, b) => a[0] - b[0]).map(([d, accs]) => summarize(d, accs));
}

export type { LabelledTensors };
