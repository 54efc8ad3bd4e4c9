import { cholesky, logDetFromCholesky } from '../linalg/cholesky.js';
import { choleskyInverse, choleskySolve } from '../linalg/triangular.js';
import type { PairwiseDifferences } from './distances.js';
import { applyProfile, type KernelKind } from './kernels.js';
import { type GpPriors, priorTermAtLog } from './priors.js';

const LOG_2PI = Math.log(2 * Math.PI);

/**
 * Where each log-hyperparameter sits in the vector η that the optimizer moves:
 * η = [log ℓ_1 … log ℓ_d, log s (if learned), log σ² (if learned), c]. The constant mean c is not
 * logged (it may be negative).
 */
export interface ParameterLayout {
  readonly d: number;
  /** Index of log s, or −1 when the kernel has no outputscale (s = 1). */
  readonly outputscale: number;
  /** Index of log σ², or −1 when the noise is fixed per point. */
  readonly noise: number;
  readonly mean: number;
  readonly size: number;
}

export function parameterLayout(d: number, learnOutputscale: boolean, learnNoise: boolean): ParameterLayout {
  let i = d;
  const outputscale = learnOutputscale ? i++ : -1;
  const noise = learnNoise ? i++ : -1;
  const mean = i++;
  return { d, outputscale, noise, mean, size: i };
}

/** What a likelihood evaluation needs besides the data. */
export interface LikelihoodSetup {
  readonly kernel: KernelKind;
  readonly priors: GpPriors;
  readonly layout: ParameterLayout;
  /** n: known noise variances on the standardized scale, or null when σ² is learned. */
  readonly fixedNoise: Float64Array | null;
}

/**
 * Work buffers of one likelihood evaluation for n points and d inputs; `fitGps` shares one set
 * across its objectives since they are fitted one after another.
 */
export class LikelihoodWorkspace {
  readonly n: number;
  readonly d: number;
  /** n x n: K in the lower triangle (all that the Cholesky reads); the upper triangle is scratch. */
  readonly K: Float64Array;
  /** n x n: the Cholesky factor of K (+ jitter). */
  readonly L: Float64Array;
  /** n x n: K^{-1}. */
  readonly Kinv: Float64Array;
  /** pairs: r², then the trace weights M_p. */
  readonly r2: Float64Array;
  /** pairs: f(r²). */
  readonly f: Float64Array;
  /** pairs: f'(r²). */
  readonly df: Float64Array;
  /** n: y − c, then α = K^{-1}(y − c). */
  readonly alpha: Float64Array;
  /** d: 1/ℓ², then the trace sums. */
  readonly perDimension: Float64Array;

  constructor(n: number, d: number) {
    const pairs = (n * (n - 1)) / 2;
    this.n = n;
    this.d = d;
    this.K = new Float64Array(n * n);
    this.L = new Float64Array(n * n);
    this.Kinv = new Float64Array(n * n);
    this.r2 = new Float64Array(pairs);
    this.f = new Float64Array(pairs);
    this.df = new Float64Array(pairs);
    this.alpha = new Float64Array(n);
    this.perDimension = new Float64Array(d);
  }
}

/** What the last call of `LogPosterior.evaluate` found, for the fit report. */
export interface EvaluationRecord {
  logMarginalLikelihood: number;
  logPrior: number;
  jitter: number;
}

/**
 * The log posterior log p(y | η) + log p(η) of a GP with constant mean, and its analytic gradient in η.
 *
 * With K = s R + diag(σ²) and α = K^{-1}(y − c), ∂ log p(y)/∂θ = ½ tr((α αᵀ − K^{-1}) ∂K/∂θ)
 * (Rasmussen & Williams 2006, eq. 5.9). Per evaluation: Cholesky (n³/3), the inverse (2n³/3), and
 * one O(n² d) trace pass for all lengthscales that never forms ∂K/∂log ℓ_k.
 */
export class LogPosterior {
  readonly pairs: PairwiseDifferences;
  readonly y: Float64Array;
  readonly setup: LikelihoodSetup;
  readonly work: LikelihoodWorkspace;
  readonly last: EvaluationRecord = { logMarginalLikelihood: Number.NaN, logPrior: Number.NaN, jitter: 0 };

  /**
   * @param pairs the inputs' pairwise differences (n points, d inputs).
   * @param y n standardized outcomes.
   */
  constructor(
    pairs: PairwiseDifferences,
    y: Float64Array,
    setup: LikelihoodSetup,
    work?: LikelihoodWorkspace,
  ) {
    this.pairs = pairs;
    this.y = y;
    this.setup = setup;
    this.work =
      work && work.n === pairs.n && work.d === pairs.d ? work : new LikelihoodWorkspace(pairs.n, pairs.d);
  }

  /**
   * Fills the lower triangle of the workspace's K (n x n) for hyperparameters η and returns s. Leaves r², f
   * and f' of every pair in the workspace.
   */
  assemble(eta: ArrayLike<number>): number {
    const { layout, fixedNoise, kernel } = this.setup;
    const { n, d } = this.pairs;
    const w = this.work;
    for (let k = 0; k < d; k++) w.perDimension[k] = Math.exp(-2 * eta[k]!);
    const s = layout.outputscale >= 0 ? Math.exp(eta[layout.outputscale]!) : 1;
    const noise = layout.noise >= 0 ? Math.exp(eta[layout.noise]!) : 0;
    const pairCount = this.pairs.pairs;
    this.pairs.scaledSquaredDistances(w.perDimension, w.r2, w.K);
    applyProfile(kernel, w.r2, pairCount, w.f, w.df);
    const K = w.K;
    const f = w.f;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const io = i * n;
      for (let j = 0; j < i; j++, p++) {
        K[io + j] = s * f[p]!;
      }
      K[io + i] = s + (fixedNoise ? fixedNoise[i]! : noise);
    }
    return s;
  }

  /**
   * log p(y | η) + log p(η); writes its gradient in η to `gradient` (length layout.size) when given.
   * Returns −Infinity when K cannot be factorized even with the largest jitter.
   */
  evaluate(eta: ArrayLike<number>, gradient: Float64Array | null): number {
    const { layout, priors } = this.setup;
    const { n, d } = this.pairs;
    const w = this.work;
    const s = this.assemble(eta);
    const c = eta[layout.mean]!;
    let jitter: number;
    try {
      jitter = cholesky(w.K, n, { out: w.L }).jitter;
    } catch {
      this.last.logMarginalLikelihood = Number.NEGATIVE_INFINITY;
      if (gradient) gradient.fill(0);
      return Number.NEGATIVE_INFINITY;
    }
    const alpha = w.alpha;
    const y = this.y;
    for (let i = 0; i < n; i++) alpha[i] = y[i]! - c;
    choleskySolve(w.L, n, alpha, 1, alpha);
    let quad = 0;
    for (let i = 0; i < n; i++) quad += (y[i]! - c) * alpha[i]!;
    const logDet = logDetFromCholesky(w.L, n);
    const mll = -0.5 * quad - 0.5 * logDet - 0.5 * n * LOG_2PI;

    let logPrior = 0;
    if (gradient) gradient.fill(0);
    for (let k = 0; k < d; k++) {
      const [v, g] = priorTermAtLog(priors.lengthscale, eta[k]!);
      logPrior += v;
      if (gradient) gradient[k] = g;
    }
    if (layout.outputscale >= 0 && priors.outputscale) {
      const [v, g] = priorTermAtLog(priors.outputscale, eta[layout.outputscale]!);
      logPrior += v;
      if (gradient) gradient[layout.outputscale] = g;
    }
    if (layout.noise >= 0) {
      const [v, g] = priorTermAtLog(priors.noise, eta[layout.noise]!);
      logPrior += v;
      if (gradient) gradient[layout.noise] = g;
    }
    this.last.logMarginalLikelihood = mll;
    this.last.logPrior = logPrior;
    this.last.jitter = jitter;
    if (!gradient) return mll + logPrior;

    const Kinv = choleskyInverse(w.L, n, w.Kinv);
    // Trace weights M_p = W_ij s f'(r²_ij) with W = ααᵀ − K^{-1}; the outputscale term Σ W_ij s f_ij
    // and the diagonal Σ W_ii ride along in the same O(n²) pass.
    const M = w.r2;
    const f = w.f;
    const df = w.df;
    let offDiagonalSignal = 0;
    let diagonal = 0;
    let p = 0;
    for (let i = 0; i < n; i++) {
      const io = i * n;
      const ai = alpha[i]!;
      for (let j = 0; j < i; j++, p++) {
        const wij = ai * alpha[j]! - Kinv[io + j]!;
        offDiagonalSignal += wij * f[p]!;
        M[p] = wij * s * df[p]!;
      }
      const wii = ai * ai - Kinv[io + i]!;
      diagonal += wii;
    }
    const sums = w.perDimension;
    this.pairs.weightedSquaredDifferences(M, sums, w.Kinv);
    for (let k = 0; k < d; k++) gradient[k] = gradient[k]! - 2 * Math.exp(-2 * eta[k]!) * sums[k]!;
    if (layout.outputscale >= 0) {
      gradient[layout.outputscale] =
        gradient[layout.outputscale]! + s * offDiagonalSignal + 0.5 * s * diagonal;
    }
    if (layout.noise >= 0) {
      gradient[layout.noise] = gradient[layout.noise]! + 0.5 * Math.exp(eta[layout.noise]!) * diagonal;
    }
    let sumAlpha = 0;
    for (let i = 0; i < n; i++) sumAlpha += alpha[i]!;
    gradient[layout.mean] = gradient[layout.mean]! + sumAlpha;
    return mll + logPrior;
  }
}
