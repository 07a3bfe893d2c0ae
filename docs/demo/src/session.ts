/**
 * One training run in a subspace, as a library user would write it: a seeded model, a basis over its
 * D parameters, `projectGradients` (or `projectParameters`) around Adam, then `compile` + `fit`.
 * After every epoch it reports the loss and accuracy curves and the optimizer's `residual()`.
 */
import * as tf from '@tensorflow/tfjs';
import { Basis, basisFromSpec, projectGradients, projectParameters, SeededBasisKind, SubspaceOptimizer } from 'tfjs-subspace';
import { datasetTensors, ModelName, models } from 'tfjs-subspace/models';
import { TrainTest } from './datasets';
import { EpochPoint, RunSummary } from './run-summary';

export type { EpochPoint, RunSummary } from './run-summary';

export type BasisKind = SeededBasisKind;
export type Mode = 'coordinates' | 'ambient' | 'parameters';

export interface RunConfig {
  arch: ModelName;
  basis: BasisKind;
  d: number;
  mode: Mode;
  learningRate: number;
  epochs: number;
  batchSize: number;
  seed: number;
}

/** Dense Gaussian bases store Q (and Qᵀ): more than this many entries is refused. */
const MAX_DENSE_ENTRIES = 2e7;

/** Throws (with what to pick instead) if a basis of this kind and size would not fit a browser tab. */
export function checkBasisSize(kind: BasisKind, D: number, d: number): void {
  if (kind === 'gaussian' && D * d > MAX_DENSE_ENTRIES) {
    throw new Error(`a dense ${D}×${d} Gaussian basis is too large for a browser tab; pick hashed or srht.`);
  }
}

export class TrainingRun {
  readonly model: tf.LayersModel;
  readonly basis: Basis;
  readonly optimizer: SubspaceOptimizer;
  readonly train: { x: tf.Tensor; y: tf.Tensor2D };
  readonly test: { x: tf.Tensor; y: tf.Tensor2D };
  private stopRequested = false;

  constructor(readonly config: RunConfig, data: TrainTest) {
    const make = models[config.arch];
    this.model = make({ seed: config.seed });
    const D = this.model.countParams();
    try {
      // The library checks 1 ≤ d ≤ D (InvalidDimensionError, shown on the page as it is).
      checkBasisSize(config.basis, D, config.d);
      this.basis = basisFromSpec({ kind: config.basis, D, d: config.d, seed: config.seed });
    } catch (e) {
      this.model.dispose();
      throw e;
    }
    const inner = tf.train.adam(config.learningRate);
    this.optimizer =
      config.mode === 'parameters'
        ? projectParameters(inner, this.basis, { variables: this.model })
        : projectGradients(inner, this.basis, { variables: this.model, mode: config.mode });
    this.model.compile({ optimizer: this.optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    this.train = datasetTensors(data.train, make.inputShape);
    this.test = datasetTensors(data.test, make.inputShape);
  }

  /** Ends training after the current batch. */
  stop(): void {
    this.stopRequested = true;
  }

  async run(onEpoch: (point: EpochPoint) => void | Promise<void>): Promise<RunSummary> {
    const start = performance.now();
    const history: EpochPoint[] = [];
    const halt = () => {
      if (this.stopRequested) this.model.stopTraining = true;
    };
    await this.model.fit(this.train.x, this.train.y, {
      epochs: this.config.epochs,
      batchSize: this.config.batchSize,
      shuffle: true,
      validationData: [this.test.x, this.test.y],
      verbose: 0,
      callbacks: {
        onBatchEnd: async () => halt(),
        onEpochEnd: async (epoch, logs = {}) => {
          // An epoch cut short by stop() has no test metrics: it is not a point of the curves.
          if (logs.val_acc === undefined) return;
          const { distance, displacement } = this.optimizer.residual();
          const point: EpochPoint = {
            epoch: epoch + 1,
            loss: logs.loss,
            accuracy: logs.acc,
            testLoss: logs.val_loss,
            testAccuracy: logs.val_acc,
            distance,
            displacement,
            seconds: (performance.now() - start) / 1000,
          };
          history.push(point);
          await onEpoch(point);
          halt();
        },
      },
    });
    const [lossT, accT] = this.model.evaluate(this.test.x, this.test.y, { batchSize: 512 }) as tf.Scalar[];
    const [testLoss, testAccuracy] = [(await lossT.data())[0], (await accT.data())[0]];
    tf.dispose([lossT, accT]);
    const z = this.optimizer.coordinates();
    const d = z.size;
    z.dispose();
    const { distance, displacement } = this.optimizer.residual();
    return {
      backend: tf.getBackend(),
      D: this.model.countParams(),
      d,
      history,
      testAccuracy,
      testLoss,
      distance,
      displacement,
      seconds: (performance.now() - start) / 1000,
      stopped: this.stopRequested,
    };
  }

  dispose(): void {
    this.optimizer.dispose();
    this.basis.dispose();
    this.model.dispose();
    tf.dispose([this.train.x, this.train.y, this.test.x, this.test.y]);
  }
}
