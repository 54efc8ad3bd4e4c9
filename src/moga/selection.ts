import type { Matrix } from '../linalg/matrix.js';
import type { Rng } from '../random/rng.js';

/**
 * How two feasible individuals are compared in a tournament before crowding decides.
 * `'dominance'`: by Pareto dominance of their objective vectors (pymoo 0.6.1 NSGA2's default,
 * `comp_by_dom_and_crowding`); `'rank'`: by front rank (`comp_by_rank_and_crowding`).
 */
export type TournamentKind = 'dominance' | 'rank';

/** A ranked population as the tournament sees it; every array is aligned with the rows of `F`. */
export interface TournamentPopulation {
  /** n x m objective values (minimization). */
  readonly F: Matrix;
  /** n total constraint violations (undefined: all feasible). */
  readonly cv: Float64Array | undefined;
  /** n front ranks from the last survival. */
  readonly rank: Int32Array;
  /** n crowding distances from the last survival. */
  readonly crowding: Float64Array;
}

/** 1 when row `a` of `F` dominates row `b`, -1 when `b` dominates `a`, 0 otherwise. */
export function dominance(F: Matrix, a: number, b: number): number {
  const m = F.cols;
  const f = F.data;
  const oa = a * m;
  const ob = b * m;
  let aBetter = false;
  let bBetter = false;
  for (let j = 0; j < m; j++) {
    const x = f[oa + j]!;
    const y = f[ob + j]!;
    if (x < y) aBetter = true;
    else if (y < x) bBetter = true;
  }
  if (aBetter === bBetter) return 0;
  return aBetter ? 1 : -1;
}

/**
 * The winner of one binary tournament between individuals `a` and `b`, as pymoo 0.6.1's
 * `binary_tournament`: if either is infeasible, the smaller violation wins (ties at random); otherwise
 * dominance (or rank) decides, then the larger crowding distance, then a coin.
 */
export function tournamentWinner(
  population: TournamentPopulation,
  a: number,
  b: number,
  rng: Rng,
  kind: TournamentKind = 'dominance',
): number {
  const cv = population.cv;
  if (cv !== undefined) {
    const ca = cv[a]!;
    const cb = cv[b]!;
    if (ca > 0 || cb > 0) {
      if (ca < cb) return a;
      if (cb < ca) return b;
      return rng.uniform() < 0.5 ? a : b;
    }
  }
  if (kind === 'dominance') {
    const rel = dominance(population.F, a, b);
    if (rel === 1) return a;
    if (rel === -1) return b;
  } else {
    const ra = population.rank[a]!;
    const rb = population.rank[b]!;
    if (ra < rb) return a;
    if (rb < ra) return b;
  }
  const da = population.crowding[a]!;
  const db = population.crowding[b]!;
  if (da > db) return a;
  if (db > da) return b;
  return rng.uniform() < 0.5 ? a : b;
}

/**
 * Picks `count` parents by binary tournaments, as pymoo's `TournamentSelection` (pressure 2): the
 * competitors are read off concatenated random permutations of the population, so every individual
 * enters about `2 count / n` tournaments. Returns `count` indices into the population.
 */
export function binaryTournament(
  population: TournamentPopulation,
  count: number,
  rng: Rng,
  kind: TournamentKind = 'dominance',
): Int32Array {
  const n = population.F.rows;
  if (n < 1)
    throw new RangeError('binaryTournament: the population is empty, expected at least 1 individual');
  if (!Number.isInteger(count) || count < 0) {
    throw new RangeError(`binaryTournament: count must be a non-negative integer, got ${count}`);
  }
  const competitors = new Int32Array(2 * count);
  const perm = new Int32Array(n);
  for (let filled = 0; filled < competitors.length; ) {
    for (let i = 0; i < n; i++) perm[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = rng.int(i + 1);
      const t = perm[i]!;
      perm[i] = perm[j]!;
      perm[j] = t;
    }
    for (let i = 0; i < n && filled < competitors.length; i++) competitors[filled++] = perm[i]!;
  }
  const winners = new Int32Array(count);
  for (let t = 0; t < count; t++) {
    winners[t] = tournamentWinner(population, competitors[2 * t]!, competitors[2 * t + 1]!, rng, kind);
  }
  return winners;
}
