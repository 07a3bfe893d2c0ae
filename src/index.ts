/**
 * tfjs-subspace: train a TensorFlow.js model in an affine subspace θ0 + span(Q) of its parameters.
 * The core: bases Q and their QR, the two optimizer wrappers, the reparameterized reference, the
 * subspace arithmetic, compact checkpoints and the errors. The tools live in subpath entries:
 * tfjs-subspace/tools (subspace arithmetic, θ's layout, typed-array operators),
 * tfjs-subspace/intrinsic (intrinsic-dimension measurement), tfjs-subspace/data (digits, IDX),
 * tfjs-subspace/models (the model zoo) and tfjs-subspace/node (Node-only: file readers, worker
 * threads). docs/api.md documents every export.
 */
export * from './errors';
export { PrecisionError, tensorPrecision } from './backends/precision';
export type { TensorPrecision } from './backends/precision';
export { registerWasmTrainingKernels } from './backends/wasm-training';

// Bases
export type { ArrayOperator, Basis } from './basis/basis';
export { DenseBasis, denseBasis, gaussianBasis, orthonormalize } from './basis/dense';
export type { DenseStorage, DenseStorageOptions, GaussianBasisOptions } from './basis/dense';
export { hashedBasis } from './basis/hashed';
export type { HashedBasis, HashedBasisOptions } from './basis/hashed';
export { srhtBasis } from './basis/srht';
export type { SrhtBasis, SrhtBasisOptions } from './basis/srht';
export { blockBasis, perVariableBasis } from './basis/block';
export type { BlockBasis } from './basis/block';
export { recordTrajectory, trajectoryBasis } from './basis/trajectory';
export type { Snapshot, TrajectoryRecorder } from './basis/trajectory';
export { withScaleDirection } from './basis/scaled';
export type { AugmentedBasis } from './basis/scaled';
export type { StructuredBasisOptions, StructuredCompute } from './basis/operator';
export { basisFromSpec } from './basis/from-spec';
export { basisSpec } from './basis/spec';
export type { BasisSpec } from './basis/spec';
export type { SeededBasisKind } from './basis/kinds';
export { thinQr } from './linalg/qr';
export type { ThinQrOptions, ThinQrResult } from './linalg/qr';

// Parameters and the subspace
export type { GradientInput, LayersModelLike, VariableSource } from './layout';
export type { VariableRef } from './selection';
export { trainableParameterCount } from './parameter-count';
export type { ParameterCountOptions } from './parameter-count';

// Optimizers and the reference
export { SubspaceOptimizer } from './optimizer/subspace-optimizer';
export type { NonFinitePolicy, SubspaceOptimizerOptions, SubspaceResidual } from './optimizer/subspace-optimizer';
export { ProjectedGradientOptimizer, projectGradients } from './optimizer/project-gradients';
export type { GradientMode, ProjectGradientsOptions } from './optimizer/project-gradients';
export { ProjectedParameterOptimizer, projectParameters } from './optimizer/project-parameters';
export { bindRestoredOptimizer } from './optimizer/bind-restored';
export { reparameterize, reparameterizeFunction } from './reparameterize';
export type { ApplicableModel, Reparameterized, ReparameterizedFunction } from './reparameterize';

// Checkpoints
export { basisFingerprint, compactCheckpoint } from './checkpoint/compact';
export type { CompactCheckpoint, CompactCheckpointOptions, FingerprintedGroup, ModelWithState, StoredGroup } from './checkpoint/compact';
export { compressionOf } from './checkpoint/compression';
export type { Compression } from './checkpoint/compression';
export { loadCompactCheckpoint } from './checkpoint/load';
