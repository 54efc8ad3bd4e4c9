/**
 * Trust-region bookkeeping of MORBO (Daulton, Eriksson, Balandat, Bakshy, UAI 2022), after TuRBO
 * (Eriksson et al., NeurIPS 2019): each region has a centre (an observed point), a side length and
 * success and failure counters. A batch of new observations from a region is a success when it
 * raises the hypervolume; `successTolerance` successes in a row double the length (up to
 * `lengthMax`), `failureTolerance` failed evaluations in a row halve it, and a region whose length
 * falls below `lengthMin` restarts at `lengthInit` around a new centre. Centres are chosen among
 * the Pareto-optimal points by a score (hypervolume contribution, or a region's own: see
 * `chooseCentres`), each point used by one region at most.
 * Plain data and pure functions: the state is journaled as it is.
 */
import type { Matrix } from '../linalg/matrix.js';

/** The state machine's settings (validated by the strategy). */
export interface TrustRegionSettings {
  readonly lengthInit: number;
  readonly lengthMin: number;
  readonly lengthMax: number;
  /** Successes in a row that double the length. */
  readonly successTolerance: number;
  /** Failed evaluations in a row that halve it. */
  readonly failureTolerance: number;
}

/** One region, as journaled. */
export interface TrustRegionState {
  /** Trial id of the centre; null before the first choice and after a restart. */
  readonly centre: number | null;
  /** Side length in the unit cube (before the lengthscale shaping). */
  readonly length: number;
  readonly successes: number;
  readonly failures: number;
  /** How many times the region restarted. */
  readonly restarts: number;
}

/** What an update did to a region. */
export type TrustRegionEvent = 'expand' | 'shrink' | 'restart' | 'none';

/** A fresh region of length `lengthInit` without a centre. */
export function freshRegion(settings: TrustRegionSettings, restarts = 0): TrustRegionState {
  return { centre: null, length: settings.lengthInit, successes: 0, failures: 0, restarts };
}

/**
 * Records the outcome of `count` new evaluations proposed by `region`: one success when
 * `improved`, else `count` failures (as MORBO's code counts failures per evaluation). Expands
 * after `successTolerance` successes in a row, shrinks after `failureTolerance` failures in a
 * row, and restarts (fresh region, no centre) when the length falls below `lengthMin`.
 */
export function recordOutcome(
  region: TrustRegionState,
  improved: boolean,
  count: number,
  settings: TrustRegionSettings,
): { region: TrustRegionState; event: TrustRegionEvent } {
  if (!Number.isInteger(count) || count < 1) {
    throw new RangeError(`recordOutcome: count is ${count}, expected an integer >= 1`);
  }
  const successes = improved ? region.successes + 1 : 0;
  const failures = improved ? 0 : region.failures + count;
  if (successes >= settings.successTolerance) {
    const length = Math.min(2 * region.length, settings.lengthMax);
    return { region: { ...region, length, successes: 0, failures: 0 }, event: 'expand' };
  }
  if (failures >= settings.failureTolerance) {
    const length = region.length / 2;
    if (length < settings.lengthMin) {
      return { region: freshRegion(settings, region.restarts + 1), event: 'restart' };
    }
    return { region: { ...region, length, successes: 0, failures: 0 }, event: 'shrink' };
  }
  return { region: { ...region, successes, failures }, event: 'none' };
}

/** The points a centre may be chosen from. */
export interface CentreCandidates {
  /** k trial ids. */
  readonly ids: readonly number[];
  /** k x d: their inputs (unit cube). */
  readonly X: Matrix;
  /** k scores, higher is better (hypervolume contributions). */
  readonly scores: ArrayLike<number>;
  /** Per region, k scores of its own in place of `scores` (null: `scores`). */
  readonly regionScores?: readonly (ArrayLike<number> | null)[];
}

/**
 * Picks a centre (an index into `candidates`) for each region in order, as MORBO: among the
 * candidates not taken by an earlier region and not tabu, the best score (the region's own, where
 * `regionScores` gives it one) inside the region's current box (|x − old centre|∞ <= length / 2)
 * when there is one, else the best anywhere; when every candidate is taken or tabu, the best not
 * taken, and at last the best of all. Ties go to the lower index. `previous[r]` is region r's old
 * centre (length d) or null.
 */
export function chooseCentres(
  regions: readonly TrustRegionState[],
  previous: readonly (Float64Array | null)[],
  candidates: CentreCandidates,
  tabu: ReadonlySet<number>,
): number[] {
  const k = candidates.ids.length;
  if (k === 0) throw new RangeError('chooseCentres: no candidate centres');
  const d = candidates.X.cols;
  const taken = new Uint8Array(k);
  let scores = candidates.scores;
  const best = (ok: (i: number) => boolean): number => {
    let arg = -1;
    for (let i = 0; i < k; i++) {
      if (!ok(i)) continue;
      if (arg < 0 || scores[i]! > scores[arg]!) arg = i;
    }
    return arg;
  };
  const out: number[] = [];
  regions.forEach((region, r) => {
    scores = candidates.regionScores?.[r] ?? candidates.scores;
    const old = previous[r] ?? null;
    const free = (i: number) => taken[i] === 0 && !tabu.has(candidates.ids[i]!);
    const inside = (i: number) => {
      if (old === null) return false;
      const half = region.length / 2;
      const o = i * d;
      for (let j = 0; j < d; j++) if (Math.abs(candidates.X.data[o + j]! - old[j]!) > half) return false;
      return true;
    };
    let arg = best((i) => free(i) && inside(i));
    if (arg < 0) arg = best(free);
    if (arg < 0) arg = best((i) => taken[i] === 0);
    if (arg < 0) arg = best(() => true);
    taken[arg] = 1;
    out.push(arg);
  });
  return out;
}
