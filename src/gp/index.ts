/**
 * Gaussian-process surrogates: stationary ARD kernels (RBF, Matérn-5/2, Matérn-3/2), BoTorch's priors,
 * MAP fitting of the log-hyperparameters with L-BFGS-B and the analytic gradient, and exact
 * posteriors (moments, joint covariance and its factor, input gradients, cheap conditioning).
 * Start with `fitGp` / `fitGps`; `createGpModel` builds a model from known hyperparameters.
 */
export { PairwiseDifferences, type PairwiseMode } from './distances.js';
export { type FitManyOptions, type FitOptions, fitGp, fitGps, hyperparametersOf } from './fit.js';
export {
  applyProfile,
  crossCovariance,
  crossCovarianceInputGradient,
  KERNEL_KINDS,
  type KernelKind,
  kernelHyperparameterGradient,
  kernelProfile,
  kernelProfileDerivative,
  kernelValue,
} from './kernels.js';
export {
  type EvaluationRecord,
  LikelihoodWorkspace,
  LogPosterior,
  type ParameterLayout,
  parameterLayout,
} from './likelihood.js';
export {
  type CreateGpModelOptions,
  createGpModel,
  type GpFitReport,
  type GpHyperparameters,
  type GpInternals,
  GpModel,
  type JointPosterior,
  type JointPosteriorFactor,
  type PosteriorGradient,
  type PosteriorMoments,
  type Standardization,
  standardizationOf,
} from './model.js';
export {
  DEFAULT_FEATURES,
  type PathwiseDraws,
  PathwiseSampler,
  type PathwiseSamplerOptions,
  type SparsePoints,
} from './pathwise.js';
export {
  dimensionScaledPriors,
  type GammaPrior,
  type GpPriors,
  gammaPriors,
  type LogNormalPrior,
  logGamma,
  namedPriors,
  type Prior,
  type PriorName,
  priorLogDensity,
  priorLogDensityOfLog,
  priorMode,
  priorTermAtLog,
} from './priors.js';
