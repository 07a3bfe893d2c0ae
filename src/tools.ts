/**
 * tfjs-subspace/tools: the building blocks under the optimizers, for code that works with the
 * subspace directly — the subspace arithmetic (θ0 + Q·z, Qᵀ(θ − θ0), the projector and the
 * residual), θ's layout (`ParameterLayout`) and a basis' typed-array operator (`arrayOperator`).
 * docs/api.md, "tfjs-subspace/tools", documents every export.
 */
export { arrayOperator } from './basis/basis';
export { ParameterLayout } from './layout';
export { coordinatesOf, pointAt, projectDirection, projectPoint, residualOf } from './subspace';
