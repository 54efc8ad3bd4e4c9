/**
 * The hypervolume of an experiment, computed one way for every place that shows it: the progress
 * line of `mobo run`, its closing summary and `mobo status`, the HTML report, `mobo serve` and the
 * Optimizer's own `hypervolume()` and `hypervolumeHistory()`.
 *
 * One reference-point rule (see `Optimizer.referencePoint`):
 * - `thresholds`: every objective has a threshold; the point is the thresholds, fixed from the start;
 * - `fixed`: inferred from the feasible completed trials and journaled (by an ask or by the first
 *   hypervolume needed once 2(d+1) feasible trials had completed); fixed from then on;
 * - `provisional`: not journaled yet; inferred now from the feasible completed trials (thresholds
 *   where objectives have one). It moves as results arrive, so the hypervolume against it can go
 *   down as well as up, until it is fixed.
 */
import type { Matrix } from '../linalg/matrix.js';
import { weaklyDominates } from '../pareto/dominance.js';
import { scaledHypervolume } from '../pareto/scaled-hypervolume.js';
import type { Outcomes } from '../space/outcomes.js';
import type { Experiment } from './experiment.js';

/** How the reference point was obtained (see the module comment). */
export type ReferenceRule = 'thresholds' | 'fixed' | 'provisional';

/** The reference point an experiment's hypervolume is measured against. */
export interface ReferenceStatus {
  /** m values in minimization form (a maximized objective negated); undefined while there is none. */
  readonly point: readonly number[] | undefined;
  /** Undefined when there is no point. */
  readonly rule: ReferenceRule | undefined;
  /** Feasible completed trials. */
  readonly feasible: number;
  /** Feasible completed trials at which an inferred point is fixed: 2(d+1). */
  readonly quorum: number;
}

/** How far the closest trials are from beating the reference point, when none does. */
export interface ReferenceShortfall {
  /**
   * Per objective, in the user's sense: the reference value, the best feasible value observed and
   * `gap`, how much worse that best value is than the reference (<= 0 where some trial beats it).
   */
  readonly objectives: readonly { readonly reference: number; readonly best: number; readonly gap: number }[];
  /**
   * The feasible trial closest to beating the reference point in all objectives (the fewest
   * objectives missed, then the smallest sum of gaps, each scaled by the objective's observed range),
   * and its gap per objective (user's units, > 0 where it misses).
   */
  readonly closest: { readonly trial: number; readonly gaps: readonly number[] };
}

/** Everything shown about an experiment's hypervolume. */
export interface HypervolumeStatus extends ReferenceStatus {
  /** The hypervolume of the feasible completed trials (0 without a point or a trial). */
  readonly hypervolume: number;
  /**
   * Present when the hypervolume is 0 although feasible trials have completed: no trial beats the
   * reference point in every objective.
   */
  readonly shortfall?: ReferenceShortfall;
}

/** The feasible completed trials' objective rows (minimization form) with their ids, in id order. */
function feasibleRows(experiment: Experiment, outcomes: Outcomes): { ids: number[]; rows: Float64Array[] } {
  const ids: number[] = [];
  const rows: Float64Array[] = [];
  for (const t of experiment.trials()) {
    if (t.state !== 'completed' || t.values === undefined || !outcomes.isFeasible(t.values)) continue;
    const y = new Float64Array(outcomes.m);
    outcomes.objectiveRow(t.values, y);
    ids.push(t.id);
    rows.push(y);
  }
  return { ids, rows };
}

function asMatrix(rows: readonly Float64Array[], m: number): Matrix {
  const data = new Float64Array(rows.length * m);
  for (let i = 0; i < rows.length; i++) data.set(rows[i]!, i * m);
  return { rows: rows.length, cols: m, data };
}

/**
 * The reference point by the one rule: the experiment's own (thresholds, or an inferred point it
 * journaled), else one inferred now from the feasible completed trials (`provisional`).
 * `dimension` is d, the unit-cube dimension of the search space. Reads only; journals nothing.
 */
export function referenceStatus(
  experiment: Experiment,
  outcomes: Outcomes,
  dimension: number,
): ReferenceStatus {
  const { rows } = feasibleRows(experiment, outcomes);
  return statusFrom(experiment, outcomes, dimension, rows);
}

function statusFrom(
  experiment: Experiment,
  outcomes: Outcomes,
  dimension: number,
  rows: readonly Float64Array[],
): ReferenceStatus {
  const quorum = 2 * (dimension + 1);
  const known = experiment.referencePoint;
  if (known !== null) {
    return {
      point: known,
      rule: outcomes.thresholdPoint !== undefined ? 'thresholds' : 'fixed',
      feasible: rows.length,
      quorum,
    };
  }
  const point = outcomes.referencePointFrom(asMatrix(rows, outcomes.m));
  return { point, rule: point === undefined ? undefined : 'provisional', feasible: rows.length, quorum };
}

/**
 * The hypervolume of the feasible completed trials against the reference point of
 * `referenceStatus`, and, when it is 0 although feasible trials exist, how far they are from the
 * reference point. Reads only.
 */
export function experimentHypervolume(
  experiment: Experiment,
  outcomes: Outcomes,
  dimension: number,
): HypervolumeStatus {
  const { ids, rows } = feasibleRows(experiment, outcomes);
  const status = statusFrom(experiment, outcomes, dimension, rows);
  if (status.point === undefined || rows.length === 0) return { ...status, hypervolume: 0 };
  const volume = scaledHypervolume(asMatrix(rows, outcomes.m), status.point);
  if (volume > 0) return { ...status, hypervolume: volume };
  return { ...status, hypervolume: 0, shortfall: shortfallOf(ids, rows, status.point, outcomes) };
}

function shortfallOf(
  ids: readonly number[],
  rows: readonly Float64Array[],
  reference: readonly number[],
  outcomes: Outcomes,
): ReferenceShortfall {
  const m = outcomes.m;
  const signs = outcomes.objectives.map((o) => (o.minimize ? 1 : -1));
  const best = new Float64Array(m).fill(Number.POSITIVE_INFINITY);
  const worst = new Float64Array(m).fill(Number.NEGATIVE_INFINITY);
  for (const y of rows) {
    for (let j = 0; j < m; j++) {
      best[j] = Math.min(best[j]!, y[j]!);
      worst[j] = Math.max(worst[j]!, y[j]!);
    }
  }
  let closest = 0;
  let closestKey: [number, number] = [Number.POSITIVE_INFINITY, Number.POSITIVE_INFINITY];
  rows.forEach((y, i) => {
    let missed = 0;
    let scaled = 0;
    for (let j = 0; j < m; j++) {
      const gap = y[j]! - reference[j]!;
      if (gap >= 0) {
        missed++;
        const range = worst[j]! - best[j]!;
        scaled += gap / (range > 0 ? range : Math.max(Math.abs(reference[j]!), 1));
      }
    }
    if (missed < closestKey[0] || (missed === closestKey[0] && scaled < closestKey[1])) {
      closest = i;
      closestKey = [missed, scaled];
    }
  });
  const y = rows[closest]!;
  return {
    objectives: Array.from({ length: m }, (_, j) => ({
      reference: signs[j]! * reference[j]!,
      best: signs[j]! * best[j]!,
      gap: best[j]! - reference[j]!,
    })),
    closest: { trial: ids[closest]!, gaps: Array.from({ length: m }, (_, j) => y[j]! - reference[j]!) },
  };
}

/**
 * The hypervolume after each completed trial, in the order values arrived (one value per completed
 * trial), against the fixed point `reference` (minimization form); infeasible trials and trials
 * outside the reference box leave it unchanged. With the reference point of `experimentHypervolume`
 * its last value is that function's hypervolume.
 */
export function hypervolumeHistory(
  experiment: Experiment,
  outcomes: Outcomes,
  reference: readonly number[] | undefined,
): number[] {
  const order = experiment.completionOrder;
  if (reference === undefined) return order.map(() => 0);
  const m = outcomes.m;
  const y = new Float64Array(m);
  // Only a point that enters the running front changes the volume, so the volume is recomputed
  // for the front alone and only then: O(n f) dominance checks plus one HV per front change.
  let front: Float64Array[] = [];
  let volume = 0;
  const out: number[] = [];
  for (const id of order) {
    const values = experiment.trial(id)!.values!;
    outcomes.objectiveRow(values, y);
    let inside = outcomes.isFeasible(values);
    for (let j = 0; j < m && inside; j++) inside = y[j]! < reference[j]!;
    if (inside && !front.some((f) => weaklyDominates(f, y))) {
      front = front.filter((f) => !weaklyDominates(y, f));
      front.push(Float64Array.from(y));
      volume = scaledHypervolume(front, reference);
    }
    out.push(volume);
  }
  return out;
}

/** The rule in words, for a summary: e.g. "from the objectives' thresholds". */
export function describeReference(status: ReferenceStatus): string {
  switch (status.rule) {
    case undefined:
      return 'none yet: no feasible trial has completed';
    case 'thresholds':
      return "the objectives' thresholds";
    case 'fixed':
      return 'inferred from the feasible trials, then fixed';
    case 'provisional':
      if (status.feasible >= status.quorum)
        return `inferred from the ${status.feasible} feasible trials; the optimizer fixes it when it next needs it`;
      return `provisional, inferred from the ${status.feasible} feasible trial${status.feasible === 1 ? '' : 's'} so far: it moves, and the hypervolume with it (up or down), until ${status.quorum} feasible trials fix it`;
  }
}
