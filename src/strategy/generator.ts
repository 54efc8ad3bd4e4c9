import type { Matrix } from '../linalg/matrix.js';

/**
 * How one column of the unit-cube encoding came from a user parameter. Generators work on
 * `Float64Array` rows in [0, 1]^d; they need to know which columns are discrete so that they
 * propose points the space can decode exactly.
 */
export type EncodedColumn =
  | { readonly kind: 'continuous'; readonly parameter: string }
  /** An integer parameter with `levels` admissible values, spread evenly over [0, 1]. */
  | { readonly kind: 'integer'; readonly parameter: string; readonly levels: number }
  /** One column of a one-hot block: `choice` of `block` columns, exactly one of them 1. */
  | { readonly kind: 'onehot'; readonly parameter: string; readonly block: readonly number[] };

/** What a generator knows of the search space, in unit-cube form. */
export interface EncodedSpace {
  /** d: the number of unit-cube columns. */
  readonly dimension: number;
  readonly columns: readonly EncodedColumn[];
  /**
   * Linear inequality constraints in unit-cube form, `A x <= b`: `A` is `k x d`, `b` has length `k`.
   * Empty (`k = 0`) when the space has none.
   */
  readonly constraintMatrix: Matrix;
  readonly constraintBound: Float64Array;
  /**
   * Maps any point of [0, 1]^d to the nearest point the space can decode exactly (integers on their
   * grid, one-hot blocks with a single 1), in place. Continuous columns are left alone.
   */
  round(x: Float64Array): void;
}

/** Everything a generator may use to propose the next candidates. Matrices are in unit-cube form. */
export interface GenerationInput {
  readonly space: EncodedSpace;
  /** n x d: inputs of the completed trials. */
  readonly X: Matrix;
  /** n: the trial id of each row of X, Y and C (ascending trial order). */
  readonly completedIds: readonly number[];
  /** n x m: their objective values, in minimization form. */
  readonly Y: Matrix;
  /**
   * n x c: outcome-constraint values of the completed trials, each feasible when <= 0
   * (`c = 0` when there are none).
   */
  readonly C: Matrix;
  /** f x d: inputs of failed trials (not to be proposed again as-is). */
  readonly failed: Matrix;
  /** p x d: inputs of trials in flight (candidate, running) and abandoned ones: never propose these. */
  readonly pending: Matrix;
  /**
   * The reference point (length m, minimization form), decided by the Optimizer alone (its
   * thresholds, the point it froze, or the one it inferred for this generation); undefined only
   * while no trial has completed. Generators read it and never infer or store one of their own.
   */
  readonly referencePoint: Float64Array | undefined;
  /** How many candidates to return. */
  readonly count: number;
  /**
   * A 32-bit seed for this one generation, derived from the experiment seed and the ask counter:
   * the only source of randomness a generator may use, so that a resumed experiment asks the same.
   */
  readonly seed: number;
  /** JSON state the same generator returned last time (warm starts), or undefined. */
  readonly state: unknown;
  /**
   * Wall-clock budget of this generation in ms, the only one a generator obeys (a model generator
   * cuts its search short to meet it). Undefined: none. It is the smaller of the ask's
   * (`Optimizer.ask(n, { timeBudgetMs })`, e.g. a scheduler keeping pace with quick trials) and the
   * strategy's (`timeBudgetMs` of a 'mobo' step), merged in one place: `withTimeBudget`.
   */
  readonly timeBudgetMs?: number;
}

/** Checks the common parts of a generation input. */
export function checkGenerationInput(fn: string, input: GenerationInput): void {
  if (!Number.isInteger(input.count) || input.count < 0) {
    throw new RangeError(`${fn}: count must be an integer >= 0, got ${input.count}`);
  }
  if (!Number.isInteger(input.seed) || input.seed < 0 || input.seed >= 2 ** 32) {
    throw new RangeError(`${fn}: seed must be a 32-bit unsigned integer, got ${input.seed}`);
  }
}

/**
 * The input's reference point as an array, for the model-based generators, which never infer one
 * (the Optimizer decides it); a clear error when it is missing or of the wrong length.
 */
export function requireReferencePoint(fn: string, input: GenerationInput, m: number): number[] {
  if (input.referencePoint === undefined || input.referencePoint.length !== m) {
    throw new RangeError(
      `${fn}: expected a reference point of length ${m} (the Optimizer decides it), got ${
        input.referencePoint === undefined ? 'none' : `length ${input.referencePoint.length}`
      }`,
    );
  }
  return Array.from(input.referencePoint);
}

export interface GenerationResult {
  /** count x d: the candidates, in [0, 1]^d, already passed through `space.round`. */
  readonly candidates: Matrix;
  /** JSON-serializable facts about this generation (timings in ms per phase, backend, ...). */
  readonly metadata: Record<string, unknown>;
  /** JSON-serializable state to hand back next time (kept in the journal), or undefined. */
  readonly state?: unknown;
}

/** A source of candidates: Sobol, random, NSGA-II, MOBO. Pure given its input: no hidden state. */
export interface Generator {
  readonly name: string;
  generate(input: GenerationInput): Promise<GenerationResult>;
}

/**
 * `generator` under a configured budget of `ms` per generation (the `timeBudgetMs` option of a
 * strategy step): each generation gets the smaller of `ms` and the caller's `input.timeBudgetMs`.
 * The one place where the two budgets meet. Returns `generator` itself when `ms` is undefined.
 */
export function withTimeBudget(generator: Generator, ms: number | undefined): Generator {
  if (ms === undefined) return generator;
  if (!(typeof ms === 'number' && ms > 0)) {
    throw new RangeError(`withTimeBudget: timeBudgetMs must be a number of ms > 0, got ${String(ms)}`);
  }
  return {
    name: generator.name,
    generate: (input) =>
      generator.generate({ ...input, timeBudgetMs: Math.min(ms, input.timeBudgetMs ?? ms) }),
  };
}
