/**
 * Optimization of an acquisition function over the unit cube, as BoTorch's `optimize_acqf`:
 * quasi-random raw samples (scrambled Sobol), restarts picked among them by the Boltzmann heuristic
 * (`initialize_q_batch`), all restarts advanced together by L-BFGS-B with exact gradients, and a
 * q-batch built by sequential greedy selection (each pick becomes a pending point of the next).
 *
 * The domain may hold integer and one-hot columns (optimized as a continuous relaxation, then
 * rounded by the domain's `round` and re-evaluated) and linear inequalities `A x <= b` (raw samples
 * drawn inside by rejection; each local result projected onto the polytope, then pulled back along
 * the segment from its feasible start if needed; a final feasibility check). A returned point never
 * repeats an excluded point or an earlier pick (within `duplicateTolerance`, infinity norm).
 */
import type { Matrix } from '../linalg/matrix.js';
import { LbfgsbSolver } from '../optim/lbfgsb.js';
import { createRng, deriveSeed, type Rng } from '../random/rng.js';
import { SobolSequence } from '../random/sobol.js';
import type { McAcquisition } from './mc-acquisition.js';

/** What the optimizer needs of a search domain in unit-cube form (`EncodedSpace` satisfies it). */
export interface AcquisitionDomain {
  /** d. */
  readonly dimension: number;
  /** Column kinds; any kind other than 'continuous' makes the optimizer round (default all continuous). */
  readonly columns?: readonly { readonly kind: string }[];
  /** `k x d`: A of `A x <= b` (default none). */
  readonly constraintMatrix?: Matrix;
  /** k: b of `A x <= b`. */
  readonly constraintBound?: Float64Array;
  /** Maps a point of [0, 1]^d to the nearest decodable one, in place (default: identity). */
  round?(x: Float64Array): void;
}

/** Options of `optimizeAcquisition` and `optimizeSequentialGreedy`; all optional. */
export interface AcquisitionOptimizerOptions {
  /**
   * Sobol raw samples evaluated to pick the restarts (default 512; 0 allowed when `aroundBest`
   * draws samples).
   */
  readonly rawSamples?: number;
  /** L-BFGS-B restarts, optimized together (default 10). */
  readonly restarts?: number;
  /** Seed of the raw samples and of the restart choice (default 0). */
  readonly seed?: number;
  /** L-BFGS-B iterations per restart (default 200, as BoTorch). */
  readonly maxIterations?: number;
  /** Boltzmann temperature of the restart choice on standardized values (default 1, as BoTorch). */
  readonly eta?: number;
  /**
   * Wall-clock budget in ms for the whole call (default Infinity): when spent, iterations stop and
   * the best points so far are returned; picks not yet started use their best raw sample.
   */
  readonly timeBudgetMs?: number;
  /** The domain (default: the plain cube [0, 1]^d of the acquisition). */
  readonly domain?: AcquisitionDomain;
  /** Points (`rows x d` each) never to return: observed, failed, pending. */
  readonly exclude?: readonly Matrix[];
  /** Two points closer than this in every coordinate are the same (default 1e-6). */
  readonly duplicateTolerance?: number;
  /** Extra raw samples drawn around good points (default none), see `AroundBest`. */
  readonly aroundBest?: AroundBest;
  /**
   * Each L-BFGS-B restart stays within this distance of its start in every coordinate (a box of
   * half-width `localRadius` around it, intersected with the cube); default: the whole cube.
   */
  readonly localRadius?: number;
}

/**
 * Raw samples around good points (the observed Pareto set, say), as BoTorch's `sample_around_best`
 * with its subset perturbation for large d: each sample copies one of `points` (taken in turn, in a
 * seeded random order) and moves each coordinate with probability min(1, 20 / d) (at least one) by
 * a normal step of standard deviation `sigma`, clipped to the cube and projected into the
 * polytope. Their values compete with the Sobol raw samples' for the restarts.
 */
export interface AroundBest {
  /** `rows x d`: the points, in the domain. No rows: no samples. */
  readonly points: Matrix;
  /** How many samples to draw. */
  readonly count: number;
  /** Standard deviation of a moved coordinate's step, in unit-cube units (default 0.1). */
  readonly sigma?: number;
}

/** One optimized point. */
export interface AcquisitionOptimum {
  /** d: the point, in the domain, rounded, new. */
  readonly x: Float64Array;
  /** The acquisition value at x. */
  readonly value: number;
  /** The best raw-sample value. */
  readonly bestRawValue: number;
  /** L-BFGS-B iterations summed over restarts. */
  readonly iterations: number;
  /** Acquisition evaluations (raw samples, L-BFGS-B, re-evaluations). */
  readonly evaluations: number;
  /** Whether the time budget stopped the search early. */
  readonly timedOut: boolean;
  /** How x was obtained: an optimized restart, a raw sample, or a perturbation of the best point. */
  readonly source: 'restart' | 'raw' | 'perturbed';
}

/** A q-batch from sequential greedy selection. */
export interface AcquisitionBatch {
  /** count x d. */
  readonly candidates: Matrix;
  /** count: the acquisition value of each pick given the earlier ones as pending. */
  readonly values: number[];
  readonly picks: AcquisitionOptimum[];
  readonly timedOut: boolean;
}

/**
 * The acquisition of a sequential greedy batch: `current()` is the function to maximize for the
 * next pick; `addPending(x)` makes the pick x (length d) a pending point of the following ones.
 */
export interface SequentialAcquisition {
  current(): McAcquisition;
  addPending(x: Float64Array): void;
}

interface Resolved {
  aroundBest: { points: Matrix; count: number; sigma: number } | null;
  localRadius: number;
  rawSamples: number;
  restarts: number;
  seed: number;
  maxIterations: number;
  eta: number;
  deadline: number;
  tolerance: number;
}

const FEASIBILITY_RTOL = 1e-12;
/** Points pulled back inside the polytope stop this far (relative) from each face. */
const INTERIOR_MARGIN = 1e-10;
const MAX_RAW_DRAWS_FACTOR = 256;
const DYKSTRA_ITERATIONS = 200;

function positiveInteger(fn: string, name: string, v: number | undefined, fallback: number): number {
  if (v === undefined) return fallback;
  if (!Number.isInteger(v) || v < 1) throw new RangeError(`${fn}: ${name} is ${v}, expected an integer >= 1`);
  return v;
}

function resolve(fn: string, options: AcquisitionOptimizerOptions, start: number): Resolved {
  const budget = options.timeBudgetMs ?? Number.POSITIVE_INFINITY;
  if (!(budget >= 0)) throw new RangeError(`${fn}: timeBudgetMs is ${budget}, expected >= 0`);
  const eta = options.eta ?? 1;
  if (!(eta >= 0) || !Number.isFinite(eta))
    throw new RangeError(`${fn}: eta is ${eta}, expected finite >= 0`);
  const tolerance = options.duplicateTolerance ?? 1e-6;
  if (!(tolerance >= 0)) throw new RangeError(`${fn}: duplicateTolerance is ${tolerance}, expected >= 0`);
  const seed = options.seed ?? 0;
  if (!Number.isFinite(seed)) throw new RangeError(`${fn}: seed is ${seed}, expected a finite number`);
  const restarts = positiveInteger(fn, 'restarts', options.restarts, 10);
  const localRadius = options.localRadius ?? Number.POSITIVE_INFINITY;
  if (!(localRadius > 0)) throw new RangeError(`${fn}: localRadius is ${localRadius}, expected > 0`);
  let aroundBest: Resolved['aroundBest'] = null;
  if (options.aroundBest !== undefined) {
    const { points, count } = options.aroundBest;
    const sigma = options.aroundBest.sigma ?? 0.1;
    if (!Number.isInteger(count) || count < 0) {
      throw new RangeError(`${fn}: aroundBest.count is ${count}, expected an integer >= 0`);
    }
    if (!(sigma > 0) || !Number.isFinite(sigma)) {
      throw new RangeError(`${fn}: aroundBest.sigma is ${sigma}, expected finite > 0`);
    }
    if (count > 0 && points.rows > 0) aroundBest = { points, count, sigma };
  }
  // No Sobol raw samples is allowed when samples around good points replace them.
  const sobolSamples =
    options.rawSamples === 0 && aroundBest !== null
      ? 0
      : Math.max(positiveInteger(fn, 'rawSamples', options.rawSamples, 512), restarts);
  return {
    aroundBest,
    localRadius,
    rawSamples: sobolSamples,
    restarts,
    seed,
    maxIterations: positiveInteger(fn, 'maxIterations', options.maxIterations, 200),
    eta,
    deadline: start + budget,
    tolerance,
  };
}

/** The linear constraints and rounding of a domain, checked once. */
class Domain {
  readonly d: number;
  readonly k: number;
  readonly A: Float64Array;
  readonly b: Float64Array;
  /** Per constraint: 1 / ||a_i||^2 (0 for a zero row). */
  private readonly invNorm2: Float64Array;
  readonly discrete: boolean;
  private readonly rounder: ((x: Float64Array) => void) | null;

  constructor(fn: string, d: number, domain: AcquisitionDomain | undefined) {
    if (domain !== undefined && domain.dimension !== d) {
      throw new RangeError(`${fn}: domain has dimension ${domain.dimension}, the acquisition ${d}`);
    }
    this.d = d;
    const A = domain?.constraintMatrix;
    const b = domain?.constraintBound ?? new Float64Array(0);
    this.k = b.length;
    if (this.k > 0 && (A === undefined || A.rows !== this.k || A.cols !== d)) {
      throw new RangeError(
        `${fn}: constraintMatrix is ${A?.rows ?? 0} x ${A?.cols ?? 0}, expected ${this.k} x ${d}`,
      );
    }
    this.A = this.k > 0 && A ? A.data : new Float64Array(0);
    this.b = b;
    this.invNorm2 = new Float64Array(this.k);
    for (let i = 0; i < this.k; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.A[i * d + j]! ** 2;
      this.invNorm2[i] = s > 0 ? 1 / s : 0;
    }
    this.discrete = (domain?.columns ?? []).some((c) => c.kind !== 'continuous');
    this.rounder = domain?.round ? (x) => domain.round!(x) : null;
  }

  round(x: Float64Array): void {
    if (this.rounder) this.rounder(x);
  }

  private dot(i: number, x: Float64Array): number {
    let s = 0;
    const o = i * this.d;
    for (let j = 0; j < this.d; j++) s += this.A[o + j]! * x[j]!;
    return s;
  }

  /** A x <= b within a relative 1e-12 (as `CandidateFilter`), and x in the cube. */
  feasible(x: Float64Array): boolean {
    for (let j = 0; j < this.d; j++) if (!(x[j]! >= 0 && x[j]! <= 1)) return false;
    for (let i = 0; i < this.k; i++) {
      const bound = this.b[i]!;
      if (this.dot(i, x) > bound + FEASIBILITY_RTOL * Math.max(1, Math.abs(bound))) return false;
    }
    return true;
  }

  /**
   * Moves x (in place) into the polytope: Dykstra's alternating projection onto the half-spaces
   * and the cube, then, as a guarantee, the point of the segment from the feasible `start` to the
   * projection closest to the projection that keeps a small margin from every face.
   */
  project(x: Float64Array, start: Float64Array): void {
    if (this.k === 0) return;
    const d = this.d;
    if (!this.insideMargin(x)) {
      // Dykstra: corrections p_i per half-space and one for the cube.
      const corrections = new Float64Array((this.k + 1) * d);
      const y = new Float64Array(d);
      for (let it = 0; it < DYKSTRA_ITERATIONS; it++) {
        let moved = 0;
        for (let i = 0; i <= this.k; i++) {
          const o = i * d;
          for (let j = 0; j < d; j++) y[j] = x[j]! + corrections[o + j]!;
          if (i < this.k) {
            const excess = this.dot(i, y) - this.b[i]!;
            const s = excess > 0 ? excess * this.invNorm2[i]! : 0;
            for (let j = 0; j < d; j++) {
              const v = y[j]! - s * this.A[o + j]!;
              moved = Math.max(moved, Math.abs(v - x[j]!));
              corrections[o + j] = y[j]! - v;
              x[j] = v;
            }
          } else {
            for (let j = 0; j < d; j++) {
              const v = Math.min(1, Math.max(0, y[j]!));
              moved = Math.max(moved, Math.abs(v - x[j]!));
              corrections[o + j] = y[j]! - v;
              x[j] = v;
            }
          }
        }
        if (moved < 1e-12) break;
      }
    }
    // Pull back along start -> x so that every face keeps the margin (start is feasible).
    let t = 1;
    for (let i = 0; i < this.k; i++) {
      const bound = this.b[i]! - INTERIOR_MARGIN * Math.max(1, Math.abs(this.b[i]!));
      const s0 = this.dot(i, start);
      const s1 = this.dot(i, x);
      if (s1 <= bound) continue;
      t = Math.min(t, s0 >= bound || s1 <= s0 ? 0 : (bound - s0) / (s1 - s0));
    }
    if (t < 1)
      for (let j = 0; j < d; j++) x[j] = Math.min(1, Math.max(0, start[j]! + t * (x[j]! - start[j]!)));
  }

  private insideMargin(x: Float64Array): boolean {
    for (let i = 0; i < this.k; i++) {
      if (this.dot(i, x) > this.b[i]! - INTERIOR_MARGIN * Math.max(1, Math.abs(this.b[i]!))) return false;
    }
    return true;
  }
}

/** Points never to return, with a tolerance; grows with each pick. */
class Exclusions {
  private readonly rows: Float64Array[] = [];
  private readonly d: number;
  private readonly tolerance: number;

  constructor(d: number, tolerance: number, sets: readonly Matrix[]) {
    this.d = d;
    this.tolerance = tolerance;
    for (const m of sets) {
      if (m.rows > 0 && m.cols !== d)
        throw new RangeError(`optimizeAcquisition: an excluded set has ${m.cols} columns, expected ${d}`);
      for (let i = 0; i < m.rows; i++) this.rows.push(m.data.slice(i * d, (i + 1) * d));
    }
  }

  add(x: Float64Array): void {
    this.rows.push(x.slice());
  }

  has(x: Float64Array): boolean {
    const { d, tolerance } = this;
    outer: for (const r of this.rows) {
      for (let j = 0; j < d; j++) if (Math.abs(r[j]! - x[j]!) > tolerance) continue outer;
      return true;
    }
    return false;
  }
}

/**
 * Raw samples inside the domain: the first `count` Sobol points that satisfy `A x <= b`
 * (rejection); `count x d`, and how many there are (fewer when the polytope is tiny).
 */
function rawSamples(
  fn: string,
  domain: Domain,
  count: number,
  seed: number,
): { X: Float64Array; rows: number } {
  const d = domain.d;
  const sequence = new SobolSequence(d, { scramble: true, seed });
  if (domain.k === 0) return { X: sequence.next(count).data, rows: count };
  const X = new Float64Array(count * d);
  let rows = 0;
  let drawn = 0;
  const x = new Float64Array(d);
  while (rows < count && drawn < count * MAX_RAW_DRAWS_FACTOR) {
    const block = sequence.next(Math.max(count, 256));
    drawn += block.rows;
    for (let i = 0; i < block.rows && rows < count; i++) {
      x.set(block.data.subarray(i * d, (i + 1) * d));
      if (domain.feasible(x)) X.set(x, rows++ * d);
    }
  }
  if (rows === 0) {
    throw new Error(
      `${fn}: none of ${drawn} Sobol points satisfies the linear constraints A x <= b: the feasible region seems empty or tiny`,
    );
  }
  return { X, rows };
}

/** Coordinates moved per around-best sample: each with probability min(1, SUBSET_DIMENSIONS / d). */
const SUBSET_DIMENSIONS = 20;

/**
 * `count` raw samples around `points` (see `AroundBest`), appended after `rows` Sobol samples of
 * `raw`; returns the new array and its number of rows. Samples the polytope rejects are dropped.
 */
function appendAroundBest(
  fn: string,
  domain: Domain,
  raw: Float64Array,
  rows: number,
  around: NonNullable<Resolved['aroundBest']>,
  seed: number,
): { X: Float64Array; rows: number; moved: Uint8Array } {
  const d = domain.d;
  const { points, count, sigma } = around;
  if (points.cols !== d) {
    throw new RangeError(`${fn}: aroundBest.points has ${points.cols} columns, expected ${d}`);
  }
  const rng = createRng(seed);
  const X = new Float64Array((rows + count) * d);
  X.set(raw.subarray(0, rows * d));
  const probability = Math.min(1, SUBSET_DIMENSIONS / d);
  // The points in a random order, each used in turn.
  const order = Array.from({ length: points.rows }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const x = new Float64Array(d);
  const mask = new Uint8Array(d);
  // Which coordinates each sample moved (1 for every coordinate of the Sobol samples).
  const moved = new Uint8Array((rows + count) * d).fill(1);
  let out = rows;
  for (let k = 0; k < count; k++) {
    const p = order[k % order.length]!;
    const base = points.data.subarray(p * d, (p + 1) * d);
    x.set(base);
    mask.fill(0);
    let changed = 0;
    for (let j = 0; j < d; j++) {
      if (rng.uniform() >= probability) continue;
      x[j] = Math.min(1, Math.max(0, x[j]! + sigma * rng.normal()));
      mask[j] = 1;
      changed++;
    }
    if (changed === 0) {
      const j = rng.int(d);
      x[j] = Math.min(1, Math.max(0, x[j]! + sigma * rng.normal()));
      mask[j] = 1;
    }
    if (domain.k > 0) {
      if (!domain.feasible(base)) continue;
      domain.project(x, base);
      if (!domain.feasible(x)) continue;
      // The projection may move any coordinate.
      mask.fill(1);
    }
    moved.set(mask, out * d);
    X.set(x, out++ * d);
  }
  return { X, rows: out, moved: moved.subarray(0, out * d) };
}

/**
 * BoTorch's `initialize_q_batch`: `count` distinct indices drawn without replacement with weights
 * exp(eta z), z the standardized values (eta halved while a weight overflows), the best index always
 * included. Non-finite values get weight 0 unless all are non-finite.
 */
export function boltzmannRestarts(values: Float64Array, count: number, eta: number, rng: Rng): number[] {
  const n = values.length;
  if (count >= n) return Array.from({ length: n }, (_, i) => i);
  let mean = 0;
  let finite = 0;
  let best = -1;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) continue;
    mean += v;
    finite++;
    if (best < 0 || v > values[best]!) best = i;
  }
  mean = finite > 0 ? mean / finite : 0;
  let variance = 0;
  for (let i = 0; i < n; i++) if (Number.isFinite(values[i]!)) variance += (values[i]! - mean) ** 2;
  const std = finite > 1 ? Math.sqrt(variance / (finite - 1)) : 0;
  const weights = new Float64Array(n);
  let scale = eta;
  for (;;) {
    let overflow = false;
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (finite === 0) weights[i] = 1;
      else if (!Number.isFinite(v)) weights[i] = 0;
      else weights[i] = Math.exp(std > 0 ? (scale * (v - mean)) / std : 0);
      if (weights[i] === Number.POSITIVE_INFINITY) overflow = true;
    }
    if (!overflow) break;
    scale /= 2;
  }
  const chosen: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) total += weights[i]!;
  while (chosen.length < count) {
    if (!(total > 0)) {
      // Every weight left is zero: take the remaining indices in order.
      for (let i = 0; i < n && chosen.length < count; i++) if (!chosen.includes(i)) chosen.push(i);
      break;
    }
    let u = rng.uniform() * total;
    let pick = -1;
    for (let i = 0; i < n; i++) {
      if (weights[i] === 0) continue;
      pick = i;
      u -= weights[i]!;
      if (u < 0) break;
    }
    chosen.push(pick);
    total -= weights[pick]!;
    weights[pick] = 0;
  }
  if (best >= 0 && !chosen.includes(best)) chosen[chosen.length - 1] = best;
  return chosen;
}

/**
 * Maximizes `acquisition` over one point (q = 1) of the domain: raw samples, Boltzmann restarts,
 * batched L-BFGS-B on the negated value, projection and rounding, and the best new feasible point.
 * Throws when no feasible new point exists among the restarts, raw samples and perturbations.
 */
export function optimizeAcquisition(
  acquisition: McAcquisition,
  options: AcquisitionOptimizerOptions = {},
): AcquisitionOptimum {
  const fn = 'optimizeAcquisition';
  const start = performance.now();
  const r = resolve(fn, options, start);
  const domain = new Domain(fn, acquisition.d, options.domain);
  const exclusions = new Exclusions(acquisition.d, r.tolerance, options.exclude ?? []);
  function* single(): Search<AcquisitionOptimum> {
    yield* nextAcquisition(null);
    return yield* searchOne(fn, r, domain, exclusions, r.seed, 1);
  }
  return driveSync(single(), { current: () => acquisition, addPending: () => {} });
}

/**
 * What the search asks of its driver: the next acquisition function (after making `pending` a
 * pending point, if given), or values (and gradients) at `rows` points (`rows x d`, flat).
 */
type SearchRequest =
  | { readonly kind: 'acquisition'; readonly pending: Float64Array | null }
  | {
      readonly kind: 'evaluate';
      readonly X: Float64Array;
      readonly rows: number;
      readonly gradients: boolean;
    };

/** The driver's answer: the acquisition's dimension, or the values and gradients asked for. */
interface SearchReply {
  readonly d: number;
  readonly values: Float64Array;
  readonly gradients: Float64Array | null;
}

type Search<T> = Generator<SearchRequest, T, SearchReply>;

/** Runs a search with a float64 acquisition, one point per call, synchronously. */
function driveSync<T>(search: Search<T>, target: SequentialAcquisition): T {
  let acquisition: McAcquisition | null = null;
  let reply: SearchReply | undefined;
  for (;;) {
    const step = reply === undefined ? search.next() : search.next(reply);
    if (step.done) return step.value;
    const request = step.value;
    if (request.kind === 'acquisition') {
      if (request.pending) target.addPending(request.pending);
      acquisition = target.current();
      reply = { d: acquisition.d, values: new Float64Array(0), gradients: null };
      continue;
    }
    const acq = acquisition!;
    const d = acq.d;
    const values = new Float64Array(request.rows);
    const gradients = request.gradients ? new Float64Array(request.rows * d) : null;
    for (let i = 0; i < request.rows; i++) {
      const x = request.X.subarray(i * d, (i + 1) * d);
      values[i] = gradients
        ? acq.valueAndGradient(x, 1, gradients.subarray(i * d, (i + 1) * d))
        : acq.evaluate(x, 1);
    }
    reply = { d, values, gradients };
  }
}

/** Runs a search with a batched acquisition (many points per call, asynchronous: GPU backends). */
async function driveAsync<T>(search: Search<T>, target: BatchSequentialAcquisition): Promise<T> {
  let acquisition: BatchAcquisition | null = null;
  let reply: SearchReply | undefined;
  for (;;) {
    const step = reply === undefined ? search.next() : search.next(reply);
    if (step.done) return step.value;
    const request = step.value;
    if (request.kind === 'acquisition') {
      if (request.pending) await target.addPending(request.pending);
      acquisition = await target.current();
      reply = { d: acquisition.d, values: new Float64Array(0), gradients: null };
      continue;
    }
    const acq = acquisition!;
    const d = acq.d;
    if (request.gradients) {
      const gradients = new Float64Array(request.rows * d);
      const values = await acq.valueAndGradient(request.X, request.rows, 1, gradients);
      reply = { d, values, gradients };
    } else {
      reply = { d, values: await acq.evaluate(request.X, request.rows, 1), gradients: null };
    }
  }
}

/** The acquisition of the current pick, as a search that asks for one. */
function* nextAcquisition(pending: Float64Array | null): Search<number> {
  return (yield { kind: 'acquisition', pending }).d;
}

/**
 * One pick: raw samples (evaluated `rawChunk` at a time, checking the time budget between chunks),
 * Boltzmann restarts, all restarts advanced together by L-BFGS-B (one request per iteration with
 * every active restart), projection and rounding, and the fall-backs, on the acquisition the
 * driver holds.
 */
function* searchOne(
  fn: string,
  r: Resolved,
  domain: Domain,
  exclusions: Exclusions,
  seed: number,
  rawChunk: number,
  deadline: number = r.deadline,
): Search<AcquisitionOptimum> {
  const d = domain.d;
  // Under a time budget the raw samples get at most RAW_SHARE of this pick's time, so that the
  // restarts are refined by L-BFGS-B rather than the budget spent on picking them.
  const start = performance.now();
  const rawDeadline = start + RAW_SHARE * (deadline - start);
  let evaluations = 0;
  const evaluate = function* (X: Float64Array, rows: number): Search<Float64Array> {
    evaluations += rows;
    return (yield { kind: 'evaluate', X, rows, gradients: false }).values;
  };
  const sobol =
    r.rawSamples > 0
      ? rawSamples(fn, domain, r.rawSamples, deriveSeed(seed, 'raw-samples'))
      : { X: new Float64Array(0), rows: 0 };
  let drawn: { X: Float64Array; rows: number; moved: Uint8Array | null } =
    r.aroundBest === null
      ? { ...sobol, moved: null }
      : appendAroundBest(fn, domain, sobol.X, sobol.rows, r.aroundBest, deriveSeed(seed, 'around-best'));
  // Every sample around the good points fell outside the polytope and there are no Sobol ones.
  if (drawn.rows === 0)
    drawn = { ...rawSamples(fn, domain, r.restarts, deriveSeed(seed, 'raw-samples')), moved: null };
  const { X: raw, rows, moved } = drawn;
  const rawValues = new Float64Array(rows).fill(Number.NEGATIVE_INFINITY);
  let timedOut = false;
  let evaluated = 0;
  while (evaluated < rows) {
    // Always evaluate enough raw samples to have something to return.
    if (evaluated >= r.restarts && performance.now() > rawDeadline) {
      timedOut = true;
      break;
    }
    const count = Math.min(rawChunk, rows - evaluated);
    const values = yield* evaluate(raw.subarray(evaluated * d, (evaluated + count) * d), count);
    rawValues.set(values, evaluated);
    evaluated += count;
  }
  let bestRawValue = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < evaluated; i++) bestRawValue = Math.max(bestRawValue, rawValues[i]!);

  // Restarts: chosen among the evaluated raw samples.
  const rng = createRng(deriveSeed(seed, 'restarts'));
  const starts = boltzmannRestarts(
    rawValues.subarray(0, evaluated),
    Math.min(r.restarts, evaluated),
    r.eta,
    rng,
  );
  const results: { x: Float64Array; value: number; start: Float64Array }[] = [];
  let iterations = 0;
  if (performance.now() <= deadline) {
    const solvers = starts.map((s) => {
      const x0 = raw.subarray(s * d, (s + 1) * d);
      const lower = new Float64Array(d);
      const upper = new Float64Array(d).fill(1);
      for (let j = 0; j < d; j++) {
        // A start drawn around a good point moves only the coordinates its draw moved.
        const radius = moved === null || moved[s * d + j] === 1 ? r.localRadius : 0;
        if (radius === Number.POSITIVE_INFINITY) continue;
        lower[j] = Math.max(0, x0[j]! - radius);
        upper[j] = Math.min(1, x0[j]! + radius);
      }
      return new LbfgsbSolver(x0, { lower, upper, maxIterations: r.maxIterations });
    });
    const told = new Uint8Array(solvers.length);
    const X = new Float64Array(solvers.length * d);
    const active: number[] = [];
    while (solvers.some((s) => !s.done)) {
      if (performance.now() > deadline) {
        timedOut = true;
        break;
      }
      active.length = 0;
      for (let k = 0; k < solvers.length; k++) {
        if (solvers[k]!.done) continue;
        X.set(solvers[k]!.x, active.length * d);
        active.push(k);
      }
      evaluations += active.length;
      const reply = yield {
        kind: 'evaluate',
        X: X.subarray(0, active.length * d),
        rows: active.length,
        gradients: true,
      };
      active.forEach((k, a) => {
        const gradient = reply.gradients!.subarray(a * d, (a + 1) * d);
        for (let j = 0; j < d; j++) gradient[j] = -gradient[j]!;
        solvers[k]!.tell(-reply.values[a]!, gradient);
        told[k] = 1;
      });
    }
    for (let k = 0; k < solvers.length; k++) {
      if (!told[k]) continue;
      const res = solvers[k]!.result();
      iterations += res.iterations;
      const s = starts[k]!;
      results.push({ x: res.x, value: -res.f, start: raw.slice(s * d, (s + 1) * d) });
    }
  }

  // Project onto the polytope and round; re-evaluate what moved.
  const candidates: { x: Float64Array; value: number; source: 'restart' | 'raw' }[] = [];
  for (const res of results) {
    const x = res.x;
    for (let j = 0; j < d; j++) x[j] = Math.min(1, Math.max(0, x[j]!));
    const before = x.slice();
    domain.project(x, res.start);
    domain.round(x);
    let value = res.value;
    if (!sameVector(before, x) || !Number.isFinite(value)) value = (yield* evaluate(x, 1))[0]!;
    candidates.push({ x, value, source: 'restart' });
  }
  candidates.sort((a, b) => compareValues(b.value, a.value));
  for (const c of candidates) {
    if (domain.feasible(c.x) && !exclusions.has(c.x)) {
      return { x: c.x, value: c.value, bestRawValue, iterations, evaluations, timedOut, source: c.source };
    }
  }
  // Fall back on the raw samples, best first (rounded: re-evaluated when rounding moved them).
  const order = Array.from({ length: evaluated }, (_, i) => i).sort((a, b) =>
    compareValues(rawValues[b]!, rawValues[a]!),
  );
  for (const i of order) {
    const x = raw.slice(i * d, (i + 1) * d);
    const before = x.slice();
    domain.round(x);
    if (!domain.feasible(x) || exclusions.has(x)) continue;
    let value = rawValues[i]!;
    if (!sameVector(before, x)) value = (yield* evaluate(x, 1))[0]!;
    return { x, value, bestRawValue, iterations, evaluations, timedOut, source: 'raw' };
  }
  // Last resort: perturb the best point found, more and more.
  const base = candidates[0]?.x ?? raw.slice(0, d);
  const noise = createRng(deriveSeed(seed, 'perturb'));
  for (let attempt = 0; attempt < 200; attempt++) {
    const scale = 1e-4 * 10 ** Math.floor(attempt / 40);
    const x = base.slice();
    for (let j = 0; j < d; j++) x[j] = Math.min(1, Math.max(0, x[j]! + scale * noise.normal()));
    domain.project(x, base);
    domain.round(x);
    if (!domain.feasible(x) || exclusions.has(x)) continue;
    const value = (yield* evaluate(x, 1))[0]!;
    return { x, value, bestRawValue, iterations, evaluations, timedOut, source: 'perturbed' };
  }
  throw new Error(
    `${fn}: found no feasible point that differs from the ${evaluated} raw samples' excluded neighbours ` +
      '(observed, failed, pending, earlier picks): the domain seems exhausted',
  );
}

function sameVector(a: Float64Array, b: Float64Array): boolean {
  for (let j = 0; j < a.length; j++) if (a[j] !== b[j]) return false;
  return true;
}

/** Descending sort helper that puts NaN last. */
function compareValues(a: number, b: number): number {
  if (Number.isNaN(a)) return Number.isNaN(b) ? 0 : -1;
  if (Number.isNaN(b)) return 1;
  return a - b;
}

/**
 * Sequential greedy q-batch (BoTorch's `optimize_acqf(sequential=True)`): pick i maximizes
 * `target.current()` over one point, then becomes pending through `target.addPending`. Each pick
 * has its own seed (derived from `options.seed` and i); the time budget is shared by all picks.
 */
export function optimizeSequentialGreedy(
  target: SequentialAcquisition,
  count: number,
  options: AcquisitionOptimizerOptions = {},
): AcquisitionBatch {
  return driveSync(greedy('optimizeSequentialGreedy', count, options, 1), target);
}

/** A batched, asynchronous acquisition function (`TensorAcquisition` from src/tensor satisfies it). */
export interface BatchAcquisition {
  readonly d: number;
  /** Values at b batches of q points (`b x q x d`). */
  evaluate(X: Float64Array, b: number, q: number): Promise<Float64Array>;
  /** Values, and gradients written to `gradX` (`b x q x d`). */
  valueAndGradient(X: Float64Array, b: number, q: number, gradX: Float64Array): Promise<Float64Array>;
}

/** `SequentialAcquisition` for batched acquisitions. */
export interface BatchSequentialAcquisition {
  current(): BatchAcquisition | Promise<BatchAcquisition>;
  addPending(x: Float64Array): void | Promise<void>;
}

/** The share of a pick's time budget that raw samples may take (the rest refines the restarts). */
const RAW_SHARE = 0.4;

/** Raw samples per batched call when a time budget must be checked between calls. */
const BUDGETED_RAW_CHUNK = 64;

/**
 * `optimizeSequentialGreedy` with a batched acquisition: the same search, with every raw sample
 * in one call and every active restart of an L-BFGS-B iteration in one call.
 */
export function optimizeSequentialGreedyBatched(
  target: BatchSequentialAcquisition,
  count: number,
  options: AcquisitionOptimizerOptions = {},
): Promise<AcquisitionBatch> {
  const budgeted = options.timeBudgetMs !== undefined && Number.isFinite(options.timeBudgetMs);
  const rawChunk = budgeted ? BUDGETED_RAW_CHUNK : Number.MAX_SAFE_INTEGER;
  return driveAsync(greedy('optimizeSequentialGreedyBatched', count, options, rawChunk), target);
}

function* greedy(
  fn: string,
  count: number,
  options: AcquisitionOptimizerOptions,
  rawChunk: number,
): Search<AcquisitionBatch> {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`${fn}: count is ${count}, expected an integer >= 0`);
  }
  const r = resolve(fn, options, performance.now());
  let domain: Domain | null = null;
  let exclusions: Exclusions | null = null;
  const picks: AcquisitionOptimum[] = [];
  let data = new Float64Array(0);
  let d = 0;
  for (let i = 0; i < count; i++) {
    // The acquisition of pick i, with pick i - 1 made a pending point.
    const dimension = yield* nextAcquisition(i > 0 ? data.slice((i - 1) * d, i * d) : null);
    if (domain === null || exclusions === null) {
      d = dimension;
      domain = new Domain(fn, d, options.domain);
      exclusions = new Exclusions(d, r.tolerance, options.exclude ?? []);
      data = new Float64Array(count * d);
    }
    // The budget left is shared evenly by the picks left (Infinity without a budget).
    const now = performance.now();
    const deadline = now + (r.deadline - now) / (count - i);
    const pick = yield* searchOne(
      fn,
      r,
      domain,
      exclusions,
      deriveSeed(r.seed, 'pick', i),
      rawChunk,
      deadline,
    );
    picks.push(pick);
    data.set(pick.x, i * d);
    exclusions.add(pick.x);
  }
  return {
    candidates: { rows: count, cols: d, data },
    values: picks.map((p) => p.value),
    picks,
    timedOut: picks.some((p) => p.timedOut),
  };
}
