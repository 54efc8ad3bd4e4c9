import { type Matrix, selectRows } from '../linalg/matrix.js';
import { crowdingDistance } from '../pareto/crowding.js';
import { nondominatedSort } from '../pareto/nondominated-sort.js';
import type { Rng } from '../random/rng.js';

/**
 * The total constraint violation of each row of `C` (`n x c`, feasible when <= 0): the sum of the
 * positive parts. Undefined when `c = 0` (nothing constrains the population).
 */
export function constraintViolation(C: Matrix): Float64Array | undefined {
  if (C.cols === 0) return undefined;
  const n = C.rows;
  const c = C.cols;
  const data = C.data;
  const cv = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < c; j++) {
      const v = data[i * c + j]!;
      if (v > 0) s += v;
    }
    cv[i] = s;
  }
  return cv;
}

/** The survivors of a rank-and-crowding selection, with the rank and crowding of each. */
export interface Survival {
  /** Indices of the survivors into the input rows, in survival order. */
  readonly indices: Int32Array;
  /**
   * Rank of each survivor (aligned with `indices`): its non-dominated front among the feasible points,
   * from 0. Infeasible survivors get the number of feasible fronts seen plus their order by violation.
   */
  readonly rank: Int32Array;
  /** Crowding distance of each survivor within its whole front (Infinity at the boundary; 0 if infeasible). */
  readonly crowding: Float64Array;
}

/**
 * Rank-and-crowding survival of NSGA-II (Deb et al. 2002) with constrained domination, as pymoo 0.6.1's
 * `RankAndCrowding`: feasible points first, front by front; the front that does not fit is cut by
 * descending crowding distance (ties broken at random); then infeasible points by ascending total
 * violation.
 *
 * `F` is `n x m` (minimization), `cv` has length n (undefined: all feasible), `count` <= n survive.
 * O(m n^2) for the sort plus O(m n log n) for crowding. Run with `count = n - 1` it is the (mu + 1)
 * removal of steady-state NSGA-II.
 */
export function rankAndCrowdingSurvival(
  F: Matrix,
  cv: Float64Array | undefined,
  count: number,
  rng: Rng,
): Survival {
  const n = F.rows;
  if (!Number.isInteger(count) || count < 0 || count > n) {
    throw new RangeError(`rankAndCrowdingSurvival: count must be an integer in [0, ${n}], got ${count}`);
  }
  if (cv !== undefined && cv.length !== n) {
    throw new RangeError(`rankAndCrowdingSurvival: cv has length ${cv.length}, expected ${n} (rows of F)`);
  }
  const indices = new Int32Array(count);
  const rank = new Int32Array(count);
  const crowding = new Float64Array(count);
  if (count === 0) return { indices, rank, crowding };

  let feasible: Int32Array | undefined;
  let infeasible: number[] = [];
  if (cv !== undefined) {
    const f: number[] = [];
    for (let i = 0; i < n; i++) {
      if (cv[i]! > 0) infeasible.push(i);
      else f.push(i);
    }
    if (infeasible.length > 0) feasible = Int32Array.from(f);
  }
  const points = feasible === undefined ? F : selectRows(F, feasible);

  let filled = 0;
  let frontCount = 0;
  if (points.rows > 0) {
    const { fronts } = nondominatedSort(points, { stopAfter: Math.min(count, points.rows) });
    for (let k = 0; k < fronts.length && filled < count; k++) {
      const front = fronts[k]!;
      frontCount = k + 1;
      const cd = crowdingDistance(points, front);
      const room = count - filled;
      if (front.length <= room) {
        for (let t = 0; t < front.length; t++) {
          const i = front[t]!;
          indices[filled] = feasible === undefined ? i : feasible[i]!;
          rank[filled] = k;
          crowding[filled] = cd[t]!;
          filled++;
        }
      } else {
        for (const t of randomizedDescendingOrder(cd, rng).subarray(0, room)) {
          const i = front[t]!;
          indices[filled] = feasible === undefined ? i : feasible[i]!;
          rank[filled] = k;
          crowding[filled] = cd[t]!;
          filled++;
        }
      }
    }
  }
  if (filled < count && cv !== undefined) {
    infeasible = infeasible.sort((a, b) => cv[a]! - cv[b]! || a - b);
    for (let t = 0; filled < count; t++) {
      indices[filled] = infeasible[t]!;
      rank[filled] = frontCount + t;
      crowding[filled] = 0;
      filled++;
    }
  }
  return { indices, rank, crowding };
}

/** Positions 0..n-1 ordered by descending `values`, equal values in random order (pymoo's randomized argsort). */
export function randomizedDescendingOrder(values: Float64Array, rng: Rng): Int32Array {
  const n = values.length;
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    const t = order[i]!;
    order[i] = order[j]!;
    order[j] = t;
  }
  // Array.prototype.sort is stable, so the shuffle decides among equal values.
  const sorted = Array.from(order).sort((a, b) => {
    const va = values[a]!;
    const vb = values[b]!;
    return va === vb ? 0 : va > vb ? -1 : 1;
  });
  return Int32Array.from(sorted);
}
