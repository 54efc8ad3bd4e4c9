import { cholesky } from '../linalg/cholesky.js';
import { type Matrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { solveLower, solveLowerTranspose } from '../linalg/triangular.js';
import { crossCovariance, crossCovarianceInputGradient, type KernelKind } from './kernels.js';

/**
 * A GP's hyperparameters, JSON-serializable, on the natural (not log) scale and on the standardized
 * outcome scale. `outputscale` is 1 for kernels without one; `noise` is null when the noise is fixed
 * per point.
 */
export interface GpHyperparameters {
  readonly kernel: KernelKind;
  readonly lengthscales: readonly number[];
  readonly outputscale: number;
  readonly noise: number | null;
  readonly mean: number;
}

/** How the outcomes were standardized: y_std = (y − mean) / std. */
export interface Standardization {
  readonly mean: number;
  readonly std: number;
}

/** What the fit did. */
export interface GpFitReport {
  /** Likelihood evaluations over all starts. */
  readonly evaluations: number;
  /** L-BFGS-B iterations of the start that won. */
  readonly iterations: number;
  /** Why the winning run stopped ('none' when no optimization ran). */
  readonly reason: string;
  /** log p(y | θ) at the returned hyperparameters (standardized outcomes). */
  readonly logMarginalLikelihood: number;
  /** log p(y | θ) + log p(θ). */
  readonly logPosterior: number;
  readonly warnings: readonly string[];
  /** Whether the returned hyperparameters differ from the first start. */
  readonly movedFromStart: boolean;
  /** Number of optimizer runs (1 + restarts). */
  readonly starts: number;
  /** Jitter the Cholesky factorization of K needed (0 almost always). */
  readonly jitter: number;
}

/**
 * The model's float64 internals, read-only, for batched posterior work elsewhere (the float32
 * TensorFlow.js path). Everything is on the standardized outcome scale:
 *   mean(x*) = mean + k(x*, X) α,  var(x*) = outputscale − ‖L^{-1} k(X, x*)‖²,
 * then the user's scale is yMean + yStd · mean and yStd² · var.
 */
export interface GpInternals {
  readonly kernel: KernelKind;
  /** n x d training inputs. */
  readonly X: Matrix;
  /** d. */
  readonly lengthscales: Float64Array;
  readonly outputscale: number;
  /** n: noise variance of each training point (standardized scale). */
  readonly noise: Float64Array;
  /** The constant mean c (standardized scale). */
  readonly mean: number;
  /** n x n lower Cholesky factor of K + diag(noise) (+ jitter I), row-major, upper part zero. */
  readonly L: Float64Array;
  /** n: α = (K + diag(noise))^{-1} (y − c). */
  readonly alpha: Float64Array;
  /** n: L^{-1} (y − c), kept for cheap conditioning. */
  readonly whitened: Float64Array;
  /** n: standardized training outcomes. */
  readonly y: Float64Array;
  readonly yMean: number;
  readonly yStd: number;
  readonly jitter: number;
}

/** Mean and variance at q points (user's scale). */
export interface PosteriorMoments {
  /** q. */
  readonly mean: Float64Array;
  /** q. */
  readonly variance: Float64Array;
}

/** The joint posterior at q points (user's scale). */
export interface JointPosterior {
  /** q. */
  readonly mean: Float64Array;
  /** q x q, row-major. */
  readonly covariance: Float64Array;
}

/** The joint posterior with the lower Cholesky factor of its covariance, for sampling. */
export interface JointPosteriorFactor extends JointPosterior {
  /** q x q lower factor of covariance + jitter I. */
  readonly factor: Float64Array;
  readonly jitter: number;
}

/** Moments and their gradients with respect to each point's own inputs (user's scale). */
export interface PosteriorGradient extends PosteriorMoments {
  /** q x d: ∂mean_a / ∂x_a. */
  readonly meanGradient: Float64Array;
  /** q x d: ∂variance_a / ∂x_a. */
  readonly varianceGradient: Float64Array;
}

/** Options of `createGpModel`. */
export interface CreateGpModelOptions {
  /** n known noise variances on the user's scale; required when `hyperparameters.noise` is null. */
  readonly fixedNoise?: ArrayLike<number>;
  /** Use this standardization instead of the outcomes' own mean and sd. */
  readonly standardization?: Standardization;
  readonly fit?: GpFitReport;
}

/** Posterior variances are floored here (standardized scale) so that their square roots stay finite. */
const MIN_VARIANCE = 1e-12;
/** Points per block in posterior passes: bounds the n x block work buffers. */
const BLOCK = 256;

const NO_FIT: GpFitReport = {
  evaluations: 0,
  iterations: 0,
  reason: 'none',
  logMarginalLikelihood: Number.NaN,
  logPosterior: Number.NaN,
  warnings: [],
  movedFromStart: false,
  starts: 0,
  jitter: 0,
};

function checkFinite(a: ArrayLike<number>, what: string): void {
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i]))
      throw new RangeError(`${what}: entry ${i} is ${a[i]}, expected a finite number`);
  }
}

/** The standardization of y: its mean and sample sd (n − 1), sd 1 when n < 2 or y is constant. */
export function standardizationOf(y: ArrayLike<number>): Standardization & { constant: boolean } {
  const n = y.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += y[i]!;
  mean /= Math.max(n, 1);
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (y[i]! - mean) * (y[i]! - mean);
  const sd = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const constant = !(sd > 1e-12 * Math.max(1, Math.abs(mean)));
  return { mean, std: constant ? 1 : sd, constant };
}

/**
 * An exact GP with a constant mean on standardized outcomes. Immutable: `condition` returns a new
 * model. Predictions are on the user's scale.
 */
export class GpModel {
  readonly hyperparameters: GpHyperparameters;
  readonly fit: GpFitReport;
  readonly internals: GpInternals;

  /** Use `fitGp` or `createGpModel`; this constructor trusts its arguments. */
  constructor(hyperparameters: GpHyperparameters, internals: GpInternals, fit: GpFitReport = NO_FIT) {
    this.hyperparameters = hyperparameters;
    this.internals = internals;
    this.fit = fit;
  }

  get dimension(): number {
    return this.internals.X.cols;
  }

  get size(): number {
    return this.internals.X.rows;
  }

  private points(Xs: MatrixLike, where: string): Matrix {
    const m = toMatrix(Xs, `GpModel.${where}: Xs`, this.dimension);
    if (m.cols !== this.dimension) {
      throw new RangeError(`GpModel.${where}: Xs has ${m.cols} columns, expected d = ${this.dimension}`);
    }
    checkFinite(m.data, `GpModel.${where}: Xs`);
    return m;
  }

  /**
   * Posterior mean and variance of the latent function (no observation noise) at Xs (q x d).
   * O(q n d + q n²), in blocks of 256 points.
   */
  posterior(Xs: MatrixLike): PosteriorMoments {
    const P = this.points(Xs, 'posterior');
    const q = P.rows;
    const { kernel, X, lengthscales, outputscale, L, alpha, mean: c, yMean, yStd } = this.internals;
    const n = X.rows;
    const d = X.cols;
    const mean = new Float64Array(q);
    const variance = new Float64Array(q);
    const buffer = new Float64Array(n * Math.min(BLOCK, Math.max(q, 1)));
    for (let start = 0; start < q; start += BLOCK) {
      const b = Math.min(BLOCK, q - start);
      const Kt = buffer.subarray(0, n * b);
      // n x b: K(X, Xs_block), so that the triangular solve walks contiguous rows.
      crossCovariance(
        kernel,
        X.data,
        n,
        P.data.subarray(start * d, (start + b) * d),
        b,
        d,
        lengthscales,
        outputscale,
        Kt,
      );
      for (let a = 0; a < b; a++) mean[start + a] = c;
      for (let i = 0; i < n; i++) {
        const ai = alpha[i]!;
        const o = i * b;
        for (let a = 0; a < b; a++) mean[start + a] = mean[start + a]! + ai * Kt[o + a]!;
      }
      solveLower(L, n, Kt, b, Kt);
      for (let a = 0; a < b; a++) variance[start + a] = outputscale;
      for (let i = 0; i < n; i++) {
        const o = i * b;
        for (let a = 0; a < b; a++) variance[start + a] = variance[start + a]! - Kt[o + a]! * Kt[o + a]!;
      }
    }
    const v2 = yStd * yStd;
    for (let a = 0; a < q; a++) {
      mean[a] = yMean + yStd * mean[a]!;
      variance[a] = v2 * Math.max(variance[a]!, MIN_VARIANCE * outputscale);
    }
    return { mean, variance };
  }

  /** Joint posterior of the latent function at Xs (q x d): mean (q) and covariance (q x q). O(q n² + q² n). */
  posteriorCovariance(Xs: MatrixLike): JointPosterior {
    const P = this.points(Xs, 'posteriorCovariance');
    return this.joint(P);
  }

  private joint(P: Matrix): JointPosterior {
    const q = P.rows;
    const { kernel, X, lengthscales, outputscale, L, alpha, mean: c, yMean, yStd } = this.internals;
    const n = X.rows;
    const d = X.cols;
    const Kt = crossCovariance(kernel, X.data, n, P.data, q, d, lengthscales, outputscale);
    const mean = new Float64Array(q).fill(c);
    for (let i = 0; i < n; i++) {
      const ai = alpha[i]!;
      for (let a = 0; a < q; a++) mean[a] = mean[a]! + ai * Kt[i * q + a]!;
    }
    solveLower(L, n, Kt, q, Kt);
    const cov = crossCovariance(kernel, P.data, q, P.data, q, d, lengthscales, outputscale);
    // cov −= Vᵀ V, V = L^{-1} K(X, Xs) (n x q), row by row of V: O(n q²).
    for (let i = 0; i < n; i++) {
      const o = i * q;
      for (let a = 0; a < q; a++) {
        const va = Kt[o + a]!;
        if (va === 0) continue;
        const ao = a * q;
        for (let b = 0; b <= a; b++) cov[ao + b] = cov[ao + b]! - va * Kt[o + b]!;
      }
    }
    const v2 = yStd * yStd;
    for (let a = 0; a < q; a++) {
      mean[a] = yMean + yStd * mean[a]!;
      for (let b = 0; b < a; b++) {
        const v = v2 * cov[a * q + b]!;
        cov[a * q + b] = v;
        cov[b * q + a] = v;
      }
      cov[a * q + a] = v2 * Math.max(cov[a * q + a]!, MIN_VARIANCE * outputscale);
    }
    return { mean, covariance: cov };
  }

  /**
   * The joint posterior at Xs (q x d) with the lower Cholesky factor of its covariance (jitter
   * escalation as in `cholesky`), for drawing joint samples mean + factor · z.
   */
  posteriorFactor(Xs: MatrixLike): JointPosteriorFactor {
    const P = this.points(Xs, 'posteriorFactor');
    const { mean, covariance } = this.joint(P);
    const q = P.rows;
    if (q === 0) return { mean, covariance, factor: new Float64Array(0), jitter: 0 };
    const { factor, jitter } = cholesky(covariance, q);
    return { mean, covariance, factor, jitter };
  }

  /**
   * The posterior mean's gradient at Xs (q x d) with respect to each point's own inputs (q x d,
   * user's scale): `posteriorGradient`'s meanGradient, the same values, without the variance and
   * its two triangular solves per point. O(q n d).
   */
  posteriorMeanGradient(Xs: MatrixLike): Float64Array {
    const P = this.points(Xs, 'posteriorMeanGradient');
    const q = P.rows;
    const { kernel, X, lengthscales, outputscale, alpha, yStd } = this.internals;
    const n = X.rows;
    const d = X.cols;
    const meanGradient = new Float64Array(q * d);
    const dk = new Float64Array(n * d);
    for (let a = 0; a < q; a++) {
      const x = P.data.subarray(a * d, (a + 1) * d);
      crossCovarianceInputGradient(kernel, x, X.data, n, d, lengthscales, outputscale, dk);
      const go = a * d;
      for (let i = 0; i < n; i++) {
        const ai = alpha[i]!;
        const o = i * d;
        for (let j = 0; j < d; j++) meanGradient[go + j] = meanGradient[go + j]! + ai * dk[o + j]!;
      }
      for (let j = 0; j < d; j++) meanGradient[go + j] = yStd * meanGradient[go + j]!;
    }
    return meanGradient;
  }

  /**
   * Posterior mean and variance at Xs (q x d) with their gradients with respect to each point's own
   * inputs (q x d each). O(q n d + q n²).
   */
  posteriorGradient(Xs: MatrixLike): PosteriorGradient {
    const P = this.points(Xs, 'posteriorGradient');
    const q = P.rows;
    const { kernel, X, lengthscales, outputscale, L, alpha, mean: c, yMean, yStd } = this.internals;
    const n = X.rows;
    const d = X.cols;
    const mean = new Float64Array(q);
    const variance = new Float64Array(q);
    const meanGradient = new Float64Array(q * d);
    const varianceGradient = new Float64Array(q * d);
    const k = new Float64Array(n);
    const v = new Float64Array(n);
    const dk = new Float64Array(n * d);
    for (let a = 0; a < q; a++) {
      const x = P.data.subarray(a * d, (a + 1) * d);
      crossCovarianceInputGradient(kernel, x, X.data, n, d, lengthscales, outputscale, dk, k);
      let m = c;
      for (let i = 0; i < n; i++) m += alpha[i]! * k[i]!;
      solveLower(L, n, k, 1, v);
      let s = outputscale;
      for (let i = 0; i < n; i++) s -= v[i]! * v[i]!;
      // u = K^{-1} k(X, x); ∂var/∂x = −2 Σ_i u_i ∂k(x, X_i)/∂x.
      solveLowerTranspose(L, n, v, 1, v);
      const go = a * d;
      for (let i = 0; i < n; i++) {
        const ai = alpha[i]!;
        const ui = -2 * v[i]!;
        const o = i * d;
        for (let j = 0; j < d; j++) {
          const g = dk[o + j]!;
          meanGradient[go + j] = meanGradient[go + j]! + ai * g;
          varianceGradient[go + j] = varianceGradient[go + j]! + ui * g;
        }
      }
      mean[a] = yMean + yStd * m;
      const floored = s < MIN_VARIANCE * outputscale;
      variance[a] = yStd * yStd * (floored ? MIN_VARIANCE * outputscale : s);
      for (let j = 0; j < d; j++) {
        meanGradient[go + j] = yStd * meanGradient[go + j]!;
        varianceGradient[go + j] = floored ? 0 : yStd * yStd * varianceGradient[go + j]!;
      }
    }
    return { mean, variance, meanGradient, varianceGradient };
  }

  /**
   * A new model that also observed `y` (k, user's scale) at `Xn` (k x d), with the same
   * hyperparameters and standardization. Extends the Cholesky factor by a block instead of
   * refactorizing: O(n² k + n k² + k³) plus an O((n + k)²) copy and solve. `noise` (k, user's scale)
   * is required when the model has fixed per-point noise and otherwise defaults to the learned noise.
   * Fantasies and pending points use this.
   */
  condition(Xn: MatrixLike, y: ArrayLike<number>, noise?: ArrayLike<number>): GpModel {
    const P = this.points(Xn, 'condition');
    const kNew = P.rows;
    if (y.length !== kNew) {
      throw new RangeError(
        `GpModel.condition: y has ${y.length} values, expected one per row of Xn (${kNew})`,
      );
    }
    checkFinite(y, 'GpModel.condition: y');
    const h = this.hyperparameters;
    const it = this.internals;
    const v2 = it.yStd * it.yStd;
    let newNoise: Float64Array;
    if (noise !== undefined) {
      if (noise.length !== kNew) {
        throw new RangeError(`GpModel.condition: noise has ${noise.length} values, expected ${kNew}`);
      }
      newNoise = new Float64Array(kNew);
      for (let i = 0; i < kNew; i++) {
        if (!(noise[i]! >= 0) || !Number.isFinite(noise[i]!)) {
          throw new RangeError(
            `GpModel.condition: noise[${i}] is ${noise[i]}, expected a finite variance >= 0`,
          );
        }
        newNoise[i] = noise[i]! / v2;
      }
    } else if (h.noise !== null) {
      newNoise = new Float64Array(kNew).fill(h.noise);
    } else {
      throw new TypeError(
        'GpModel.condition: the model has fixed per-point noise, so noise (k variances) is required',
      );
    }
    if (kNew === 0) return this;
    const { kernel, X, lengthscales, outputscale, L, whitened, mean: c } = it;
    const n = X.rows;
    const d = X.cols;
    const m = n + kNew;
    // B = L^{-1} K(X, Xn) (n x k); S = K(Xn, Xn) + diag(noise) − Bᵀ B; the new factor is [[L, 0], [Bᵀ, chol(S)]].
    const B = crossCovariance(kernel, X.data, n, P.data, kNew, d, lengthscales, outputscale);
    if (n > 0) solveLower(L, n, B, kNew, B);
    const S = crossCovariance(kernel, P.data, kNew, P.data, kNew, d, lengthscales, outputscale);
    for (let i = 0; i < n; i++) {
      const o = i * kNew;
      for (let a = 0; a < kNew; a++) {
        const ba = B[o + a]!;
        for (let b = 0; b < kNew; b++) S[a * kNew + b] = S[a * kNew + b]! - ba * B[o + b]!;
      }
    }
    for (let a = 0; a < kNew; a++) S[a * kNew + a] = S[a * kNew + a]! + newNoise[a]!;
    const { factor: C, jitter } = cholesky(S, kNew);
    const Lnew = new Float64Array(m * m);
    for (let i = 0; i < n; i++) Lnew.set(L.subarray(i * n, i * n + i + 1), i * m);
    for (let a = 0; a < kNew; a++) {
      const o = (n + a) * m;
      for (let i = 0; i < n; i++) Lnew[o + i] = B[i * kNew + a]!;
      for (let b = 0; b <= a; b++) Lnew[o + n + b] = C[a * kNew + b]!;
    }
    const yNew = new Float64Array(m);
    yNew.set(it.y);
    const w = new Float64Array(m);
    w.set(whitened);
    const r = new Float64Array(kNew);
    for (let a = 0; a < kNew; a++) {
      const ys = (y[a]! - it.yMean) / it.yStd;
      yNew[n + a] = ys;
      let t = ys - c;
      for (let i = 0; i < n; i++) t -= B[i * kNew + a]! * whitened[i]!;
      r[a] = t;
    }
    solveLower(C, kNew, r, 1, r);
    w.set(r, n);
    const alpha = solveLowerTranspose(Lnew, m, w, 1, new Float64Array(m));
    const Xdata = new Float64Array(m * d);
    Xdata.set(X.data);
    Xdata.set(P.data, n * d);
    const noiseAll = new Float64Array(m);
    noiseAll.set(it.noise);
    noiseAll.set(newNoise, n);
    const internals: GpInternals = {
      ...it,
      X: { rows: m, cols: d, data: Xdata },
      noise: noiseAll,
      L: Lnew,
      alpha,
      whitened: w,
      y: yNew,
      jitter: Math.max(it.jitter, jitter),
    };
    return new GpModel(h, internals, this.fit);
  }
}

/**
 * A model with the given hyperparameters on data X (n x d) and y (n, user's scale), without fitting.
 * One Cholesky factorization: O(n³/3 + n² d).
 */
export function createGpModel(
  X: MatrixLike,
  y: ArrayLike<number>,
  hyperparameters: GpHyperparameters,
  options: CreateGpModelOptions = {},
): GpModel {
  const Xm = toMatrix(X, 'createGpModel: X');
  const n = Xm.rows;
  const d = Xm.cols;
  if (y.length !== n) throw new RangeError(`createGpModel: y has ${y.length} values, expected n = ${n}`);
  checkFinite(Xm.data, 'createGpModel: X');
  checkFinite(y, 'createGpModel: y');
  const h = hyperparameters;
  if (h.lengthscales.length !== d) {
    throw new RangeError(`createGpModel: ${h.lengthscales.length} lengthscales, expected d = ${d}`);
  }
  for (const l of h.lengthscales) {
    if (!(l > 0) || !Number.isFinite(l))
      throw new RangeError(`createGpModel: lengthscale ${l}, expected > 0`);
  }
  if (!(h.outputscale > 0) || !Number.isFinite(h.outputscale)) {
    throw new RangeError(`createGpModel: outputscale ${h.outputscale}, expected > 0`);
  }
  if (!Number.isFinite(h.mean))
    throw new RangeError(`createGpModel: mean ${h.mean}, expected a finite number`);
  const standard = options.standardization ?? standardizationOf(y);
  if (!(standard.std > 0) || !Number.isFinite(standard.mean)) {
    throw new RangeError(
      `createGpModel: standardization std ${standard.std}, mean ${standard.mean}; expected std > 0`,
    );
  }
  const ys = new Float64Array(n);
  for (let i = 0; i < n; i++) ys[i] = (y[i]! - standard.mean) / standard.std;
  const noise = new Float64Array(n);
  if (h.noise === null) {
    const fixed = options.fixedNoise;
    if (!fixed || fixed.length !== n) {
      throw new RangeError(
        `createGpModel: hyperparameters.noise is null, so fixedNoise needs n = ${n} variances (got ${fixed ? fixed.length : 'none'})`,
      );
    }
    for (let i = 0; i < n; i++) {
      if (!(fixed[i]! >= 0) || !Number.isFinite(fixed[i]!)) {
        throw new RangeError(
          `createGpModel: fixedNoise[${i}] is ${fixed[i]}, expected a finite variance >= 0`,
        );
      }
      noise[i] = fixed[i]! / (standard.std * standard.std);
    }
  } else {
    if (!(h.noise >= 0) || !Number.isFinite(h.noise)) {
      throw new RangeError(`createGpModel: noise ${h.noise}, expected a finite variance >= 0 or null`);
    }
    noise.fill(h.noise);
  }
  const owned: Matrix = { rows: n, cols: d, data: Float64Array.from(Xm.data) };
  return buildModel(owned, ys, standard, h, noise, options.fit ?? NO_FIT);
}

/**
 * Factorizes K and solves for α; `ys` is standardized and `noise` on the standardized scale. The model
 * keeps `X` (n x d) without copying: callers pass a matrix nobody else mutates.
 */
export function buildModel(
  X: Matrix,
  ys: Float64Array,
  standard: Standardization,
  h: GpHyperparameters,
  noise: Float64Array,
  fit: GpFitReport,
): GpModel {
  const n = X.rows;
  const d = X.cols;
  const lengthscales = Float64Array.from(h.lengthscales);
  const K = crossCovariance(h.kernel, X.data, n, X.data, n, d, lengthscales, h.outputscale);
  for (let i = 0; i < n; i++) K[i * n + i] = K[i * n + i]! + noise[i]!;
  const { factor: L, jitter } = n > 0 ? cholesky(K, n) : { factor: K, jitter: 0 };
  const whitened = new Float64Array(n);
  for (let i = 0; i < n; i++) whitened[i] = ys[i]! - h.mean;
  if (n > 0) solveLower(L, n, whitened, 1, whitened);
  const alpha = n > 0 ? solveLowerTranspose(L, n, whitened, 1, new Float64Array(n)) : new Float64Array(0);
  const internals: GpInternals = {
    kernel: h.kernel,
    X,
    lengthscales,
    outputscale: h.outputscale,
    noise,
    mean: h.mean,
    L,
    alpha,
    whitened,
    y: ys,
    yMean: standard.mean,
    yStd: standard.std,
    jitter,
  };
  return new GpModel({ ...h, lengthscales: Array.from(h.lengthscales) }, internals, fit);
}
