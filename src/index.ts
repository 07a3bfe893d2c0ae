export * from './errors';
export type { Basis, HostOperator } from './basis/basis';
export { hostOperator } from './basis/basis';
export { DenseBasis, denseBasis, gaussianBasis, orthonormalize } from './basis/dense';
export type { DenseStorageOptions, GaussianBasisOptions } from './basis/dense';
export type { ThinQrOptions, ThinQrResult } from './linalg/qr';
export { thinQr } from './linalg/qr';
export type { GradientInput, LayersModelLike, VariableSource } from './layout';
export { ParameterLayout, variablesOf } from './layout';
export { VariableSelection } from './selection';
export type { VariableRef } from './selection';
export { coordinatesOf, pointAt, projectDirection, projectPoint, residualOf } from './subspace';
export { SubspaceOptimizer } from './optimizer/subspace-optimizer';
export type {
  NonFinitePolicy,
  SubspaceOptimizerOptions,
  SubspaceResidual,
} from './optimizer/subspace-optimizer';
export { ProjectedGradientOptimizer, projectGradients } from './optimizer/project-gradients';
export type { GradientMode, ProjectGradientsOptions } from './optimizer/project-gradients';
export { ProjectedParameterOptimizer, projectParameters } from './optimizer/project-parameters';
export { reparameterize, reparameterizeFunction } from './reparameterize';
export type { ApplicableModel, Reparameterized, ReparameterizedFunction } from './reparameterize';
export { digits } from './data/digits';
export type { Dataset } from './data/digits';
export { registerWasmConv2DGradient } from './backends/wasm-conv2d-grad';
export { HashedBasis, hashedBasis } from './basis/hashed';
export type { HashedBasisOptions } from './basis/hashed';
export { SrhtBasis, srhtBasis } from './basis/srht';
export type { SrhtBasisOptions } from './basis/srht';
export { BlockBasis, blockBasis, perVariableBasis } from './basis/block';
export { recordTrajectory, trajectoryBasis } from './basis/trajectory';
export type { Snapshot, TrajectoryRecorder } from './basis/trajectory';
export { AugmentedBasis, withScaleDirection } from './basis/scaled';
export { OperatorBasis } from './basis/operator';
export type { OperatorImpl } from './basis/operator';
export { basisSpec, SEEDED_BASIS_KINDS } from './basis/spec';
export type { BasisSpec, SeededBasisKind } from './basis/spec';
export { basisFromSpec, checkBasisSpec } from './basis/from-spec';
export { intrinsicDimension } from './intrinsic/dimension';
export { seededBasis } from './intrinsic/options';
export type { IntrinsicDimensionOptions, IntrinsicDimensionProgress, IntrinsicDimensionResult, RunResult } from './intrinsic/options';
export { crossing, logGrid, refineBetween, summarize } from './intrinsic/interpolate';
export type { Crossing, CurvePoint } from './intrinsic/interpolate';
export { accuracy, trainSeeded } from './intrinsic/train';
export type { LabelledTensors, TrainingBudget, TrainingTick } from './intrinsic/train';
export { oneHot } from './data/digits';
export { RestoredSubspaceOptimizer, registerSubspaceOptimizers } from './optimizer/serialization';
