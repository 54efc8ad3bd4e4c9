import { type Matrix, selectRows } from '../linalg/matrix.js';
import { paretoFilter } from './dominance.js';

/**
 * The reference point inferred from observations `Y` (n x m, minimization, n >= 1): the nadir of
 * their Pareto front plus 10% of the front's range in each objective (of max(|nadir|, 1) where the
 * range is zero), as BoTorch's `infer_reference_point` and Ax do. The front, not all points, so that
 * a few very poor observations do not push the reference point far out.
 */
export function inferReferencePoint(Y: Matrix): number[] {
  if (Y.rows === 0) throw new RangeError('inferReferencePoint: needs at least one observation, got 0 rows');
  const m = Y.cols;
  const front = selectRows(Y, paretoFilter(Y));
  const point: number[] = [];
  for (let j = 0; j < m; j++) {
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < front.rows; i++) {
      const v = front.data[i * m + j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const range = hi - lo;
    point.push(hi + 0.1 * (range > 0 ? range : Math.max(Math.abs(hi), 1)));
  }
  return point;
}
