/**
 * Candidate filtering for the space-filling generators (Sobol, random): rounding onto the space,
 * the linear constraints, and no repeat of an observed, failed, pending or already accepted point.
 */
import type { Matrix } from '../linalg/matrix.js';
import type { EncodedSpace, GenerationInput } from './generator.js';

/** Default number of rejected points after which a space-filling generator gives up. */
export const DEFAULT_MAX_REJECTIONS = 100_000;

function checkMatrixWidth(fn: string, what: string, m: Matrix, d: number): void {
  if (m.rows > 0 && m.cols !== d) {
    throw new RangeError(`${fn}: ${what} has ${m.cols} columns, expected the space dimension ${d}`);
  }
}

/**
 * Accepts candidate points for the space-filling generators: rounds each through `space.round`,
 * rejects those that violate the linear constraints `A x <= b` (with a relative tolerance of 1e-12)
 * and those equal, after rounding, to an excluded row (observed, failed, pending) or to a point
 * accepted before.
 */
export class CandidateFilter {
  /** Points rejected because they violate a linear constraint. */
  rejectedInfeasible = 0;
  /** Points rejected because they repeat a known or accepted point. */
  rejectedDuplicate = 0;
  private readonly seen = new Set<string>();
  private readonly space: EncodedSpace;
  private readonly a: Float64Array;
  private readonly b: Float64Array;
  private readonly constraints: number;

  /** `exclude`: matrices of points (each `rows x d`) never to propose again. */
  constructor(fn: string, space: EncodedSpace, exclude: readonly (readonly [string, Matrix])[]) {
    const d = space.dimension;
    if (!Number.isInteger(d) || d < 1) {
      throw new RangeError(`${fn}: the space dimension must be an integer >= 1, got ${d}`);
    }
    const a = space.constraintMatrix;
    const k = space.constraintBound.length;
    if (a.rows !== k || (k > 0 && a.cols !== d)) {
      throw new RangeError(
        `${fn}: constraintMatrix is ${a.rows} x ${a.cols}, expected ${k} x ${d} to match constraintBound and the dimension`,
      );
    }
    this.space = space;
    this.a = a.data;
    this.b = space.constraintBound;
    this.constraints = k;
    const x = new Float64Array(d);
    for (const [what, m] of exclude) {
      checkMatrixWidth(fn, what, m, d);
      for (let i = 0; i < m.rows; i++) {
        x.set(m.data.subarray(i * d, (i + 1) * d));
        space.round(x);
        this.seen.add(x.join(','));
      }
    }
  }

  /** Rounds `x` (length d) in place; true, and remembered, when it is feasible and new. */
  offer(x: Float64Array): boolean {
    this.space.round(x);
    const d = x.length;
    for (let i = 0; i < this.constraints; i++) {
      let s = 0;
      const o = i * d;
      for (let j = 0; j < d; j++) s += this.a[o + j]! * x[j]!;
      const bound = this.b[i]!;
      if (s > bound + 1e-12 * Math.max(1, Math.abs(bound))) {
        this.rejectedInfeasible++;
        return false;
      }
    }
    // join prints -0 as "0", so signed zeros are one point.
    const key = x.join(',');
    if (this.seen.has(key)) {
      this.rejectedDuplicate++;
      return false;
    }
    this.seen.add(key);
    return true;
  }

  /** The error thrown when the rejection budget is spent with `accepted` of `count` candidates found. */
  exhausted(fn: string, accepted: number, count: number, draws: number): Error {
    const reason =
      this.rejectedInfeasible >= this.rejectedDuplicate
        ? 'the feasible region of the linear constraints seems tiny (or empty)'
        : 'the discrete space seems exhausted by observed, failed and pending points';
    return new Error(
      `${fn}: found only ${accepted} of ${count} candidates after ${draws} draws ` +
        `(${this.rejectedInfeasible} violated the linear constraints, ${this.rejectedDuplicate} were duplicates): ${reason}`,
    );
  }
}

/** The excluded point sets of an input, named for error messages. */
export function excludedPoints(input: GenerationInput): [string, Matrix][] {
  return [
    ['X', input.X],
    ['failed', input.failed],
    ['pending', input.pending],
  ];
}
