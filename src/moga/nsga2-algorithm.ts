import { type Matrix, toMatrix } from '../linalg/matrix.js';
import { createRng, type Rng } from '../random/rng.js';
import { continuousLayout, type GeneLayout } from './genes.js';
import { type MatingOptions, makeOffspring, randomCandidates } from './mating.js';
import { type MutationOptions, resolveMutationOptions } from './mutation.js';
import { resolveSbxOptions, type SbxOptions } from './sbx.js';
import type { TournamentKind } from './selection.js';
import { rankAndCrowdingSurvival } from './survival.js';

/** NSGA-II settings; every field optional, defaults are pymoo 0.6.1's `NSGA2()`. */
export interface Nsga2Options {
  /** mu: individuals kept by survival. Default 100. */
  readonly populationSize?: number;
  /** Offspring per generation. Default: `populationSize`. */
  readonly offspringSize?: number;
  /** SBX: eta 15, probability 0.9, variableProbability 0.5, exchangeProbability 0.5. */
  readonly crossover?: Partial<SbxOptions>;
  /** Polynomial mutation: eta 20, probability 0.9, variableProbability min(0.5, 1 / genes). */
  readonly mutation?: Partial<MutationOptions>;
  /** How feasible tournament competitors are compared before crowding. Default 'dominance' (pymoo). */
  readonly tournament?: TournamentKind;
  /** Euclidean distance under which two candidates are duplicates; negative keeps them. Default 1e-16. */
  readonly duplicateTolerance?: number;
  /** Mating rounds before the missing offspring are drawn at random. Default 100. */
  readonly maxMatingIterations?: number;
}

export interface ResolvedNsga2Options {
  readonly populationSize: number;
  readonly offspringSize: number;
  readonly mating: MatingOptions;
}

function positiveInteger(value: number, name: string, where: string): number {
  if (!Number.isInteger(value) || value < 1) {
    throw new RangeError(`${where}: ${name} must be a positive integer, got ${value}`);
  }
  return value;
}

/** Fills the defaults of `options` and validates every field; `where` names the caller in errors. */
export function resolveNsga2Options(options: Nsga2Options = {}, where = 'Nsga2'): ResolvedNsga2Options {
  const populationSize = positiveInteger(options.populationSize ?? 100, 'populationSize', where);
  const offspringSize = positiveInteger(options.offspringSize ?? populationSize, 'offspringSize', where);
  const tournament = options.tournament ?? 'dominance';
  if (tournament !== 'dominance' && tournament !== 'rank') {
    throw new RangeError(`${where}: tournament must be 'dominance' or 'rank', got ${String(tournament)}`);
  }
  const duplicateTolerance = options.duplicateTolerance ?? 1e-16;
  if (Number.isNaN(duplicateTolerance)) {
    throw new RangeError(`${where}: duplicateTolerance must be a number, got NaN`);
  }
  const maxIterations = positiveInteger(options.maxMatingIterations ?? 100, 'maxMatingIterations', where);
  return {
    populationSize,
    offspringSize,
    mating: {
      crossover: resolveSbxOptions(options.crossover, where),
      mutation: resolveMutationOptions(options.mutation, where),
      tournament,
      duplicateTolerance,
      maxIterations,
    },
  };
}

/** A population after survival: all arrays aligned row by row. */
export interface RankedPopulation {
  /** n x d inputs in [0, 1]^d. */
  readonly X: Matrix;
  /** n x m objectives (minimization). */
  readonly F: Matrix;
  /** n total constraint violations, or undefined when unconstrained. */
  readonly cv: Float64Array | undefined;
  /** n front ranks (0 = non-dominated among the feasible). */
  readonly rank: Int32Array;
  /** n crowding distances within their fronts. */
  readonly crowding: Float64Array;
}

function stack(a: Matrix, b: Matrix): Matrix {
  const data = new Float64Array(a.data.length + b.data.length);
  data.set(a.data, 0);
  data.set(b.data, a.data.length);
  return { rows: a.rows + b.rows, cols: a.cols, data };
}

function pick(M: Matrix, indices: Int32Array): Matrix {
  const c = M.cols;
  const data = new Float64Array(indices.length * c);
  for (let k = 0; k < indices.length; k++) {
    const i = indices[k]!;
    data.set(M.data.subarray(i * c, (i + 1) * c), k * c);
  }
  return { rows: indices.length, cols: c, data };
}

/**
 * Survival over the rows of `X`/`F`/`cv` (`n x d`, `n x m`, length n), keeping `count` of them ranked.
 * Shared by the generational step, the (mu + 1) step and the generator.
 */
export function survive(
  X: Matrix,
  F: Matrix,
  cv: Float64Array | undefined,
  count: number,
  rng: Rng,
): RankedPopulation & { readonly indices: Int32Array } {
  const s = rankAndCrowdingSurvival(F, cv, Math.min(count, F.rows), rng);
  let keptCv: Float64Array | undefined;
  if (cv !== undefined) {
    keptCv = new Float64Array(s.indices.length);
    for (let k = 0; k < s.indices.length; k++) keptCv[k] = cv[s.indices[k]!]!;
  }
  return {
    X: pick(X, s.indices),
    F: pick(F, s.indices),
    cv: keptCv,
    rank: s.rank,
    crowding: s.crowding,
    indices: s.indices,
  };
}

/**
 * NSGA-II (Deb, Pratap, Agarwal, Meyarivan 2002) as an ask/tell object over the unit cube.
 *
 * `ask` returns a random initial population until the first `tell`, then offspring of the current
 * population; `tell` merges evaluated points into the population and applies rank-and-crowding
 * survival. Telling `offspringSize` points at once is one generation of generational NSGA-II; telling
 * them one at a time with `populationSize` kept is the (mu + 1) steady-state scheme.
 */
export class Nsga2 {
  readonly layout: GeneLayout;
  readonly options: ResolvedNsga2Options;
  private current: RankedPopulation | undefined;

  /** `layout`: a gene layout, or the dimension d of a purely continuous problem. */
  constructor(layout: GeneLayout | number, options: Nsga2Options = {}) {
    this.layout = typeof layout === 'number' ? continuousLayout(layout) : layout;
    this.options = resolveNsga2Options(options, 'Nsga2');
  }

  /** The current population, undefined before the first `tell`. */
  get population(): RankedPopulation | undefined {
    return this.current;
  }

  /**
   * `count x d` candidates in [0, 1]^d: random ones (count default `populationSize`) before the first
   * `tell`, offspring (count default `offspringSize`) after. `avoid`: extra `k x d` matrices the
   * candidates must not duplicate.
   */
  ask(rng: Rng, count?: number, avoid: readonly Matrix[] = []): Matrix {
    const pop = this.current;
    if (pop === undefined) {
      const n = count ?? this.options.populationSize;
      return randomCandidates(n, this.layout, rng, this.options.mating.duplicateTolerance, avoid).candidates;
    }
    const n = count ?? this.options.offspringSize;
    return makeOffspring(pop, n, this.layout, rng, this.options.mating, avoid).candidates;
  }

  /**
   * Merges evaluated points into the population and keeps the best `populationSize`.
   * `X` is `k x d` in [0, 1]^d, `F` is `k x m`, `cv` has length k (undefined: feasible).
   */
  tell(X: Matrix, F: Matrix, rng: Rng, cv?: Float64Array): void {
    const d = this.layout.dimension;
    if (X.cols !== d) throw new RangeError(`Nsga2.tell: X has ${X.cols} columns, expected d = ${d}`);
    if (F.rows !== X.rows)
      throw new RangeError(`Nsga2.tell: F has ${F.rows} rows, expected ${X.rows} like X`);
    if (cv !== undefined && cv.length !== X.rows) {
      throw new RangeError(`Nsga2.tell: cv has length ${cv.length}, expected ${X.rows} like X`);
    }
    const pop = this.current;
    if (pop !== undefined && pop.F.cols !== F.cols) {
      throw new RangeError(`Nsga2.tell: F has ${F.cols} objectives, expected ${pop.F.cols} as before`);
    }
    if (pop === undefined || pop.X.rows === 0) {
      this.current = survive(X, F, cv, this.options.populationSize, rng);
      return;
    }
    let mergedCv: Float64Array | undefined;
    if (cv !== undefined || pop.cv !== undefined) {
      mergedCv = new Float64Array(pop.X.rows + X.rows);
      if (pop.cv !== undefined) mergedCv.set(pop.cv, 0);
      if (cv !== undefined) mergedCv.set(cv, pop.X.rows);
    }
    this.current = survive(stack(pop.X, X), stack(pop.F, F), mergedCv, this.options.populationSize, rng);
  }
}

/** What `runNsga2` needs of a problem (the `Problem`s of `problems/` fit). */
export interface BatchProblem {
  readonly dimensions: number;
  readonly objectives: number;
  /** Length d lower and upper bounds of the box the problem is defined on. */
  readonly lower: ArrayLike<number>;
  readonly upper: ArrayLike<number>;
  /** `n x d` points in the box to `n x m` objective values (minimization). */
  evaluate(X: Matrix): Matrix;
}

export interface RunNsga2Options extends Nsga2Options {
  /** Generations, counting the initial population as the first (pymoo's `('n_gen', g)`). Default 100. */
  readonly generations?: number;
  /** Seed of the run's generator. Default 0. */
  readonly seed?: number | string;
}

export interface Nsga2Run {
  /** The final population: `X` in the problem's box (`n x d`), `F` (`n x m`), ranks and crowding. */
  readonly population: RankedPopulation;
  /** Objective evaluations spent (points evaluated). */
  readonly evaluations: number;
  readonly generations: number;
}

/**
 * Runs generational NSGA-II on a batch-evaluated problem: a random population, then `generations - 1`
 * rounds of offspring and survival. Variation works in the unit cube; the problem sees its own box.
 */
export function runNsga2(problem: BatchProblem, options: RunNsga2Options = {}): Nsga2Run {
  const d = problem.dimensions;
  positiveInteger(d, 'problem.dimensions', 'runNsga2');
  if (problem.lower.length !== d || problem.upper.length !== d) {
    throw new RangeError(
      `runNsga2: bounds have lengths ${problem.lower.length} and ${problem.upper.length}, expected d = ${d}`,
    );
  }
  const generations = positiveInteger(options.generations ?? 100, 'generations', 'runNsga2');
  const rng = createRng(options.seed ?? 0);
  const algorithm = new Nsga2(d, options);
  const lower = Float64Array.from(problem.lower);
  const width = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    width[j] = problem.upper[j]! - lower[j]!;
    if (!(width[j]! >= 0)) {
      throw new RangeError(`runNsga2: upper[${j}] = ${problem.upper[j]} is below lower[${j}] = ${lower[j]}`);
    }
  }
  const toBox = (U: Matrix): Matrix => {
    const out = new Float64Array(U.data.length);
    for (let i = 0; i < U.rows; i++) {
      for (let j = 0; j < d; j++) out[i * d + j] = lower[j]! + U.data[i * d + j]! * width[j]!;
    }
    return { rows: U.rows, cols: d, data: out };
  };
  const evaluate = (U: Matrix): Matrix => {
    const F = toMatrix(problem.evaluate(toBox(U)), 'runNsga2: problem.evaluate result');
    if (F.rows !== U.rows || F.cols !== problem.objectives) {
      throw new RangeError(
        `runNsga2: problem.evaluate returned ${F.rows} x ${F.cols}, expected ${U.rows} x ${problem.objectives}`,
      );
    }
    return F;
  };
  let evaluations = 0;
  for (let g = 0; g < generations; g++) {
    const U = algorithm.ask(rng);
    algorithm.tell(U, evaluate(U), rng);
    evaluations += U.rows;
  }
  const pop = algorithm.population!;
  return { population: { ...pop, X: toBox(pop.X) }, evaluations, generations };
}
