/**
 * Monte Carlo hypervolume acquisition functions over independent GPs (minimization):
 * - `QEhvi`: qEHVI over the fixed front of the observed outcomes (Daulton, Balandat, Bakshy 2020);
 * - `QNehvi`: qNEHVI, the expectation over the joint posterior of the baseline and the candidates
 *   of the improvement over each sample's own baseline front (Daulton et al. 2021), with baseline
 *   pruning, the cached root and cached box decompositions for pending points;
 * - `QLogNehvi`: the same in log space with fat-tailed smoothing (Ament et al. 2023).
 * Outcome constraints (extra GPs, feasible when <= 0) weight each point by a smoothed indicator.
 *
 * Each composes the posterior layer (`JointSampler`: X -> samples, and back) with a sample kernel
 * (`hvi-kernel.ts`, `log-hvi-kernel.ts`: samples -> value, and back).
 */

import { type Matrix, type MatrixLike, selectRows, toMatrix } from '../linalg/matrix.js';
import type { BoxSet } from '../pareto/partitioning.js';
import { NondominatedPartitioning } from '../pareto/partitioning.js';
import { checkEta, DEFAULT_ETA, logFeasibility, logFeasibilityBackward } from './constraints.js';
import { HviWorkspace, MAX_Q, qHviValueAndGradient } from './hvi-kernel.js';
import { JointSampler, type PosteriorSource } from './joint-sampler.js';
import { LogHviWorkspace, qLogHviValueAndGradient } from './log-hvi-kernel.js';
import type { McAcquisition } from './mc-acquisition.js';
import { type PruneOptions, pruneInferiorPointsMultiObjective } from './prune.js';
import { TAU_MAX, TAU_RELU } from './smooth.js';
import type { AcquisitionSpec } from './spec.js';

/** Options shared by the hypervolume acquisition functions. */
export interface HypervolumeAcquisitionOptions {
  /** One GP per objective, all minimized. */
  readonly objectives: readonly PosteriorSource[];
  /** One GP per outcome constraint, feasible when its value is <= 0 (default none). */
  readonly constraints?: readonly PosteriorSource[];
  /** Reference point (upper corner), length m. */
  readonly reference: ArrayLike<number>;
  /** Monte Carlo samples (default 128). */
  readonly samples?: number;
  /** Seed of the quasi-random base samples (default 0). */
  readonly seed?: number;
  /** Temperature of the smoothed feasibility indicator, one or one per constraint (default 1e-3). */
  readonly eta?: number | ArrayLike<number>;
  /** `p x d` points already chosen but not yet observed (default none). */
  readonly pending?: MatrixLike;
  /**
   * Tolerance of the box decompositions, 0 <= alpha < 1 (default 0: exact). With alpha > 0 and
   * m >= 3 the non-dominated region is cut into the fewer, coarser boxes of the approximate
   * partitioning (Couckuyt et al. 2014; see `NondominatedPartitioning`): they lie inside the exact
   * region, so the hypervolume improvement, hence qEHVI and qNEHVI, can only come out lower.
   * `defaultPartitioningAlpha(m)` gives BoTorch's choice by the number of objectives.
   */
  readonly partitioningAlpha?: number;
}

/**
 * The approximation tolerance of the box decompositions by number of objectives, as BoTorch's
 * `get_default_partitioning_alpha` (as the issue asks: 1e-2 from m = 6 on, where BoTorch goes on
 * to 1e-1 at m = 7): 0 (exact) up to 4 objectives, 1e-3 at 5, 1e-2 at 6 and more.
 */
export function defaultPartitioningAlpha(m: number): number {
  if (m <= 4) return 0;
  return m === 5 ? 1e-3 : 1e-2;
}

/** The tolerance `alpha` (default 0), or a RangeError naming `where` unless 0 <= alpha < 1. */
export function checkPartitioningAlpha(where: string, alpha: number | undefined): number {
  const a = alpha ?? 0;
  if (typeof a !== 'number' || !(a >= 0 && a < 1)) {
    throw new RangeError(`${where}: partitioningAlpha is ${String(alpha)}, expected a number in [0, 1)`);
  }
  return a;
}

/** Options of `QEhvi`. */
export interface QEhviOptions extends HypervolumeAcquisitionOptions {
  /** `n x m` observed objective values (the front is taken from them), or a ready partitioning. */
  readonly front: MatrixLike | NondominatedPartitioning;
}

/** Options of `QNehvi` and `QLogNehvi`. */
export interface QNehviOptions extends HypervolumeAcquisitionOptions {
  /** `n x d` observed inputs whose (noisy) outcomes define the baseline front. */
  readonly baseline: MatrixLike;
  /**
   * Prune the baseline to points with a positive probability of being Pareto optimal (default
   * true; false keeps every point; an object sets the pruning options).
   */
  readonly prune?: boolean | PruneOptions;
}

/** Options of `QLogNehvi`. */
export interface QLogNehviOptions extends QNehviOptions {
  /** Smooth relu temperature (default 1e-6). */
  readonly tauRelu?: number;
  /** Smooth max temperature (default 1e-3). */
  readonly tauMax?: number;
  /** Fat-tailed sigmoid for the constraints (default true), else the logistic sigmoid. */
  readonly fat?: boolean;
}

function checkModels(where: string, options: HypervolumeAcquisitionOptions): Float64Array {
  const m = options.objectives.length;
  if (m < 2) throw new RangeError(`${where}: ${m} objectives, expected at least 2`);
  if (options.reference.length !== m) {
    throw new RangeError(`${where}: reference has length ${options.reference.length}, expected m = ${m}`);
  }
  const ref = Float64Array.from(options.reference);
  for (let j = 0; j < m; j++) {
    if (!Number.isFinite(ref[j]!))
      throw new RangeError(`${where}: reference[${j}] is ${ref[j]}, expected finite`);
  }
  return ref;
}

function checkBatch(where: string, X: Float64Array, q: number, d: number): void {
  if (!Number.isInteger(q) || q < 1 || q > MAX_Q) {
    throw new RangeError(`${where}: q is ${q}, expected an integer in 1..${MAX_Q}`);
  }
  if (X.length !== q * d)
    throw new RangeError(`${where}: X has length ${X.length}, expected q x d = ${q * d}`);
}

/**
 * Shared plumbing: sample the outputs at X (plus pending rows appended when `appendPending`),
 * split objectives from constraints, run a kernel, and send its gradient back to X.
 */
class SampledBatch {
  readonly sampler: JointSampler;
  readonly m: number;
  readonly c: number;
  readonly eta: Float64Array;
  private F = new Float64Array(0);
  private Y = new Float64Array(0);
  private logW = new Float64Array(0);
  private gY = new Float64Array(0);
  private gLogW = new Float64Array(0);
  private gF = new Float64Array(0);
  private gX = new Float64Array(0);

  constructor(where: string, options: HypervolumeAcquisitionOptions, baseline?: Matrix) {
    this.m = options.objectives.length;
    this.c = options.constraints?.length ?? 0;
    this.eta = checkEta(where, options.eta ?? DEFAULT_ETA, Math.max(this.c, 1));
    this.sampler = new JointSampler([...options.objectives, ...(options.constraints ?? [])], {
      samples: options.samples ?? 128,
      seed: options.seed ?? 0,
      ...(baseline ? { baseline } : {}),
    });
  }

  /** The shared part of the acquisition's spec (plain expectation, logistic feasibility). */
  spec(log: boolean): AcquisitionSpec {
    return {
      family: 'hypervolume',
      log,
      sampler: this.sampler,
      m: this.m,
      c: this.c,
      eta: this.eta,
      fat: false,
      tauRelu: TAU_RELU,
      tauMax: TAU_MAX,
      pending: new Float64Array(0),
      pendingRows: 0,
    };
  }

  /**
   * Runs `kernel(Y, logW | null, gY | null, gLogW | null)` on the samples at X (`qAll x d`) and
   * returns its value; with `gradX` (`qAll x d`) also the gradient with respect to X.
   */
  run(
    X: Float64Array,
    qAll: number,
    fat: boolean,
    kernel: (
      Y: Float64Array,
      logW: Float64Array | null,
      gY: Float64Array | null,
      gLogW: Float64Array | null,
    ) => number,
    gradX: Float64Array | null,
  ): number {
    const N = this.sampler.samples;
    const M = this.m + this.c;
    const m = this.m;
    const rows = N * qAll;
    if (this.F.length !== rows * M) {
      this.F = new Float64Array(rows * M);
      this.Y = new Float64Array(rows * m);
      this.logW = new Float64Array(rows);
      this.gY = new Float64Array(rows * m);
      this.gLogW = new Float64Array(rows);
      this.gF = new Float64Array(rows * M);
    }
    const { F, Y, logW, gY, gLogW, gF } = this;
    this.sampler.forward(X, qAll, F);
    for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) Y[r * m + j] = F[r * M + j]!;
    const constrained = this.c > 0;
    if (constrained) logFeasibility(F, rows, M, m, this.c, this.eta, fat, logW);
    const value = kernel(
      Y,
      constrained ? logW : null,
      gradX ? gY : null,
      gradX && constrained ? gLogW : null,
    );
    if (!gradX) return value;
    gF.fill(0);
    for (let r = 0; r < rows; r++) for (let j = 0; j < m; j++) gF[r * M + j] = gY[r * m + j]!;
    if (constrained) logFeasibilityBackward(F, rows, M, m, this.c, this.eta, fat, gLogW, gF);
    if (this.gX.length !== qAll * this.sampler.d) this.gX = new Float64Array(qAll * this.sampler.d);
    this.sampler.backward(gF, this.gX);
    gradX.set(this.gX.subarray(0, gradX.length));
    return value;
  }
}

/**
 * qEHVI (Daulton, Balandat, Bakshy 2020): the expected hypervolume improvement of a q-batch over
 * the fixed front of the observed outcomes, by quasi-Monte Carlo over the joint posterior of the
 * batch. Pending points join the batch (their improvement is part of the value, as in BoTorch).
 */
export class QEhvi implements McAcquisition {
  readonly d: number;
  readonly reference: Float64Array;
  /** The non-dominated region's boxes (shared by every sample). */
  readonly boxes: BoxSet;
  /** The tolerance of the decomposition used (that of `front` when a partitioning was given). */
  readonly partitioningAlpha: number;
  private readonly batch: SampledBatch;
  private readonly pending: Float64Array;
  private readonly pendingRows: number;
  private workspace: HviWorkspace | null = null;

  constructor(options: QEhviOptions) {
    this.reference = checkModels('QEhvi', options);
    const alpha = checkPartitioningAlpha('QEhvi', options.partitioningAlpha);
    const partitioning =
      options.front instanceof NondominatedPartitioning
        ? options.front
        : new NondominatedPartitioning(this.reference, options.front, { alpha });
    this.partitioningAlpha = partitioning.alpha;
    this.boxes = partitioning.boxes();
    this.batch = new SampledBatch('QEhvi', options);
    this.d = this.batch.sampler.d;
    const pending = options.pending ? toMatrix(options.pending, 'QEhvi: pending', this.d) : null;
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
    return {
      ...this.batch.spec(false),
      boxes: this.boxes,
      pending: this.pending,
      pendingRows: this.pendingRows,
    };
  }

  private compute(X: Float64Array, q: number, gradX: Float64Array | null): number {
    checkBatch('QEhvi', X, q, this.d);
    const qAll = q + this.pendingRows;
    if (qAll > MAX_Q) throw new RangeError(`QEhvi: q + pending is ${qAll}, expected at most ${MAX_Q}`);
    const Xall = this.pendingRows > 0 ? concat(X, this.pending) : X;
    const shape = { samples: this.batch.sampler.samples, q: qAll, m: this.batch.m };
    if (!this.workspace || this.workspace.q !== qAll) this.workspace = new HviWorkspace(qAll, shape.m);
    const ws = this.workspace;
    return this.batch.run(
      Xall,
      qAll,
      false,
      (Y, logW, gY, gLogW) =>
        qHviValueAndGradient(Y, shape, this.boxes, logW ? expInPlace(logW) : null, gY, gLogW, ws),
      gradX,
    );
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function expInPlace(a: Float64Array): Float64Array {
  for (let i = 0; i < a.length; i++) a[i] = Math.exp(a[i]!);
  return a;
}

/**
 * The noisy hypervolume acquisition functions: per sample, the front of the baseline's sampled
 * outcomes (feasible points only) has its own box decomposition, built once from the fixed
 * baseline samples and updated in place when pending points join the baseline.
 */
class NoisyHypervolume implements McAcquisition {
  readonly d: number;
  readonly m: number;
  readonly reference: Float64Array;
  /** Indices of the rows of the given baseline that were kept after pruning. */
  readonly baselineIndices: Int32Array;
  /** The tolerance of every sample's box decomposition (0: exact). */
  readonly partitioningAlpha: number;
  private readonly batch: SampledBatch;
  private readonly partitions: NondominatedPartitioning[];
  private boxes: BoxSet[] | null = null;
  private readonly log: boolean;
  private readonly tauRelu: number;
  private readonly tauMax: number;
  private readonly fat: boolean;
  private hviWorkspace: HviWorkspace | null = null;
  private logWorkspace: LogHviWorkspace | null = null;
  private readonly where: string;

  constructor(where: string, options: QLogNehviOptions, log: boolean) {
    this.where = where;
    this.reference = checkModels(where, options);
    this.m = options.objectives.length;
    this.log = log;
    this.tauRelu = options.tauRelu ?? TAU_RELU;
    this.tauMax = options.tauMax ?? TAU_MAX;
    this.fat = options.fat ?? true;
    this.partitioningAlpha = checkPartitioningAlpha(where, options.partitioningAlpha);
    let baseline = toMatrix(options.baseline, `${where}: baseline`);
    const prune = options.prune ?? true;
    if (prune !== false && baseline.rows > 0) {
      const pruneOptions = prune === true ? {} : prune;
      const { indices } = pruneInferiorPointsMultiObjective(options.objectives, baseline, this.reference, {
        seed: options.seed ?? 0,
        ...pruneOptions,
        ...(options.constraints ? { constraints: options.constraints } : {}),
      });
      this.baselineIndices = indices;
      baseline = selectRows(baseline, indices);
    } else {
      this.baselineIndices = Int32Array.from({ length: baseline.rows }, (_, i) => i);
    }
    this.batch = new SampledBatch(where, options, baseline.rows > 0 ? baseline : undefined);
    this.d = this.batch.sampler.d;
    const N = this.batch.sampler.samples;
    this.partitions = [];
    const partitionOptions = { alpha: this.partitioningAlpha };
    for (let s = 0; s < N; s++) {
      this.partitions.push(new NondominatedPartitioning(this.reference, undefined, partitionOptions));
    }
    this.addToFronts(this.batch.sampler.baselineSamples(), baseline.rows);
    if (options.pending) this.addPending(options.pending);
  }

  /**
   * Adds points (`k x d`) chosen but not yet observed: their samples, conditional on the fixed
   * baseline samples, join every sample's front (cached box decompositions, updated in place).
   */
  addPending(points: MatrixLike): void {
    const P = toMatrix(points, `${this.where}.addPending: points`, this.d);
    if (P.rows === 0) return;
    this.addToFronts(this.batch.sampler.addBaseline(P), P.rows);
  }

  /** The boxes of sample s's non-dominated region (for tests and the tfjs path). */
  sampleBoxes(): readonly BoxSet[] {
    if (!this.boxes) this.boxes = this.partitions.map((p) => p.boxes());
    return this.boxes;
  }

  /** `samples x k x M` samples of k new baseline points: feasible ones update each sample's front. */
  private addToFronts(F: Float64Array, k: number): void {
    if (k === 0) return;
    const m = this.m;
    const c = this.batch.c;
    const M = m + c;
    const rows: number[][] = [];
    for (let s = 0; s < this.partitions.length; s++) {
      rows.length = 0;
      for (let i = 0; i < k; i++) {
        const o = (s * k + i) * M;
        let feasible = true;
        for (let t = 0; t < c; t++) if (F[o + m + t]! > 0) feasible = false;
        if (feasible) rows.push(Array.from(F.subarray(o, o + m)));
      }
      if (rows.length > 0) this.partitions[s]!.update(rows);
    }
    this.boxes = null;
  }

  evaluate(X: Float64Array, q: number): number {
    return this.compute(X, q, null);
  }

  valueAndGradient(X: Float64Array, q: number, gradX: Float64Array): number {
    return this.compute(X, q, gradX);
  }

  spec(): AcquisitionSpec {
    const base = this.batch.spec(this.log);
    return this.log
      ? { ...base, fat: this.fat, tauRelu: this.tauRelu, tauMax: this.tauMax, boxes: this.sampleBoxes() }
      : { ...base, boxes: this.sampleBoxes() };
  }

  private compute(X: Float64Array, q: number, gradX: Float64Array | null): number {
    checkBatch(this.where, X, q, this.d);
    const boxes = this.sampleBoxes();
    const shape = { samples: this.batch.sampler.samples, q, m: this.m };
    if (this.log) {
      if (!this.logWorkspace || this.logWorkspace.q !== q) this.logWorkspace = new LogHviWorkspace(q, this.m);
      const ws = this.logWorkspace;
      const options = { tauRelu: this.tauRelu, tauMax: this.tauMax };
      return this.batch.run(
        X,
        q,
        this.fat,
        (Y, logW, gY, gLogW) => qLogHviValueAndGradient(Y, shape, boxes, logW, gY, gLogW, options, ws),
        gradX,
      );
    }
    if (!this.hviWorkspace || this.hviWorkspace.q !== q) this.hviWorkspace = new HviWorkspace(q, this.m);
    const ws = this.hviWorkspace;
    return this.batch.run(
      X,
      q,
      false,
      (Y, logW, gY, gLogW) =>
        qHviValueAndGradient(Y, shape, boxes, logW ? expInPlace(logW) : null, gY, gLogW, ws),
      gradX,
    );
  }
}

/**
 * qNEHVI (Daulton et al. 2021): the expected hypervolume improvement of a q-batch over the front
 * of the baseline, both drawn jointly from the posterior, so noisy observations are handled.
 * With noiseless observations and q = 1 it equals qEHVI.
 */
export class QNehvi extends NoisyHypervolume {
  constructor(options: QNehviOptions) {
    super('QNehvi', options, false);
  }
}

/**
 * qLogNEHVI (Ament et al. 2023): log of the smoothed qNEHVI, with fat-tailed relu, max and
 * feasibility; never exactly zero and with useful gradients where qNEHVI is flat. The default for
 * acquisition optimization.
 */
export class QLogNehvi extends NoisyHypervolume {
  constructor(options: QLogNehviOptions) {
    super('QLogNehvi', options, true);
  }
}
