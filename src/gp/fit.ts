import { type Matrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { lbfgsb } from '../optim/lbfgsb.js';
import { createRng, type Rng } from '../random/rng.js';
import { PairwiseDifferences } from './distances.js';
import { assertKernelKind, type KernelKind } from './kernels.js';
import { LikelihoodWorkspace, LogPosterior, type ParameterLayout, parameterLayout } from './likelihood.js';
import {
  buildModel,
  type GpFitReport,
  type GpHyperparameters,
  type GpModel,
  standardizationOf,
} from './model.js';
import { type GpPriors, namedPriors, type PriorName, priorMode, validatePrior } from './priors.js';

/** Options of `fitGp` and `fitGps`; every field is optional. */
export interface FitOptions {
  /** Default 'rbf' with the dimension-scaled prior, 'matern52' with the gamma prior. */
  readonly kernel?: KernelKind;
  /** 'dimension-scaled' (default, Hvarfner et al. 2024), 'gamma' (BoTorch's earlier default) or your own. */
  readonly prior?: PriorName | GpPriors;
  readonly noise?: {
    /** n known noise variances on the user's scale: the noise is not fitted. */
    readonly fixed?: ArrayLike<number>;
    /** Smallest learned noise variance on the standardized scale; default 1e-4 (BoTorch's). */
    readonly lowerBound?: number;
  };
  /** Start from these hyperparameters (the last fit's) instead of the priors' modes. */
  readonly warmStart?: GpHyperparameters;
  /** Extra optimizer runs from random starts around the first; default 0. Failed fits add up to 3. */
  readonly restarts?: number;
  /** Seed of the random starts and subsets; default 0. */
  readonly seed?: number;
  /** L-BFGS-B iterations per start; default 200. */
  readonly maxIterations?: number;
  /**
   * L-BFGS-B stops when an iteration lowers the objective −log posterior / n by less than ftol
   * (relative to max(|f|, 1)); default 1e-6, i.e. a log-posterior gain under ~1e-6 n. Against scipy's
   * 2.2e-9 (BoTorch) this saves about a third of the evaluations and changed the fitted log posterior
   * by < 0.01 on DTLZ2 at n = 200 and 500, d = 50.
   */
  readonly ftol?: number;
  /**
   * Above this many points one likelihood evaluation costs O(n³) (about 0.5 s of CPU at n = 1000),
   * so the fit caps the full-data run at `largeMaxIterations` iterations and, unless a warm start is
   * given, first fits a random subset of `subsetSize` points (each of its evaluations costs
   * (subsetSize / n)³ of a full one) to start from. Default 600.
   */
  readonly subsetThreshold?: number;
  /** Default 250. */
  readonly subsetSize?: number;
  /** Iteration cap of the full-data run above `subsetThreshold`; default 6. */
  readonly largeMaxIterations?: number;
  /**
   * The constant mean: 'fitted' (default; a hyperparameter of the MAP fit, as BoTorch's
   * ConstantMean) or 'max', fixed at the largest observed outcome. For a minimized objective 'max'
   * is the pessimistic prior mean of De Ath, Fieldsend, Everson 2020 ("What do you mean? The role
   * of the mean function in Bayesian optimisation"): far from the data the model predicts the
   * worst value seen, not the average, so an acquisition no longer finds improvement in every
   * unexplored corner of the cube merely because the posterior there reverts to the mean.
   */
  readonly mean?: 'fitted' | 'max';
  /**
   * Smallest and largest lengthscale, in the unit cube's units; default [0.025, 1000]. A local
   * model can bound them by the size of its region, as MORBO's code does ([0.05, 4] times it).
   */
  readonly lengthscaleBounds?: readonly [number, number];
}

/** Bounds of the natural hyperparameters (the optimizer works on their logs). */
const LENGTHSCALE_BOUNDS: readonly [number, number] = [0.025, 1e3];
const OUTPUTSCALE_BOUNDS: readonly [number, number] = [1e-2, 1e3];
const NOISE_UPPER = 10;
const MEAN_BOUNDS: readonly [number, number] = [-10, 10];
/** BoTorch's MIN_INFERRED_NOISE_LEVEL (botorch/models/utils/gpytorch_modules.py). */
const DEFAULT_NOISE_LOWER_BOUND = 1e-4;
const FALLBACK_RESTARTS = 3;
/** The subset fit only provides a start: a looser relative tolerance saves some of its iterations. */
const SUBSET_FTOL = 1e-5;

interface Resolved {
  readonly kernel: KernelKind;
  readonly priors: GpPriors;
  readonly noiseLowerBound: number;
  readonly restarts: number;
  readonly seed: number;
  readonly maxIterations: number;
  readonly ftol: number;
  readonly subsetThreshold: number;
  readonly subsetSize: number;
  readonly largeMaxIterations: number;
  readonly mean: 'fitted' | 'max';
  readonly lengthscaleBounds: readonly [number, number];
}

function nonNegativeInteger(v: number | undefined, fallback: number, name: string): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`fitGp: ${name} is ${v}, expected an integer >= 0`);
  return v;
}

function resolve(options: FitOptions, d: number): Resolved {
  const prior = options.prior ?? 'dimension-scaled';
  const priors = typeof prior === 'string' ? namedPriors(prior, d) : prior;
  if (typeof prior !== 'string') {
    validatePrior(priors.lengthscale, 'fitGp: prior.lengthscale');
    if (priors.outputscale) validatePrior(priors.outputscale, 'fitGp: prior.outputscale');
    validatePrior(priors.noise, 'fitGp: prior.noise');
  }
  const kernel = options.kernel ?? (prior === 'gamma' ? 'matern52' : 'rbf');
  assertKernelKind(kernel, 'fitGp');
  const noiseLowerBound = options.noise?.lowerBound ?? DEFAULT_NOISE_LOWER_BOUND;
  if (!(noiseLowerBound > 0) || !(noiseLowerBound < NOISE_UPPER)) {
    throw new RangeError(
      `fitGp: noise.lowerBound is ${noiseLowerBound}, expected 0 < lowerBound < ${NOISE_UPPER}`,
    );
  }
  const ftol = options.ftol ?? 1e-6;
  if (!(ftol >= 0)) throw new RangeError(`fitGp: ftol is ${ftol}, expected >= 0`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`fitGp: seed is ${seed}, expected a finite number`);
  const maxIterations = nonNegativeInteger(options.maxIterations, 200, 'maxIterations');
  const mean = options.mean ?? 'fitted';
  if (mean !== 'fitted' && mean !== 'max') {
    throw new RangeError(`fitGp: mean is ${JSON.stringify(mean)}, expected 'fitted' or 'max'`);
  }
  const lengthscaleBounds = options.lengthscaleBounds ?? LENGTHSCALE_BOUNDS;
  if (
    !Array.isArray(lengthscaleBounds) ||
    lengthscaleBounds.length !== 2 ||
    !(lengthscaleBounds[0] > 0) ||
    !(lengthscaleBounds[1] > lengthscaleBounds[0]) ||
    !Number.isFinite(lengthscaleBounds[1])
  ) {
    throw new RangeError(
      `fitGp: lengthscaleBounds is ${JSON.stringify(lengthscaleBounds)}, expected [lower, upper] with 0 < lower < upper < Infinity`,
    );
  }
  return {
    mean,
    kernel,
    priors,
    noiseLowerBound,
    lengthscaleBounds,
    restarts: nonNegativeInteger(options.restarts, 0, 'restarts'),
    seed,
    maxIterations,
    ftol,
    subsetThreshold: nonNegativeInteger(options.subsetThreshold, 600, 'subsetThreshold'),
    subsetSize: Math.max(nonNegativeInteger(options.subsetSize, 250, 'subsetSize'), 10),
    largeMaxIterations: nonNegativeInteger(options.largeMaxIterations, 6, 'largeMaxIterations'),
  };
}

function checkFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new RangeError(`${what}: entry ${i} is ${a[i]}, expected a finite number`);
  }
}

function countDuplicates(X: Matrix): number {
  const seen = new Set<string>();
  let duplicates = 0;
  for (let i = 0; i < X.rows; i++) {
    const key = X.data.subarray(i * X.cols, (i + 1) * X.cols).join(',');
    if (seen.has(key)) duplicates++;
    else seen.add(key);
  }
  return duplicates;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(Math.max(v, lo), hi);
}

/** Lower and upper bounds of η for this layout. */
function boundsOf(
  layout: ParameterLayout,
  r: Pick<Resolved, 'noiseLowerBound' | 'lengthscaleBounds'>,
): { lower: Float64Array; upper: Float64Array } {
  const { noiseLowerBound, lengthscaleBounds } = r;
  const lower = new Float64Array(layout.size);
  const upper = new Float64Array(layout.size);
  for (let k = 0; k < layout.d; k++) {
    lower[k] = Math.log(lengthscaleBounds[0]);
    upper[k] = Math.log(lengthscaleBounds[1]);
  }
  if (layout.outputscale >= 0) {
    lower[layout.outputscale] = Math.log(OUTPUTSCALE_BOUNDS[0]);
    upper[layout.outputscale] = Math.log(OUTPUTSCALE_BOUNDS[1]);
  }
  if (layout.noise >= 0) {
    lower[layout.noise] = Math.log(noiseLowerBound);
    upper[layout.noise] = Math.log(NOISE_UPPER);
  }
  lower[layout.mean] = MEAN_BOUNDS[0];
  upper[layout.mean] = MEAN_BOUNDS[1];
  return { lower, upper };
}

/** The first start: the warm start when given, else the priors' modes (BoTorch's initial values). */
function initialEta(
  layout: ParameterLayout,
  r: Resolved,
  warm: GpHyperparameters | undefined,
  warnings: string[],
): Float64Array {
  const eta = new Float64Array(layout.size);
  const { d } = layout;
  let usable = warm;
  if (warm && warm.lengthscales.length !== d) {
    warnings.push(`warm start has ${warm.lengthscales.length} lengthscales, expected ${d}: ignored`);
    usable = undefined;
  }
  if (usable && usable.kernel !== r.kernel) {
    warnings.push(
      `warm start is for kernel '${usable.kernel}', fitting '${r.kernel}': its values are only a start`,
    );
  }
  const lengthscaleMode = priorMode(r.priors.lengthscale);
  for (let k = 0; k < d; k++) eta[k] = Math.log(usable ? usable.lengthscales[k]! : lengthscaleMode);
  if (layout.outputscale >= 0) {
    const s = usable ? usable.outputscale : 1;
    eta[layout.outputscale] = Math.log(s);
  }
  if (layout.noise >= 0) {
    const noise = usable && usable.noise !== null ? usable.noise : priorMode(r.priors.noise);
    eta[layout.noise] = Math.log(noise);
  }
  eta[layout.mean] = usable ? usable.mean : 0;
  const { lower, upper } = boundsOf(layout, r);
  for (let i = 0; i < layout.size; i++) {
    const v = eta[i]!;
    eta[i] = Number.isFinite(v) ? clamp(v, lower[i]!, upper[i]!) : 0.5 * (lower[i]! + upper[i]!);
  }
  return eta;
}

/** A random start: the first start moved by N(0, 1) in every log-hyperparameter, clamped to the bounds. */
function randomStart(first: Float64Array, layout: ParameterLayout, r: Resolved, rng: Rng): Float64Array {
  const eta = Float64Array.from(first);
  const { lower, upper } = boundsOf(layout, r);
  for (let i = 0; i < layout.size; i++) {
    const step = i === layout.mean ? 0.5 * rng.normal() : rng.normal();
    eta[i] = clamp(first[i]! + step, lower[i]!, upper[i]!);
  }
  if (r.mean === 'max') eta[layout.mean] = first[layout.mean]!;
  return eta;
}

interface RunResult {
  eta: Float64Array;
  logPosterior: number;
  iterations: number;
  evaluations: number;
  reason: string;
}

function optimize(
  target: LogPosterior,
  start: Float64Array,
  bounds: { lower: Float64Array; upper: Float64Array },
  maxIterations: number,
  ftol: number,
): RunResult {
  const n = target.pairs.n;
  const scale = 1 / Math.max(n, 1);
  const objective = (x: Float64Array, gradient: Float64Array): number => {
    const v = target.evaluate(x, gradient);
    if (!Number.isFinite(v)) {
      gradient.fill(0);
      return Number.POSITIVE_INFINITY;
    }
    for (let i = 0; i < gradient.length; i++) gradient[i] = -scale * gradient[i]!;
    return -scale * v;
  };
  if (maxIterations === 0) {
    const v = target.evaluate(start, null);
    return { eta: Float64Array.from(start), logPosterior: v, iterations: 0, evaluations: 1, reason: 'none' };
  }
  const result = lbfgsb(objective, start, {
    lower: bounds.lower,
    upper: bounds.upper,
    maxIterations,
    maxEvaluations: Math.max(2 * maxIterations, 20),
    ftol,
    pgtol: 1e-5,
    // 20 correction pairs instead of scipy's 10: ~15% fewer likelihood evaluations at d = 20..100,
    // and the extra O(m² d) work per iteration is nothing next to an O(n³) evaluation.
    memory: 20,
  });
  return {
    eta: Float64Array.from(result.x),
    logPosterior: -result.f / scale,
    iterations: result.iterations,
    evaluations: result.evaluations,
    reason: result.reason,
  };
}

/** Data shared by the fits of several objectives on the same inputs. */
interface SharedInputs {
  readonly X: Matrix;
  readonly pairs: PairwiseDifferences;
  readonly work: LikelihoodWorkspace;
  readonly duplicates: number;
  /** Whether some input lies outside [0, 1] (beyond rounding). */
  readonly outsideCube: boolean;
}

function sharedInputs(X: Matrix): SharedInputs {
  const owned: Matrix = { rows: X.rows, cols: X.cols, data: Float64Array.from(X.data) };
  const pairs = new PairwiseDifferences(owned.data, owned.rows, owned.cols);
  let outsideCube = false;
  for (let i = 0; i < owned.data.length; i++) {
    const v = owned.data[i]!;
    if (v < -1e-9 || v > 1 + 1e-9) outsideCube = true;
  }
  return {
    X: owned,
    pairs,
    work: new LikelihoodWorkspace(owned.rows, owned.cols),
    duplicates: countDuplicates(owned),
    outsideCube,
  };
}

function subsetIndices(n: number, size: number, rng: Rng): Int32Array {
  const perm = new Int32Array(n);
  for (let i = 0; i < n; i++) perm[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + rng.int(n - i);
    const t = perm[i]!;
    perm[i] = perm[j]!;
    perm[j] = t;
  }
  return perm.slice(0, size).sort();
}

function fitOne(
  shared: SharedInputs,
  y: ArrayLike<number>,
  r: Resolved,
  fixedNoise: ArrayLike<number> | undefined,
  warmStart: GpHyperparameters | undefined,
  seed: number,
  where: string,
): GpModel {
  const { X, pairs } = shared;
  const n = X.rows;
  const d = X.cols;
  const warnings: string[] = [];
  checkFinite(y, `${where}: y`);
  const standard = standardizationOf(y);
  if (standard.constant && n > 1) warnings.push(`the ${n} outcomes are all equal: standardized with sd 1`);
  if (n <= 2)
    warnings.push(`only ${n} point${n === 1 ? '' : 's'}: the hyperparameters are mostly the priors'`);
  if (shared.duplicates > 0) {
    warnings.push(`X has ${shared.duplicates} duplicate row${shared.duplicates === 1 ? '' : 's'}`);
  }
  if (shared.outsideCube) {
    warnings.push(
      'X has values outside [0, 1]: the lengthscale bounds and priors assume inputs in the unit cube',
    );
  }
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = (y[i]! - standard.mean) / standard.std;

  let noise: Float64Array | null = null;
  if (fixedNoise !== undefined) {
    if (fixedNoise.length !== n) {
      throw new RangeError(`${where}: noise.fixed has ${fixedNoise.length} values, expected n = ${n}`);
    }
    noise = new Float64Array(n);
    const v2 = standard.std * standard.std;
    for (let i = 0; i < n; i++) {
      const v = fixedNoise[i]!;
      if (!(v >= 0) || !Number.isFinite(v)) {
        throw new RangeError(`${where}: noise.fixed[${i}] is ${v}, expected a finite variance >= 0`);
      }
      noise[i] = v / v2;
    }
  }
  const layout = parameterLayout(d, r.priors.outputscale !== null, noise === null);
  const setup = { kernel: r.kernel, priors: r.priors, layout, fixedNoise: noise };
  const target = new LogPosterior(pairs, ys, setup, shared.work);
  const bounds = boundsOf(layout, r);
  const first = initialEta(layout, r, warmStart, warnings);
  if (r.mean === 'max') {
    // A fixed constant: equal bounds keep L-BFGS-B from moving it, and the random starts with it.
    let largest = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < n; i++) largest = Math.max(largest, ys[i]!);
    bounds.lower[layout.mean] = largest;
    bounds.upper[layout.mean] = largest;
    first[layout.mean] = largest;
  }
  const rng = createRng(seed);

  let evaluations = 0;
  let best: RunResult | null = null;
  let starts = 0;
  const consider = (run: RunResult): void => {
    starts++;
    evaluations += run.evaluations;
    if (Number.isFinite(run.logPosterior) && (best === null || run.logPosterior > best.logPosterior))
      best = run;
  };
  const attempt = (
    start: Float64Array,
    maxIterations: number,
    on: LogPosterior = target,
    ftol = r.ftol,
  ): RunResult | null => {
    try {
      return optimize(on, start, bounds, maxIterations, ftol);
    } catch (error) {
      warnings.push(`an optimizer run failed: ${(error as Error).message}`);
      return null;
    }
  };

  if (standard.constant) {
    const v = target.evaluate(first, null);
    consider({ eta: first, logPosterior: v, iterations: 0, evaluations: 1, reason: 'constant outcomes' });
  } else {
    let start = first;
    const large = n > r.subsetThreshold;
    const maxIterations = large ? Math.min(r.maxIterations, r.largeMaxIterations) : r.maxIterations;
    if (large && warmStart === undefined && r.subsetSize < n) {
      // Coarse fit on a subset: each of its evaluations costs (subset/n)³ of a full one.
      const idx = subsetIndices(n, r.subsetSize, rng);
      const m = idx.length;
      const Xs = new Float64Array(m * d);
      const yss = new Float64Array(m);
      const noiseSub = noise ? new Float64Array(m) : null;
      for (let a = 0; a < m; a++) {
        Xs.set(X.data.subarray(idx[a]! * d, (idx[a]! + 1) * d), a * d);
        yss[a] = ys[idx[a]!]!;
        if (noiseSub && noise) noiseSub[a] = noise[idx[a]!]!;
      }
      const sub = new LogPosterior(new PairwiseDifferences(Xs, m, d), yss, {
        ...setup,
        fixedNoise: noiseSub,
      });
      const run = attempt(first, r.maxIterations, sub, Math.max(r.ftol, SUBSET_FTOL));
      if (run && Number.isFinite(run.logPosterior)) {
        evaluations += run.evaluations;
        start = run.eta;
      }
    }
    const run = attempt(start, maxIterations);
    if (run) consider(run);
    const extra = r.restarts + (best === null ? FALLBACK_RESTARTS : 0);
    for (let i = 0; i < extra; i++) {
      const again = attempt(randomStart(first, layout, r, rng), maxIterations);
      if (again) consider(again);
    }
  }
  let chosen: RunResult;
  if (best === null) {
    warnings.push('every optimizer run failed: the model uses the starting hyperparameters');
    chosen = {
      eta: first,
      logPosterior: target.evaluate(first, null),
      iterations: 0,
      evaluations: 1,
      reason: 'failed',
    };
  } else {
    chosen = best;
  }
  // Recompute at the chosen point: the last evaluation may have been elsewhere (a line-search trial).
  const logPosterior = target.evaluate(chosen.eta, null);
  if (target.last.jitter > 0) {
    warnings.push(`K needed jitter ${target.last.jitter.toExponential(2)} on its diagonal to factorize`);
  }
  const hyperparameters = hyperparametersOf(chosen.eta, layout, r.kernel);
  let moved = false;
  for (let i = 0; i < layout.size; i++) if (Math.abs(chosen.eta[i]! - first[i]!) > 1e-6) moved = true;
  const fit: GpFitReport = {
    evaluations,
    iterations: chosen.iterations,
    reason: chosen.reason,
    logMarginalLikelihood: target.last.logMarginalLikelihood,
    logPosterior,
    warnings,
    movedFromStart: moved,
    starts,
    jitter: target.last.jitter,
  };
  const noiseVector = noise ?? new Float64Array(n).fill(hyperparameters.noise ?? 0);
  return buildModel(X, ys, { mean: standard.mean, std: standard.std }, hyperparameters, noiseVector, fit);
}

/** Natural hyperparameters from η. */
export function hyperparametersOf(
  eta: ArrayLike<number>,
  layout: ParameterLayout,
  kernel: KernelKind,
): GpHyperparameters {
  const lengthscales: number[] = [];
  for (let k = 0; k < layout.d; k++) lengthscales.push(Math.exp(eta[k]!));
  return {
    kernel,
    lengthscales,
    outputscale: layout.outputscale >= 0 ? Math.exp(eta[layout.outputscale]!) : 1,
    noise: layout.noise >= 0 ? Math.exp(eta[layout.noise]!) : null,
    mean: eta[layout.mean]!,
  };
}

function checkInputs(X: MatrixLike, where: string): Matrix {
  const Xm = toMatrix(X, `${where}: X`);
  if (Xm.rows < 1) throw new RangeError(`${where}: X has 0 rows, expected at least 1 point`);
  if (Xm.cols < 1) throw new RangeError(`${where}: X has 0 columns, expected d >= 1`);
  checkFinite(Xm.data, `${where}: X`);
  return Xm;
}

/**
 * Fits a GP to X (n x d, inputs in the unit cube) and y (n, user's scale) by maximizing the log
 * marginal likelihood plus the log priors over the log-hyperparameters with L-BFGS-B and the
 * analytic gradient. Never throws on degenerate data (duplicates, constant outcomes, one or two
 * points): see `model.fit.warnings`. Throws on malformed input (NaN, wrong lengths).
 */
export function fitGp(X: MatrixLike, y: ArrayLike<number>, options: FitOptions = {}): GpModel {
  const Xm = checkInputs(X, 'fitGp');
  if (y.length !== Xm.rows) throw new RangeError(`fitGp: y has ${y.length} values, expected n = ${Xm.rows}`);
  const r = resolve(options, Xm.cols);
  return fitOne(sharedInputs(Xm), y, r, options.noise?.fixed, options.warmStart, r.seed, 'fitGp');
}

/** Options of `fitGps`: those of `fitGp` plus one warm start per objective. */
export interface FitManyOptions extends Omit<FitOptions, 'warmStart' | 'noise'> {
  readonly warmStarts?: readonly (GpHyperparameters | undefined)[];
  readonly noise?: {
    /** n x m known noise variances (user's scale), one column per objective. */
    readonly fixed?: MatrixLike;
    readonly lowerBound?: number;
  };
}

/**
 * Fits m independent GPs, one per column of Y (n x m), on the same inputs X (n x d), one after
 * another. Computed once and shared: the centred inputs (and in 'stored' mode their pairwise squared
 * differences), the duplicate check, the n x n work buffers, and the one copy of X the models keep.
 */
export function fitGps(X: MatrixLike, Y: MatrixLike, options: FitManyOptions = {}): GpModel[] {
  const Xm = checkInputs(X, 'fitGps');
  const Ym = toMatrix(Y, 'fitGps: Y');
  if (Ym.rows !== Xm.rows) throw new RangeError(`fitGps: Y has ${Ym.rows} rows, expected n = ${Xm.rows}`);
  const m = Ym.cols;
  const warm = options.warmStarts;
  if (warm && warm.length !== m) {
    throw new RangeError(`fitGps: warmStarts has ${warm.length} entries, expected one per objective (${m})`);
  }
  let fixed: Matrix | undefined;
  if (options.noise?.fixed !== undefined) {
    fixed = toMatrix(options.noise.fixed, 'fitGps: noise.fixed');
    if (fixed.rows !== Xm.rows || fixed.cols !== m) {
      throw new RangeError(
        `fitGps: noise.fixed is ${fixed.rows} x ${fixed.cols}, expected ${Xm.rows} x ${m}`,
      );
    }
  }
  const r = resolve({ ...options, noise: { lowerBound: options.noise?.lowerBound } } as FitOptions, Xm.cols);
  const shared = sharedInputs(Xm);
  const models: GpModel[] = [];
  const column = new Float64Array(Xm.rows);
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < Xm.rows; i++) column[i] = Ym.data[i * m + j]!;
    let noiseColumn: Float64Array | undefined;
    if (fixed) {
      noiseColumn = new Float64Array(Xm.rows);
      for (let i = 0; i < Xm.rows; i++) noiseColumn[i] = fixed.data[i * m + j]!;
    }
    models.push(
      fitOne(shared, column, r, noiseColumn, warm?.[j], r.seed + 7919 * j, `fitGps (objective ${j})`),
    );
  }
  return models;
}
