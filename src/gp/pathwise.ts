/**
 * Pathwise (decoupled) posterior samples of an exact GP (Wilson, Borovitskiy, Terenin, Mostowsky,
 * Deisenroth, "Efficiently sampling functions from Gaussian process posteriors", ICML 2020):
 *
 *   f_post(x) = f_prior(x) + k(x, X) (K + Σ)^{-1} (y − f_prior(X) − ε),   ε ~ N(0, Σ),
 *
 * with the prior sample f_prior(x) = c + Σ_f w_f φ_f(x) built from F random Fourier features
 * φ_f(x) = sqrt(2 s / F) cos(ω_f · x + b_f) (Rahimi & Recht 2007): ω_f = z_f / ℓ with z_f standard
 * normal for the RBF kernel and multivariate Student-t with 2ν degrees of freedom for Matérn-ν,
 * b_f uniform on [0, 2π), w_f standard normal. The update uses the model's own Cholesky factor of
 * K + Σ: a batch of S samples costs two triangular solves with S right-hand sides, O(n² S), and then
 * O(F + n) per point and sample, with no joint covariance over the points. Averaged over the
 * features the samples have exactly the posterior's mean and covariance (both are linear in the
 * prior covariance); for one feature draw the prior covariance is off by O(s / sqrt(F)), an error
 * the update removes near the data.
 */
import { axpyStrided, gemmAccumulate } from '../linalg/blas.js';
import type { Matrix } from '../linalg/matrix.js';
import { GEMM_REGION_DOUBLES, simdAxpy, simdDistanceUpdate, vectorMemory } from '../linalg/simd-kernels.js';
import { solveLower, solveLowerTranspose } from '../linalg/triangular.js';
import { createRng, type Rng } from '../random/rng.js';
import { applyProfile, crossCovariance } from './kernels.js';
import type { GpModel } from './model.js';

/** Default number of random Fourier features. */
export const DEFAULT_FEATURES = 512;
/** Points per block of a pass: bounds the block x (F + n) work buffers. */
const BLOCK = 128;

/** Options of `PathwiseSampler`. */
export interface PathwiseSamplerOptions {
  /** F, the number of random Fourier features (default 512). */
  readonly features?: number;
  /** Seed of the feature draw (frequencies and phases). */
  readonly seed: number;
}

/** S joint posterior samples as weights (standardized scale). */
export interface PathwiseDraws {
  /** S. */
  readonly count: number;
  /** F x S: the prior weights w of each sample. */
  readonly weights: Float64Array;
  /** n x S: the update v = (K + Σ)^{-1} (y − c − Φ_X w − ε) of each sample. */
  readonly update: Float64Array;
}

/**
 * Points given as changes to one centre point, compressed by rows: point a equals `centre` except
 * at the columns `index[p]`, where it is `value[p]`, for `start[a] <= p < start[a + 1]`.
 */
export interface SparsePoints {
  /** Number of points. */
  readonly count: number;
  /** count + 1 offsets into index and value. */
  readonly start: Int32Array;
  readonly index: Int32Array;
  readonly value: Float64Array;
}

/** A standard normal vector's squared norm with k degrees of freedom (χ²_k), k a small integer. */
function chiSquare(rng: Rng, k: number): number {
  let s = 0;
  for (let i = 0; i < k; i++) {
    const z = rng.normal();
    s += z * z;
  }
  return s;
}

/**
 * Draws pathwise posterior samples of one GP. The feature draw is fixed at construction (from
 * `options.seed`); `draw` makes any number of independent samples on those features, and the
 * `evaluate*` methods give their values at points, on the user's scale.
 */
export class PathwiseSampler {
  readonly features: number;
  readonly model: GpModel;
  /** d x F: the frequencies ω_f = z_f / ℓ, column f for feature f (read-only). */
  readonly frequencies: Float64Array;
  /** F: the phases b_f (read-only). */
  readonly phases: Float64Array;
  /** sqrt(2 s / F), s the outputscale (standardized scale). */
  readonly amplitude: number;
  /** d x n: the training inputs divided by the lengthscales, transposed. */
  private readonly scaledInputs: Float64Array;
  /** n x F: Φ(X), the features at the training inputs. */
  private readonly trainingFeatures: Float64Array;

  constructor(model: GpModel, options: PathwiseSamplerOptions) {
    const F = options.features ?? DEFAULT_FEATURES;
    if (!Number.isInteger(F) || F < 1) {
      throw new RangeError(`PathwiseSampler: features is ${F}, expected an integer >= 1`);
    }
    if (!Number.isFinite(options.seed)) {
      throw new RangeError(`PathwiseSampler: seed is ${options.seed}, expected a finite number`);
    }
    this.features = F;
    this.model = model;
    const { kernel, X, lengthscales, outputscale } = model.internals;
    const n = X.rows;
    const d = X.cols;
    const rng = createRng(options.seed).fork('pathwise-features');
    // Student-t degrees of freedom 2ν for Matérn-ν; 0 for the RBF kernel (Gaussian frequencies).
    const dof = kernel === 'matern52' ? 5 : kernel === 'matern32' ? 3 : 0;
    this.frequencies = new Float64Array(d * F);
    this.phases = new Float64Array(F);
    for (let f = 0; f < F; f++) {
      const scale = dof > 0 ? Math.sqrt(dof / chiSquare(rng, dof)) : 1;
      for (let k = 0; k < d; k++) this.frequencies[k * F + f] = (scale * rng.normal()) / lengthscales[k]!;
      this.phases[f] = 2 * Math.PI * rng.uniform();
    }
    this.amplitude = Math.sqrt((2 * outputscale) / F);
    this.scaledInputs = new Float64Array(d * n);
    for (let i = 0; i < n; i++) {
      for (let k = 0; k < d; k++) this.scaledInputs[k * n + i] = X.data[i * d + k]! / lengthscales[k]!;
    }
    this.trainingFeatures = new Float64Array(n * F);
    this.denseFeatures(X.data, n, this.trainingFeatures);
  }

  /** Φ of `count` dense rows of `points` (count x d) into `out` (count x F). O(count d F). */
  private denseFeatures(points: Float64Array, count: number, out: Float64Array): void {
    const F = this.features;
    const d = this.model.internals.X.cols;
    for (let a = 0; a < count; a++) out.set(this.phases, a * F);
    gemmAccumulate(false, false, count, F, d, 1, points, 0, d, this.frequencies, 0, F, out, 0, F, false);
    const amp = this.amplitude;
    for (let p = 0; p < count * F; p++) out[p] = amp * Math.cos(out[p]!);
  }

  /**
   * `count` (S) independent joint posterior samples from `seed`. O(n F S + n² S). The draws are in
   * the order: all prior weights (F x S, row by row), then the noise (n x S, row by row).
   */
  draw(count: number, seed: number): PathwiseDraws {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`PathwiseSampler.draw: count is ${count}, expected an integer >= 1`);
    }
    const F = this.features;
    const S = count;
    const { X, L, y, noise, mean } = this.model.internals;
    const n = X.rows;
    const rng = createRng(seed).fork('pathwise-draws');
    const weights = new Float64Array(F * S);
    for (let p = 0; p < F * S; p++) weights[p] = rng.normal();
    const update = new Float64Array(n * S);
    for (let i = 0; i < n; i++) {
      const sd = Math.sqrt(noise[i]!);
      const r = y[i]! - mean;
      for (let s = 0; s < S; s++) update[i * S + s] = r - sd * rng.normal();
    }
    if (n > 0) {
      // y − c − ε − Φ_X w, then (L Lᵀ)^{-1} of it.
      gemmAccumulate(
        false,
        false,
        n,
        S,
        F,
        -1,
        this.trainingFeatures,
        0,
        F,
        weights,
        0,
        S,
        update,
        0,
        S,
        false,
      );
      solveLower(L, n, update, S, update);
      solveLowerTranspose(L, n, update, S, update);
    }
    return { count: S, weights, update };
  }

  private checkDraws(draws: PathwiseDraws, where: string): void {
    const n = this.model.internals.X.rows;
    if (draws.weights.length !== this.features * draws.count || draws.update.length !== n * draws.count) {
      throw new RangeError(`PathwiseSampler.${where}: draws were not made by this sampler (shapes differ)`);
    }
  }

  /** Adds c + Φ W + K V for one block and maps it to the user's scale. */
  private finishBlock(
    draws: PathwiseDraws,
    features: Float64Array,
    covariances: Float64Array,
    rows: number,
    out: Float64Array,
    offset: number,
  ): void {
    const F = this.features;
    const S = draws.count;
    const { X, mean, yMean, yStd } = this.model.internals;
    const n = X.rows;
    out.fill(mean, offset, offset + rows * S);
    gemmAccumulate(false, false, rows, S, F, 1, features, 0, F, draws.weights, 0, S, out, offset, S, false);
    if (n > 0) {
      gemmAccumulate(
        false,
        false,
        rows,
        S,
        n,
        1,
        covariances,
        0,
        n,
        draws.update,
        0,
        S,
        out,
        offset,
        S,
        false,
      );
    }
    for (let p = offset; p < offset + rows * S; p++) out[p] = yMean + yStd * out[p]!;
  }

  /**
   * The samples' values at `points` (q x d), q x S row-major, user's scale. O(q (F + n) (d + S)).
   */
  evaluate(draws: PathwiseDraws, points: Matrix): Float64Array {
    this.checkDraws(draws, 'evaluate');
    const { kernel, X, lengthscales, outputscale } = this.model.internals;
    const d = X.cols;
    const n = X.rows;
    if (points.rows > 0 && points.cols !== d) {
      throw new RangeError(`PathwiseSampler.evaluate: points have ${points.cols} columns, expected d = ${d}`);
    }
    const q = points.rows;
    const S = draws.count;
    const F = this.features;
    const out = new Float64Array(q * S);
    const phi = new Float64Array(Math.min(BLOCK, q) * F);
    const cov = new Float64Array(Math.min(BLOCK, q) * n);
    for (let a0 = 0; a0 < q; a0 += BLOCK) {
      const b = Math.min(BLOCK, q - a0);
      const block = points.data.subarray(a0 * d, (a0 + b) * d);
      this.denseFeatures(block, b, phi);
      crossCovariance(kernel, block, b, X.data, n, d, lengthscales, outputscale, cov);
      this.finishBlock(draws, phi, cov, b, out, a0 * S);
    }
    return out;
  }

  /**
   * The samples' values at points that differ from `centre` (length d) in a few columns
   * (`points`), count x S row-major, user's scale. With z changed columns per point this costs
   * O(count (F + n) (z + S)) instead of O(count (F + n) (d + S)): the features and squared distances
   * of the centre are computed once and corrected per changed column (TuRBO-style candidates change
   * about 20 of d columns).
   */
  evaluateAround(draws: PathwiseDraws, centre: Float64Array, points: SparsePoints): Float64Array {
    return this.around('evaluateAround', draws, [centre], Int32Array.of(0, points.count), points);
  }

  /**
   * {@link evaluateAround} for points in groups around several centres: the points
   * `groupStart[g]` to `groupStart[g + 1] − 1` (groupStart ascending, from 0 to points.count) differ
   * from `centres[g]`. The same values as one `evaluateAround` call per group (but where such a call
   * would leave gemm a product so small that it takes its small-product loop, which rounds
   * differently), at the cost of one: the blocks of the final products fill across groups (MORBO's
   * candidates come in many small groups, and each product packs the samples' weights anew).
   */
  evaluateAroundEach(
    draws: PathwiseDraws,
    centres: readonly Float64Array[],
    groupStart: Int32Array,
    points: SparsePoints,
  ): Float64Array {
    return this.around('evaluateAroundEach', draws, centres, groupStart, points);
  }

  /** Both `evaluateAround*` methods; `where` names the one called in errors. */
  private around(
    where: string,
    draws: PathwiseDraws,
    centres: readonly Float64Array[],
    groupStart: Int32Array,
    points: SparsePoints,
  ): Float64Array {
    this.checkDraws(draws, where);
    const { kernel, X, lengthscales, outputscale } = this.model.internals;
    const d = X.cols;
    const n = X.rows;
    const groups = centres.length;
    for (const centre of centres) {
      if (centre.length !== d) {
        throw new RangeError(`PathwiseSampler.${where}: centre has length ${centre.length}, expected ${d}`);
      }
    }
    if (groupStart.length !== groups + 1 || groupStart[0] !== 0 || groupStart[groups] !== points.count) {
      throw new RangeError(
        `PathwiseSampler.${where}: groupStart must have ${groups + 1} offsets from 0 to ${points.count}`,
      );
    }
    const F = this.features;
    const S = draws.count;
    const q = points.count;
    const W = this.frequencies;
    const Z = this.scaledInputs;
    // The current group's centre: its projections ω·c + b and scaled squared distances to the
    // training inputs.
    const base = new Float64Array(F);
    const baseR2 = new Float64Array(n);
    let group = -1;
    let centre = centres[0]!;
    const enter = (g: number): void => {
      group = g;
      centre = centres[g]!;
      base.set(this.phases);
      for (let k = 0; k < d; k++) {
        const ck = centre[k]!;
        if (ck !== 0) axpyStrided(F, ck, W, k * F, base, 0);
      }
      baseR2.fill(0);
      for (let k = 0; k < d; k++) {
        const zc = centre[k]! / lengthscales[k]!;
        const o = k * n;
        for (let i = 0; i < n; i++) {
          const t = zc - Z[o + i]!;
          baseR2[i] = baseR2[i]! + t * t;
        }
      }
    };
    const out = new Float64Array(q * S);
    const rowsMax = Math.min(BLOCK, Math.max(q, 1));
    // The column updates run in the SIMD kernels (the same values as the scalar loops, two to three
    // times as fast in profiles of a MORBO ask), on copies of W and Z in their memory; phi and cov are views of it, valid through this
    // call (finishBlock's products do not grow the memory: see vectorMemory).
    const wAt = GEMM_REGION_DOUBLES;
    const zAt = wAt + d * F;
    const phiAt = zAt + d * n;
    const covAt = phiAt + rowsMax * F;
    const H = vectorMemory(d * F + d * n + rowsMax * (F + n));
    H.set(W.subarray(0, d * F), wAt);
    H.set(Z.subarray(0, d * n), zAt);
    const phi = H.subarray(phiAt, phiAt + rowsMax * F);
    const cov = H.subarray(covAt, covAt + rowsMax * n);
    const amp = this.amplitude;
    for (let a0 = 0; a0 < q; a0 += BLOCK) {
      const b = Math.min(BLOCK, q - a0);
      for (let r = 0; r < b; r++) {
        const a = a0 + r;
        if (a >= groupStart[group + 1]!) {
          let g = group + 1;
          while (a >= groupStart[g + 1]!) g++;
          enter(g);
        }
        const po = r * F;
        const co = r * n;
        phi.set(base, po);
        cov.set(baseR2, co);
        for (let p = points.start[a]!; p < points.start[a + 1]!; p++) {
          const k = points.index[p]!;
          const xk = points.value[p]!;
          const delta = xk - centre[k]!;
          if (delta === 0) continue;
          // These two column updates carry most of the cost: phi += delta W[k] and, as
          // (zx − z_i)² − (zc − z_i)² = (zx − zc)(zx + zc − 2 z_i), cov += dz (sz − 2 Z[k]).
          simdAxpy(F, delta, 8 * (wAt + k * F), 8 * (phiAt + po));
          const l = lengthscales[k]!;
          const zx = xk / l;
          const zc = centre[k]! / l;
          simdDistanceUpdate(n, zx - zc, zx + zc, 8 * (zAt + k * n), 8 * (covAt + co));
        }
        for (let f = 0; f < F; f++) phi[po + f] = amp * Math.cos(phi[po + f]!);
        // Cancellation can leave a tiny negative squared distance.
        for (let i = 0; i < n; i++) if (cov[co + i]! < 0) cov[co + i] = 0;
      }
      const block = cov.subarray(0, b * n);
      applyProfile(kernel, block, b * n, block);
      if (outputscale !== 1) for (let p = 0; p < b * n; p++) block[p] = block[p]! * outputscale;
      this.finishBlock(draws, phi, cov, b, out, a0 * S);
    }
    return out;
  }
}
