/**
 * tfjs-subspace/intrinsic: the intrinsic-dimension measurement (Li et al. 2018) and the pieces it is
 * built from — the training protocol, seeded training, accuracy, curve interpolation, the bootstrap
 * interval and the subspace learning-rate rule. docs/intrinsic-dimension.md describes the method.
 */
export { intrinsicDimension } from './dimension';
export type { IntrinsicDimensionOptions, IntrinsicDimensionProgress, IntrinsicDimensionResult, RunResult } from './options';
export { subspaceLearningRate } from './learning-rate';
export type { SubspaceLearningRateOptions } from './learning-rate';
export type { OptimizerName } from './optimizers';
export { bootstrapDimension } from './bootstrap';
export type { BootstrapInterval, SeedCurves } from './bootstrap';
export { crossing, logGrid, refineBetween, summarize } from './interpolate';
export type { Crossing, CurvePoint } from './interpolate';
export { holdOut, runProtocol } from './protocol';
export type { PilotResult, ProtocolOutcome, StopReason, Trainee, TrainingProtocol } from './protocol';
export { accuracy, epochLoss, SeededEpochs, trainSeeded } from './train';
export type { LabelledTensors, TrainableModel, TrainingBudget, TrainingTick } from './train';
export { LI2018, li2018ModelOptions, li2018Optimizer, li2018Options, li2018Task } from './li2018';
export type { Li2018Setting, Li2018Task } from './li2018';
export { runFixedBudget } from './fixed-budget';
