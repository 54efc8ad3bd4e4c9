/**
 * The posterior layer of the MC acquisition functions: joint samples of independent GPs (one per
 * output: objectives, then constraints) at a q-batch of candidates, drawn with fixed quasi-random
 * base samples so that the acquisition value is deterministic and smooth in the candidates, and
 * the chain rule from the samples back to the candidate inputs.
 *
 * Cached root (Daulton et al. 2021, section 4): the baseline B (nb points, fixed per acquisition)
 * has its own factor Lb of Sigma_BB, computed once, and fixed samples f_B = mu_B + Lb z_B. For a
 * candidate batch X the joint factor of [B; X] is [[Lb, 0], [A, Lq]] with A = Sigma_XB Lb^{-T} and
 * Lq = chol(Sigma_XX - A A^T), so f_X = mu_X + Sigma_XB W + Lq z_X with W = Lb^{-T} z_B
 * precomputed: per candidate only O(q n^2 + q nb (n + N)) work, never a new factor of Sigma_BB.
 *
 * Everything is on the user's outcome scale; each output is the latent function of its GP (no
 * observation noise), as in BoTorch.
 */

import { crossCovariance, crossCovarianceInputGradient } from '../gp/kernels.js';
import type { GpInternals } from '../gp/model.js';
import { cholesky } from '../linalg/cholesky.js';
import { type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { normalBaseSamples } from '../random/normal.js';
import { createRng, deriveSeed } from '../random/rng.js';
import { SOBOL_MAX_DIMENSION } from '../random/sobol.js';
import type { CachedRoot } from './spec.js';

/**
 * What the posterior layer needs of a GP: its float64 internals (`GpModel` from `src/gp`
 * satisfies this). Kernel, training inputs, the Cholesky factor of K + noise, alpha, the constant
 * mean and the outcome standardization.
 */
export interface PosteriorSource {
  readonly internals: GpInternals;
}

/** Options of `JointSampler`. */
export interface JointSamplerOptions {
  /** Number of Monte Carlo samples (default 128). */
  readonly samples?: number;
  /** Seed of the base samples (default 0). */
  readonly seed?: number;
  /** `nb x d` baseline points whose samples stay fixed (default none). */
  readonly baseline?: MatrixLike;
}

/** Posterior variances are floored here, relative to the prior variance (as in `src/gp`). */
const MIN_VARIANCE = 1e-12;

/** Per output: the GP and the cached root of the baseline. */
class OutputState {
  readonly gp: GpInternals;
  /** outputscale * yStd^2: the prior variance on the user's scale. */
  readonly priorVariance: number;
  /** n x nb: L^{-1} K(D, B). */
  VB: Float64Array = new Float64Array(0);
  /** nb x nb: lower factor of the baseline's posterior covariance. */
  Lb: Float64Array = new Float64Array(0);
  /** nb x samples: Lb^{-T} z_B per sample. */
  W: Float64Array = new Float64Array(0);
  // Candidate intermediates of the last forward pass.
  VX: Float64Array = new Float64Array(0);
  KBX: Float64Array = new Float64Array(0);
  AT: Float64Array = new Float64Array(0);
  Lq: Float64Array = new Float64Array(0);
  floored: Uint8Array = new Uint8Array(0);

  constructor(gp: GpInternals) {
    this.gp = gp;
    this.priorVariance = gp.outputscale * gp.yStd * gp.yStd;
  }
}

/** The joint moments of a batch against the baseline, one output (see `JointSampler`). */
interface BatchMoments {
  mean: Float64Array;
  VX: Float64Array;
  KBX: Float64Array;
  AT: Float64Array;
  Lq: Float64Array;
  floored: Uint8Array;
}

/**
 * Joint posterior samples of several independent GPs with fixed base samples and a cached
 * baseline root. `forward` draws `samples x q x M` at a batch X; `backward` maps a gradient with
 * respect to those samples to one with respect to X (q x d), for the last `forward`.
 */
export class JointSampler {
  /** Number of outputs M. */
  readonly outputs: number;
  readonly samples: number;
  readonly d: number;
  readonly seed: number;
  private readonly states: OutputState[];
  /** nb x d. */
  private baselineX = new Float64Array(0);
  private nb = 0;
  /** samples x nb x M: the fixed baseline samples. */
  private baseline = new Float64Array(0);
  /** Per output, samples x nb: z_B. */
  private zB: Float64Array[];
  private readonly candidateBase = new Map<number, Float64Array>();
  private lastX = new Float64Array(0);
  private lastQ = 0;

  constructor(models: readonly PosteriorSource[], options: JointSamplerOptions = {}) {
    if (models.length === 0) throw new RangeError('JointSampler: models is empty, expected at least one GP');
    const samples = options.samples ?? 128;
    if (!Number.isInteger(samples) || samples < 1) {
      throw new RangeError(`JointSampler: samples is ${samples}, expected a positive integer`);
    }
    this.samples = samples;
    this.seed = options.seed ?? 0;
    this.outputs = models.length;
    this.states = models.map((model) => new OutputState(model.internals));
    this.d = this.states[0]!.gp.X.cols;
    for (const st of this.states) {
      if (st.gp.X.cols !== this.d) {
        throw new RangeError(`JointSampler: models have ${st.gp.X.cols} and ${this.d} input dimensions`);
      }
    }
    this.zB = this.states.map(() => new Float64Array(0));
    if (options.baseline !== undefined) this.addBaseline(options.baseline);
  }

  /** Number of baseline points nb. */
  get baselineCount(): number {
    return this.nb;
  }

  /** The fixed baseline samples, `samples x nb x M` (read-only). */
  baselineSamples(): Float64Array {
    return this.baseline;
  }

  /**
   * Appends k points (`k x d`) to the baseline: their samples are drawn jointly with, and
   * conditional on, the existing fixed baseline samples (the low-rank extension of the cached
   * root), which stay unchanged. Returns the new points' samples, `samples x k x M`.
   */
  addBaseline(points: MatrixLike): Float64Array {
    const P = toMatrix(points, 'JointSampler.addBaseline: points', this.d);
    const k = P.rows;
    const M = this.outputs;
    const N = this.samples;
    if (k === 0) return new Float64Array(0);
    if (P.cols !== this.d) {
      throw new RangeError(`JointSampler.addBaseline: points have ${P.cols} columns, expected d = ${this.d}`);
    }
    const nb = this.nb;
    const nb2 = nb + k;
    // One scrambled Sobol sequence per sampler: the new points take the next M k dimensions.
    // (Two sequences with different seeds are not independent: their scrambles of the same
    // dimension are correlated, which biases the joint covariance.)
    const z = this.sobolColumns(M * nb, M * k);
    this.candidateBase.clear();
    const newSamples = new Float64Array(N * k * M);
    for (let o = 0; o < M; o++) {
      const st = this.states[o]!;
      const mom = this.moments(st, P.data, k);
      const zo = new Float64Array(N * k);
      for (let s = 0; s < N; s++) for (let a = 0; a < k; a++) zo[s * k + a] = z[s * M * k + o * k + a]!;
      this.draw(st, mom, k, zo, newSamples, o);
      // Extend the root: Lb' = [[Lb, 0], [A, Lq]], VB' = [VB, VX], z_B' = [z_B, z_new].
      const n = st.gp.X.rows;
      const VB2 = new Float64Array(n * nb2);
      for (let i = 0; i < n; i++) {
        for (let b = 0; b < nb; b++) VB2[i * nb2 + b] = st.VB[i * nb + b]!;
        for (let a = 0; a < k; a++) VB2[i * nb2 + nb + a] = mom.VX[i * k + a]!;
      }
      const Lb2 = new Float64Array(nb2 * nb2);
      for (let b = 0; b < nb; b++) for (let c = 0; c <= b; c++) Lb2[b * nb2 + c] = st.Lb[b * nb + c]!;
      for (let a = 0; a < k; a++) {
        for (let b = 0; b < nb; b++) Lb2[(nb + a) * nb2 + b] = mom.AT[b * k + a]!;
        for (let c = 0; c <= a; c++) Lb2[(nb + a) * nb2 + nb + c] = mom.Lq[a * k + c]!;
      }
      const z2 = new Float64Array(N * nb2);
      const zOld = this.zB[o]!;
      for (let s = 0; s < N; s++) {
        for (let b = 0; b < nb; b++) z2[s * nb2 + b] = zOld[s * nb + b]!;
        for (let a = 0; a < k; a++) z2[s * nb2 + nb + a] = zo[s * k + a]!;
      }
      // W = Lb^{-T} z_B, one column per sample.
      const W = new Float64Array(nb2 * N);
      for (let b = 0; b < nb2; b++) for (let s = 0; s < N; s++) W[b * N + s] = z2[s * nb2 + b]!;
      backSolveTransposed(Lb2, nb2, W, N);
      st.VB = VB2;
      st.Lb = Lb2;
      st.W = W;
      this.zB[o] = z2;
    }
    const X2 = new Float64Array(nb2 * this.d);
    X2.set(this.baselineX);
    X2.set(P.data, nb * this.d);
    const base2 = new Float64Array(N * nb2 * M);
    for (let s = 0; s < N; s++) {
      base2.set(this.baseline.subarray(s * nb * M, (s + 1) * nb * M), s * nb2 * M);
      base2.set(newSamples.subarray(s * k * M, (s + 1) * k * M), s * nb2 * M + nb * M);
    }
    this.baselineX = X2;
    this.baseline = base2;
    this.nb = nb2;
    return newSamples;
  }

  /** The base samples z_X of a q-batch, `samples x M x q`, fixed per q (and baseline). */
  private candidateSamples(q: number): Float64Array {
    let z = this.candidateBase.get(q);
    if (!z) {
      z = this.sobolColumns(this.outputs * this.nb, this.outputs * q);
      this.candidateBase.set(q, z);
    }
    return z;
  }

  /** The cached root and the base samples of a q-batch, read-only, for another backend. */
  cachedRoot(q: number): CachedRoot {
    return {
      samples: this.samples,
      d: this.d,
      nb: this.nb,
      baselineX: this.baselineX,
      outputs: this.states.map((st) => ({ gp: st.gp, VB: st.VB, Lb: st.Lb, W: st.W })),
      z: this.candidateSamples(q),
      minVariance: MIN_VARIANCE,
    };
  }

  private sobolColumns(from: number, count: number): Float64Array {
    return baseSampleColumns(this.samples, this.seed, from, count);
  }

  /**
   * Joint samples at X (`q x d`, flat) written to `out` (`samples x q x M`). Keeps what
   * `backward` needs.
   */
  forward(X: Float64Array, q: number, out: Float64Array): void {
    const d = this.d;
    const M = this.outputs;
    const N = this.samples;
    if (X.length < q * d)
      throw new RangeError(`JointSampler.forward: X has length ${X.length}, expected q x d = ${q * d}`);
    if (out.length < N * q * M) {
      throw new RangeError(`JointSampler.forward: out has length ${out.length}, expected ${N * q * M}`);
    }
    for (let p = 0; p < q * d; p++) {
      if (!Number.isFinite(X[p]!))
        throw new RangeError(`JointSampler.forward: X[${p}] is ${X[p]}, expected finite`);
    }
    this.lastX = Float64Array.from(X.subarray(0, q * d));
    this.lastQ = q;
    const z = this.candidateSamples(q);
    const zo = new Float64Array(N * q);
    for (let o = 0; o < M; o++) {
      const st = this.states[o]!;
      const mom = this.moments(st, this.lastX, q);
      st.VX = mom.VX;
      st.KBX = mom.KBX;
      st.AT = mom.AT;
      st.Lq = mom.Lq;
      st.floored = mom.floored;
      for (let s = 0; s < N; s++) for (let a = 0; a < q; a++) zo[s * q + a] = z[s * M * q + o * q + a]!;
      this.draw(st, mom, q, zo, out, o);
    }
  }

  /**
   * The gradient with respect to X (`q x d`, written to `gradX`) of a function whose gradient with
   * respect to the samples of the last `forward` is `gradF` (`samples x q x M`).
   */
  backward(gradF: Float64Array, gradX: Float64Array): void {
    const q = this.lastQ;
    const d = this.d;
    const M = this.outputs;
    const N = this.samples;
    const nb = this.nb;
    const X = this.lastX;
    const z = this.candidateSamples(q);
    gradX.fill(0, 0, q * d);
    for (let o = 0; o < M; o++) {
      const st = this.states[o]!;
      const gp = st.gp;
      const n = gp.X.rows;
      const sd = gp.yStd;
      const s2 = sd * sd;
      const dMean = new Float64Array(q);
      const dKBX = new Float64Array(nb * q);
      const dLq = new Float64Array(q * q);
      for (let s = 0; s < N; s++) {
        for (let a = 0; a < q; a++) {
          const g = gradF[(s * q + a) * M + o]!;
          if (g === 0) continue;
          dMean[a] = dMean[a]! + g;
          const zs = s * M * q + o * q;
          for (let c = 0; c <= a; c++) dLq[a * q + c] = dLq[a * q + c]! + g * z[zs + c]!;
        }
      }
      // dKBX[b, a] = sum over s in order of g_sa W[b, s] (nonzero g only), W read by rows.
      for (let b = 0; b < nb; b++) {
        const wo = b * N;
        for (let a = 0; a < q; a++) {
          let t = dKBX[b * q + a]!;
          for (let s = 0; s < N; s++) {
            const g = gradF[(s * q + a) * M + o]!;
            if (g !== 0) t += g * st.W[wo + s]!;
          }
          dKBX[b * q + a] = t;
        }
      }
      // Sigma-bar of S = Sigma_XX - A A^T (symmetric), then dA^T = -2 A^T Sbar.
      const Sbar = choleskyBackward(st.Lq, dLq, q);
      for (let a = 0; a < q; a++) if (st.floored[a]) Sbar[a * q + a] = 0;
      if (nb > 0) {
        const dAT = new Float64Array(nb * q);
        for (let b = 0; b < nb; b++) {
          for (let a = 0; a < q; a++) {
            let t = 0;
            for (let c = 0; c < q; c++) t += st.AT[b * q + c]! * Sbar[c * q + a]!;
            dAT[b * q + a] = -2 * t;
          }
        }
        // AT = Lb^{-1} KBX, so dKBX += Lb^{-T} dAT.
        backSolveTransposed(st.Lb, nb, dAT, q);
        for (let p = 0; p < nb * q; p++) dKBX[p] = dKBX[p]! + dAT[p]!;
      }
      // Sigma_XX = s^2 (K(X, X) - VX^T VX), Sigma_BX = s^2 (K(B, X) - VB^T VX).
      const dVX = new Float64Array(n * q);
      for (let i = 0; i < n; i++) {
        for (let a = 0; a < q; a++) {
          let t = 0;
          for (let c = 0; c < q; c++) t += st.VX[i * q + c]! * Sbar[c * q + a]!;
          let u = 0;
          for (let b = 0; b < nb; b++) u += st.VB[i * nb + b]! * dKBX[b * q + a]!;
          dVX[i * q + a] = -s2 * (2 * t + u);
        }
      }
      // VX = L^{-1} K(D, X): dK(D, X) = L^{-T} dVX, plus the mean's s alpha_i per candidate.
      if (n > 0) backSolveTransposed(gp.L, n, dVX, q);
      for (let i = 0; i < n; i++) {
        const ai = sd * gp.alpha[i]!;
        for (let a = 0; a < q; a++) dVX[i * q + a] = dVX[i * q + a]! + ai * dMean[a]!;
      }
      const dk = new Float64Array(Math.max(n, nb, q) * d);
      for (let a = 0; a < q; a++) {
        const xa = X.subarray(a * d, (a + 1) * d);
        const go = a * d;
        if (n > 0) {
          crossCovarianceInputGradient(gp.kernel, xa, gp.X.data, n, d, gp.lengthscales, gp.outputscale, dk);
          for (let i = 0; i < n; i++) {
            const w = dVX[i * q + a]!;
            if (w === 0) continue;
            for (let j = 0; j < d; j++) gradX[go + j] = gradX[go + j]! + w * dk[i * d + j]!;
          }
        }
        if (nb > 0) {
          crossCovarianceInputGradient(
            gp.kernel,
            xa,
            this.baselineX,
            nb,
            d,
            gp.lengthscales,
            gp.outputscale,
            dk,
          );
          for (let b = 0; b < nb; b++) {
            const w = s2 * dKBX[b * q + a]!;
            if (w === 0) continue;
            for (let j = 0; j < d; j++) gradX[go + j] = gradX[go + j]! + w * dk[b * d + j]!;
          }
        }
        if (q > 1) {
          crossCovarianceInputGradient(gp.kernel, xa, X, q, d, gp.lengthscales, gp.outputscale, dk);
          for (let c = 0; c < q; c++) {
            if (c === a) continue;
            const w = 2 * s2 * Sbar[a * q + c]!;
            for (let j = 0; j < d; j++) gradX[go + j] = gradX[go + j]! + w * dk[c * d + j]!;
          }
        }
      }
    }
  }

  /** Mean, cross terms and the conditional factor of a k-batch P against the baseline. */
  private moments(st: OutputState, P: Float64Array, k: number): BatchMoments {
    const gp = st.gp;
    const n = gp.X.rows;
    const d = this.d;
    const nb = this.nb;
    const sd = gp.yStd;
    const s2 = sd * sd;
    const VX =
      n > 0
        ? crossCovariance(gp.kernel, gp.X.data, n, P, k, d, gp.lengthscales, gp.outputscale)
        : new Float64Array(0);
    const mean = new Float64Array(k).fill(gp.mean);
    for (let i = 0; i < n; i++) {
      const ai = gp.alpha[i]!;
      for (let a = 0; a < k; a++) mean[a] = mean[a]! + ai * VX[i * k + a]!;
    }
    for (let a = 0; a < k; a++) mean[a] = gp.yMean + sd * mean[a]!;
    if (n > 0) forwardSolve(gp.L, n, VX, k);
    const S = crossCovariance(gp.kernel, P, k, P, k, d, gp.lengthscales, gp.outputscale);
    subtractGram(S, VX, n, k);
    for (let p = 0; p < k * k; p++) S[p] = s2 * S[p]!;
    let KBX: Float64Array = new Float64Array(0);
    let AT: Float64Array = new Float64Array(0);
    if (nb > 0) {
      KBX = crossCovariance(gp.kernel, this.baselineX, nb, P, k, d, gp.lengthscales, gp.outputscale);
      // t_ba = sum_i VB[i, b] VX[i, a], summed over i in order, reading VB by rows.
      const T = new Float64Array(nb * k);
      for (let i = 0; i < n; i++) {
        const vo = i * nb;
        const xo = i * k;
        for (let b = 0; b < nb; b++) {
          const v = st.VB[vo + b]!;
          for (let a = 0; a < k; a++) T[b * k + a] = T[b * k + a]! + v * VX[xo + a]!;
        }
      }
      for (let p = 0; p < nb * k; p++) KBX[p] = s2 * (KBX[p]! - T[p]!);
      AT = Float64Array.from(KBX);
      forwardSolve(st.Lb, nb, AT, k);
      subtractGram(S, AT, nb, k);
    }
    const floor = MIN_VARIANCE * st.priorVariance;
    const floored = new Uint8Array(k);
    for (let a = 0; a < k; a++) {
      if (!(S[a * k + a]! > floor)) {
        S[a * k + a] = floor;
        floored[a] = 1;
      }
    }
    // One point: the factor is sqrt(S) (what `cholesky` returns for a finite positive 1 x 1).
    const Lq =
      k === 1 && S[0]! > 0 && S[0]! < Number.POSITIVE_INFINITY
        ? Float64Array.of(Math.sqrt(S[0]!))
        : cholesky(S, k, {
            initialJitter: 1e-10 * st.priorVariance,
            maxJitter: 1e-2 * st.priorVariance,
          }).factor;
    return { mean, VX, KBX, AT, Lq, floored };
  }

  /** out[s, a, o] = mean_a + (Sigma_XB W)_{a s} + (Lq z_s)_a for the k-batch. */
  private draw(
    st: OutputState,
    mom: BatchMoments,
    k: number,
    zo: Float64Array,
    out: Float64Array,
    o: number,
  ): void {
    const N = this.samples;
    const M = this.outputs;
    const nb = this.nb;
    // Per sample and point: mean, then the baseline terms in order of b, then the batch's own,
    // accumulated with b outermost so that W is read by rows.
    const acc = new Float64Array(N * k);
    for (let s = 0; s < N; s++) for (let a = 0; a < k; a++) acc[s * k + a] = mom.mean[a]!;
    for (let b = 0; b < nb; b++) {
      const wo = b * N;
      for (let a = 0; a < k; a++) {
        const kb = mom.KBX[b * k + a]!;
        for (let s = 0; s < N; s++) acc[s * k + a] = acc[s * k + a]! + kb * st.W[wo + s]!;
      }
    }
    for (let s = 0; s < N; s++) {
      for (let a = 0; a < k; a++) {
        let v = acc[s * k + a]!;
        for (let c = 0; c <= a; c++) v += mom.Lq[a * k + c]! * zo[s * k + c]!;
        out[(s * k + a) * M + o] = v;
      }
    }
  }
}

/**
 * Columns `from .. from + count` of a `samples x infinity` matrix of normal base samples,
 * `samples x count`: scrambled Sobol mapped through the normal quantile for the first 21201
 * columns, then one seeded normal stream per column. Every column depends only on the seed and
 * its index, so a sampler's baseline keeps its columns while later points and candidates take the
 * following ones. (Independent scrambles of the same Sobol dimension are not independent, so one
 * sequence is shared rather than a seed per batch.)
 */
export function baseSampleColumns(samples: number, seed: number, from: number, count: number): Float64Array {
  const width = from + count;
  const out = new Float64Array(samples * count);
  const sobolWidth = Math.min(width, SOBOL_MAX_DIMENSION);
  if (from < sobolWidth) {
    const all = normalBaseSamples(samples, sobolWidth, seed).data;
    for (let s = 0; s < samples; s++)
      out.set(all.subarray(s * sobolWidth + from, (s + 1) * sobolWidth), s * count);
  }
  for (let col = Math.max(from, sobolWidth); col < width; col++) {
    const rng = createRng(deriveSeed(seed, 'base-column', col));
    for (let s = 0; s < samples; s++) out[s * count + col - from] = rng.normal();
  }
  return out;
}

/** B (n x k) := L^{-1} B, forward substitution over rows, O(n^2 k). */
export function forwardSolve(L: Float64Array, n: number, B: Float64Array, k: number): void {
  if (k === 1) {
    // One column (every q = 1 candidate): the same operations, accumulated in a register.
    for (let i = 0; i < n; i++) {
      const li = i * n;
      let v = B[i]!;
      for (let p = 0; p < i; p++) {
        const l = L[li + p]!;
        if (l !== 0) v -= l * B[p]!;
      }
      B[i] = v * (1 / L[li + i]!);
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    const li = i * n;
    const bi = i * k;
    for (let p = 0; p < i; p++) {
      const l = L[li + p]!;
      if (l === 0) continue;
      const bp = p * k;
      for (let c = 0; c < k; c++) B[bi + c] = B[bi + c]! - l * B[bp + c]!;
    }
    const inv = 1 / L[li + i]!;
    for (let c = 0; c < k; c++) B[bi + c] = B[bi + c]! * inv;
  }
}

/** B (n x k) := L^{-T} B, back substitution reading L by rows, O(n^2 k). */
export function backSolveTransposed(L: Float64Array, n: number, B: Float64Array, k: number): void {
  if (k === 1) {
    for (let i = n - 1; i >= 0; i--) {
      const li = i * n;
      const bi = B[i]! * (1 / L[li + i]!);
      B[i] = bi;
      for (let p = 0; p < i; p++) {
        const l = L[li + p]!;
        if (l !== 0) B[p] = B[p]! - l * bi;
      }
    }
    return;
  }
  for (let i = n - 1; i >= 0; i--) {
    const li = i * n;
    const bi = i * k;
    const inv = 1 / L[li + i]!;
    for (let c = 0; c < k; c++) B[bi + c] = B[bi + c]! * inv;
    for (let p = 0; p < i; p++) {
      const l = L[li + p]!;
      if (l === 0) continue;
      const bp = p * k;
      for (let c = 0; c < k; c++) B[bp + c] = B[bp + c]! - l * B[bi + c]!;
    }
  }
}

/** S (k x k) -= V^T V for V (r x k). */
function subtractGram(S: Float64Array, V: Float64Array, r: number, k: number): void {
  for (let i = 0; i < r; i++) {
    const o = i * k;
    for (let a = 0; a < k; a++) {
      const va = V[o + a]!;
      if (va === 0) continue;
      for (let b = 0; b < k; b++) S[a * k + b] = S[a * k + b]! - va * V[o + b]!;
    }
  }
}

/**
 * Reverse mode of the Cholesky factorization S = L L^T (Murray 2016, "Differentiation of the
 * Cholesky decomposition"): given Lbar (lower, k x k) returns the symmetric
 * Sbar = sym(L^{-T} Phi(L^T Lbar) L^{-1}), Phi taking the lower triangle with the diagonal halved.
 * O(k^3); k is the batch size.
 */
export function choleskyBackward(L: Float64Array, Lbar: Float64Array, k: number): Float64Array {
  const P = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b <= a; b++) {
      // (L^T Lbar)_{ab} = sum_c L_{ca} Lbar_{cb}, c >= max(a, b) = a.
      let t = 0;
      for (let c = a; c < k; c++) t += L[c * k + a]! * Lbar[c * k + b]!;
      P[a * k + b] = a === b ? 0.5 * t : t;
    }
  }
  // X = L^{-T} P, then Y = X L^{-1} = (L^{-T} X^T)^T.
  backSolveTransposed(L, k, P, k);
  const T = new Float64Array(k * k);
  for (let a = 0; a < k; a++) for (let b = 0; b < k; b++) T[a * k + b] = P[b * k + a]!;
  backSolveTransposed(L, k, T, k);
  const out = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) out[a * k + b] = 0.5 * (T[b * k + a]! + T[a * k + b]!);
  }
  return out;
}
