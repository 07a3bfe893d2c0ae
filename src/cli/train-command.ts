import type { SeededBasisKind } from '../basis/kinds';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { basisFromSpec } from '../basis/from-spec';
import { compactCheckpoint } from '../checkpoint/compact';
import { compressionOf } from '../checkpoint/compression';
import { subspaceLearningRate } from '../intrinsic/learning-rate';
import { accuracy, trainSeeded } from '../intrinsic/train';
import { ModelName, models } from '../models/registry';
import { fileSystem } from '../node/file-system';
import { projectGradients } from '../optimizer/project-gradients';
import { trainableParameterCount } from '../parameter-count';
import { setupBackend } from './backend';
import { DataName, describeSplit, disposeData, loadData } from './data';
import { budgetOf, defaultModel } from './defaults';
import { lrText, progressReporter, runLine } from './progress';

export interface TrainArgs {
  data: DataName;
  model?: ModelName;
  basis: SeededBasisKind;
  dim: number;
  seed: number;
  /** Default: the data set's maxEpochs (BUDGETS, src/cli/defaults.ts). */
  epochs?: number;
  /** Default: the data set's batch size (BUDGETS). */
  batchSize?: number;
  /** The subspace run's Adam learning rate; default: subspaceLearningRate(fullLr, { D, d, optimizer: 'adam' }). */
  lr?: number;
  /** The full model's Adam learning rate the rule starts from (FULL_MODEL_LR). */
  fullLr: number;
  trainLimit?: number;
  testLimit?: number;
  backend: 'wasm' | 'cpu';
  /** Threads for the dense basis passes (useWorkerThreads); default one per core. */
  threads?: number;
  out: string;
  quiet: boolean;
}

/** The subspace run's learning rate: --lr, else the library's rule from the full model's; and why, for the header. */
export function trainLearningRate(args: Pick<TrainArgs, 'lr' | 'fullLr' | 'dim'>, D: number): { lr: number; why: string } {
  const rule = subspaceLearningRate(args.fullLr, { D, d: args.dim, optimizer: 'adam' });
  const ruleText = `subspaceLearningRate(${args.fullLr}, { D: ${D}, d: ${args.dim} }) = ${args.fullLr}·√(${D}/${args.dim})`;
  if (args.lr !== undefined) return { lr: args.lr, why: `Adam lr ${lrText(args.lr)} (--lr; the rule would give ${ruleText} = ${lrText(rule)})` };
  return { lr: rule, why: `Adam lr ${lrText(rule)} = ${ruleText}: the full model's Adam lr (--full-lr) scaled so that a subspace step is as long as a full one (--lr overrides it)` };
}

/**
 * `tfjs-subspace train`: trains one zoo model in one seeded subspace and saves a compact checkpoint
 * (checkpoint.json: basis spec, the seeded origin's model + seed, z) plus the full model
 * (model.json + weights.bin written by fileSystem: loadable with tf.loadLayersModel(fileSystem(out)),
 * 'file://' after useFileSystem(), tfjs-node, or tf.io.http). No validation split, no early stop:
 * it trains `epochs` epochs (default: the data set's budget) on the whole training split.
 */
export async function runTrain(args: TrainArgs): Promise<{ accuracy: number; ratio: number; learningRate: number; epochs: number; batchSize: number }> {
  const tf = await setupBackend(args.backend, args.threads);
  const modelName = args.model ?? defaultModel(args.data);
  const factory = models[modelName];
  const data = loadData(args.data, factory.inputShape, { train: args.trainLimit, test: args.testLimit });
  const model = factory({ seed: args.seed });
  const D = trainableParameterCount(model);
  const basis = basisFromSpec({ kind: args.basis, D, d: args.dim, seed: args.seed });
  const { lr, why } = trainLearningRate(args, D);
  const { name: budgetName, budget } = budgetOf(args.data);
  const epochs = args.epochs ?? budget.maxEpochs;
  const batchSize = args.batchSize ?? budget.batchSize;
  const optimizer = projectGradients(tf.train.adam(lr), basis, { variables: model });
  const progress = progressReporter(args.quiet);
  const log = (s: string) => args.quiet || console.error(s);
  log(`${describeSplit(data, null)}; model ${modelName} (D = ${D.toLocaleString('en')}); ${args.basis} basis d = ${args.dim}; backend ${args.backend}`);
  const fromBudget = [args.epochs, args.batchSize].some((v) => v === undefined) ? ` (${[args.epochs === undefined && 'epochs', args.batchSize === undefined && 'batch'].filter(Boolean).join(' and ')}: the ${budgetName} budget)` : '';
  log(`${why}; ${epochs} epochs, batch ${batchSize}${fromBudget}`);
  try {
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const t0 = performance.now();
    const loss = await trainSeeded(model, data.train, { epochs, batchSize, shuffleSeed: args.seed }, (t) => progress.onProgress({ ...t, d: args.dim, seed: args.seed, run: 0, runs: 1, elapsedSeconds: 0, learningRate: lr }));
    progress.stop();
    const acc = accuracy(model, data.test);
    progress.finished(runLine(1, 1, { d: args.dim, seed: args.seed, learningRate: lr, accuracy: acc, epochs, seconds: (performance.now() - t0) / 1000 }, `, last loss ${loss.toFixed(4)}`));
    const checkpoint = compactCheckpoint(optimizer, { seededOrigin: { model: modelName, seed: args.seed } });
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, 'checkpoint.json'), JSON.stringify(checkpoint) + '\n');
    await model.save(fileSystem(args.out));
    const { bytes, fullBytes, ratio } = compressionOf(checkpoint);
    console.log(`${modelName} on ${args.data}, ${args.basis} basis d = ${args.dim}, seed ${args.seed}, lr ${lrText(lr)}, ${epochs} epochs: test accuracy ${(100 * acc).toFixed(2)} %`);
    console.log(`checkpoint.json ${bytes} B vs full float32 weights ${fullBytes} B: ${ratio.toFixed(1)}× smaller`);
    console.log(`wrote ${join(args.out, 'checkpoint.json')}, model.json, weights.bin`);
    return { accuracy: acc, ratio, learningRate: lr, epochs, batchSize };
  } finally {
    progress.stop();
    optimizer.dispose();
    basis.dispose();
    model.dispose();
    disposeData(data);
  }
}
