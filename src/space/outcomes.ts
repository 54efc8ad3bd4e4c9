import * as z from 'zod';
import type { Matrix } from '../linalg/matrix.js';
import { inferReferencePoint, MAX_METRIC_MAGNITUDE } from '../pareto/reference.js';
import { formatValue, parseConfig } from './errors.js';
import {
  checkOutcomes,
  deepFreeze,
  type LinearConstraintInput,
  linearConstraintSchema,
  type ObjectiveConfig,
  objectiveSchema,
  reportIssues,
  toInequality,
} from './schema.js';

/** The outcome part of a configuration: objectives and outcome constraints. */
export const outcomesSchema = z
  .strictObject({
    objectives: z.array(objectiveSchema).min(1),
    outcomeConstraints: z.array(linearConstraintSchema).optional(),
  })
  .superRefine((v, ctx) => reportIssues(ctx, checkOutcomes(v.objectives, v.outcomeConstraints)));

export type OutcomesConfig = z.input<typeof outcomesSchema>;

/** An outcome constraint in `<=` form: feasible when `sum terms[k] * metric(k) - bound <= 0`. */
export interface ResolvedOutcomeConstraint {
  readonly text: string;
  readonly terms: Readonly<Record<string, number>>;
  readonly bound: number;
}

/** The outcome of checking a payload of metric values: usable values, or why the trial failed. */
export type CheckedValues =
  | { readonly ok: true; readonly values: Record<string, number> }
  | { readonly ok: false; readonly reason: string };

/**
 * Objectives and outcome constraints: turns the user's metric values (by name, in the user's sense)
 * into a row of `Y` (m objectives, minimization form: a maximized objective negated here and
 * nowhere else) and a row of `C` (c constraints, feasible when <= 0).
 */
export class Outcomes {
  readonly objectives: readonly ObjectiveConfig[];
  readonly constraints: readonly ResolvedOutcomeConstraint[];
  /** Every metric a trial must report: the objectives, then the other names in outcome constraints. */
  readonly metrics: readonly string[];
  /** The thresholds in minimization form when every objective has one; otherwise undefined. */
  readonly thresholdPoint: Float64Array | undefined;
  /** Each objective's threshold in minimization form, NaN where the objective has none (length m). */
  readonly thresholds: Float64Array;
  private readonly signs: Float64Array;

  private constructor(objectives: readonly ObjectiveConfig[], constraints: readonly LinearConstraintInput[]) {
    this.objectives = deepFreeze(objectives);
    this.signs = Float64Array.from(objectives, (o) => (o.minimize ? 1 : -1));
    this.constraints = constraints.map((c) => {
      const q = toInequality(c, 'outcome constraint');
      const sign = q.op === '<=' ? 1 : -1;
      const terms: Record<string, number> = {};
      for (const [k, a] of Object.entries(q.terms)) terms[k] = sign * a;
      return { text: typeof c === 'string' ? c : formatValue(c), terms, bound: sign * q.bound };
    });
    deepFreeze(this.constraints);
    const metrics = objectives.map((o) => o.name);
    for (const c of this.constraints)
      for (const k of Object.keys(c.terms)) if (!metrics.includes(k)) metrics.push(k);
    this.metrics = Object.freeze(metrics);
    this.thresholds = Float64Array.from(objectives, (o, j) =>
      o.threshold === undefined ? Number.NaN : this.signs[j]! * o.threshold,
    );
    this.thresholdPoint = this.thresholds.every((t) => !Number.isNaN(t)) ? this.thresholds : undefined;
  }

  /** Builds from `{ objectives, outcomeConstraints? }`, throwing a `ConfigError` naming each bad path. */
  static create(config: OutcomesConfig): Outcomes {
    const valid = parseConfig(outcomesSchema, config, 'Outcomes.create');
    return new Outcomes(valid.objectives, valid.outcomeConstraints ?? []);
  }

  /**
   * A reference point in minimization form: each objective's threshold where it has one, elsewhere
   * inferred from `Y` (n x m, minimization form) by `inferReferencePoint` (the nadir of its Pareto
   * front plus 10% of the front's range). Undefined when a coordinate needs data and `Y` is empty.
   */
  referencePointFrom(Y: Matrix): number[] | undefined {
    if (this.thresholdPoint !== undefined) return Array.from(this.thresholdPoint);
    if (Y.rows === 0) return undefined;
    const inferred = inferReferencePoint(Y);
    return inferred.map((v, j) => (Number.isNaN(this.thresholds[j]!) ? v : this.thresholds[j]!));
  }

  /** m: the number of objectives. */
  get m(): number {
    return this.objectives.length;
  }

  /** c: the number of outcome constraints. */
  get c(): number {
    return this.constraints.length;
  }

  /**
   * Checks a payload of metric values. Throws a TypeError (headed by `what`) when it is not an
   * object, names an unknown metric, or holds a value that is not a number (or null); returns
   * `{ ok: false, reason }` when a metric is missing, null, NaN, infinite or beyond
   * MAX_METRIC_MAGNITUDE (1e100, a failure sentinel), since such a trial failed rather than the caller.
   */
  check(values: unknown, what: string): CheckedValues {
    if (values === null || typeof values !== 'object' || Array.isArray(values)) {
      throw new TypeError(`${what}: expected an object of metric values by name, got ${formatValue(values)}`);
    }
    const input = values as Record<string, unknown>;
    for (const [k, v] of Object.entries(input)) {
      if (!this.metrics.includes(k)) {
        throw new TypeError(`${what}: unknown metric "${k}" (expected: ${this.metrics.join(', ')})`);
      }
      if (v !== null && typeof v !== 'number') {
        throw new TypeError(`${what}: metric "${k}": expected a number, got ${formatValue(v)}`);
      }
    }
    const out: Record<string, number> = {};
    for (const k of this.metrics) {
      const v = input[k];
      if (!Object.hasOwn(input, k) || v === undefined)
        return { ok: false, reason: `metric "${k}" is missing` };
      if (v === null || !Number.isFinite(v)) {
        return { ok: false, reason: `metric "${k}" is ${v === null ? 'null' : String(v)}` };
      }
      if (Math.abs(v as number) > MAX_METRIC_MAGNITUDE) {
        return {
          ok: false,
          reason: `metric "${k}" is ${String(v)}, beyond ±${MAX_METRIC_MAGNITUDE}: taken for a failure sentinel (such as DBL_MAX or HUGE_VAL), not a result`,
        };
      }
      out[k] = v as number;
    }
    return { ok: true, values: out };
  }

  /**
   * Checks standard errors by metric name: known names, finite, >= 0. Throws a TypeError or
   * RangeError headed by `what`.
   */
  checkSem(sem: unknown, what: string): Record<string, number> {
    if (sem === null || typeof sem !== 'object' || Array.isArray(sem)) {
      throw new TypeError(
        `${what}: sem: expected an object of standard errors by metric name, got ${formatValue(sem)}`,
      );
    }
    const out: Record<string, number> = {};
    for (const [k, v] of Object.entries(sem as Record<string, unknown>)) {
      if (!this.metrics.includes(k)) {
        throw new TypeError(`${what}: sem: unknown metric "${k}" (expected: ${this.metrics.join(', ')})`);
      }
      if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
        throw new RangeError(
          `${what}: sem: metric "${k}": expected a finite number >= 0, got ${formatValue(v)}`,
        );
      }
      out[k] = v;
    }
    return out;
  }

  /** Writes the m objectives of `values` in minimization form into `out[offset..offset+m)`. */
  objectiveRow(values: Readonly<Record<string, number>>, out: Float64Array, offset = 0): void {
    for (let j = 0; j < this.objectives.length; j++) {
      out[offset + j] = this.signs[j]! * values[this.objectives[j]!.name]!;
    }
  }

  /** Writes the c constraint values of `values` (feasible when <= 0) into `out[offset..offset+c)`. */
  constraintRow(values: Readonly<Record<string, number>>, out: Float64Array, offset = 0): void {
    for (let i = 0; i < this.constraints.length; i++) {
      const con = this.constraints[i]!;
      let s = -con.bound;
      for (const [k, a] of Object.entries(con.terms)) s += a * values[k]!;
      out[offset + i] = s;
    }
  }

  /** Whether `values` satisfy every outcome constraint. */
  isFeasible(values: Readonly<Record<string, number>>): boolean {
    for (const con of this.constraints) {
      let s = -con.bound;
      for (const [k, a] of Object.entries(con.terms)) s += a * values[k]!;
      if (s > 0) return false;
    }
    return true;
  }

  /** Objective values (length m) from minimization form back to the user's sense, by name. */
  fromMinimization(y: ArrayLike<number>): Record<string, number> {
    const out: Record<string, number> = {};
    for (let j = 0; j < this.objectives.length; j++) out[this.objectives[j]!.name] = this.signs[j]! * y[j]!;
    return out;
  }
}
