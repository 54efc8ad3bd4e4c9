import type { Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';
import { type GeneLayout, randomIndividual, satisfiesConstraints } from './genes.js';
import { type MutationOptions, polynomialMutation } from './mutation.js';
import { type SbxOptions, sbx } from './sbx.js';
import { binaryTournament, type TournamentKind, type TournamentPopulation } from './selection.js';

/** Everything the variation step needs, defaults filled (see `resolveNsga2Options`). */
export interface MatingOptions {
  readonly crossover: SbxOptions;
  readonly mutation: MutationOptions;
  readonly tournament: TournamentKind;
  /**
   * Candidates within this Euclidean distance of the parents, of a point in `avoid` or of an earlier
   * candidate are duplicates and are regenerated (pymoo's `DefaultDuplicateElimination`, 1e-16).
   * Negative: keep duplicates.
   */
  readonly duplicateTolerance: number;
  /** Rounds of select-cross-mutate before giving up on finding enough new candidates (pymoo: 100). */
  readonly maxIterations: number;
}

/** A ranked population with its inputs: `X` is `n x d`, the rest as in `TournamentPopulation`. */
export interface ParentPopulation extends TournamentPopulation {
  readonly X: Matrix;
}

/** What `makeOffspring` and `randomCandidates` return: `candidates` is `count x d`. */
export interface OffspringResult {
  readonly candidates: Matrix;
  /** Candidates rejected as duplicates or for breaking a linear constraint, then regenerated. */
  readonly rejected: number;
  /** Candidates that had to be drawn at random because mating found too few new ones. */
  readonly randomFill: number;
}

/** Whether `x` lies within `tol2` (a squared distance) of one of the first `rows` rows of `M`. */
function nearAny(x: Float64Array, M: Matrix, rows: number, tol2: number): boolean {
  const d = M.cols;
  const data = M.data;
  // Early exit on the partial sum: almost every pair differs in its first coordinate, so this is
  // O(rows) in practice rather than O(rows d).
  for (let i = 0; i < rows; i++) {
    const o = i * d;
    let s = 0;
    let j = 0;
    for (; j < d; j++) {
      const t = x[j]! - data[o + j]!;
      s += t * t;
      if (s > tol2) break;
    }
    if (j === d) return true;
  }
  return false;
}

/** Checks a candidate against everything it must differ from and the linear constraints. */
class Acceptor {
  private readonly tol2: number;
  constructor(
    private readonly layout: GeneLayout,
    private readonly references: readonly Matrix[],
    private readonly accepted: Matrix,
    tolerance: number,
  ) {
    this.tol2 = tolerance < 0 ? -1 : tolerance * tolerance;
  }

  accepts(x: Float64Array, acceptedRows: number, checkDuplicates = true): boolean {
    if (!satisfiesConstraints(this.layout, x)) return false;
    if (this.tol2 < 0 || !checkDuplicates) return true;
    if (nearAny(x, this.accepted, acceptedRows, this.tol2)) return false;
    for (const M of this.references) if (M.rows > 0 && nearAny(x, M, M.rows, this.tol2)) return false;
    return true;
  }
}

function checkAvoid(avoid: readonly Matrix[], d: number, where: string): void {
  for (const M of avoid) {
    if (M.rows > 0 && M.cols !== d) {
      throw new RangeError(`${where}: a matrix to avoid has ${M.cols} columns, expected d = ${d}`);
    }
  }
}

/**
 * Fills rows `from..count-1` of `out` with random points that pass the acceptor; after `50 count`
 * failed draws it keeps duplicates, and after as many more it throws: a point that breaks a linear
 * constraint is never returned. Returns the number of rejected draws.
 */
function fillRandom(out: Matrix, from: number, layout: GeneLayout, acceptor: Acceptor, rng: Rng): number {
  const d = layout.dimension;
  const count = out.rows;
  const budget = 50 * Math.max(1, count - from);
  let rejected = 0;
  for (let filled = from; filled < count; ) {
    const x = out.data.subarray(filled * d, (filled + 1) * d);
    randomIndividual(layout, rng, x);
    if (acceptor.accepts(x, filled, rejected < budget)) filled++;
    else if (++rejected >= 2 * budget) {
      // A point that breaks a linear constraint would corrupt the experiment: say so instead.
      throw new RangeError(
        `NSGA-II: ${2 * budget} random draws found no point satisfying the linear parameter constraints; ` +
          'the feasible region seems empty or tiny',
      );
    }
  }
  return rejected;
}

/**
 * `count` random candidates in [0, 1]^d (pymoo's `FloatRandomSampling`), rounded by the layout, each
 * distinct from the rows of `avoid` and from each other and satisfying the linear constraints (as far
 * as a bounded number of draws allows).
 */
export function randomCandidates(
  count: number,
  layout: GeneLayout,
  rng: Rng,
  duplicateTolerance = 1e-16,
  avoid: readonly Matrix[] = [],
): OffspringResult {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`randomCandidates: count must be a non-negative integer, got ${count}`);
  }
  const d = layout.dimension;
  checkAvoid(avoid, d, 'randomCandidates');
  const candidates: Matrix = { rows: count, cols: d, data: new Float64Array(count * d) };
  const acceptor = new Acceptor(layout, avoid, candidates, duplicateTolerance);
  const rejected = fillRandom(candidates, 0, layout, acceptor, rng);
  return { candidates, rejected, randomFill: count };
}

/**
 * `count` offspring of a ranked population (NSGA-II's variation step, as pymoo's `Mating`): binary
 * tournaments pick pairs of parents, SBX makes two children per pair, polynomial mutation perturbs them,
 * the layout rounds them, and children that duplicate a parent, a row of `avoid` or an earlier child,
 * or that break a linear constraint, are dropped and the round repeats for the missing ones. After
 * `options.maxIterations` rounds the rest is drawn at random.
 *
 * O(count d) per round plus the duplicate checks, O(count (n + count + |avoid|)) with early exit.
 */
export function makeOffspring(
  population: ParentPopulation,
  count: number,
  layout: GeneLayout,
  rng: Rng,
  options: MatingOptions,
  avoid: readonly Matrix[] = [],
): OffspringResult {
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`makeOffspring: count must be a non-negative integer, got ${count}`);
  }
  const d = layout.dimension;
  const X = population.X;
  if (X.cols !== d)
    throw new RangeError(`makeOffspring: population X has ${X.cols} columns, expected d = ${d}`);
  if (X.rows < 1)
    throw new RangeError('makeOffspring: the population is empty, expected at least 1 individual');
  checkAvoid(avoid, d, 'makeOffspring');
  const candidates: Matrix = { rows: count, cols: d, data: new Float64Array(count * d) };
  const acceptor = new Acceptor(layout, [X, ...avoid], candidates, options.duplicateTolerance);
  const childA = new Float64Array(d);
  const childB = new Float64Array(d);
  const out = candidates.data;
  let filled = 0;
  let rejected = 0;
  for (let round = 0; filled < count && round < options.maxIterations; round++) {
    const matings = Math.ceil((count - filled) / 2);
    const parents = binaryTournament(population, 2 * matings, rng, options.tournament);
    for (let t = 0; t < matings && filled < count; t++) {
      const a = parents[2 * t]!;
      const b = parents[2 * t + 1]!;
      sbx(
        X.data.subarray(a * d, (a + 1) * d),
        X.data.subarray(b * d, (b + 1) * d),
        childA,
        childB,
        layout,
        rng,
        options.crossover,
      );
      polynomialMutation(childA, layout, rng, options.mutation);
      polynomialMutation(childB, layout, rng, options.mutation);
      for (let c = 0; c < 2 && filled < count; c++) {
        const child = c === 0 ? childA : childB;
        layout.round?.(child);
        if (acceptor.accepts(child, filled)) {
          out.set(child, filled * d);
          filled++;
        } else {
          rejected++;
        }
      }
    }
  }
  const randomFill = count - filled;
  if (randomFill > 0) rejected += fillRandom(candidates, filled, layout, acceptor, rng);
  return { candidates, rejected, randomFill };
}
