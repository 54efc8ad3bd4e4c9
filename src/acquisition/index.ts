/**
 * Monte Carlo acquisition functions in float64 (the reference the TensorFlow.js path is tested
 * against): sample-level kernels (samples -> value and gradient) and the posterior layer
 * (candidates -> joint samples -> gradient with respect to the candidates), composed into qEHVI,
 * qNEHVI, qLogNEHVI and qNParEGO. Minimization throughout.
 */
export { checkEta, DEFAULT_ETA, logFeasibility, logFeasibilityBackward } from './constraints.js';
export {
  HviWorkspace,
  MAX_Q,
  qHviValueAndGradient,
  type SampleBoxes,
  type SampleShape,
  sampleHvi,
} from './hvi-kernel.js';
export {
  defaultPartitioningAlpha,
  type HypervolumeAcquisitionOptions,
  QEhvi,
  type QEhviOptions,
  QLogNehvi,
  type QLogNehviOptions,
  QNehvi,
  type QNehviOptions,
} from './hypervolume-improvement.js';
export {
  backSolveTransposed,
  baseSampleColumns,
  choleskyBackward,
  forwardSolve,
  JointSampler,
  type JointSamplerOptions,
  type PosteriorSource,
} from './joint-sampler.js';
export {
  type LogHviOptions,
  LogHviWorkspace,
  qLogHviValueAndGradient,
  sampleLogHvi,
} from './log-hvi-kernel.js';
export type { McAcquisition } from './mc-acquisition.js';
export {
  ChebyshevScalarization,
  PAREGO_RHO,
  QNParEgo,
  type QNParEgoOptions,
  qLogNeiValueAndGradient,
  qNeiValueAndGradient,
  sampleSimplex,
} from './parego.js';
export { type PruneOptions, pruneInferiorPointsMultiObjective } from './prune.js';
export {
  fatmax,
  fatminimum2,
  logDiffExp,
  logFatmoid,
  logFatplus,
  logSigmoid,
  sigmoid,
  softplus,
  TAU_MAX,
  TAU_RELU,
} from './smooth.js';
