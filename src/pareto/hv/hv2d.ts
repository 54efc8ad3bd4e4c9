import { argsortLex } from './index-sort.js';

/**
 * Hypervolume in two objectives by sorting and one sweep, O(n log n). Points are translated so the
 * reference is the origin: every coordinate is < 0 and each point dominates the box `[x, 0] x [y, 0]`.
 *
 * @param xs first objective, length >= n
 * @param ys second objective, length >= n
 * @param order work buffer, length >= n
 */
export function hv2d(xs: Float64Array, ys: Float64Array, n: number, order: Int32Array): number {
  argsortLex(xs, ys, n, order);
  // In x order each staircase point adds the strip [x, 0] x [y, ymin]; every term is positive.
  let ymin = 0;
  let sum = 0;
  let comp = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const y = ys[i]!;
    if (y < ymin) {
      const term = -xs[i]! * (ymin - y);
      const t = sum + term;
      comp += sum >= term ? sum - t + term : term - t + sum;
      sum = t;
      ymin = y;
    }
  }
  return sum + comp;
}

/**
 * Exclusive contributions in two objectives, O(n log n). A staircase point p owns the rectangle
 * between its neighbours on the staircase, [x_p, x_next] x [y_p, y_prev]; the points that p alone
 * dominates lie in it and, once p is removed, cover part of it, so p's contribution is what their own
 * staircase leaves uncovered. Dominated points and exact duplicates get 0.
 *
 * @param out length >= n, receives the contributions
 */
export function hv2dContributions(
  xs: Float64Array,
  ys: Float64Array,
  n: number,
  order: Int32Array,
  out: Float64Array,
): void {
  argsortLex(xs, ys, n, order);
  out.fill(0, 0, n);
  // In x order: `last` is the current staircase point, `above` the y of the one before it, and
  // (subX, subH) the last step of the staircase of points inside last's rectangle; `uncovered` sums
  // positive strips so no cancellation occurs.
  let last = -1;
  let lastY = 0;
  let above = 0;
  let subX = 0;
  let subH = 0;
  let uncovered = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k]!;
    const x = xs[i]!;
    const y = ys[i]!;
    if (y < lastY) {
      if (last >= 0) out[last] = uncovered + (x - subX) * (subH - lastY);
      above = lastY;
      last = i;
      lastY = y;
      subX = x;
      subH = above;
      uncovered = 0;
    } else if (y < subH) {
      uncovered += (x - subX) * (subH - lastY);
      subX = x;
      subH = y;
    }
  }
  if (last >= 0) out[last] = uncovered + (0 - subX) * (subH - lastY);
}
