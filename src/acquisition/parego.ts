/**
 * qNParEGO (Knowles 2006, ParEGO; in its batch noisy form as in BoTorch/Ax): a random augmented
 * Chebyshev scalarization of the objectives followed by q noisy expected improvement (qNEI) of
 * the scalarized samples over the scalarized baseline samples, and its log form (qLogNEI, Ament
 * et al. 2023). Minimization throughout.
 *
 * Scalarization (Knowles 2006, minimization): with objectives normalized by the observed bounds,
 * yhat_j = (y_j - lo_j) / (hi_j - lo_j), and weights w on the simplex,
 *   g(y) = max_j w_j yhat_j + rho sum_j w_j yhat_j,  rho = 0.05.
 */
import { type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { createRng, type Rng } from '../random/rng.js';
import { checkEta, DEFAULT_ETA, logFeasibility, logFeasibilityBackward } from './constraints.js';
import { MAX_Q } from './hvi-kernel.js';
import { JointSampler, type PosteriorSource } from './joint-sampler.js';
import type { McAcquisition } from './mc-acquisition.js';
import { fatmax, logFatplus } from './smooth.js';
import type { AcquisitionSpec } from './spec.js';

/** Augmentation of the Chebyshev scalarization (Knowles 2006). */
export const PAREGO_RHO = 0.05;

/** A weight vector drawn uniformly from the simplex (normalized exponentials), length m. */
export function sampleSimplex(rng: Rng, m: number): Float64Array {
  const w = new Float64Array(m);
  let sum = 0;
  for (let j = 0; j < m; j++) {
    // 1 - uniform is in (0, 1], so the log is finite.
    w[j] = -Math.log(1 - rng.uniform());
    sum += w[j]!;
  }
  for (let j = 0; j < m; j++) w[j] = w[j]! / sum;
  return w;
}

/** The augmented Chebyshev scalarization with fixed weights and normalization bounds. */
export class ChebyshevScalarization {
  readonly m: number;
  readonly weights: Float64Array;
  readonly lower: Float64Array;
  /** 1 / (hi - lo) per objective (1 where the observed range is empty). */
  readonly invRange: Float64Array;
  readonly rho: number;

  /**
   * @param weights length m, non-negative.
   * @param observed `n x m` objective values whose per-objective min and max normalize.
   */
  constructor(weights: ArrayLike<number>, observed: MatrixLike, rho = PAREGO_RHO) {
    const Y = toMatrix(observed, 'ChebyshevScalarization: observed', weights.length);
    const m = weights.length;
    if (Y.rows > 0 && Y.cols !== m) {
      throw new RangeError(`ChebyshevScalarization: observed has ${Y.cols} columns, expected m = ${m}`);
    }
    this.m = m;
    this.weights = Float64Array.from(weights);
    for (let j = 0; j < m; j++) {
      if (!(this.weights[j]! >= 0)) {
        throw new RangeError(`ChebyshevScalarization: weights[${j}] is ${this.weights[j]}, expected >= 0`);
      }
    }
    this.rho = rho;
    this.lower = new Float64Array(m);
    this.invRange = new Float64Array(m);
    for (let j = 0; j < m; j++) {
      let lo = Infinity;
      let hi = -Infinity;
      for (let i = 0; i < Y.rows; i++) {
        const v = Y.data[i * m + j]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      const range = hi - lo;
      this.lower[j] = Y.rows > 0 ? lo : 0;
      this.invRange[j] = range > 0 && Number.isFinite(range) ? 1 / range : 1;
    }
  }

  /**
   * g of the m values at `y[offset..]` (stride `stride`); when `grad` is given, adds `scale`
   * times dg/dy to `grad` at the same positions.
   */
  value(
    y: Float64Array,
    offset: number,
    stride: number,
    grad: Float64Array | null = null,
    scale = 1,
  ): number {
    let best = -Infinity;
    let arg = 0;
    let sum = 0;
    for (let j = 0; j < this.m; j++) {
      const t = this.weights[j]! * (y[offset + j * stride]! - this.lower[j]!) * this.invRange[j]!;
      sum += t;
      if (t > best) {
        best = t;
        arg = j;
      }
    }
    if (grad) {
      for (let j = 0; j < this.m; j++) {
        const dj = this.weights[j]! * this.invRange[j]! * ((j === arg ? 1 : 0) + this.rho);
        grad[offset + j * stride] = grad[offset + j * stride]! + scale * dj;
      }
    }
    return best + this.rho * sum;
  }
}

/**
 * qNEI of scalarized samples (minimization): mean over samples of max over the q points of
 * w_a relu(best_s - g_{s a}). `G` is `samples x q`, `best` `samples`, `logW` `samples x q`
 * (optional). Writes the gradient to `gradG` and `gradLogW` (overwritten) when given.
 */
export function qNeiValueAndGradient(
  G: Float64Array,
  samples: number,
  q: number,
  best: Float64Array,
  logW: Float64Array | null,
  gradG: Float64Array | null,
  gradLogW: Float64Array | null,
): number {
  if (gradG) gradG.fill(0, 0, samples * q);
  if (gradLogW) gradLogW.fill(0, 0, samples * q);
  let sum = 0;
  for (let s = 0; s < samples; s++) {
    let top = 0;
    let arg = -1;
    for (let a = 0; a < q; a++) {
      const imp = best[s]! - G[s * q + a]!;
      if (imp <= 0) continue;
      const v = logW ? imp * Math.exp(logW[s * q + a]!) : imp;
      if (v > top) {
        top = v;
        arg = a;
      }
    }
    sum += top;
    if (arg >= 0) {
      const w = logW ? Math.exp(logW[s * q + arg]!) : 1;
      if (gradG) gradG[s * q + arg] = -w / samples;
      if (gradLogW) gradLogW[s * q + arg] = top / samples;
    }
  }
  return sum / samples;
}

/**
 * qLogNEI of scalarized samples: logmeanexp over samples of the smooth max (fatmax, tauMax) over
 * the q points of log fatplus(best_s - g_{s a}; tauRelu) + log w_{s a}. Same arguments as
 * `qNeiValueAndGradient`.
 */
export function qLogNeiValueAndGradient(
  G: Float64Array,
  samples: number,
  q: number,
  best: Float64Array,
  logW: Float64Array | null,
  gradG: Float64Array | null,
  gradLogW: Float64Array | null,
  tauRelu = 1e-6,
  tauMax = 1e-2,
): number {
  const z = new Float64Array(q);
  const dz = new Float64Array(q);
  const gmax = new Float64Array(q);
  const pair = new Float64Array(2);
  const perSample = new Float64Array(samples);
  let top = -Infinity;
  for (let s = 0; s < samples; s++) {
    for (let a = 0; a < q; a++) {
      logFatplus(best[s]! - G[s * q + a]!, tauRelu, pair);
      z[a] = pair[0]! + (logW ? logW[s * q + a]! : 0);
      dz[a] = pair[1]!;
    }
    const v = fatmax(z, 0, 1, q, tauMax, gmax);
    perSample[s] = v;
    if (v > top) top = v;
    if (gradG) for (let a = 0; a < q; a++) gradG[s * q + a] = -gmax[a]! * dz[a]!;
    if (gradLogW) for (let a = 0; a < q; a++) gradLogW[s * q + a] = gmax[a]!;
  }
  let sum = 0;
  for (let s = 0; s < samples; s++) sum += Math.exp(perSample[s]! - top);
  const value = top + Math.log(sum) - Math.log(samples);
  for (let s = 0; s < samples; s++) {
    const f = Math.exp(perSample[s]! - top) / sum;
    for (let a = 0; a < q; a++) {
      if (gradG) gradG[s * q + a] = gradG[s * q + a]! * f;
      if (gradLogW) gradLogW[s * q + a] = gradLogW[s * q + a]! * f;
    }
  }
  return value;
}

/** Options of `QNParEgo`. */
export interface QNParEgoOptions {
  /** One GP per objective, all minimized. */
  readonly objectives: readonly PosteriorSource[];
  /** Outcome-constraint GPs, feasible when <= 0 (default none). */
  readonly constraints?: readonly PosteriorSource[];
  /** `n x d` observed inputs (the baseline of qNEI). */
  readonly baseline: MatrixLike;
  /** `n x m` observed objective values, for the normalization bounds. */
  readonly observed: MatrixLike;
  /** Scalarization weights (length m); default drawn uniformly from the simplex with `seed`. */
  readonly weights?: ArrayLike<number>;
  /** Augmentation rho (default 0.05). */
  readonly rho?: number;
  /** Monte Carlo samples (default 128). */
  readonly samples?: number;
  /** Seed of the base samples and of the weights (default 0). */
  readonly seed?: number;
  /** Feasibility temperature (default 1e-3). */
  readonly eta?: number | ArrayLike<number>;
  /** Use qLogNEI (default true, as BoTorch's current default). */
  readonly log?: boolean;
  readonly tauRelu?: number;
  readonly tauMax?: number;
  /** `p x d` pending points, joined to every batch (default none). */
  readonly pending?: MatrixLike;
}

/** qNParEGO: qNEI (or qLogNEI) of a random augmented Chebyshev scalarization. */
export class QNParEgo implements McAcquisition {
  readonly d: number;
  readonly scalarization: ChebyshevScalarization;
  private readonly sampler: JointSampler;
  private readonly m: number;
  private readonly c: number;
  private readonly eta: Float64Array;
  private readonly log: boolean;
  private readonly tauRelu: number;
  private readonly tauMax: number;
  /** samples: the best (smallest) scalarized feasible baseline sample. */
  private readonly best: Float64Array;
  private readonly pending: Float64Array;
  private readonly pendingRows: number;

  constructor(options: QNParEgoOptions) {
    const m = options.objectives.length;
    if (m < 1) throw new RangeError('QNParEgo: objectives is empty');
    this.m = m;
    this.c = options.constraints?.length ?? 0;
    this.eta = checkEta('QNParEgo', options.eta ?? DEFAULT_ETA, Math.max(this.c, 1));
    this.log = options.log ?? true;
    this.tauRelu = options.tauRelu ?? 1e-6;
    this.tauMax = options.tauMax ?? 1e-2;
    const seed = options.seed ?? 0;
    const weights = options.weights ?? sampleSimplex(createRng(seed).fork('parego-weights'), m);
    if (weights.length !== m)
      throw new RangeError(`QNParEgo: weights has length ${weights.length}, expected ${m}`);
    this.scalarization = new ChebyshevScalarization(weights, options.observed, options.rho ?? PAREGO_RHO);
    const baseline = toMatrix(options.baseline, 'QNParEgo: baseline');
    this.sampler = new JointSampler([...options.objectives, ...(options.constraints ?? [])], {
      samples: options.samples ?? 128,
      seed,
      ...(baseline.rows > 0 ? { baseline } : {}),
    });
    this.d = this.sampler.d;
    const N = this.sampler.samples;
    const M = m + this.c;
    const nb = baseline.rows;
    const F = this.sampler.baselineSamples();
    this.best = new Float64Array(N);
    for (let s = 0; s < N; s++) {
      let best = Infinity;
      let worst = -Infinity;
      for (let b = 0; b < nb; b++) {
        const o = (s * nb + b) * M;
        const g = this.scalarization.value(F, o, 1);
        if (g > worst) worst = g;
        let feasible = true;
        for (let k = 0; k < this.c; k++) if (F[o + m + k]! > 0) feasible = false;
        if (feasible && g < best) best = g;
      }
      // No feasible baseline point in this sample: compare with the worst one.
      this.best[s] = best < Infinity ? best : worst;
    }
    const pending = options.pending ? toMatrix(options.pending, 'QNParEgo: pending', this.d) : null;
    this.pending = pending ? Float64Array.from(pending.data) : new Float64Array(0);
    this.pendingRows = pending ? pending.rows : 0;
  }

  evaluate(X: Float64Array, q: number): number {
    return this.compute(X, q, null);
  }

  valueAndGradient(X: Float64Array, q: number, gradX: Float64Array): number {
    return this.compute(X, q, gradX);
  }

  spec(): AcquisitionSpec {
    const sc = this.scalarization;
    return {
      family: 'parego',
      log: this.log,
      sampler: this.sampler,
      m: this.m,
      c: this.c,
      eta: this.eta,
      fat: this.log,
      tauRelu: this.tauRelu,
      tauMax: this.tauMax,
      pending: this.pending,
      pendingRows: this.pendingRows,
      scalarization: { weights: sc.weights, lower: sc.lower, invRange: sc.invRange, rho: sc.rho },
      best: this.best,
    };
  }

  private compute(X: Float64Array, q: number, gradX: Float64Array | null): number {
    const d = this.d;
    if (!Number.isInteger(q) || q < 1 || q + this.pendingRows > MAX_Q) {
      throw new RangeError(`QNParEgo: q is ${q}, expected an integer in 1..${MAX_Q - this.pendingRows}`);
    }
    if (X.length !== q * d)
      throw new RangeError(`QNParEgo: X has length ${X.length}, expected q x d = ${q * d}`);
    const qAll = q + this.pendingRows;
    let Xall = X;
    if (this.pendingRows > 0) {
      Xall = new Float64Array(qAll * d);
      Xall.set(X);
      Xall.set(this.pending, q * d);
    }
    const N = this.sampler.samples;
    const m = this.m;
    const M = m + this.c;
    const rows = N * qAll;
    const F = new Float64Array(rows * M);
    this.sampler.forward(Xall, qAll, F);
    const G = new Float64Array(rows);
    for (let r = 0; r < rows; r++) G[r] = this.scalarization.value(F, r * M, 1);
    const logW = this.c > 0 ? new Float64Array(rows) : null;
    if (logW) logFeasibility(F, rows, M, m, this.c, this.eta, this.log, logW);
    const gG = gradX ? new Float64Array(rows) : null;
    const gW = gradX && logW ? new Float64Array(rows) : null;
    const value = this.log
      ? qLogNeiValueAndGradient(G, N, qAll, this.best, logW, gG, gW, this.tauRelu, this.tauMax)
      : qNeiValueAndGradient(G, N, qAll, this.best, logW, gG, gW);
    if (!gradX || !gG) return value;
    const gF = new Float64Array(rows * M);
    for (let r = 0; r < rows; r++) if (gG[r] !== 0) this.scalarization.value(F, r * M, 1, gF, gG[r]!);
    if (logW && gW) logFeasibilityBackward(F, rows, M, m, this.c, this.eta, this.log, gW, gF);
    const gAll = new Float64Array(qAll * d);
    this.sampler.backward(gF, gAll);
    gradX.set(gAll.subarray(0, q * d));
    return value;
  }
}
