import { type Matrix, type MatrixLike, toMatrix } from '../src/linalg/matrix.js';

/**
 * A benchmark problem in minimization form: `evaluate` maps decision vectors (rows, in the box
 * `[lower, upper]`) to objective vectors. The conformance suite in test/problems checks every problem.
 */
export interface Problem {
  /** Lower-case name, as `getProblem` accepts it: 'dtlz2', 'zdt1', 'branincurrin'. */
  readonly name: string;
  /** d: the number of decision variables. */
  readonly dimensions: number;
  /** m: the number of objectives. */
  readonly objectives: number;
  /** Lower bounds, length d. */
  readonly lower: Float64Array;
  /** Upper bounds, length d. */
  readonly upper: Float64Array;
  /** The hypervolume reference point, length m, an upper corner in minimization form. */
  readonly referencePoint: Float64Array;
  /**
   * Hypervolume of the true Pareto front with respect to `referencePoint`, where a closed form (or a
   * one-dimensional root-finding of exact formulas) exists; undefined otherwise.
   */
  readonly maxHypervolume: number | undefined;
  /** Objective values of the rows of X: `n x d` in, `n x m` out. Rows outside the box are not clipped. */
  evaluate(X: MatrixLike): Matrix;
  /** A deterministic sample of points of the true Pareto front, `about n x m`: see each problem's rule. */
  paretoFront(n: number): Matrix;
}

/** Options every problem factory takes. */
export interface ReferencePointOption {
  /** Replaces the default reference point (length m). maxHypervolume follows where its formula allows. */
  referencePoint?: ArrayLike<number>;
}

/** Checks X (`n x d`) for `problem.evaluate` and returns it as a Matrix. */
export function decisionMatrix(X: MatrixLike, d: number, problem: string): Matrix {
  const M = toMatrix(X, `${problem}.evaluate: X`, d);
  if (M.cols !== d) {
    throw new RangeError(`${problem}.evaluate: X has ${M.cols} columns, expected d = ${d}`);
  }
  for (let i = 0; i < M.data.length; i++) {
    if (!Number.isFinite(M.data[i]!)) {
      const r = Math.floor(i / d);
      throw new RangeError(
        `${problem}.evaluate: X[${r}][${i - r * d}] is ${M.data[i]}, expected a finite number`,
      );
    }
  }
  return M;
}

/** Validates a requested front size for `problem.paretoFront`. */
export function frontSize(n: number, problem: string): number {
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${problem}.paretoFront: n is ${n}, expected an integer >= 1`);
  }
  return n;
}

/** The reference point: `given` (checked to have length m) or the default. */
export function referencePointOf(
  given: ArrayLike<number> | undefined,
  fallback: ArrayLike<number>,
  problem: string,
): Float64Array {
  const r = Float64Array.from(given ?? fallback);
  if (r.length !== fallback.length) {
    throw new RangeError(
      `${problem}: referencePoint has length ${r.length}, expected m = ${fallback.length}`,
    );
  }
  for (let j = 0; j < r.length; j++) {
    if (!Number.isFinite(r[j]!)) {
      throw new RangeError(`${problem}: referencePoint[${j}] is ${r[j]}, expected a finite number`);
    }
  }
  return r;
}

/** True when every r_j >= bound_j: the condition under which the closed-form hypervolumes hold. */
export function covers(reference: Float64Array, bound: ArrayLike<number>): boolean {
  for (let j = 0; j < reference.length; j++) if (!(reference[j]! >= bound[j]!)) return false;
  return true;
}

/** An integer option in [min, max], or the default. */
export function integerOption(
  value: number | undefined,
  fallback: number,
  min: number,
  what: string,
  problem: string,
): number {
  const v = value ?? fallback;
  if (!Number.isInteger(v) || v < min) {
    throw new RangeError(`${problem}: ${what} is ${value}, expected an integer >= ${min}`);
  }
  return v;
}
