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
  /** The reference point (length m, minimization form) when it is known; otherwise undefined. */
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
   * Wall-clock budget of this generation in ms, set by a caller that must keep pace (a scheduler
   * whose trials are quick); a model generator cuts its search short to meet it. Undefined: none.
   */
  readonly timeBudgetMs?: number;
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
