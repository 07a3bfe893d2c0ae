import type { SeededBasisKind } from '../basis/kinds';
import { mkdirSync, writeFileSync } from 'fs';
import { join } from 'path';
import { basisFromSpec } from '../basis/from-spec';
import { compactCheckpoint, compressionOf } from '../checkpoint/compact';
import { accuracy, trainSeeded } from '../intrinsic/train';
import { ModelName, models } from '../models/registry';
import { projectGradients } from '../optimizer/project-gradients';
import { trainableParameterCount } from '../parameter-count';
import { setupBackend } from './backend';
import { DataName, disposeData, loadData } from './data';
import { defaultModel } from './defaults';
import { progressReporter } from './progress';

export interface TrainArgs {
  data: DataName;
  model?: ModelName;
  basis: SeededBasisKind;
  dim: number;
  seed: number;
  epochs: number;
  batchSize: number;
  lr: number;
  trainLimit?: number;
  testLimit?: number;
  backend: 'wasm' | 'cpu';
  /** Threads for the dense basis passes (useWorkerThreads); default one per core. */
  threads?: number;
  out: string;
  quiet: boolean;
}

/**
 * `tfjs-subspace train`: trains one zoo model in one seeded subspace and saves a compact checkpoint
 * (checkpoint.json: basis spec, the seeded origin's model + seed, z) plus the full model
 * (model.json + weights.bin, loadable with tf.loadLayersModel).
 */
export async function runTrain(args: TrainArgs): Promise<{ accuracy: number; ratio: number }> {
  const tf = await setupBackend(args.backend, args.threads);
  const modelName = args.model ?? defaultModel(args.data);
  const factory = models[modelName];
  const data = loadData(args.data, factory.inputShape, { train: args.trainLimit, test: args.testLimit });
  const model = factory({ seed: args.seed });
  const basis = basisFromSpec({ kind: args.basis, D: trainableParameterCount(model), d: args.dim, seed: args.seed });
  const optimizer = projectGradients(tf.train.adam(args.lr), basis, { variables: model });
  const progress = progressReporter(args.quiet);
  try {
    model.compile({ optimizer, loss: 'categoricalCrossentropy' });
    const budget = { epochs: args.epochs, batchSize: args.batchSize, shuffleSeed: args.seed };
    await trainSeeded(model, data.train, budget, (t) => progress.onProgress({ ...t, d: args.dim, seed: args.seed, run: 0, runs: 1, elapsedSeconds: 0, learningRate: args.lr }));
    progress.stop();
    const acc = accuracy(model, data.test);
    const checkpoint = compactCheckpoint(optimizer, { seededOrigin: { model: modelName, seed: args.seed } });
    mkdirSync(args.out, { recursive: true });
    writeFileSync(join(args.out, 'checkpoint.json'), JSON.stringify(checkpoint) + '\n');
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const { modelTopology, format, generatedBy, weightSpecs } = artifacts;
        const manifest = [{ paths: ['weights.bin'], weights: weightSpecs }];
        writeFileSync(join(args.out, 'model.json'), JSON.stringify({ modelTopology, format, generatedBy, weightsManifest: manifest }));
        writeFileSync(join(args.out, 'weights.bin'), Buffer.from(artifacts.weightData as ArrayBuffer));
        return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
      }),
    );
    const { bytes, fullBytes, ratio } = compressionOf(checkpoint);
    console.log(`${modelName} on ${args.data}, ${args.basis} basis d = ${args.dim}, seed ${args.seed}: test accuracy ${(100 * acc).toFixed(2)} %`);
    console.log(`checkpoint.json ${bytes} B vs full float32 weights ${fullBytes} B: ${ratio.toFixed(1)}× smaller`);
    console.log(`wrote ${join(args.out, 'checkpoint.json')}, model.json, weights.bin`);
    return { accuracy: acc, ratio };
  } finally {
    progress.stop();
    optimizer.dispose();
    basis.dispose();
    model.dispose();
    disposeData(data);
  }
}
