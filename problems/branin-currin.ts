import { type Matrix, type MatrixLike, zeros } from '../src/linalg/matrix.js';
import { paretoFilter } from '../src/pareto/dominance.js';
import {
  decisionMatrix,
  frontSize,
  type Problem,
  type ReferencePointOption,
  referencePointOf,
} from './problem.js';

/** Options of `braninCurrin`. */
export type BraninCurrinOptions = ReferencePointOption;

/** Branin on [0, 1]^2 rescaled to [-5, 10] x [0, 15], as BoTorch does. */
function branin(u: number, v: number): number {
  const x0 = 15 * u - 5;
  const x1 = 15 * v;
  const t = x1 - (5.1 / (4 * Math.PI ** 2)) * x0 * x0 + (5 / Math.PI) * x0 - 6;
  return t * t + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x0) + 10;
}

/** Currin's exponential function on [0, 1]^2; at x1 = 0 its first factor is 1 (the limit). */
function currin(u: number, v: number): number {
  const factor = v === 0 ? 1 : 1 - Math.exp(-1 / (2 * v));
  const numerator = 2300 * u ** 3 + 1900 * u * u + 2092 * u + 60;
  const denominator = 100 * u ** 3 + 500 * u * u + 4 * u + 20;
  return (factor * numerator) / denominator;
}

/** Branin in the rescaled x1: branin(u, v) = (15 v - q(u))^2 + c(u); returns [q(u), c(u)]. */
function braninParts(u: number): [number, number] {
  const x0 = 15 * u - 5;
  const q = -(5.1 / (4 * Math.PI ** 2)) * x0 * x0 + (5 / Math.PI) * x0 - 6;
  return [-q, 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(x0) + 10];
}

/**
 * The largest v in [0, 1] with branin(u, v) <= level, or NaN when there is none. Currin decreases in v,
 * so for a fixed u and a bound on Branin this v gives the least Currin.
 */
function largestFeasibleV(u: number, level: number): number {
  const [q, c] = braninParts(u);
  if (level < c) return Number.NaN;
  const s = Math.sqrt(level - c);
  const hi = Math.min(1, (q + s) / 15);
  return hi >= Math.max(0, (q - s) / 15) ? hi : Number.NaN;
}

/** Least Currin over u in [0, 1] subject to Branin <= level: [u, v]. Grid of 1000 cells, then golden section. */
function constrainedMinimum(level: number): [number, number] {
  const value = (u: number): number => {
    const v = largestFeasibleV(u, level);
    return Number.isNaN(v) ? Number.POSITIVE_INFINITY : currin(u, v);
  };
  const cells = 1000;
  let best = 0;
  let bestValue = Number.POSITIVE_INFINITY;
  for (let a = 0; a <= cells; a++) {
    const f = value(a / cells);
    if (f < bestValue) {
      bestValue = f;
      best = a;
    }
  }
  let lo = Math.max(0, (best - 1) / cells);
  let hi = Math.min(1, (best + 1) / cells);
  const g = (Math.sqrt(5) - 1) / 2;
  for (let it = 0; it < 80; it++) {
    const x1 = hi - g * (hi - lo);
    const x2 = lo + g * (hi - lo);
    if (value(x1) < value(x2)) hi = x2;
    else lo = x1;
  }
  let u = 0.5 * (lo + hi);
  if (!(value(u) <= bestValue)) u = best / cells;
  return [u, largestFeasibleV(u, level)];
}

/**
 * Branin-Currin (Belakaria et al. 2019, as in BoTorch): d = 2 on [0, 1]^2, f = (Branin, Currin), both
 * minimized. Reference point (18, 6), BoTorch's. maxHypervolume 59.40661 (for that reference point only;
 * undefined for another) is a numeric estimate, not a closed form: the exact hypervolume of the front
 * below at n = 16000 and 64000 is 59.40420 and 59.40601, with an error falling as 1/n, extrapolated to
 * 59.40661. BoTorch's 59.36011874867746 (an NSGA-II estimate) is lower than what this
 * front attains, so it is not used.
 *
 * There is no analytic front. paretoFront(n) derives one numerically and deterministically: for n
 * Branin levels b equally spaced from Branin's minimum to its value at Currin's minimizer (0, 1), it
 * minimizes Currin subject to Branin <= b (for each x0 the best x1 is a root of Branin's quadratic in
 * x1, since Currin falls as x1 grows; then a grid over x0 and golden section), evaluates the problem
 * at each minimizer, and keeps the non-dominated results: at most n points.
 */
export function braninCurrin(options: BraninCurrinOptions = {}): Problem {
  const name = 'branincurrin';
  const referencePoint = referencePointOf(options.referencePoint, [18, 6], name);
  return {
    name,
    dimensions: 2,
    objectives: 2,
    lower: new Float64Array(2),
    upper: Float64Array.of(1, 1),
    referencePoint,
    maxHypervolume: options.referencePoint === undefined ? 59.40661 : undefined,
    evaluate(X: MatrixLike): Matrix {
      const M = decisionMatrix(X, 2, name);
      const out = zeros(M.rows, 2);
      for (let i = 0; i < M.rows; i++) {
        out.data[2 * i] = branin(M.data[2 * i]!, M.data[2 * i + 1]!);
        out.data[2 * i + 1] = currin(M.data[2 * i]!, M.data[2 * i + 1]!);
      }
      return out;
    },
    paretoFront(n: number): Matrix {
      frontSize(n, name);
      // Branin's three global minimizers (value 0.397887...), in unit coordinates: the front starts at
      // the one with the least Currin.
      let start: [number, number] = [0, 0];
      for (const [x0, x1] of [
        [-Math.PI, 12.275],
        [Math.PI, 2.275],
        [3 * Math.PI, 2.475],
      ] as const) {
        const uv: [number, number] = [(x0 + 5) / 15, x1 / 15];
        if (start[0] === 0 || currin(...uv) < currin(...start)) start = uv;
      }
      const low = branin(...start);
      const high = branin(0, 1);
      const points = zeros(n, 2);
      let count = 0;
      for (let i = 0; i < n; i++) {
        const [u, v] = i === 0 ? start : constrainedMinimum(low + ((high - low) * i) / Math.max(1, n - 1));
        if (Number.isNaN(v)) continue;
        points.data[2 * count] = branin(u, v);
        points.data[2 * count + 1] = currin(u, v);
        count++;
      }
      const found = { rows: count, cols: 2, data: points.data.subarray(0, 2 * count) };
      const keep = paretoFilter(found);
      const out = zeros(keep.length, 2);
      for (let t = 0; t < keep.length; t++)
        out.data.set(found.data.subarray(2 * keep[t]!, 2 * keep[t]! + 2), 2 * t);
      return out;
    },
  };
}
