import { type Matrix, selectRows } from '../linalg/matrix.js';
import { paretoFilter } from './dominance.js';

/**
 * Magnitude beyond which an observed value is taken for a failure sentinel (DBL_MAX, HUGE_VAL, 1e308
 * from a C or Fortran code), never for data: `Outcomes.check` fails a trial that reports one, and
 * reference point inference leaves out old observations beyond it (journals written before that
 * check). 1e100 is far beyond any physical quantity in any unit, and keeps squares and sums of
 * squares of observations (GP standardization) finite.
 */
export const MAX_METRIC_MAGNITUDE = 1e100;

/**
 * The reference point inferred from observations `Y` (n x m, minimization, n >= 1): the nadir of
 * their Pareto front plus 10% of the front's range in each objective (of max(|nadir|, 1) where the
 * range is zero), as BoTorch's `infer_reference_point` and Ax do. The front, not all points, so that
 * a few very poor observations do not push the reference point far out.
 *
 * Finite for any finite input: rows with a value beyond `MAX_METRIC_MAGNITUDE` are left out while
 * others remain; a range that overflows is taken as 10% of each end; a coordinate that would pass
 * the largest double is that largest double (`Number.MAX_VALUE`).
 */
export function inferReferencePoint(Y: Matrix): number[] {
  if (Y.rows === 0) throw new RangeError('inferReferencePoint: needs at least one observation, got 0 rows');
  const m = Y.cols;
  const sane: number[] = [];
  for (let i = 0; i < Y.rows; i++) {
    let ok = true;
    for (let j = 0; j < m && ok; j++) ok = Math.abs(Y.data[i * m + j]!) <= MAX_METRIC_MAGNITUDE;
    if (ok) sane.push(i);
  }
  const data = sane.length === Y.rows || sane.length === 0 ? Y : selectRows(Y, sane);
  const front = selectRows(data, paretoFilter(data));
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
    const margin = !Number.isFinite(range)
      ? 0.1 * hi - 0.1 * lo
      : 0.1 * (range > 0 ? range : Math.max(Math.abs(hi), 1));
    const value = hi + margin;
    point.push(Number.isFinite(value) ? value : Number.MAX_VALUE);
  }
  return point;
}
