/**
 * The model-based MOBO generator: independent GPs per objective and outcome constraint (MAP fits
 * warm-started from the last generation's hyperparameters), a Monte Carlo hypervolume acquisition
 * (qLogNEHVI by default, as Ax/BoTorch), and sequential greedy optimization of a q-batch with
 * earlier picks and in-flight trials as pending points. Two defaults depart from plain BoTorch:
 * the objective GPs' constant mean is the worst observed value (`objectiveMean`), and from 5
 * objectives on the box decompositions are approximate (`partitioningAlpha`, as Ax).
 */

import { MAX_Q } from '../acquisition/hvi-kernel.js';
import {
  checkPartitioningAlpha,
  defaultPartitioningAlpha,
  QEhvi,
  QLogNehvi,
  QNehvi,
} from '../acquisition/hypervolume-improvement.js';
import type { McAcquisition } from '../acquisition/mc-acquisition.js';
import {
  type AcquisitionBatch,
  type BatchSequentialAcquisition,
  optimizeSequentialGreedy,
  optimizeSequentialGreedyBatched,
  type SequentialAcquisition,
} from '../acquisition/optimize.js';
import { QNParEgo } from '../acquisition/parego.js';
import type { SpecSource } from '../acquisition/spec.js';
import { fitGps } from '../gp/fit.js';
import type { GpHyperparameters, GpModel } from '../gp/model.js';
import { type Matrix, selectRows, zeros } from '../linalg/matrix.js';
import { paretoFilter } from '../pareto/dominance.js';
import { inferReferencePoint } from '../pareto/reference.js';
import { deriveSeed } from '../random/rng.js';
import { TensorAcquisition } from '../tensor/acquisition.js';
import {
  gpuTensorBackend,
  TENSOR_BACKENDS,
  type TensorBackendName,
  type TensorRuntime,
  tensorBackend,
} from '../tensor/backend.js';
import {
  checkGenerationInput,
  type GenerationInput,
  type GenerationResult,
  type Generator,
  requireReferencePoint,
} from './generator.js';
import { SobolGenerator } from './sobol.js';

/** The acquisition functions the generator can use. */
export const MOBO_ACQUISITIONS = ['qLogNEHVI', 'qNEHVI', 'qEHVI', 'qNParEGO'] as const;
export type MoboAcquisitionName = (typeof MOBO_ACQUISITIONS)[number];

/** Options of `MoboGenerator`; every field is optional. */
export interface MoboGeneratorOptions {
  /** Default 'qLogNEHVI' up to 6 objectives, 'qNParEGO' above (and for a single objective). */
  readonly acquisition?: MoboAcquisitionName;
  /**
   * Sobol raw samples per pick: default 512 up to d = 20, none above (then every raw sample is
   * drawn around the Pareto set, see `aroundBestSamples` and `defaultLocalRadius`).
   */
  readonly rawSamples?: number;
  /** L-BFGS-B restarts per pick (default 10). */
  readonly restarts?: number;
  /** Quasi-Monte Carlo samples of the acquisition (default 128). */
  readonly mcSamples?: number;
  /** L-BFGS-B iterations per restart (default 200). */
  readonly maxIterations?: number;
  /** Extra random starts of each GP fit (default 0). */
  readonly fitRestarts?: number;
  /**
   * Where the acquisition runs: 'auto' (default: a GPU through TensorFlow.js when this machine has
   * one, see `gpuTensorBackend`, else the float64 TypeScript kernels, which beat tfjs's wasm and cpu
   * backends on a CPU), 'float64', or a TensorFlow.js backend to force (float32).
   */
  readonly backend?: 'auto' | 'float64' | TensorBackendName;
  /** GP prior: 'dimension-scaled' (default, RBF) or 'gamma' (Matérn-5/2), as `fitGp`. */
  readonly prior?: 'dimension-scaled' | 'gamma';
  /**
   * Tolerance of the hypervolume acquisitions' box decompositions, 0 <= alpha < 1 (0: exact).
   * Default `defaultPartitioningAlpha(m)`: exact up to 4 objectives, 1e-3 at 5, 1e-2 at 6 and more
   * (as Ax/BoTorch). Ignored by qNParEGO.
   */
  readonly partitioningAlpha?: number;
  /**
   * The objective GPs' constant mean: 'worst' (default) fixes it at the worst (largest, in
   * minimization form) observed value, the pessimistic mean of De Ath, Fieldsend, Everson 2020;
   * 'fitted' makes it a MAP hyperparameter, as BoTorch. With 'fitted', on DTLZ2 (m = 2, d = 6)
   * the posterior far from the first 14 to 30 points reverts to the average outcome with its full
   * variance, and qLogNEHVI spends whole batches on corners of the cube (see
   * test/closure/mobo-closure.test.ts). Outcome-constraint GPs always fit their mean.
   */
  readonly objectiveMean?: 'worst' | 'fitted';
  /**
   * Raw samples per pick drawn around the observed Pareto set (`AroundBest`: a few coordinates of
   * a front point moved by normal steps), on top of `rawSamples`; default none up to d = 20, 512
   * above. 0: none.
   */
  readonly aroundBestSamples?: number;
  /**
   * Each L-BFGS-B restart stays within this distance of its start in every coordinate. Default
   * `defaultLocalRadius(d)`: the whole cube up to d = 20, 0.1 above (see its comment).
   */
  readonly localRadius?: number;
}

/** Above this many dimensions the acquisition's restarts are kept local by default. */
export const LOCAL_SEARCH_DIMENSION = 20;

/**
 * The default `localRadius`: none (the whole cube) up to d = 20, 0.1 above. Why: at d = 100 a GP
 * fitted to a few hundred points learns the many weakly relevant coordinates as long lengthscales
 * with small slopes fitted to noise (DTLZ2, m = 5, n = 200: lengthscales about 20). Moving every
 * coordinate to the bound its slope favours adds all those slopes up along a direction in which
 * the data barely vary (17 data standard deviations out at the cube's corner) while the kernel
 * still sees the corner as near: the posterior there was 1.4 +- 0.8 for an objective whose true
 * value is 22.5 (9 at the data nearby), and the acquisition, unbounded, sent every pick there.
 * No fit setting removes this (the Matérn gamma prior fits lengthscales 0.33 and a constant model);
 * keeping each restart within 0.1 of its start, which the around-best samples put near the front,
 * keeps the search where the data support the model.
 */
export function defaultLocalRadius(d: number): number {
  return d > LOCAL_SEARCH_DIMENSION ? 0.1 : Number.POSITIVE_INFINITY;
}

/**
 * Journaled state: the last hyperparameters (warm starts). (States written before the Optimizer
 * owned the reference point also hold one; it is ignored.)
 */
export interface MoboGeneratorState {
  readonly version: 1;
  readonly objectives: GpHyperparameters[];
  readonly constraints: GpHyperparameters[];
}

/**
 * Most objectives for which the hypervolume acquisitions are the default (box decompositions exact
 * up to 4 objectives, approximate with `defaultPartitioningAlpha(m)` at 5 and 6).
 */
export const MAX_HYPERVOLUME_OBJECTIVES = 6;
const BACKEND = 'float64-typescript';

function checkOptions(options: MoboGeneratorOptions): MoboGeneratorOptions {
  const fn = 'MoboGenerator';
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object, got ${String(options)}`);
  }
  const known = new Set([
    'acquisition',
    'rawSamples',
    'restarts',
    'mcSamples',
    'maxIterations',
    'fitRestarts',
    'backend',
    'prior',
    'partitioningAlpha',
    'objectiveMean',
    'aroundBestSamples',
    'localRadius',
  ]);
  for (const key of Object.keys(options)) {
    if (!known.has(key)) {
      throw new TypeError(`${fn}: unknown option "${key}", expected one of ${[...known].join(', ')}`);
    }
  }
  if (
    options.backend !== undefined &&
    options.backend !== 'auto' &&
    options.backend !== 'float64' &&
    !(TENSOR_BACKENDS as readonly string[]).includes(options.backend)
  ) {
    throw new RangeError(
      `${fn}: backend is ${JSON.stringify(options.backend)}, expected 'auto', 'float64' or one of ${TENSOR_BACKENDS.join(', ')}`,
    );
  }
  if (options.acquisition !== undefined && !MOBO_ACQUISITIONS.includes(options.acquisition)) {
    throw new RangeError(
      `${fn}: acquisition is ${JSON.stringify(options.acquisition)}, expected one of ${MOBO_ACQUISITIONS.join(', ')}`,
    );
  }
  for (const key of ['restarts', 'mcSamples', 'maxIterations'] as const) {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || v < 1)) {
      throw new RangeError(`${fn}: ${key} is ${v}, expected an integer >= 1`);
    }
  }
  if (
    options.fitRestarts !== undefined &&
    (!Number.isInteger(options.fitRestarts) || options.fitRestarts < 0)
  ) {
    throw new RangeError(`${fn}: fitRestarts is ${options.fitRestarts}, expected an integer >= 0`);
  }
  if (options.prior !== undefined && options.prior !== 'dimension-scaled' && options.prior !== 'gamma') {
    throw new RangeError(
      `${fn}: prior is ${JSON.stringify(options.prior)}, expected 'dimension-scaled' or 'gamma'`,
    );
  }
  if (
    options.objectiveMean !== undefined &&
    options.objectiveMean !== 'worst' &&
    options.objectiveMean !== 'fitted'
  ) {
    throw new RangeError(
      `${fn}: objectiveMean is ${JSON.stringify(options.objectiveMean)}, expected 'worst' or 'fitted'`,
    );
  }
  if (options.rawSamples !== undefined && (!Number.isInteger(options.rawSamples) || options.rawSamples < 0)) {
    throw new RangeError(`${fn}: rawSamples is ${options.rawSamples}, expected an integer >= 0`);
  }
  if (
    options.aroundBestSamples !== undefined &&
    (!Number.isInteger(options.aroundBestSamples) || options.aroundBestSamples < 0)
  ) {
    throw new RangeError(
      `${fn}: aroundBestSamples is ${options.aroundBestSamples}, expected an integer >= 0`,
    );
  }
  if (
    options.localRadius !== undefined &&
    !(options.localRadius > 0 && Number.isFinite(options.localRadius))
  ) {
    throw new RangeError(`${fn}: localRadius is ${options.localRadius}, expected a finite number > 0`);
  }
  checkPartitioningAlpha(fn, options.partitioningAlpha);
  return options;
}

function isHyperparameters(h: unknown, d: number): h is GpHyperparameters {
  if (h === null || typeof h !== 'object') return false;
  const v = h as Partial<GpHyperparameters>;
  return (
    typeof v.kernel === 'string' &&
    Array.isArray(v.lengthscales) &&
    v.lengthscales.length === d &&
    v.lengthscales.every((l) => typeof l === 'number' && l > 0 && Number.isFinite(l)) &&
    typeof v.outputscale === 'number' &&
    typeof v.mean === 'number' &&
    (v.noise === null || typeof v.noise === 'number')
  );
}

/** Reads the journaled state; anything unusable (another dimension, another version) is ignored. */
function readState(
  state: unknown,
  d: number,
  m: number,
  c: number,
): {
  objectives: GpHyperparameters[] | undefined;
  constraints: GpHyperparameters[] | undefined;
} {
  const none = { objectives: undefined, constraints: undefined };
  if (state === null || typeof state !== 'object') return none;
  const s = state as Partial<MoboGeneratorState>;
  if (s.version !== 1) return none;
  const list = (v: unknown, k: number): GpHyperparameters[] | undefined =>
    Array.isArray(v) && v.length === k && v.every((h) => isHyperparameters(h, d))
      ? (v as GpHyperparameters[])
      : undefined;
  return { objectives: list(s.objectives, m), constraints: list(s.constraints, c) };
}

/** Rows of Y whose outcome constraints all hold (C <= 0). */
function feasibleRows(Y: Matrix, C: Matrix): Matrix {
  if (C.cols === 0) return Y;
  const keep: number[] = [];
  for (let i = 0; i < Y.rows; i++) {
    let ok = true;
    for (let t = 0; t < C.cols; t++) if (C.data[i * C.cols + t]! > 0) ok = false;
    if (ok) keep.push(i);
  }
  return selectRows(Y, keep);
}

/**
 * Fits one GP per column of Y from the priors' modes and, when there is one, also from the last
 * hyperparameters, keeping per column the fit with the higher log posterior: a warm start alone
 * can keep a fit in a worse local optimum once new data arrive (seen on DTLZ2, d = 6, n = 30:
 * log posterior -23.8 warm against -15.6 cold).
 */
function fitBest(
  X: Matrix,
  Y: Matrix,
  options: { seed: number; restarts: number; prior: 'dimension-scaled' | 'gamma'; mean: 'fitted' | 'max' },
  warm: GpHyperparameters[] | undefined,
): { models: GpModel[]; from: ('prior' | 'warm')[] } {
  const cold = fitGps(X, Y, options);
  if (warm === undefined) return { models: cold, from: cold.map(() => 'prior') };
  const warmed = fitGps(X, Y, { ...options, warmStarts: warm });
  const from = cold.map((g, j) => (warmed[j]!.fit.logPosterior > g.fit.logPosterior ? 'warm' : 'prior'));
  return { models: cold.map((g, j) => (from[j] === 'warm' ? warmed[j]! : g)), from };
}

/**
 * The reference point when some row of Y (minimization) lies inside its box (every y_j <= r_j),
 * else the componentwise larger of it and the point inferred from Y.
 */
export function widenedReference(reference: readonly number[], Y: Matrix): number[] {
  const m = reference.length;
  if (Y.rows === 0) return Array.from(reference);
  for (let i = 0; i < Y.rows; i++) {
    let inside = true;
    for (let j = 0; j < m && inside; j++) if (!(Y.data[i * m + j]! <= reference[j]!)) inside = false;
    if (inside) return Array.from(reference);
  }
  const inferred = inferReferencePoint(Y);
  return reference.map((r, j) => Math.max(r, inferred[j]!));
}

/**
 * The inputs of the Pareto set of the observations: among the feasible rows (all C <= 0) when
 * there are any, else among those of least total violation.
 */
function frontInputs(X: Matrix, Y: Matrix, C: Matrix): Matrix {
  const n = X.rows;
  let rows: number[] = [];
  if (C.cols === 0) rows = Array.from({ length: n }, (_, i) => i);
  else {
    const violation = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let sum = 0;
      for (let t = 0; t < C.cols; t++) sum += Math.max(0, C.data[i * C.cols + t]!);
      violation[i] = sum;
    }
    let least = Number.POSITIVE_INFINITY;
    for (let i = 0; i < n; i++) least = Math.min(least, violation[i]!);
    for (let i = 0; i < n; i++) if (violation[i] === least) rows.push(i);
  }
  const front = paretoFilter(selectRows(Y, rows));
  return selectRows(
    X,
    Array.from(front, (k) => rows[k]!),
  );
}

function concatRows(a: Matrix, b: Float64Array, d: number): Matrix {
  const rows = a.rows + b.length / d;
  const data = new Float64Array(rows * d);
  data.set(a.rows > 0 ? a.data.subarray(0, a.rows * d) : new Float64Array(0));
  data.set(b, a.rows * d);
  return { rows, cols: d, data };
}

/**
 * Multi-objective Bayesian optimization (Daulton et al. 2021, as in Ax's default MOO generation):
 * fit one GP per objective and per outcome constraint, build qLogNEHVI over the observed inputs as
 * baseline with the in-flight trials as pending, and optimize `count` candidates by sequential
 * greedy selection. Pure: every random choice (MC base samples, raw samples, restarts, fit starts)
 * derives from `input.seed`; the state carries the hyperparameters (warm starts). The reference
 * point is the input's (the Optimizer decides it), the time budget the input's too.
 */
export class MoboGenerator implements Generator {
  readonly name = 'mobo';
  readonly options: MoboGeneratorOptions;

  constructor(options: MoboGeneratorOptions = {}) {
    this.options = checkOptions({ ...options });
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const fn = 'MoboGenerator';
    const t0 = performance.now();
    checkGenerationInput(fn, input);
    const space = input.space;
    const d = space.dimension;
    const { X, Y, C } = input;
    const n = X.rows;
    const m = Y.cols;
    const c = C.rows === n ? C.cols : 0;
    if (n > 0 && (X.cols !== d || Y.rows !== n)) {
      throw new RangeError(
        `${fn}: X is ${X.rows} x ${X.cols} and Y has ${Y.rows} rows, expected n x ${d} and n`,
      );
    }
    if (input.count === 0) {
      return { candidates: zeros(0, d), metadata: { generator: this.name }, state: input.state };
    }
    const previous = readState(input.state, d, m, c);
    const feasibleY = feasibleRows(Y, c > 0 ? C : zeros(n, 0));
    // Too little data for a model: space-filling points instead (state kept for later).
    if (n < 2 || m < 1) {
      const fallback = await new SobolGenerator().generate({ ...input, state: undefined });
      return {
        candidates: fallback.candidates,
        metadata: {
          generator: this.name,
          fallback: n < 2 ? 'sobol: fewer than 2 completed trials' : 'sobol: no objectives',
          backend: BACKEND,
          totalMs: performance.now() - t0,
        },
        state: input.state,
      };
    }

    const referencePoint = requireReferencePoint(fn, input, m);

    // With no observed point inside the reference box, every hypervolume improvement is zero but
    // in the posterior's far tails, and the acquisition's only slope leads to wherever the model is
    // least sure; until a point enters the box, the acquisition measures improvement from a point
    // inferred from the data instead (never tighter than the reference point itself).
    // Only above d = 20: up to it, with the around-best samples, the closure check measured a loss
    // (see aroundBestSamples below).
    const highDimensional = d > LOCAL_SEARCH_DIMENSION;
    const acquisitionReference = highDimensional
      ? widenedReference(referencePoint, feasibleY.rows > 0 ? feasibleY : Y)
      : referencePoint;

    // Fit.
    const tFit = performance.now();
    const fitSeed = deriveSeed(input.seed, 'mobo', 'fit');
    const fitRestarts = this.options.fitRestarts ?? 0;
    const prior = this.options.prior ?? 'dimension-scaled';
    const objectiveMean = this.options.objectiveMean ?? 'worst';
    const fitOptions = { seed: fitSeed, restarts: fitRestarts, prior };
    const objectiveFit = fitBest(
      X,
      Y,
      { ...fitOptions, mean: objectiveMean === 'worst' ? 'max' : 'fitted' },
      previous.objectives,
    );
    const constraintFit =
      c > 0
        ? fitBest(
            X,
            C,
            { ...fitOptions, mean: 'fitted', seed: deriveSeed(fitSeed, 'constraints') },
            previous.constraints,
          )
        : { models: [], from: [] };
    const objectives = objectiveFit.models;
    const constraints: GpModel[] = constraintFit.models;
    const fitMs = performance.now() - tFit;

    // Acquisition (pruned baseline, cached root and box decompositions).
    const tAcq = performance.now();
    const name: MoboAcquisitionName =
      this.options.acquisition ?? (m >= 2 && m <= MAX_HYPERVOLUME_OBJECTIVES ? 'qLogNEHVI' : 'qNParEGO');
    if (m < 2 && name !== 'qNParEGO') {
      throw new RangeError(`${fn}: ${name} needs at least 2 objectives, got ${m}; use 'qNParEGO'`);
    }
    const mcSeed = deriveSeed(input.seed, 'mobo', 'mc');
    const samples = this.options.mcSamples ?? 128;
    const pending = input.pending;
    const partitioningAlpha =
      name === 'qNParEGO' ? 0 : (this.options.partitioningAlpha ?? defaultPartitioningAlpha(m));
    const target = this.acquisitionTarget(name, {
      objectives,
      constraints,
      referencePoint: acquisitionReference,
      X,
      Y,
      C: c > 0 ? C : zeros(n, 0),
      pending,
      samples,
      seed: mcSeed,
      d,
      partitioningAlpha,
    });
    // Build now, so that the decomposition time is its own phase.
    target.current();
    const decompositionMs = performance.now() - tAcq;

    // Optimization.
    const tOpt = performance.now();
    const runtime = await this.tensorRuntime();
    // What the fit and decompositions used of the generation's budget is spent.
    const budget = input.timeBudgetMs;
    const rawCount = this.options.rawSamples ?? (highDimensional ? 0 : 512);
    // Up to d = 20 none by default: with 256 of them (and the widened reference) the closure
    // check (DTLZ2 d = 6, 30 evaluations, seeds 1-20) fell from 17 to 15 wins over Sobol.
    const aroundBestSamples = this.options.aroundBestSamples ?? (highDimensional ? 512 : 0);
    const localRadius = this.options.localRadius ?? defaultLocalRadius(d);
    const optimizerOptions = {
      seed: deriveSeed(input.seed, 'mobo', 'optimize'),
      ...(aroundBestSamples > 0
        ? { aroundBest: { points: frontInputs(X, Y, c > 0 ? C : zeros(n, 0)), count: aroundBestSamples } }
        : {}),
      ...(Number.isFinite(localRadius) ? { localRadius } : {}),
      domain: space,
      exclude: [X, input.failed, pending],
      rawSamples: aroundBestSamples > 0 ? rawCount : Math.max(rawCount, 1),
      ...(this.options.restarts !== undefined ? { restarts: this.options.restarts } : {}),
      ...(this.options.maxIterations !== undefined ? { maxIterations: this.options.maxIterations } : {}),
      ...(budget !== undefined ? { timeBudgetMs: Math.max(0, budget - (performance.now() - t0)) } : {}),
    };
    let batch: AcquisitionBatch;
    if (runtime) {
      const mirrored = tensorTarget(runtime, target);
      try {
        batch = await optimizeSequentialGreedyBatched(mirrored, input.count, optimizerOptions);
      } finally {
        // The last pick's tensors (GPU memory on a GPU backend) are not needed past this generation.
        mirrored.dispose();
      }
    } else {
      batch = optimizeSequentialGreedy(target, input.count, optimizerOptions);
    }
    const optimizationMs = performance.now() - tOpt;

    const state: MoboGeneratorState = {
      version: 1,
      objectives: objectives.map((g) => g.hyperparameters),
      constraints: constraints.map((g) => g.hyperparameters),
    };
    return {
      candidates: batch.candidates,
      metadata: {
        generator: this.name,
        acquisition: name,
        backend: runtime ? `tfjs-${runtime.info.name} (float32; ${runtime.info.device})` : BACKEND,
        fitMs,
        decompositionMs,
        optimizationMs,
        totalMs: performance.now() - t0,
        acquisitionValues: batch.values,
        sources: batch.picks.map((p) => p.source),
        bestRawValues: batch.picks.map((p) => p.bestRawValue),
        iterations: batch.picks.map((p) => p.iterations),
        evaluations: batch.picks.map((p) => p.evaluations),
        timedOut: batch.timedOut,
        fitMoved: objectives.map((g) => g.fit.movedFromStart),
        constraintFitMoved: constraints.map((g) => g.fit.movedFromStart),
        warmStarted: previous.objectives !== undefined,
        fitFrom: objectiveFit.from,
        objectiveMean,
        referencePoint,
        // The point the acquisition measured improvement from (see widenedReference).
        acquisitionReference,
        aroundBestSamples,
        localRadius: Number.isFinite(localRadius) ? localRadius : null,
        mcSamples: samples,
        // The box decompositions' tolerance (0: exact; approximate only for m >= 3).
        partitioningAlpha,
        partitioning: partitioningAlpha > 0 && m >= 3 ? 'approximate' : 'exact',
        rawSamples: aroundBestSamples > 0 ? rawCount : Math.max(rawCount, 1),
        restarts: this.options.restarts ?? 10,
      },
      state,
    };
  }

  /** The TensorFlow.js runtime the acquisition runs on, or null for the float64 kernels. */
  private async tensorRuntime(): Promise<TensorRuntime | null> {
    const backend = this.options.backend ?? 'auto';
    if (backend === 'float64') return null;
    if (backend === 'auto') return gpuTensorBackend();
    return tensorBackend({ backend });
  }

  private acquisitionTarget(
    name: MoboAcquisitionName,
    a: {
      objectives: GpModel[];
      constraints: GpModel[];
      referencePoint: number[];
      X: Matrix;
      Y: Matrix;
      C: Matrix;
      pending: Matrix;
      samples: number;
      seed: number;
      d: number;
      partitioningAlpha: number;
    },
  ): SequentialAcquisition {
    const common = {
      objectives: a.objectives,
      ...(a.constraints.length > 0 ? { constraints: a.constraints } : {}),
      samples: a.samples,
      seed: a.seed,
    };
    if (name === 'qLogNEHVI' || name === 'qNEHVI') {
      // Cached box decompositions: pending points and earlier picks update each sample's front.
      let acquisition: QLogNehvi | QNehvi | null = null;
      return {
        current: () => {
          if (acquisition === null) {
            const options = {
              ...common,
              reference: a.referencePoint,
              partitioningAlpha: a.partitioningAlpha,
              baseline: a.X,
              ...(a.pending.rows > 0 ? { pending: a.pending } : {}),
            };
            acquisition = name === 'qLogNEHVI' ? new QLogNehvi(options) : new QNehvi(options);
          }
          return acquisition;
        },
        addPending: (x) => {
          acquisition?.addPending({ rows: 1, cols: a.d, data: x });
        },
      };
    }
    // qEHVI and qNParEGO join pending points to the batch: rebuilt for each pick, with the most
    // recent MAX_Q - 1 pending points at most.
    let picks: Float64Array = new Float64Array(0);
    let current: McAcquisition | null = null;
    let pick = 0;
    const pendingMatrix = (): Matrix | undefined => {
      const all = concatRows(a.pending, picks, a.d);
      if (all.rows === 0) return undefined;
      const keep = Math.min(all.rows, MAX_Q - 1);
      return { rows: keep, cols: a.d, data: all.data.slice((all.rows - keep) * a.d) };
    };
    const feasibleY = feasibleRows(a.Y, a.C);
    return {
      current: () => {
        if (current === null) {
          const pending = pendingMatrix();
          if (name === 'qEHVI') {
            current = new QEhvi({
              ...common,
              reference: a.referencePoint,
              partitioningAlpha: a.partitioningAlpha,
              front: feasibleY.rows > 0 ? feasibleY : zeros(0, a.Y.cols),
              ...(pending ? { pending } : {}),
            });
          } else {
            // A new random scalarization for each pick, as qNParEGO's sequential batches.
            current = new QNParEgo({
              ...common,
              seed: deriveSeed(a.seed, 'parego', pick),
              baseline: a.X,
              observed: a.Y,
              ...(pending ? { pending } : {}),
            });
          }
        }
        return current;
      },
      addPending: (x) => {
        picks = concatRows({ rows: picks.length / a.d, cols: a.d, data: picks }, x, a.d).data;
        current = null;
        pick++;
      },
    };
  }
}

/**
 * The sequential target on a TensorFlow.js backend: each float64 acquisition (which holds the
 * cached root and the box decompositions) is mirrored by a `TensorAcquisition`, rebuilt after
 * every pick because the pick changes the float64 object's baseline and boxes.
 */
function tensorTarget(
  runtime: TensorRuntime,
  target: SequentialAcquisition,
): BatchSequentialAcquisition & { dispose(): void } {
  let mirror: TensorAcquisition | null = null;
  const dispose = () => {
    mirror?.dispose();
    mirror = null;
  };
  return {
    current: () => {
      mirror ??= new TensorAcquisition(runtime, target.current() as McAcquisition & SpecSource);
      return mirror;
    },
    addPending: (x) => {
      dispose();
      target.addPending(x);
    },
    dispose,
  };
}
