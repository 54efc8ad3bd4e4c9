/**
 * MORBO (Daulton, Eriksson, Balandat, Bakshy, "Multi-objective Bayesian optimization over
 * high-dimensional search spaces", UAI 2022): several trust regions, each with local GPs on the
 * observed points nearest its centre (at most `maxLocalPoints`), and batches chosen by Thompson
 * sampling: for each pick, one joint posterior sample (pathwise, `gp/pathwise.ts`) over a few
 * thousand candidates per region, made by perturbing a random subset of the centre's
 * coordinates inside the region's box, and the candidate whose sampled outcomes add the most
 * hypervolume to the current front (with the pending points' and earlier picks' sampled outcomes)
 * wins. Outcome constraints as SCBO (Eriksson & Poloczek 2021): sampled-feasible candidates first,
 * the least total sampled violation when none is. The region bookkeeping is in
 * `trust-regions.ts`; its state, the last hyperparameters and the proposals in flight are
 * journaled, and everything random flows from `input.seed`, so a resumed experiment asks the same.
 */
import { fitGps } from '../gp/fit.js';
import type { GpHyperparameters, GpModel } from '../gp/model.js';
import { PathwiseSampler, type SparsePoints } from '../gp/pathwise.js';
import { type Matrix, zeros } from '../linalg/matrix.js';
import { minNormWeights } from '../optim/min-norm.js';
import { paretoFilter } from '../pareto/dominance.js';
import { HypervolumeImprovement, hypervolume, hypervolumeContributions } from '../pareto/hypervolume.js';
import { createRng, deriveSeed } from '../random/rng.js';
import {
  checkGenerationInput,
  type EncodedSpace,
  type GenerationInput,
  type GenerationResult,
  type Generator,
  requireReferencePoint,
} from './generator.js';
import { SobolGenerator } from './sobol.js';
import {
  chooseCentres,
  freshRegion,
  recordOutcome,
  type TrustRegionEvent,
  type TrustRegionSettings,
  type TrustRegionState,
} from './trust-regions.js';

/** Options of `MorboGenerator`; every field is optional. Defaults in `MORBO_DEFAULTS`. */
export interface MorboGeneratorOptions {
  /** Number of trust regions (default 5, as MORBO). */
  readonly regions?: number;
  /** Initial side length in the unit cube (default 0.8). */
  readonly lengthInit?: number;
  /** A region restarts when its length falls below this (default 0.01). */
  readonly lengthMin?: number;
  /** Longest side length (default 1.6). */
  readonly lengthMax?: number;
  /** Successes in a row that double a region's length (default 10000: never, as MORBO's code). */
  readonly successTolerance?: number;
  /** Failed evaluations in a row that halve it (default max(10, floor(d / 3)), as MORBO's code). */
  readonly failureTolerance?: number;
  /**
   * A region's new points are a success when they raise the hypervolume by more than this fraction
   * (default 1e-3), or, while no point is inside the reference box, lower the least distance to it
   * by as much. The region's length sets the scale of its candidates: the box, the descent steps'
   * lengths and their noise. With 1e-3 a region's ten or so points of a batch of 50 are a success
   * almost every batch while the front grows, and on DTLZ2 m = 5, d = 100 the regions kept their
   * initial length through 1200 evaluations (seed 1), while the front's distance term g stalled (the
   * centres' g at 0.15-0.2 from 700 evaluations on, seed 1): near the front the local GPs'
   * posterior-mean gradients point only roughly along the true one (cosine 0.1-0.2 over the 96
   * distance coordinates from 1000 evaluations on, against 0.4-0.6 while approaching the box), so
   * only short steps improve. With 1e-2 the regions shrank from about 1000 evaluations on, to
   * 0.025-0.1 by 2000, and DTLZ2 gained, but DTLZ7 and the rover lost. Hypervolume at 2000
   * evaluations, 1e-2 against 1e-3: DTLZ2 m = 5, seeds 1-6, 0.85/0.71/0.76/0.83/0.77/0.76
   * (0.80/0.79/0.76/0.83/0.70/0.66); m = 2 log10 difference -1.46/-1.39/-1.42 (-1.30/-1.26/-1.34);
   * DTLZ7 m = 4 3.47/3.38/3.39 (3.49/3.59/3.47); the rover 118/108/69 (113/110/84).
   */
  readonly improvementThreshold?: number;
  /** Fewest points a local GP sees: the nearest ones when the region holds fewer (default 200). */
  readonly minLocalPoints?: number;
  /**
   * Most points a local GP sees: the nearest ones to the centre (default 400; MORBO: 2000, too slow
   * for our O(n³) fits). More points give the local GPs better models near the front, where DTLZ2's
   * late progress stalls (see `improvementThreshold`). At 2000 evaluations, 400 against 300
   * (`bench/highdim.ts`): DTLZ2 m = 5, d = 100, seeds 1-8, hypervolume
   * 0.87/0.77/0.91/0.82/0.73/0.84/0.86/0.86 (0.80/0.79/0.76/0.83/0.70/0.66/0.79/0.70), mean 0.83
   * (0.75); m = 2 log10 difference -1.54/-1.57/-1.52 (-1.30/-1.26/-1.34); DTLZ7 m = 4, seeds 1-4,
   * 3.64/3.67/3.46/3.58 (3.49/3.59/3.47/3.54); the rover, seeds 1-5, 108/102/83/120/98
   * (113/110/84/116/117), mean 102 (108): the DTLZ problems gain, the rover loses a little (why
   * is not measured). 300 was the cap while an ask at n = 2000 cost about 13 s of CPU with it;
   * after the SIMD kernels (src/linalg/simd-kernels.ts) 400 costs about 12 s. Earlier, 300 against 250: DTLZ2 m = 5 mean 0.748 against 0.701 (five
   * seeds), m = 2 log10 difference -1.27 against -1.12.
   */
  readonly maxLocalPoints?: number;
  /** Thompson-sampling candidates per region (default 2000; MORBO: 4096). */
  readonly candidates?: number;
  /**
   * Expected number of coordinates a random candidate changes: probability min(1, this / d)
   * (default 20); once a point is inside the reference box, half the candidates draw their own
   * probability, log-uniform in [1 / d, min(1, this / d)] (see `candidatesAround`).
   */
  readonly perturbedCoordinates?: number;
  /** Random Fourier features of the pathwise samples (default 512). */
  readonly features?: number;
  /** Fraction of the worst outcomes of each objective clipped before a local fit (default 0.05). */
  readonly winsorize?: number;
  /**
   * L-BFGS-B iterations of a warm-started local fit (default 6); a cold fit converges on a
   * 100-point subset first, then runs as many on all points.
   */
  readonly fitIterations?: number;
  /** Asks for which the centre of a restarted region may not be a centre again (default 100). */
  readonly tabuTenure?: number;
  /** GP prior: 'dimension-scaled' (default, RBF) or 'gamma' (Matérn-5/2), as `fitGp`. */
  readonly prior?: 'dimension-scaled' | 'gamma';
  /**
   * Bounds of the local GPs' lengthscales as multiples of the region's length (default
   * [0.05, 4], MORBO's code's bounds in units of its region). Unbounded, the dimension-scaled prior
   * fits lengthscales of about 10 at d = 100, a nearly linear model over a region of side 0.8;
   * bounded, DTLZ2 (m = 2, d = 100) reached a batch mean g of 2.2 instead of 2.6-3.0 by 800
   * evaluations (2x the length: 2.7).
   */
  readonly lengthscaleRange?: [number, number];
  /**
   * Candidates per region made along descent directions of the local GPs' posterior means
   * (default 500; see `candidatesAround`), besides the `candidates` random perturbations. At d = 100
   * a perturbation of 20 random coordinates improves on its base by a best-of-thousands draw only,
   * about 12% of DTLZ2's distance term per batch even when the model is exact; a step against the
   * model's gradient takes all coordinates the right way at once. 0: MORBO's random candidates only
   * (and no one-column candidates).
   */
  readonly descentCandidates?: number;
  /**
   * Regions (the last ones) whose centres, once a feasible point is inside the reference box, are
   * chosen by a random hypervolume scalarization instead of hypervolume contribution, from the
   * whole front each ask, and whose picks (pick t is region t mod `regions`'s) take the candidate
   * that attains the most of it in their sample while one improves on the front (default 2, at
   * most `regions`; MORBO: 0). See `generate`.
   */
  readonly scalarizedRegions?: number;
}

/** The defaults that do not depend on the dimension. */
export const MORBO_DEFAULTS = {
  regions: 5,
  lengthInit: 0.8,
  lengthMin: 0.01,
  lengthMax: 1.6,
  successTolerance: 10_000,
  improvementThreshold: 1e-3,
  minLocalPoints: 200,
  maxLocalPoints: 400,
  candidates: 2000,
  perturbedCoordinates: 20,
  features: 512,
  winsorize: 0.05,
  lengthscaleRange: [0.05, 4] as readonly [number, number],
  fitIterations: 6,
  tabuTenure: 100,
  descentCandidates: 500,
  scalarizedRegions: 2,
} as const;

/**
 * Descent steps have log-uniform lengths over this ratio (longest / shortest). 64 against 256:
 * DTLZ2 (m = 5, d = 100, seed 1) had hypervolume 0.11 against 0.01 at 750 evaluations.
 */
const STEP_RANGE = 64;
/**
 * While no point is inside the reference box, descent steps are shorter: s is log-uniform in
 * [APPROACH_STEP_MAX / APPROACH_STEP_RANGE, APPROACH_STEP_MAX] (see `candidatesAround`). The local
 * GPs then know only points far from the box, their gradients are rough (on DTLZ2 the descent
 * direction's error grows with the step), and Thompson samples of nearly linear means favour the
 * longest steps: the first batch of DTLZ2 m = 5, d = 100 had a mean distance g of 11.7 to 12.9
 * against 8.0 for the Sobol points before it (with these: 7.9 to 9.0). With these (and the centres
 * of `generate`), a point was inside the box by 450 or 500 evaluations on eight seeds out of eight,
 * against 500 or 550 (seeds 1-5) before. At 2000 evaluations (seeds 1-3,
 * against before): DTLZ2 m = 5 0.79/0.68/0.69 (0.75/0.75/0.78; seeds 4, 5: 0.74/0.67 against
 * 0.63/0.82), m = 2 log10 difference -1.28/-1.36/-1.25 (-1.35/-1.31/-1.14), DTLZ7 m = 4
 * 3.47/3.58/3.30 (3.52/3.67/3.76), rover 106/103/72 (82/65/71). On a 40-parameter linear trend of
 * 60 points (the test's) the long steps did better: four batches of 10 came closer to the box on
 * two seeds of three.
 */
const APPROACH_STEP_MAX = 0.35;
const APPROACH_STEP_RANGE = 16;
/**
 * The share of descent steps that take the shared direction (see `candidatesAround`) instead of a
 * random scalarization's. DTLZ2 m = 5, d = 100, seed 1 (before the toward-box weights): all of
 * them spread the front too little (hypervolume 0.21 at 1000 evaluations against 0.45 with half).
 * Not settled: on the rover (problems/rover.ts, 2000 evaluations) half costs hypervolume, 69 and 59
 * on seeds 1 and 2 against 99 and 69 with none, and 80 on seed 1 with the toward-box weights only
 * (no MGDA); on DTLZ2 m = 5, seed 1, MGDA's half gave 0.72 against 0.64 with none.
 */
const SHARED_SHARE = 0.5;
/** Below this norm the unit gradients' min-norm point is no direction (a Pareto-stationary base). */
const SHARED_MIN_NORM = 0.05;

/**
 * How many front points, those that covered the most of recent candidates' boxes, the selection's
 * tighter bound tries before scanning the whole front (see `selectOne`).
 */
const COVER_HINTS = 8;

/**
 * Once a point is inside the reference box, each region also offers, per column, this many
 * candidates that change that one column of its centre (uniformly in the box): see
 * `candidatesAround`.
 */
const COORDINATE_CANDIDATES = 2;

/** Points of the subset a cold local fit converges on before its capped run on all points. */
const COLD_SUBSET = 100;

interface Resolved extends TrustRegionSettings {
  readonly regions: number;
  readonly improvementThreshold: number;
  readonly minLocalPoints: number;
  readonly maxLocalPoints: number;
  readonly candidates: number;
  readonly perturbedCoordinates: number;
  readonly features: number;
  readonly winsorize: number;
  readonly lengthscaleRange: readonly [number, number];
  readonly fitIterations: number;
  readonly tabuTenure: number;
  readonly prior: 'dimension-scaled' | 'gamma';
  readonly descentCandidates: number;
  readonly scalarizedRegions: number;
}

const KNOWN = [
  'regions',
  'lengthInit',
  'lengthMin',
  'lengthMax',
  'successTolerance',
  'failureTolerance',
  'improvementThreshold',
  'minLocalPoints',
  'maxLocalPoints',
  'candidates',
  'perturbedCoordinates',
  'features',
  'winsorize',
  'fitIterations',
  'tabuTenure',
  'prior',
  'lengthscaleRange',
  'descentCandidates',
  'scalarizedRegions',
] as const;

function checkOptions(options: MorboGeneratorOptions): MorboGeneratorOptions {
  const fn = 'MorboGenerator';
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`${fn}: options must be an object, got ${String(options)}`);
  }
  for (const key of Object.keys(options)) {
    if (!(KNOWN as readonly string[]).includes(key)) {
      throw new TypeError(`${fn}: unknown option "${key}", expected one of ${KNOWN.join(', ')}`);
    }
  }
  const int = (key: keyof MorboGeneratorOptions, min: number) => {
    const v = options[key];
    if (v !== undefined && (!Number.isInteger(v) || (v as number) < min)) {
      throw new RangeError(`${fn}: ${key} is ${String(v)}, expected an integer >= ${min}`);
    }
  };
  int('regions', 1);
  int('successTolerance', 1);
  int('failureTolerance', 1);
  int('minLocalPoints', 1);
  int('maxLocalPoints', 2);
  int('candidates', 1);
  int('features', 1);
  int('fitIterations', 0);
  int('descentCandidates', 0);
  int('scalarizedRegions', 0);
  int('tabuTenure', 0);
  const positive = (key: keyof MorboGeneratorOptions) => {
    const v = options[key];
    if (v !== undefined && !(typeof v === 'number' && v > 0 && Number.isFinite(v))) {
      throw new RangeError(`${fn}: ${key} is ${String(v)}, expected a finite number > 0`);
    }
  };
  positive('lengthInit');
  positive('lengthMin');
  positive('lengthMax');
  positive('perturbedCoordinates');
  const lengthMin = options.lengthMin ?? MORBO_DEFAULTS.lengthMin;
  const lengthInit = options.lengthInit ?? MORBO_DEFAULTS.lengthInit;
  const lengthMax = options.lengthMax ?? MORBO_DEFAULTS.lengthMax;
  if (!(lengthMin <= lengthInit && lengthInit <= lengthMax)) {
    throw new RangeError(
      `${fn}: lengths must satisfy lengthMin <= lengthInit <= lengthMax, got ${lengthMin}, ${lengthInit}, ${lengthMax}`,
    );
  }
  const t = options.improvementThreshold;
  if (t !== undefined && !(typeof t === 'number' && t >= 0 && Number.isFinite(t))) {
    throw new RangeError(`${fn}: improvementThreshold is ${String(t)}, expected a finite number >= 0`);
  }
  const w = options.winsorize;
  if (w !== undefined && !(typeof w === 'number' && w >= 0 && w < 0.5)) {
    throw new RangeError(`${fn}: winsorize is ${String(w)}, expected a fraction 0 <= winsorize < 0.5`);
  }
  if (options.prior !== undefined && options.prior !== 'dimension-scaled' && options.prior !== 'gamma') {
    throw new RangeError(
      `${fn}: prior is ${JSON.stringify(options.prior)}, expected 'dimension-scaled' or 'gamma'`,
    );
  }
  const lr = options.lengthscaleRange;
  if (
    lr !== undefined &&
    !(
      Array.isArray(lr) &&
      lr.length === 2 &&
      typeof lr[0] === 'number' &&
      typeof lr[1] === 'number' &&
      lr[0] > 0 &&
      lr[1] > lr[0] &&
      Number.isFinite(lr[1])
    )
  ) {
    throw new RangeError(
      `${fn}: lengthscaleRange is ${JSON.stringify(lr)}, expected [lower, upper] with 0 < lower < upper (multiples of a region's length)`,
    );
  }
  const min = options.minLocalPoints ?? MORBO_DEFAULTS.minLocalPoints;
  const max = options.maxLocalPoints ?? MORBO_DEFAULTS.maxLocalPoints;
  if (min > max) {
    throw new RangeError(`${fn}: minLocalPoints (${min}) is larger than maxLocalPoints (${max})`);
  }
  return options;
}

function resolve(options: MorboGeneratorOptions, d: number): Resolved {
  const D = MORBO_DEFAULTS;
  return {
    regions: options.regions ?? D.regions,
    lengthInit: options.lengthInit ?? D.lengthInit,
    lengthMin: options.lengthMin ?? D.lengthMin,
    lengthMax: options.lengthMax ?? D.lengthMax,
    successTolerance: options.successTolerance ?? D.successTolerance,
    failureTolerance: options.failureTolerance ?? Math.max(10, Math.floor(d / 3)),
    improvementThreshold: options.improvementThreshold ?? D.improvementThreshold,
    minLocalPoints: options.minLocalPoints ?? D.minLocalPoints,
    maxLocalPoints: options.maxLocalPoints ?? D.maxLocalPoints,
    candidates: options.candidates ?? D.candidates,
    perturbedCoordinates: options.perturbedCoordinates ?? D.perturbedCoordinates,
    features: options.features ?? D.features,
    winsorize: options.winsorize ?? D.winsorize,
    lengthscaleRange: options.lengthscaleRange ?? D.lengthscaleRange,
    fitIterations: options.fitIterations ?? D.fitIterations,
    tabuTenure: options.tabuTenure ?? D.tabuTenure,
    prior: options.prior ?? 'dimension-scaled',
    descentCandidates: options.descentCandidates ?? D.descentCandidates,
    scalarizedRegions: Math.min(
      options.scalarizedRegions ?? D.scalarizedRegions,
      options.regions ?? D.regions,
    ),
  };
}

/** One region as journaled: the state machine's fields plus its last hyperparameters. */
export interface MorboRegionState extends TrustRegionState {
  readonly objectives: GpHyperparameters[] | null;
  readonly constraints: GpHyperparameters[] | null;
}

/** Journaled state of `MorboGenerator`. */
export interface MorboGeneratorState {
  readonly version: 1;
  /** Generations made so far (the tabu clock). */
  readonly asks: number;
  readonly regions: MorboRegionState[];
  /** Candidates proposed and not yet observed: [key of the point's bits, region]. */
  readonly proposals: [string, number][];
  /** Trial ids that may not be centres until the given ask: [id, until]. */
  readonly tabu: [number, number][];
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

/** Reads the journaled state; a state of another shape (version, dimension) starts afresh. */
function readState(state: unknown, settings: Resolved, d: number, m: number, c: number): MorboGeneratorState {
  const fresh: MorboGeneratorState = {
    version: 1,
    asks: 0,
    regions: Array.from({ length: settings.regions }, () => ({
      ...freshRegion(settings),
      objectives: null,
      constraints: null,
    })),
    proposals: [],
    tabu: [],
  };
  if (state === null || typeof state !== 'object') return fresh;
  const s = state as Partial<MorboGeneratorState>;
  if (s.version !== 1 || !Array.isArray(s.regions) || s.regions.length !== settings.regions) return fresh;
  const hypers = (v: unknown, k: number) =>
    Array.isArray(v) && v.length === k && v.every((h) => isHyperparameters(h, d))
      ? (v as GpHyperparameters[])
      : null;
  const regions: MorboRegionState[] = s.regions.map((r) => {
    const ok =
      r !== null &&
      typeof r === 'object' &&
      (r.centre === null || Number.isInteger(r.centre)) &&
      typeof r.length === 'number' &&
      r.length > 0 &&
      Number.isInteger(r.successes) &&
      Number.isInteger(r.failures) &&
      Number.isInteger(r.restarts);
    if (!ok) return { ...freshRegion(settings), objectives: null, constraints: null };
    return {
      centre: r.centre,
      length: r.length,
      successes: r.successes,
      failures: r.failures,
      restarts: r.restarts,
      objectives: hypers(r.objectives, m),
      constraints: hypers(r.constraints, c),
    };
  });
  const proposals = Array.isArray(s.proposals)
    ? s.proposals.filter(
        (p): p is [string, number] =>
          Array.isArray(p) &&
          typeof p[0] === 'string' &&
          Number.isInteger(p[1]) &&
          p[1] >= 0 &&
          p[1] < settings.regions,
      )
    : [];
  const tabu = Array.isArray(s.tabu)
    ? s.tabu.filter(
        (t): t is [number, number] => Array.isArray(t) && Number.isInteger(t[0]) && Number.isInteger(t[1]),
      )
    : [];
  return {
    version: 1,
    asks: Number.isInteger(s.asks) ? (s.asks as number) : 0,
    regions,
    proposals,
    tabu,
  };
}

const keyBits = new Float64Array(1);
const keyWords = new Uint32Array(keyBits.buffer);

/** A 64-bit key (16 hex digits) of the exact bits of row `i` of `data` (d columns); 0 and −0 alike. */
export function pointKey(data: Float64Array, i: number, d: number): string {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193 ^ d;
  for (let k = 0; k < d; k++) {
    const v = data[i * d + k]!;
    keyBits[0] = v === 0 ? 0 : v;
    h1 = Math.imul(h1 ^ keyWords[0]!, 0x01000193);
    h1 = Math.imul(h1 ^ keyWords[1]!, 0x01000193);
    h2 = Math.imul(h2 ^ keyWords[1]!, 0x5bd1e995);
    h2 = Math.imul(h2 ^ (h2 >>> 15) ^ keyWords[0]!, 0x5bd1e995);
  }
  return (h1 >>> 0).toString(16).padStart(8, '0') + (h2 >>> 0).toString(16).padStart(8, '0');
}

/** Total violation Σ max(0, C_ij) of row i. */
function violation(C: Matrix, i: number): number {
  let v = 0;
  for (let j = 0; j < C.cols; j++) v += Math.max(0, C.data[i * C.cols + j]!);
  return v;
}

/**
 * Hyperparameters to 7 significant digits: they are only warm starts, and each ask journals those
 * of every region (d lengthscales per GP), so this keeps the journal about 40% smaller.
 */
function compact(h: GpHyperparameters): GpHyperparameters {
  const round = (v: number) => Number(v.toPrecision(7));
  return {
    kernel: h.kernel,
    lengthscales: h.lengthscales.map(round),
    outputscale: round(h.outputscale),
    noise: h.noise === null ? null : round(h.noise),
    mean: round(h.mean),
  };
}

/**
 * How far row i of Y lies outside the reference box: max_j max(0, Y_ij − ref_j) / range_j, the
 * least uniform (scaled) shift that brings it in, as the additive epsilon indicator. A sum over
 * the objectives would favour the ends of a front (on DTLZ2's sphere the point with one objective
 * near 0 has the least sum of excesses), so the regions would chase its corners, where no point
 * can enter the box (measured on DTLZ2, d = 100: every proposal had x1 near 0 or 1); the maximum
 * favours points short of the box in every objective, whose way in is the shortest.
 */
function outsideness(Y: Matrix, i: number, ref: Float64Array, range: Float64Array): number {
  let out = 0;
  for (let j = 0; j < Y.cols; j++) out = Math.max(out, (Y.data[i * Y.cols + j]! - ref[j]!) / range[j]!);
  return out;
}

/** Rows of Y (indices given) strictly inside the reference box. */
function inBox(Y: Matrix, rows: readonly number[], ref: ArrayLike<number>): number[] {
  const m = Y.cols;
  return rows.filter((i) => {
    for (let j = 0; j < m; j++) if (!(Y.data[i * m + j]! < ref[j]!)) return false;
    return true;
  });
}

function gather(A: Matrix, rows: readonly number[]): Matrix {
  const c = A.cols;
  const data = new Float64Array(rows.length * c);
  for (let a = 0; a < rows.length; a++) data.set(A.data.subarray(rows[a]! * c, (rows[a]! + 1) * c), a * c);
  return { rows: rows.length, cols: c, data };
}

/** The hypervolume of the feasible rows `rows` of Y inside the box (0 when none). */
function volumeOf(Y: Matrix, rows: readonly number[], ref: ArrayLike<number>): number {
  const inside = inBox(Y, rows, ref);
  return inside.length === 0 ? 0 : hypervolume(gather(Y, inside), ref);
}

/** The non-dominated rows (indices into Y) among `rows`. */
function frontOf(Y: Matrix, rows: readonly number[]): number[] {
  if (rows.length === 0) return [];
  const keep = paretoFilter(gather(Y, rows));
  return Array.from(keep, (a) => rows[a]!);
}

/**
 * Clips the worst (largest) `fraction` of each column of Y (n x m) to the largest value kept, in
 * place: MORBO's winsorization, which keeps a few very bad outcomes from flattening the model.
 */
function winsorizeColumns(Y: Matrix, fraction: number): void {
  const n = Y.rows;
  const k = Math.floor(fraction * n);
  if (k < 1) return;
  const column = new Float64Array(n);
  for (let j = 0; j < Y.cols; j++) {
    for (let i = 0; i < n; i++) column[i] = Y.data[i * Y.cols + j]!;
    column.sort();
    const cap = column[n - 1 - k]!;
    for (let i = 0; i < n; i++) if (Y.data[i * Y.cols + j]! > cap) Y.data[i * Y.cols + j] = cap;
  }
}

/** The local GPs of one region. */
interface LocalModels {
  readonly rows: number[];
  readonly objectives: GpModel[];
  readonly constraints: GpModel[];
  readonly fitMs: number;
}

/**
 * The hypervolume scalarization of the outcome at `data[o .. o + m)`: min_j (ref_j − y_j) / range_j /
 * λ_j (Golovin & Zhang 2020), how far along the ray from the reference point in direction −λ (scaled
 * by `range`) the outcome's box reaches; negative outside the reference box.
 */
export function hvScalarization(
  data: ArrayLike<number>,
  o: number,
  ref: ArrayLike<number>,
  range: ArrayLike<number>,
  lambda: ArrayLike<number>,
): number {
  let s = Number.POSITIVE_INFINITY;
  for (let j = 0; j < lambda.length; j++) s = Math.min(s, (ref[j]! - data[o + j]!) / range[j]! / lambda[j]!);
  return s;
}

/**
 * A scalarized region's pick of sample t: among its candidates not used yet and sampled-feasible
 * (every constraint ≤ 0), the one whose sampled outcome has the largest {@link hvScalarization},
 * if that exceeds `level`; else -1. `values`: candidates x S sampled values of each of the m
 * objectives, then of each of the c constraints.
 */
export function scalarizedPick(
  values: readonly Float64Array[],
  used: Uint8Array,
  t: number,
  S: number,
  m: number,
  ref: ArrayLike<number>,
  range: ArrayLike<number>,
  lambda: ArrayLike<number>,
  level: number,
): number {
  const c = values.length - m;
  const y = new Float64Array(m);
  let best = -1;
  let bestValue = level;
  for (let a = 0; a < used.length; a++) {
    if (used[a]) continue;
    let feasible = true;
    for (let j = 0; j < c && feasible; j++) if (values[m + j]![a * S + t]! > 0) feasible = false;
    if (!feasible) continue;
    for (let j = 0; j < m; j++) y[j] = values[j]![a * S + t]!;
    const s = hvScalarization(y, 0, ref, range, lambda);
    if (s > bestValue) {
      bestValue = s;
      best = a;
    }
  }
  return best;
}

/**
 * A region's candidates as changes to observed points (its centre and the Pareto-optimal points
 * in its cube), grouped by that point: candidates groupStart[g] to groupStart[g + 1] − 1 change
 * row groupBase[g] of X.
 */
interface RegionCandidates {
  readonly sparse: SparsePoints;
  readonly groupBase: Int32Array;
  readonly groupStart: Int32Array;
  /** 0 for a random candidate, 1 for a descent step with random weights, 2 for one along the
   * shared direction, 3 for a change of one coordinate of the centre (`candidatesAround`). */
  readonly kinds: Uint8Array;
  /** candidates x S sampled values of each objective, then of each constraint. */
  readonly values: Float64Array[];
  /** Pending rows assigned to this region and their sampled values (p_r x S each). */
  readonly pendingRows: number[];
  readonly pendingValues: Float64Array[];
  readonly used: Uint8Array;
}

/**
 * The sampled outcomes in sample t (of S) of the pending points assigned to the regions, those
 * sampled feasible (every one of the c constraints ≤ 0): the front they join while in flight.
 */
function sampledPending(
  regions: readonly RegionCandidates[],
  t: number,
  S: number,
  m: number,
  c: number,
): number[][] {
  const out: number[][] = [];
  for (const region of regions) {
    for (let a = 0; a < region.pendingRows.length; a++) {
      let feasible = true;
      for (let j = 0; j < c && feasible; j++)
        if (region.pendingValues[m + j]![a * S + t]! > 0) feasible = false;
      if (feasible) out.push(Array.from({ length: m }, (_, j) => region.pendingValues[j]![a * S + t]!));
    }
  }
  return out;
}

/** One pick of the selection: region r's candidate `index`, by `rule`, with its sampled outcome. */
interface Pick {
  region: number;
  index: number;
  value: number;
  rule: string;
  feasible: boolean;
  outcome: number[];
}

/**
 * Multi-objective trust-region Bayesian optimization with Thompson-sampled batches (MORBO), for
 * many parameters and long campaigns: the cost of an ask is bounded by the local point cap, the
 * number of candidates and the size of the Pareto front, not by the history.
 */
export class MorboGenerator implements Generator {
  readonly name = 'morbo';
  readonly options: MorboGeneratorOptions;

  constructor(options: MorboGeneratorOptions = {}) {
    this.options = checkOptions({ ...options });
  }

  async generate(input: GenerationInput): Promise<GenerationResult> {
    const fn = 'MorboGenerator';
    const t0 = performance.now();
    checkGenerationInput(fn, input);
    const space = input.space;
    const d = space.dimension;
    const { X, Y } = input;
    const n = X.rows;
    const m = Y.cols;
    const C = input.C.rows === n ? input.C : zeros(n, 0);
    const c = C.cols;
    if (n > 0 && (X.cols !== d || Y.rows !== n)) {
      throw new RangeError(
        `${fn}: X is ${X.rows} x ${X.cols} and Y has ${Y.rows} rows, expected n x ${d} and n`,
      );
    }
    if (input.count === 0) {
      return { candidates: zeros(0, d), metadata: { generator: this.name }, state: input.state };
    }
    const settings = resolve(this.options, d);
    const previous = readState(input.state, settings, d, m, c);
    if (n < 2 || m < 1) {
      const fallback = await new SobolGenerator().generate({ ...input, state: undefined });
      return {
        candidates: fallback.candidates,
        metadata: {
          generator: this.name,
          fallback: n < 2 ? 'sobol: fewer than 2 completed trials' : 'sobol: no objectives',
          totalMs: performance.now() - t0,
        },
        state: input.state,
      };
    }
    const asks = previous.asks;

    const referencePoint = requireReferencePoint(fn, input, m);
    const allRows = Array.from({ length: n }, (_, i) => i);
    const feasible = c === 0 ? allRows : allRows.filter((i) => violation(C, i) === 0);
    const ref = Float64Array.from(referencePoint);

    // The scale of each objective: reference minus the best observed value.
    const ideal = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
    for (let i = 0; i < n; i++)
      for (let j = 0; j < m; j++) ideal[j] = Math.min(ideal[j]!, Y.data[i * m + j]!);
    const range = new Float64Array(m);
    for (let j = 0; j < m; j++) range[j] = ref[j]! - ideal[j]! > 0 ? ref[j]! - ideal[j]! : 1;

    // Match the observations to the proposals they came from.
    const tUpdate = performance.now();
    const rowOfId = new Map<number, number>();
    input.completedIds.forEach((id, i) => {
      rowOfId.set(id, i);
    });
    const proposals = new Map(previous.proposals);
    const fresh: number[][] = Array.from({ length: settings.regions }, () => []);
    const isFresh = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      const key = pointKey(X.data, i, d);
      const r = proposals.get(key);
      if (r !== undefined) {
        fresh[r]!.push(i);
        isFresh[i] = 1;
        proposals.delete(key);
      }
    }
    const pendingKeys = new Set<string>();
    for (let i = 0; i < input.pending.rows; i++) pendingKeys.add(pointKey(input.pending.data, i, d));
    for (const key of [...proposals.keys()]) if (!pendingKeys.has(key)) proposals.delete(key);

    // Update each region with its new observations: success when they raise the hypervolume (or,
    // while nothing is feasible, lower the least total violation).
    const regions: MorboRegionState[] = previous.regions.map((r) => ({ ...r }));
    const events: TrustRegionEvent[] = regions.map(() => 'none');
    const tabu = new Map(previous.tabu.filter(([, until]) => until > asks));
    const oldFeasible = feasible.filter((i) => !isFresh[i]);
    const oldFront = frontOf(Y, inBox(Y, oldFeasible, ref));
    const oldVolume = oldFront.length > 0 ? hypervolume(gather(Y, oldFront), ref) : 0;
    let oldViolation = Number.POSITIVE_INFINITY;
    if (oldFeasible.length === 0)
      for (let i = 0; i < n; i++) if (!isFresh[i]) oldViolation = Math.min(oldViolation, violation(C, i));
    for (let r = 0; r < settings.regions; r++) {
      const rows = fresh[r]!;
      if (rows.length === 0) continue;
      let improved: boolean;
      const newFeasible = c === 0 ? rows : rows.filter((i) => violation(C, i) === 0);
      if (oldFeasible.length === 0 && c > 0) {
        improved = newFeasible.length > 0 || rows.some((i) => violation(C, i) < oldViolation);
      } else if (oldVolume > 0) {
        const inside = inBox(Y, newFeasible, ref);
        const volume = inside.length > 0 ? volumeOf(Y, [...oldFront, ...inside], ref) : oldVolume;
        improved = volume > (1 + settings.improvementThreshold) * oldVolume;
      } else {
        // Nothing inside the reference box yet: success is getting closer to it (`outsideness`),
        // else a failure streak would shrink every region long before any point reaches the box.
        let before = Number.POSITIVE_INFINITY;
        for (const i of oldFeasible) before = Math.min(before, outsideness(Y, i, ref, range));
        let after = Number.POSITIVE_INFINITY;
        for (const i of newFeasible) after = Math.min(after, outsideness(Y, i, ref, range));
        improved = after < (1 - settings.improvementThreshold) * before;
      }
      const before = regions[r]!;
      const { region, event } = recordOutcome(before, improved, rows.length, settings);
      events[r] = event;
      if (event === 'restart' && before.centre !== null) tabu.set(before.centre, asks + settings.tabuTenure);
      regions[r] = { ...region, objectives: before.objectives, constraints: before.constraints };
    }

    // The feasible points inside the reference box. While there are none (and some are feasible),
    // MORBO approaches the box: centres by how far out they are, the descent steps shorter and
    // weighted toward the box; after, they are the selection's front.
    const insideRows = inBox(Y, feasible, ref);
    const approaching = feasible.length > 0 && insideRows.length === 0;
    // Centres: the Pareto-optimal feasible points by hypervolume contribution; outside the box, by
    // how far out they are; with nothing feasible, by least total violation.
    const front = frontOf(Y, insideRows);
    const centreRows = this.centreCandidates(Y, C, feasible, front, ref, range);
    // Inside the box, the last `scalarizedRegions` regions score the front points by a random
    // hypervolume scalarization (Golovin & Zhang 2020), s(y) = min_j (ref_j − y_j) / range_j / λ_j
    // with λ uniform on the positive unit sphere, drawn anew each ask: the point that attains the
    // most along the ray from the reference point in direction −λ. Hypervolume contributions favour
    // the points of the part of the front already found, and a front found in one part of the
    // objective space stays there; the rays reach every part, and where the front has a gap the
    // best point along them is the one at its edge. DTLZ2 m = 5, d = 100, hypervolume at 2000
    // evaluations: with MORBO's candidates, two scalarized regions gave 0.69 and 0.72 on seeds 2
    // and 5 against 0.68 and 0.67 with none, and five gave 0.72 and 0.63; with the log-uniform
    // perturbations of `candidatesAround` from the first ask, two gave 0.79 on seed 3 against 0.70.
    // Centres alone move little: with the regions' share of the picks chasing the same ray (the
    // selection below), from centres taken on the whole front, seeds 1, 2, 3 and 5 reached 0.80,
    // 0.79, 0.76 and 0.70 against 0.76, 0.75, 0.77 and 0.62 (the picks alone, centres kept in the
    // old box: 0.76, 0.76, 0.69, 0.65), and the rover (problems/rover.ts) 113, 110 and 84
    // against 88, 109 and 65.
    const centreWeights = regions.map((_, r) => {
      if (front.length === 0 || r < settings.regions - settings.scalarizedRegions) return null;
      const rng = createRng(deriveSeed(input.seed, 'morbo', 'scalarization', asks, r));
      const lambda = new Float64Array(m);
      let norm = 0;
      for (let j = 0; j < m; j++) {
        lambda[j] = Math.abs(rng.normal());
        norm += lambda[j]! ** 2;
      }
      for (let j = 0; j < m; j++) lambda[j] = lambda[j]! / Math.sqrt(norm);
      return lambda;
    });
    // MORBO keeps a centre inside the region's old box while one is there to keep. While no
    // feasible point is inside the reference box, the centres are simply the closest ones: a point
    // far out but Pareto-optimal among the outside ones (small in one objective) otherwise stays a
    // centre, none of the picks comes from its region, and so no failure ever moves it (DTLZ2
    // m = 5, d = 100, seed 3: one of the five regions sat on a Sobol point until the box was
    // reached, its fits and candidates wasted). Nor does a scalarized region keep one: its ray
    // changes every ask, and the best point along it may lie anywhere on the front.
    const previousCentres = regions.map((r, i) => {
      if (r.centre === null || approaching || centreWeights[i] !== null) return null;
      const row = rowOfId.get(r.centre);
      return row === undefined ? null : X.data.slice(row * d, (row + 1) * d);
    });
    const chosen = chooseCentres(
      regions,
      previousCentres,
      {
        ids: centreRows.rows.map((i) => input.completedIds[i]!),
        X: gather(X, centreRows.rows),
        scores: centreRows.scores,
        regionScores: centreWeights.map((lambda) =>
          lambda === null
            ? null
            : Float64Array.from(centreRows.rows, (i) => hvScalarization(Y.data, i * m, ref, range, lambda)),
        ),
      },
      new Set(tabu.keys()),
    );
    const centres = chosen.map((a) => centreRows.rows[a]!);
    centres.forEach((row, r) => {
      regions[r] = { ...regions[r]!, centre: input.completedIds[row]! };
    });
    const updateMs = performance.now() - tUpdate;

    // Local models.
    const tFit = performance.now();
    const cache = new Map<string, LocalModels>();
    const models: LocalModels[] = [];
    for (let r = 0; r < settings.regions; r++) {
      const rows = this.localRows(X, centres[r]!, regions[r]!.length, settings);
      const key = `${regions[r]!.length} ${rows.join(',')}`;
      let local = cache.get(key);
      if (local === undefined) {
        // A region without hyperparameters of its own (the first ask, a restart) starts from the
        // last region fitted in this ask: one cold fit per ask at most.
        const own = regions[r]!;
        const donor = models[models.length - 1];
        const start =
          own.objectives === null && donor !== undefined
            ? {
                objectives: donor.objectives.map((g) => g.hyperparameters),
                constraints: c > 0 ? donor.constraints.map((g) => g.hyperparameters) : null,
              }
            : { objectives: own.objectives, constraints: own.constraints };
        local = this.fitLocal(
          X,
          Y,
          C,
          rows,
          start,
          regions[r]!.length,
          settings,
          deriveSeed(input.seed, 'morbo', 'fit', r),
        );
        cache.set(key, local);
      }
      models.push(local);
      regions[r] = {
        ...regions[r]!,
        objectives: local.objectives.map((g) => compact(g.hyperparameters)),
        constraints: c > 0 ? local.constraints.map((g) => compact(g.hyperparameters)) : null,
      };
    }
    const fitMs = performance.now() - tFit;

    // Candidates and joint samples of every outcome over them, one sample per pick.
    const tSample = performance.now();
    const q = input.count;
    const pendingByRegion = this.assignPending(input.pending, X, centres, d);
    const regionCandidates: RegionCandidates[] = [];
    for (let r = 0; r < settings.regions; r++) {
      const centre = X.data.subarray(centres[r]! * d, (centres[r]! + 1) * d);
      const box = this.box(centre, regions[r]!.length, models[r]!.objectives, d);
      // As MORBO's code: candidates perturb the centre and the Pareto-optimal points within the
      // region's cube (|x − centre|∞ <= length / 2), so a region explores along its part of the front.
      const bases = [centres[r]!];
      if (feasible.length > 0) {
        const half = regions[r]!.length / 2;
        for (const row of centreRows.rows) {
          if (row === centres[r]) continue;
          let inside = true;
          for (let k = 0; k < d && inside; k++)
            if (Math.abs(X.data[row * d + k]! - centre[k]!) > half) inside = false;
          if (inside) bases.push(row);
        }
      }
      // The posterior means' gradients at the bases (bases x d per objective), for descent
      // candidates; then the same scaled by the squared lengthscales (see `candidatesAround`).
      const baseRows = settings.descentCandidates > 0 ? gather(X, bases) : null;
      const gradients =
        baseRows !== null
          ? models[r]!.objectives.map((gp) => {
              const plain = gp.posteriorMeanGradient(baseRows);
              const lengthscales = gp.internals.lengthscales;
              const both = new Float64Array(2 * plain.length);
              both.set(plain);
              for (let i = 0; i < plain.length; i++)
                both[plain.length + i] = plain[i]! * lengthscales[i % d]! ** 2;
              return both;
            })
          : [];
      // While no feasible point is inside the reference box: each base's objectives weighted by
      // their scaled excess over the reference point, for the steps that head into the box.
      let towardBox: Float64Array | null = null;
      if (settings.descentCandidates > 0 && approaching) {
        towardBox = new Float64Array(bases.length * m);
        bases.forEach((row, g) => {
          let total = 0;
          for (let j = 0; j < m; j++) {
            const e = Math.max(0, (Y.data[row * m + j]! - ref[j]!) / range[j]!);
            towardBox![g * m + j] = e;
            total += e;
          }
          for (let j = 0; j < m; j++)
            towardBox![g * m + j] = total > 0 ? towardBox![g * m + j]! / total : 1 / m;
        });
      }
      const { sparse, groupBase, groupStart, kinds } = this.candidatesAround(
        space,
        X,
        bases,
        box,
        regions[r]!.length,
        gradients,
        towardBox,
        approaching,
        settings,
        deriveSeed(input.seed, 'morbo', 'candidates', r),
      );
      const pendingRows = pendingByRegion[r]!;
      const pendingMatrix = gather(input.pending, pendingRows);
      const values: Float64Array[] = [];
      const pendingValues: Float64Array[] = [];
      const outcomes = [...models[r]!.objectives, ...models[r]!.constraints];
      const groupCentres = Array.from(groupBase, (row) => X.data.subarray(row * d, (row + 1) * d));
      outcomes.forEach((gp, j) => {
        const sampler = new PathwiseSampler(gp, {
          features: settings.features,
          seed: deriveSeed(input.seed, 'morbo', 'features', r, j),
        });
        const draws = sampler.draw(q, deriveSeed(input.seed, 'morbo', 'draws', r, j));
        const all = sampler.evaluateAroundEach(draws, groupCentres, groupStart, sparse);
        values.push(all);
        pendingValues.push(
          pendingRows.length > 0 ? sampler.evaluate(draws, pendingMatrix) : new Float64Array(0),
        );
      });
      regionCandidates.push({
        sparse,
        groupBase,
        groupStart,
        kinds,
        values,
        pendingRows,
        pendingValues,
        used: new Uint8Array(sparse.count),
      });
    }
    const sampleMs = performance.now() - tSample;

    // Selection: one pick per sample, by hypervolume improvement of the sampled outcomes.
    const tSelect = performance.now();
    const excluded = new Set<string>();
    for (const A of [X, input.failed, input.pending])
      for (let i = 0; i < A.rows; i++) excluded.add(pointKey(A.data, i, d));
    const frontValues = gather(Y, front);
    const out = new Float64Array(q * d);
    const picked: number[][] = []; // sampled outcomes of earlier picks (feasible ones)
    const picks: { region: number; value: number; rule: string; kind: number }[] = [];
    const x = new Float64Array(d);
    let produced = 0;
    for (let t = 0; produced < q && t < q; t++) {
      // Pick t belongs to region t mod regions; a scalarized region's pick chases its ray (see
      // `generate`'s centres): when none of its candidates raises the scalarization in sample t,
      // or for the other regions, the hypervolume improvement over every region's candidates.
      const lambda = centreWeights[t % settings.regions] ?? null;
      const choice =
        (lambda !== null
          ? this.selectScalarized(
              regionCandidates,
              t % settings.regions,
              lambda,
              t,
              q,
              m,
              ref,
              range,
              frontValues,
              picked,
            )
          : null) ?? this.selectOne(regionCandidates, t, q, m, c, ref, range, frontValues, picked);
      if (choice === null) break;
      const { region: r, index: a } = choice;
      const rc = regionCandidates[r]!;
      rc.used[a] = 1;
      let g = 0;
      while (rc.groupStart[g + 1]! <= a) g++;
      const base = rc.groupBase[g]!;
      x.set(X.data.subarray(base * d, (base + 1) * d));
      for (let p = rc.sparse.start[a]!; p < rc.sparse.start[a + 1]!; p++)
        x[rc.sparse.index[p]!] = rc.sparse.value[p]!;
      const key = pointKey(x, 0, d);
      if (excluded.has(key)) {
        t--; // the same sample again, without this candidate
        continue;
      }
      excluded.add(key);
      out.set(x, produced * d);
      produced++;
      proposals.set(key, r);
      picks.push({ region: r, value: choice.value, rule: choice.rule, kind: rc.kinds[a]! });
      if (choice.feasible) picked.push(choice.outcome);
    }
    const selectMs = performance.now() - tSelect;
    let candidates: Matrix = { rows: produced, cols: d, data: out.subarray(0, produced * d) };
    let fallback: string | undefined;
    if (produced < q) {
      // Every candidate repeated a known point (a tiny discrete space): fill up with Sobol points.
      const rest = await new SobolGenerator().generate({
        ...input,
        count: q - produced,
        pending: {
          rows: input.pending.rows + produced,
          cols: d,
          data: concat(input.pending.data, out.subarray(0, produced * d)),
        },
        state: undefined,
      });
      const data = new Float64Array(q * d);
      data.set(out.subarray(0, produced * d));
      data.set(rest.candidates.data, produced * d);
      candidates = { rows: q, cols: d, data };
      fallback = `sobol: ${q - produced} of ${q} candidates (the regions' candidates repeat known points)`;
    }

    const state: MorboGeneratorState = {
      version: 1,
      asks: asks + 1,
      regions,
      proposals: [...proposals.entries()],
      tabu: [...tabu.entries()],
    };
    return {
      candidates,
      metadata: {
        generator: this.name,
        backend: 'float64-typescript',
        referencePoint,
        regions: regions.map((r, i) => ({
          centre: r.centre,
          length: r.length,
          successes: r.successes,
          failures: r.failures,
          restarts: r.restarts,
          event: events[i],
          observed: fresh[i]!.length,
          localPoints: models[i]!.rows.length,
          candidates: regionCandidates[i]!.sparse.count,
          pending: regionCandidates[i]!.pendingRows.length,
          ...(centreWeights[i] !== null ? { centreWeights: Array.from(centreWeights[i]!) } : {}),
        })),
        pickRegions: picks.map((p) => p.region),
        pickRules: picks.map((p) => p.rule),
        pickValues: picks.map((p) => p.value),
        pickKinds: picks.map((p) => p.kind),
        descentPicks: picks.filter((p) => p.kind === 1 || p.kind === 2).length,
        sharedPicks: picks.filter((p) => p.kind === 2).length,
        coordinatePicks: picks.filter((p) => p.kind === 3).length,
        frontSize: front.length,
        localFits: cache.size,
        ...(fallback !== undefined ? { fallback } : {}),
        updateMs,
        fitMs,
        sampleMs,
        selectMs,
        totalMs: performance.now() - t0,
      },
      state,
    };
  }

  /**
   * Candidate centres (rows of Y) and their scores; see `generate`. `insideFront`: the
   * non-dominated feasible rows inside the reference box (the selection's front).
   */
  private centreCandidates(
    Y: Matrix,
    C: Matrix,
    feasible: readonly number[],
    insideFront: readonly number[],
    ref: Float64Array,
    range: Float64Array,
  ): { rows: number[]; scores: Float64Array } {
    if (feasible.length === 0) {
      const rows = Array.from({ length: Y.rows }, (_, i) => i);
      return { rows, scores: Float64Array.from(rows, (i) => -violation(C, i)) };
    }
    if (insideFront.length > 0) {
      const rows = [...insideFront];
      return { rows, scores: hypervolumeContributions(gather(Y, rows), ref) };
    }
    const rows = frontOf(Y, feasible);
    return { rows, scores: Float64Array.from(rows, (i) => -outsideness(Y, i, ref, range)) };
  }

  /**
   * The observed rows a region's GPs see: those within the box of side 2 · length around the
   * centre (as MORBO), at least the `minLocalPoints` and at most the `maxLocalPoints` nearest ones
   * (Euclidean, unit cube), the centre always among them. O(n d + n log n).
   */
  private localRows(X: Matrix, centre: number, length: number, settings: Resolved): number[] {
    const n = X.rows;
    const d = X.cols;
    const distance = new Float64Array(n);
    let insideCount = 0;
    for (let i = 0; i < n; i++) {
      let s = 0;
      let inside = true;
      for (let k = 0; k < d; k++) {
        const t = X.data[i * d + k]! - X.data[centre * d + k]!;
        s += t * t;
        if (Math.abs(t) > length) inside = false;
      }
      distance[i] = s;
      if (inside) insideCount++;
    }
    const count = Math.min(
      n,
      Math.max(settings.minLocalPoints, Math.min(insideCount, settings.maxLocalPoints)),
    );
    const order = Array.from({ length: n }, (_, i) => i);
    order.sort((a, b) => distance[a]! - distance[b]! || a - b);
    return order.slice(0, count).sort((a, b) => a - b);
  }

  private fitLocal(
    X: Matrix,
    Y: Matrix,
    C: Matrix,
    rows: number[],
    region: { objectives: GpHyperparameters[] | null; constraints: GpHyperparameters[] | null },
    length: number,
    settings: Resolved,
    seed: number,
  ): LocalModels {
    const t = performance.now();
    const Xl = gather(X, rows);
    const Yl = gather(Y, rows);
    winsorizeColumns(Yl, settings.winsorize);
    // Lengthscales bounded in units of the region's length (the fit's own floor, 0.025, kept).
    const [low, high] = settings.lengthscaleRange;
    const common = {
      prior: settings.prior,
      mean: 'fitted' as const,
      seed,
      lengthscaleBounds: [
        Math.min(Math.max(0.025, low * length), 0.5 * high * length),
        high * length,
      ] as const,
    };
    // Warm: `fitIterations` iterations from the last hyperparameters. Cold (the first ask, or a
    // region with none): a converged fit on a random subset of COLD_SUBSET points (each of its
    // evaluations costs (COLD_SUBSET / n)³ of a full one), then `fitIterations` on all points.
    const budget = (warm: GpHyperparameters[] | null) =>
      warm !== null
        ? { warmStarts: warm, maxIterations: settings.fitIterations }
        : {
            subsetThreshold: COLD_SUBSET,
            subsetSize: COLD_SUBSET,
            largeMaxIterations: settings.fitIterations,
          };
    const objectives = fitGps(Xl, Yl, { ...common, ...budget(region.objectives) });
    const constraints =
      C.cols > 0
        ? fitGps(Xl, gather(C, rows), {
            ...common,
            seed: deriveSeed(seed, 'constraints'),
            ...budget(region.constraints),
          })
        : [];
    return { rows, objectives, constraints, fitMs: performance.now() - t };
  }

  /**
   * The region's box: side length · w_k in column k around the centre, clipped to the cube, with
   * w the lengthscales (geometric mean over the objectives' GPs) over their geometric mean, as
   * TuRBO shapes its boxes (long where the model varies slowly).
   */
  private box(
    centre: Float64Array,
    length: number,
    objectives: readonly GpModel[],
    d: number,
  ): { lower: Float64Array; upper: Float64Array } {
    const logs = new Float64Array(d);
    for (const gp of objectives) {
      for (let k = 0; k < d; k++)
        logs[k] = logs[k]! + Math.log(gp.internals.lengthscales[k]!) / objectives.length;
    }
    let mean = 0;
    for (let k = 0; k < d; k++) mean += logs[k]! / d;
    const lower = new Float64Array(d);
    const upper = new Float64Array(d);
    for (let k = 0; k < d; k++) {
      const half = (length * Math.exp(logs[k]! - mean)) / 2;
      lower[k] = Math.max(0, centre[k]! - half);
      upper[k] = Math.min(1, centre[k]! + half);
    }
    return { lower, upper };
  }

  /**
   * A region's candidates, grouped by base (an observed row of X in `bases`, each candidate's base
   * chosen at random), as changes to that base:
   * - `settings.candidates` random perturbations (MORBO's): each column is redrawn uniformly in the
   *   box with probability p = min(1, perturbedCoordinates / d), at least one column; once a point
   *   is inside the reference box, every other candidate (odd `s`) draws its own probability
   *   instead, log-uniform in [1 / d, p];
   * - once a point is inside the reference box, COORDINATE_CANDIDATES x d candidates that change
   *   one column of the centre each (every column in turn), uniformly in the box.
   *   Near the front most columns sit at their best values, and redrawing any of them costs more
   *   than moving along the front gains, so a candidate that changes about 20 of 100 never moves
   *   along it alone; neither does a descent step where the front lies on a face of the cube (a
   *   column at its bound, where the other objectives' gradients vanish: DTLZ2's x_i = 0 or 1).
   *   DTLZ2 m = 5, d = 100, seed 2: MORBO's candidates left the front where two objectives are below
   *   0.3 (coverage 0.91 of 1.446, hypervolume 0.68 at 2000 evaluations), and so did the
   *   log-uniform probability with the scalarized centres of `generate` (0.67); with the one-column
   *   candidates too, the coverage grew again from 1500 evaluations on (1.00 at 1850). With the
   *   log-uniform probability for all candidates from the first ask, DTLZ2 m = 5 gained as much
   *   (seeds 1, 2, 3, 5: 0.85, 0.83, 0.70, 0.72), but the rover (problems/rover.ts) lost a quarter
   *   (82 and 76 against 106 and 103, seeds 1 and 2): its long approach to the box needs the
   *   larger moves;
   * - `settings.descentCandidates` descent steps: x = base + t · u + noise, where u = −Σ_j w_j g_j /
   *   ‖g_j‖ for the posterior-mean gradients g_j at the base and weights w on the simplex: for half
   *   the steps random ones (so the step descends some scalarization of the objectives, and the
   *   front spreads); for the other half the shared direction's (`towardBox`'s weights, by how far
   *   each objective of the base exceeds the reference point, while no point is inside the
   *   reference box; then the min-norm point of the unit gradients' hull, MGDA, which descends
   *   every objective at once and so heads for the front rather than along it). DTLZ2 m = 5,
   *   d = 100, seed 2: hypervolume 0.038 at 500 evaluations and 0.55 at 950 with the toward-box
   *   weights, 0 and 0.32 with MGDA's from the start. Each step takes, at random,
   *   either the plain gradients or the gradients in the GP's own metric (each column scaled by its
   *   squared lengthscale: steepest descent in the inputs divided by the lengthscales, as a
   *   TuRBO box is shaped by them). The plain gradient is dominated by the few short-lengthscale
   *   columns; the scaled one moves the many long-lengthscale columns, where a GP fitted on few
   *   local points sees a weak but steady trend (DTLZ2 m = 5, d = 100, seed 1: hypervolume above 0
   *   at 500 evaluations instead of 650, 0.42 at 1000 instead of 0.20; m = 2: 0.30 at 1500 instead
   *   of 0.34, and with the scaled gradient only 0.25 at 1200). t makes the step's Euclidean
   *   length s · length · √d / 2, the half-diagonal of a cube of side s · length (a step scaled by
   *   its largest coordinate instead is set by the one steepest coordinate, and DTLZ2 m = 2 reached
   *   hypervolume 0.35 against 0.33 by 1750), with s log-uniform in [1/STEP_RANGE, 1], or in
   *   [APPROACH_STEP_MAX / APPROACH_STEP_RANGE, APPROACH_STEP_MAX] while no point is inside the
   *   reference box; and the noise moves each column with probability p by up to ±s/2 of its box
   *   width (steps along a few lines only left the next local fits blind to every other direction:
   *   DTLZ2 stalled at g 1.2); clipped to the box.
   * Then each point is rounded by the space; points that break a linear constraint or equal their
   * base are dropped. `kinds` gives each candidate's kind (see `RegionCandidates`).
   */
  private candidatesAround(
    space: EncodedSpace,
    X: Matrix,
    bases: readonly number[],
    box: { lower: Float64Array; upper: Float64Array },
    length: number,
    gradients: readonly Float64Array[],
    towardBox: Float64Array | null,
    approaching: boolean,
    settings: Resolved,
    seed: number,
  ): { sparse: SparsePoints; groupBase: Int32Array; groupStart: Int32Array; kinds: Uint8Array } {
    const d = X.cols;
    const m = gradients.length;
    const rng = createRng(seed);
    const p = Math.min(1, settings.perturbedCoordinates / d);
    const random = settings.candidates;
    const steps = m > 0 ? settings.descentCandidates : 0;
    const coordinates = approaching || steps === 0 ? 0 : COORDINATE_CANDIDATES * d;
    const N = random + steps + coordinates;
    const A = space.constraintMatrix;
    const b = space.constraintBound;
    const k = b.length;
    // How many candidates of each kind each base gets.
    const share = new Int32Array(bases.length);
    const descentShare = new Int32Array(bases.length);
    for (let a = 0; a < random; a++) share[bases.length === 1 ? 0 : rng.int(bases.length)]!++;
    for (let a = 0; a < steps; a++) descentShare[bases.length === 1 ? 0 : rng.int(bases.length)]!++;
    // Unit gradients per base and objective (bases x m x d); zero where a gradient vanishes.
    // Unit gradients per metric (Euclidean, lengthscale), base and objective (2 x bases x m x d);
    // zero where a gradient vanishes.
    const block = bases.length * m * d;
    const unit = new Float64Array(2 * block);
    for (let v = 0; v < 2; v++) {
      for (let g = 0; g < bases.length; g++) {
        for (let j = 0; j < m; j++) {
          const gradient = gradients[j]!;
          const o = (v * bases.length + g) * d;
          let norm = 0;
          for (let c = 0; c < d; c++) norm += gradient[o + c]! ** 2;
          if (!(norm > 0) || !Number.isFinite(norm)) continue;
          const scale = 1 / Math.sqrt(norm);
          for (let c = 0; c < d; c++) unit[v * block + (g * m + j) * d + c] = gradient[o + c]! * scale;
        }
      }
    }
    // The shared direction's weights per metric and base: while no point is in the reference box,
    // `towardBox`'s; then those of the unit gradients' min-norm point (MGDA), whose negative
    // descends every objective at once (zero, and not used, at a Pareto-stationary base).
    const sharedWeights = new Float64Array(2 * bases.length * m);
    const sharedOk = new Uint8Array(2 * bases.length);
    if (steps > 0) {
      const gram = new Float64Array(m * m);
      const scratch = new Float64Array(m);
      for (let v = 0; v < 2; v++)
        for (let g = 0; g < bases.length; g++) {
          const w = sharedWeights.subarray((v * bases.length + g) * m, (v * bases.length + g + 1) * m);
          if (towardBox !== null) {
            w.set(towardBox.subarray(g * m, (g + 1) * m));
            sharedOk[v * bases.length + g] = 1;
            continue;
          }
          const o = v * block + g * m * d;
          for (let i = 0; i < m; i++)
            for (let j = 0; j <= i; j++) {
              let t = 0;
              for (let c = 0; c < d; c++) t += unit[o + i * d + c]! * unit[o + j * d + c]!;
              gram[i * m + j] = t;
              gram[j * m + i] = t;
            }
          const least = minNormWeights(gram, m, w, scratch);
          sharedOk[v * bases.length + g] = least > SHARED_MIN_NORM ** 2 ? 1 : 0;
        }
    }
    const start = new Int32Array(N + 1);
    const kinds = new Uint8Array(N);
    let index = new Int32Array(
      Math.ceil(random * Math.min(d, settings.perturbedCoordinates * 2 + 4) + steps * d + coordinates),
    );
    let value = new Float64Array(index.length);
    const groupStart = new Int32Array(bases.length + 1);
    const x = new Float64Array(d);
    const direction = new Float64Array(d);
    const weights = new Float64Array(m);
    let count = 0;
    let nnz = 0;
    for (let g = 0; g < bases.length; g++) {
      const from = X.data.subarray(bases[g]! * d, (bases[g]! + 1) * d);
      const own = share[g]! + descentShare[g]!;
      for (let s = 0; s < own + (g === 0 ? coordinates : 0); s++) {
        x.set(from);
        let kind = 0;
        if (s >= own) {
          const c = (s - own) % d;
          x[c] = box.lower[c]! + (box.upper[c]! - box.lower[c]!) * rng.uniform();
          kind = 3;
        } else if (s >= share[g]!) {
          let total = 0;
          for (let j = 0; j < m; j++) {
            weights[j] = -Math.log(1 - rng.uniform());
            total += weights[j]!;
          }
          direction.fill(0);
          const metric = rng.int(2);
          const shared = rng.uniform() < SHARED_SHARE && sharedOk[metric * bases.length + g] === 1;
          kind = shared ? 2 : 1;
          for (let j = 0; j < m; j++) {
            const w = shared ? sharedWeights[(metric * bases.length + g) * m + j]! : weights[j]! / total;
            const o = metric * block + (g * m + j) * d;
            for (let c = 0; c < d; c++) direction[c] = direction[c]! - w * unit[o + c]!;
          }
          let norm = 0;
          for (let c = 0; c < d; c++) norm += direction[c]! ** 2;
          norm = Math.sqrt(norm);
          const fraction = approaching
            ? APPROACH_STEP_MAX * APPROACH_STEP_RANGE ** -rng.uniform()
            : STEP_RANGE ** -rng.uniform();
          const t = norm > 0 ? (fraction * length * Math.sqrt(d)) / 2 / norm : 0;
          for (let c = 0; c < d; c++) {
            let v = from[c]! + t * direction[c]!;
            if (rng.uniform() < p) v += (rng.uniform() - 0.5) * fraction * (box.upper[c]! - box.lower[c]!);
            x[c] = Math.min(box.upper[c]!, Math.max(box.lower[c]!, v));
          }
        } else {
          let changed = 0;
          const pc = approaching || (s & 1) === 0 ? p : Math.min(p, (1 / d) * (p * d) ** rng.uniform());
          for (let c = 0; c < d; c++) {
            if (rng.uniform() < pc) {
              x[c] = box.lower[c]! + (box.upper[c]! - box.lower[c]!) * rng.uniform();
              changed++;
            }
          }
          if (changed === 0) {
            const c = rng.int(d);
            x[c] = box.lower[c]! + (box.upper[c]! - box.lower[c]!) * rng.uniform();
          }
        }
        space.round(x);
        let ok = true;
        for (let i = 0; i < k && ok; i++) {
          let t = 0;
          for (let c = 0; c < d; c++) t += A.data[i * d + c]! * x[c]!;
          if (t > b[i]! + 1e-12 * Math.max(1, Math.abs(b[i]!))) ok = false;
        }
        if (!ok) continue;
        const first = nnz;
        for (let c = 0; c < d; c++) {
          if (x[c] === from[c]) continue;
          if (nnz === index.length) {
            const bigger = new Int32Array(2 * index.length);
            bigger.set(index);
            index = bigger;
            const values = new Float64Array(2 * value.length);
            values.set(value);
            value = values;
          }
          index[nnz] = c;
          value[nnz] = x[c]!;
          nnz++;
        }
        if (nnz === first) continue;
        kinds[count] = kind;
        count++;
        start[count] = nnz;
      }
      groupStart[g + 1] = count;
    }
    return {
      sparse: {
        count,
        start: start.slice(0, count + 1),
        index: index.slice(0, nnz),
        value: value.slice(0, nnz),
      },
      groupBase: Int32Array.from(bases),
      groupStart,
      kinds: kinds.slice(0, count),
    };
  }

  /** Each pending row goes to the region with the nearest centre (Euclidean, unit cube). */
  private assignPending(pending: Matrix, X: Matrix, centres: readonly number[], d: number): number[][] {
    const out: number[][] = centres.map(() => []);
    for (let i = 0; i < pending.rows; i++) {
      let best = 0;
      let bestDistance = Number.POSITIVE_INFINITY;
      centres.forEach((row, r) => {
        let s = 0;
        for (let k = 0; k < d; k++) {
          const t = pending.data[i * d + k]! - X.data[row * d + k]!;
          s += t * t;
        }
        if (s < bestDistance) {
          bestDistance = s;
          best = r;
        }
      });
      out[best]!.push(i);
    }
    return out;
  }

  /**
   * Region r's scalarized pick of sample t ({@link scalarizedPick}) above the best scalarization
   * of the front, of the pending points and of the earlier picks (sampled in sample t where not
   * observed, as in `selectOne`); null when none is above it.
   */
  private selectScalarized(
    regions: readonly RegionCandidates[],
    r: number,
    lambda: Float64Array,
    t: number,
    S: number,
    m: number,
    ref: Float64Array,
    range: Float64Array,
    front: Matrix,
    picked: readonly number[][],
  ): Pick | null {
    const c = regions[r]!.values.length - m;
    let level = 0;
    for (let i = 0; i < front.rows; i++)
      level = Math.max(level, hvScalarization(front.data, i * m, ref, range, lambda));
    for (const p of [...sampledPending(regions, t, S, m, c), ...picked])
      level = Math.max(level, hvScalarization(p, 0, ref, range, lambda));
    const region = regions[r]!;
    const a = scalarizedPick(region.values, region.used, t, S, m, ref, range, lambda, level);
    if (a < 0) return null;
    const y = new Float64Array(m);
    for (let j = 0; j < m; j++) y[j] = region.values[j]![a * S + t]!;
    const value = hvScalarization(y, 0, ref, range, lambda) - level;
    return { region: r, index: a, value, rule: 'scalarized', feasible: true, outcome: Array.from(y) };
  }

  /**
   * The pick of sample t: among the candidates not used yet, the sampled-feasible one with the
   * largest hypervolume improvement over the front (observed, pending and earlier picks, all
   * sampled in sample t where not observed); when no sampled outcome improves it, the one closest
   * to improving (least additive epsilon against the front and the reference box, scaled by
   * ref − ideal); when no candidate is sampled-feasible, the least total sampled violation.
   * Exact improvements are computed in decreasing order of their bound (the volume of the
   * outcome's box) and stop once the bound cannot beat the best: a few dozen per pick.
   */
  private selectOne(
    regions: readonly RegionCandidates[],
    t: number,
    S: number,
    m: number,
    c: number,
    ref: Float64Array,
    range: Float64Array,
    front: Matrix,
    picked: readonly number[][],
  ): Pick | null {
    // The front of this sample: observed, plus pending points and earlier picks as sampled.
    const improvement = new HypervolumeImprovement(ref, front.data);
    const extra: number[] = [];
    for (const y of [...sampledPending(regions, t, S, m, c), ...picked]) {
      improvement.add(y);
      extra.push(...y);
    }
    const y = new Float64Array(m);
    const outcome = (r: number, a: number, into: Float64Array): void => {
      const values = regions[r]!.values;
      for (let j = 0; j < m; j++) into[j] = values[j]![a * S + t]!;
    };
    // Pass 1: feasibility, and the bound of each sampled-feasible outcome inside the box.
    let total = 0;
    for (const region of regions) total += region.sparse.count;
    const boundOf = new Float64Array(total);
    const regionOf = new Int32Array(total);
    const indexOf = new Int32Array(total);
    let inside = 0;
    let feasibleCount = 0;
    const feasibleRegion = new Int32Array(total);
    const feasibleIndex = new Int32Array(total);
    let leastViolation: { region: number; index: number; value: number } | null = null;
    regions.forEach((region, r) => {
      for (let a = 0; a < region.sparse.count; a++) {
        if (region.used[a]) continue;
        let v = 0;
        for (let j = 0; j < c; j++) v += Math.max(0, region.values[m + j]![a * S + t]!);
        if (v > 0) {
          if (leastViolation === null || v < leastViolation.value)
            leastViolation = { region: r, index: a, value: v };
          continue;
        }
        feasibleRegion[feasibleCount] = r;
        feasibleIndex[feasibleCount] = a;
        feasibleCount++;
        let bound = 1;
        for (let j = 0; j < m; j++) {
          const gap = ref[j]! - region.values[j]![a * S + t]!;
          bound = gap > 0 ? bound * gap : -1;
          if (bound < 0) break;
        }
        if (bound <= 0) continue;
        boundOf[inside] = bound;
        regionOf[inside] = r;
        indexOf[inside] = a;
        inside++;
      }
    });
    if (feasibleCount === 0) {
      if (leastViolation === null) return null;
      const b = leastViolation as { region: number; index: number; value: number };
      outcome(b.region, b.index, y);
      return { ...b, rule: 'least-violation', feasible: false, outcome: Array.from(y) };
    }
    const P = new Float64Array(front.data.length + extra.length);
    P.set(front.data);
    P.set(extra, front.data.length);
    const k = P.length / m;
    // Pass 2: exact improvements, largest bounds first. Once there is a best, a tighter bound
    // first (the box less the largest part of it that one front point covers, O(k m)) skips most.
    const order = Int32Array.from({ length: inside }, (_, i) => i);
    order.sort((u, v) => boundOf[v]! - boundOf[u]! || u - v);
    let best: { region: number; index: number; value: number } | null = null;
    const hints = new Int32Array(COVER_HINTS);
    let hintCount = 0;
    let hintNext = 0;
    for (let s = 0; s < inside; s++) {
      const i = order[s]!;
      if (best !== null && boundOf[i]! <= best.value) break;
      outcome(regionOf[i]!, indexOf[i]!, y);
      if (best !== null) {
        const target = boundOf[i]! - best.value;
        let covered = 0;
        // The front points that covered most of earlier candidates' boxes first: candidates of one
        // region and base lie close, and one of them usually settles it (m = 5, n = 2000: 99% of
        // the candidates; the select phase of an ask took 0.46 s instead of 2.81 s).
        for (let h = 0; h < hintCount && covered < target; h++) {
          const p = hints[h]!;
          let v = 1;
          for (let j = 0; j < m; j++) v *= ref[j]! - Math.max(y[j]!, P[p * m + j]!);
          if (v > covered) covered = v;
        }
        if (covered >= target) continue;
        let arg = -1;
        for (let p = 0; p < k && covered < target; p++) {
          let v = 1;
          for (let j = 0; j < m; j++) v *= ref[j]! - Math.max(y[j]!, P[p * m + j]!);
          if (v > covered) {
            covered = v;
            arg = p;
          }
        }
        if (arg >= 0) {
          hints[hintNext] = arg;
          hintNext = (hintNext + 1) % COVER_HINTS;
          hintCount = Math.min(hintCount + 1, COVER_HINTS);
        }
        if (covered >= target) continue;
      }
      const gain = improvement.improvement(y);
      if (gain > 0 && (best === null || gain > best.value))
        best = { region: regionOf[i]!, index: indexOf[i]!, value: gain };
    }
    if (best !== null) {
      const b = best as { region: number; index: number; value: number };
      outcome(b.region, b.index, y);
      return { ...b, rule: 'hvi', feasible: true, outcome: Array.from(y) };
    }
    // Pass 3: nothing improves. epsilon(y) = max(max_j (y_j − ref_j), max_i min_j (y_j − P_ij)),
    // scaled per objective; a scan stops once it cannot beat the least so far.
    let closest: { region: number; index: number; value: number } | null = null;
    for (let s = 0; s < feasibleCount; s++) {
      const r = feasibleRegion[s]!;
      const a = feasibleIndex[s]!;
      outcome(r, a, y);
      let epsilon = Number.NEGATIVE_INFINITY;
      for (let j = 0; j < m; j++) epsilon = Math.max(epsilon, (y[j]! - ref[j]!) / range[j]!);
      const cut = closest === null ? Number.POSITIVE_INFINITY : (closest as { value: number }).value;
      for (let i = 0; i < k && epsilon < cut; i++) {
        let least = Number.POSITIVE_INFINITY;
        for (let j = 0; j < m; j++) least = Math.min(least, (y[j]! - P[i * m + j]!) / range[j]!);
        if (least > epsilon) epsilon = least;
      }
      if (closest === null || epsilon < closest.value) closest = { region: r, index: a, value: epsilon };
    }
    const b = closest as { region: number; index: number; value: number };
    outcome(b.region, b.index, y);
    return { ...b, rule: 'closest', feasible: true, outcome: Array.from(y) };
  }
}

function concat(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}
