// The public API: names re-exported, nothing defined here. Sections follow the layers of the README's
// architecture, from the bottom up; each name is exported once.
// biome-ignore-all assist/source/organizeImports: sections in layer order, kept by hand

// Matrices and dense linear algebra (row-major Float64Array).
export type { Matrix, MatrixLike } from './linalg/matrix.js';
export { matrix, toMatrix, toRows, zeros } from './linalg/matrix.js';
export { dot, gemm, gemv, syrk } from './linalg/blas.js';
export {
  CholeskyError,
  type CholeskyOptions,
  type CholeskyResult,
  cholesky,
  choleskyInPlace,
  logDetFromCholesky,
} from './linalg/cholesky.js';
export { choleskyInverse, choleskySolve, solveLower, solveLowerTranspose } from './linalg/triangular.js';

// Optimization: L-BFGS-B.
export {
  type LbfgsbIteration,
  type LbfgsbOptions,
  type LbfgsbResult,
  LbfgsbSolver,
  lbfgsb,
  lbfgsbBatch,
  type Objective,
  type StopReason,
} from './optim/lbfgsb.js';

// Random numbers: seeded streams, scrambled Sobol, the normal distribution.
export { createRng, deriveSeed, type Rng } from './random/rng.js';
export { SOBOL_MAX_DIMENSION, SobolSequence, sobolSamples } from './random/sobol.js';
export {
  iidNormalSamples,
  logNormalCdf,
  normalBaseSamples,
  normalCdf,
  normalPdf,
  normalQuantile,
} from './random/normal.js';

// Pareto tools: dominance, sorting, crowding, hypervolume, box decompositions, indicators.
export { dominates, isNondominated, paretoFilter, weaklyDominates } from './pareto/dominance.js';
export { type NondominatedSortOptions, nondominatedSort } from './pareto/nondominated-sort.js';
export { crowdingDistance } from './pareto/crowding.js';
export { HypervolumeImprovement, hypervolume, hypervolumeContributions } from './pareto/hypervolume.js';
export {
  type BoxSet,
  DominatedPartitioning,
  NondominatedPartitioning,
  type NondominatedPartitioningOptions,
  totalVolume,
} from './pareto/partitioning.js';
export { inferReferencePoint } from './pareto/reference.js';
export {
  additiveEpsilon,
  generationalDistance,
  invertedGenerationalDistance,
  invertedGenerationalDistancePlus,
  log10HypervolumeDifference,
} from './pareto/indicators.js';

// Gaussian-process surrogates.
export {
  createGpModel,
  type FitManyOptions,
  type FitOptions,
  fitGp,
  fitGps,
  type GpHyperparameters,
  GpModel,
  KERNEL_KINDS,
  type KernelKind,
} from './gp/index.js';
export {
  type PathwiseDraws,
  PathwiseSampler,
  type PathwiseSamplerOptions,
  type SparsePoints,
} from './gp/pathwise.js';

// Acquisition functions (float64 reference implementations) and their optimizer.
export {
  JointSampler,
  pruneInferiorPointsMultiObjective,
  QEhvi,
  QLogNehvi,
  QNehvi,
  QNParEgo,
} from './acquisition/index.js';
export {
  type AcquisitionDomain,
  type AcquisitionOptimizerOptions,
  type BatchAcquisition,
  type BatchSequentialAcquisition,
  boltzmannRestarts,
  optimizeAcquisition,
  optimizeSequentialGreedy,
  optimizeSequentialGreedyBatched,
} from './acquisition/optimize.js';

// The float32 TensorFlow.js backends of the acquisition functions.
export { TensorAcquisition, type TensorAcquisitionOptions } from './tensor/acquisition.js';
export {
  gpuTensorBackend,
  TENSOR_BACKENDS,
  type TensorBackendInfo,
  type TensorBackendName,
  type TensorBackendOptions,
  type TensorRuntime,
  tensorBackend,
} from './tensor/backend.js';

// NSGA-II.
export { Nsga2, type Nsga2Options, type Nsga2Run, runNsga2 } from './moga/nsga2-algorithm.js';

// Generators and strategies.
export type {
  EncodedColumn,
  EncodedSpace,
  GenerationInput,
  GenerationResult,
  Generator,
} from './strategy/generator.js';
export { ChainGenerator, type ChainStep } from './strategy/chain.js';
export { MoboGenerator, type MoboGeneratorOptions, type MoboGeneratorState } from './strategy/mobo.js';
export {
  MORBO_DEFAULTS,
  MorboGenerator,
  type MorboGeneratorOptions,
  type MorboGeneratorState,
  type MorboRegionState,
} from './strategy/morbo.js';
export { Nsga2Generator, type Nsga2GeneratorOptions, type Nsga2Mode } from './strategy/nsga2-generator.js';
export { RandomGenerator } from './strategy/random.js';
export { SobolGenerator } from './strategy/sobol.js';
export {
  builtinMoboFactory,
  createGenerator,
  defaultGeneratorRegistry,
  type GeneratorFactory,
  GeneratorRegistry,
  MOBO_GENERATOR,
  registerGenerator,
  type StrategyConfig,
} from './strategy/strategies.js';

// Search spaces and outcomes.
export { ConfigError, type ConfigIssue } from './space/errors.js';
export { formatLinearInequality, type LinearInequality, parseLinearInequality } from './space/linear.js';
export { Outcomes } from './space/outcomes.js';
export type { ObjectiveConfig, ParameterConfig, Params } from './space/schema.js';
export { SearchSpace, type SpaceConfig } from './space/search-space.js';

// Experiments and the ask/tell facade.
export { type OptimizerConfig, parseOptimizerConfig } from './experiment/config.js';
export type { RunnerRecord, RunnerState } from './experiment/attempts.js';
export {
  experimentHypervolume,
  type HypervolumeStatus,
  type ReferenceRule,
  type ReferenceShortfall,
  type ReferenceStatus,
} from './experiment/hypervolume.js';
export { readJournal } from './experiment/journal.js';
export type { Logger } from './experiment/logger.js';
export { Optimizer, type OptimizerOptions } from './experiment/optimizer.js';
export {
  type AskedTrial,
  type AskOptions,
  MAX_ASK,
  type ScheduledExperiment,
  type TellOptions,
} from './experiment/scheduled-experiment.js';
export { TRIAL_STATES, type Trial, type TrialState, TrialStateError } from './experiment/trial.js';

// Runners (hand trials to whoever evaluates them), the scheduler that keeps one busy, and the
// built-in problems as tasks.
export {
  checkValues,
  type CommandTask,
  defineTask,
  EXIT_TRANSIENT,
  InProcessRunner,
  type InProcessRunnerOptions,
  loadTask,
  PoolRunner,
  type PoolRunnerOptions,
  parseJobCompLog,
  parseSqueue,
  QueueRunner,
  QueueWorker,
  ResourceSlots,
  type Runner,
  runTaskSpec,
  SlurmRunner,
  type SlurmRunnerOptions,
  type SlurmTaskState,
  STOPPED,
  SubprocessRunner,
  type SubprocessRunnerOptions,
  TRIAL_FILES,
  type Task,
  type TaskContext,
  type TaskFunction,
  type TaskSpec,
  type TrialHandle,
  type TrialOutcome,
  type TrialParams,
  type TrialRequest,
  type TrialResources,
  type TrialStatus,
  taskCommand,
  trialDirectory,
} from './runners/index.js';
export {
  Scheduler,
  type SchedulerOptions,
  type SchedulerProgress,
  type SchedulerResult,
  type SchedulerStats,
} from './runners/scheduler.js';
export {
  type BuiltinProblemSpec,
  builtinExperiment,
  builtinProblem,
  builtinTask,
} from './runners/builtin.js';

// Reports.
export {
  loadExperimentReportData,
  type ReportOptions,
  renderExperimentReport,
} from './report/experiment-report.js';
export { type BenchmarkReportData, renderBenchmarkReport } from './report/benchmark-report.js';
export {
  type ModelSlice,
  type ModelViews,
  type ModelViewsOptions,
  modelViews,
  type ParameterImportance,
} from './report/model-views.js';

// The HTTP service (`mobo serve`) and the MCP tools (`mobo mcp`) over a folder of experiments.
export { type AppOptions, createApp } from './serve/app.js';
export { ServiceError } from './serve/errors.js';
export { createMcpServer } from './serve/mcp.js';
export { openApiDocument } from './serve/openapi.js';
export type { ExperimentSummary, ServiceEvent } from './serve/schemas.js';
export { type RunningServer, type ServeOptions, startServer } from './serve/server.js';
export { ExperimentService, type ServiceListener } from './serve/service.js';
export { type TokenScope, TokenStore } from './serve/tokens.js';

// The `mobo run` configuration file.
export { type MoboConfig, moboJsonSchema, parseMoboConfig } from './cli/run-config.js';

// Test problems (also at 'mobo/problems').
export * as problems from '../problems/index.js';
