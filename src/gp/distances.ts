import { gemm, syrk } from '../linalg/blas.js';

/**
 * How `PairwiseDifferences` does its two O(n² d) passes:
 * - 'gram' (default above 2^15 pair-dimensions): no storage; r² from the Gram matrix Z Zᵀ of
 *   Z = X / ℓ and the trace sums from M X, both blocked matrix products; absolute rounding
 *   ~1e-16 ‖z‖², r² clamped at 0.
 * - 'direct' (default below): pair loops over the rows of X, exact, no storage.
 * - 'stored': D[p, k] = (x_ik − x_jk)² computed once (pairs x d, 8 pairs·d bytes) and streamed by
 *   both passes. Measured (likelihood with gradient, CPU ms, n x d = 100 x 100 / 200 x 100 / 500 x 20):
 *   stored 2.8 / 12.0 / 90, gram 2.4 / 8.8 / 73, direct 2.8 / 11.8 / 92; so storing D does not pay
 *   in scalar JavaScript and is only an option.
 */
export type PairwiseMode = 'stored' | 'gram' | 'direct';

/**
 * Pairwise work on one input set, shared by every likelihood evaluation and by all the GPs of
 * `fitGps` (they have the same inputs but their own lengthscales).
 *
 * Pairs (i, j) with j < i are numbered in lower-triangle order, p = i (i − 1) / 2 + j, so a
 * sequential pass over p walks the strict lower triangle row by row.
 */
export class PairwiseDifferences {
  /** n x d inputs, row-major; columns centred (distances do not change, rounding does). */
  readonly X: Float64Array;
  readonly n: number;
  readonly d: number;
  /** n (n − 1) / 2. */
  readonly pairs: number;
  readonly mode: PairwiseMode;
  /** pairs x d squared differences in 'stored' mode, else null. */
  readonly squared: Float64Array | null;
  /** n x d: Z = X / ℓ, or M X. */
  private readonly scratch: Float64Array;

  /**
   * @param X n x d inputs (row-major, not modified).
   * @param mode default 'gram' when pairs · d > 2^15, else 'direct' (see `PairwiseMode`).
   */
  constructor(X: Float64Array, n: number, d: number, mode?: PairwiseMode) {
    this.n = n;
    this.d = d;
    this.pairs = (n * (n - 1)) / 2;
    const centred = new Float64Array(n * d);
    for (let k = 0; k < d; k++) {
      let mean = 0;
      for (let i = 0; i < n; i++) mean += X[i * d + k]!;
      mean /= Math.max(n, 1);
      for (let i = 0; i < n; i++) centred[i * d + k] = X[i * d + k]! - mean;
    }
    this.X = centred;
    this.scratch = new Float64Array(n * d);
    this.mode = mode ?? (this.pairs * d > 1 << 15 ? 'gram' : 'direct');
    if (this.mode === 'stored') {
      const D = new Float64Array(this.pairs * d);
      let p = 0;
      for (let i = 1; i < n; i++) {
        const io = i * d;
        for (let j = 0; j < i; j++, p++) {
          const jo = j * d;
          const po = p * d;
          for (let k = 0; k < d; k++) {
            const t = centred[io + k]! - centred[jo + k]!;
            D[po + k] = t * t;
          }
        }
      }
      this.squared = D;
    } else {
      this.squared = null;
    }
  }

  /**
   * out[p] = Σ_k (x_ik − x_jk)² w_k for every pair, with w_k = 1/ℓ_k² (length d). O(pairs · d).
   * `out` has length ≥ pairs; `gram` (n x n) is scratch for 'gram' mode (allocated when absent).
   */
  scaledSquaredDistances(
    inverseSquaredLengthscales: Float64Array,
    out: Float64Array,
    gram?: Float64Array,
  ): void {
    const { n, d, mode } = this;
    const w = inverseSquaredLengthscales;
    if (mode === 'stored') {
      const D = this.squared!;
      const pairs = this.pairs;
      for (let p = 0; p < pairs; p++) {
        const po = p * d;
        let s = 0;
        for (let k = 0; k < d; k++) s += D[po + k]! * w[k]!;
        out[p] = s;
      }
      return;
    }
    const Z = this.scratch;
    const X = this.X;
    for (let k = 0; k < d; k++) {
      const sk = Math.sqrt(w[k]!);
      for (let i = 0; i < n; i++) Z[i * d + k] = X[i * d + k]! * sk;
    }
    if (mode === 'gram') {
      const G = gram ?? new Float64Array(n * n);
      syrk(false, n, d, 1, Z, 0, G);
      let p = 0;
      for (let i = 1; i < n; i++) {
        const io = i * n;
        const gii = G[io + i]!;
        for (let j = 0; j < i; j++, p++) {
          const r2 = gii + G[j * n + j]! - 2 * G[io + j]!;
          out[p] = Math.max(r2, 0);
        }
      }
      return;
    }
    let p = 0;
    for (let i = 1; i < n; i++) {
      const io = i * d;
      for (let j = 0; j < i; j++, p++) {
        const jo = j * d;
        let s = 0;
        for (let k = 0; k < d; k++) {
          const t = Z[io + k]! - Z[jo + k]!;
          s += t * t;
        }
        out[p] = s;
      }
    }
  }

  /**
   * out[k] = Σ_p weights[p] (x_ik − x_jk)² (length d): the trace pass of the likelihood gradient,
   * tr(W ∂K/∂log ℓ_k) for all k without forming any ∂K/∂log ℓ_k. O(pairs · d). `full` (n x n) is
   * scratch for 'gram' mode (allocated when absent), where the sum is Σ_i x_ik² m_i − Σ_i x_ik (M X)_ik
   * with M the symmetric matrix of the weights and m its row sums.
   */
  weightedSquaredDifferences(weights: Float64Array, out: Float64Array, full?: Float64Array): void {
    const { n, d, mode } = this;
    out.fill(0, 0, d);
    if (mode === 'stored') {
      const D = this.squared!;
      const pairs = this.pairs;
      for (let p = 0; p < pairs; p++) {
        const m = weights[p]!;
        if (m === 0) continue;
        const po = p * d;
        for (let k = 0; k < d; k++) out[k] = out[k]! + m * D[po + k]!;
      }
      return;
    }
    const X = this.X;
    if (mode === 'gram') {
      const M = full ?? new Float64Array(n * n);
      let p = 0;
      for (let i = 0; i < n; i++) {
        const io = i * n;
        for (let j = 0; j < i; j++, p++) {
          const m = weights[p]!;
          M[io + j] = m;
          M[j * n + i] = m;
        }
        M[io + i] = 0;
      }
      const MX = this.scratch;
      gemm(false, false, n, d, n, 1, M, X, 0, MX);
      for (let i = 0; i < n; i++) {
        const io = i * n;
        let rowSum = 0;
        for (let j = 0; j < n; j++) rowSum += M[io + j]!;
        const xo = i * d;
        for (let k = 0; k < d; k++) {
          const x = X[xo + k]!;
          out[k] = out[k]! + x * (x * rowSum - MX[xo + k]!);
        }
      }
      return;
    }
    let p = 0;
    for (let i = 1; i < n; i++) {
      const io = i * d;
      for (let j = 0; j < i; j++, p++) {
        const m = weights[p]!;
        if (m === 0) continue;
        const jo = j * d;
        for (let k = 0; k < d; k++) {
          const t = X[io + k]! - X[jo + k]!;
          out[k] = out[k]! + m * t * t;
        }
      }
    }
  }
}
