import { isMatrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { limitSetContributions } from './hv/contributions.js';
import { hv2d, hv2dContributions } from './hv/hv2d.js';
import { Hv3dWorkspace, hv3d } from './hv/hv3d.js';
import { Hv4dWorkspace, hv4d } from './hv/hv4d.js';
import { Hv5dWorkspace, hv5d } from './hv/hv5d.js';
import { hv3dContributions } from './hv/hvc3d.js';
import { WfgWorkspace, wfg } from './hv/wfg.js';

/**
 * Hypervolume of the region dominated by `points` (n x m, minimization) and bounded above by
 * `reference` (length m). Only points strictly below the reference in every objective count;
 * dominated and duplicate points are harmless. Exact for any m, computed on the points minus the
 * reference: sort and sweep for m = 2, the O(n log n) dimension sweep for m = 3, an O(n^2) sweep
 * adding exclusive 3-D contributions for m = 4, a sweep adding exclusive 4-D contributions for m = 5,
 * and WFG with the m = 5 sweep as base case for m >= 6 (against WFG down to the m = 4 sweep: about
 * twice as fast at m = 5 from n = 1000, 5 to 35% faster at m = 6..8; see bench/hv.ts).
 *
 * @throws RangeError when `reference` has the wrong length or a non-finite value, or a point has a
 *   NaN or -Infinity coordinate (+Infinity just lies outside the reference box).
 */
export function hypervolume(points: MatrixLike, reference: ArrayLike<number>): number {
  const { rows, n, m } = translate('hypervolume', points, reference);
  if (n === 0) return 0;
  return volumeOfTranslated(rows, n, m);
}

/**
 * Exclusive contribution of each point: HV(all) - HV(all but i), length n. Points outside the
 * reference box, dominated points and exact duplicates contribute 0. O(n log n) for m = 2; for m = 3
 * a z sweep whose set-up per point is O(log n) amortized, followed by a walk up the points above it
 * until one covers it (short on typical fronts, O(n) per point at worst); for m >= 4 each point's box
 * minus the hypervolume of its non-dominated limit set.
 */
export function hypervolumeContributions(points: MatrixLike, reference: ArrayLike<number>): Float64Array {
  const { rows, n, m, kept, total } = translate('hypervolumeContributions', points, reference);
  const out = new Float64Array(total);
  if (n === 0) return out;
  const c = new Float64Array(n);
  if (m === 1) {
    let best = 0;
    let second = 0;
    let arg = -1;
    for (let i = 0; i < n; i++) {
      const v = rows[i]!;
      if (v < best) {
        second = best;
        best = v;
        arg = i;
      } else if (v < second) {
        second = v;
      }
    }
    if (arg >= 0) c[arg] = second - best;
  } else if (m === 2) {
    const [xs, ys] = columns(rows, n, m);
    hv2dContributions(xs!, ys!, n, new Int32Array(n), c);
  } else if (m === 3) {
    const [xs, ys, zs] = columns(rows, n, m);
    hv3dContributions(xs!, ys!, zs!, n, new Hv4dWorkspace(), c);
  } else {
    limitSetContributions(rows, n, m, c);
  }
  for (let i = 0; i < n; i++) out[kept[i]!] = c[i]!;
  return out;
}

/** Hypervolume of n rows (n x m, row-major) already translated so the reference is the origin. */
function volumeOfTranslated(rows: Float64Array, n: number, m: number): number {
  if (m === 1) {
    let lo = 0;
    for (let i = 0; i < n; i++) lo = Math.min(lo, rows[i]!);
    return -lo;
  }
  if (m === 2) {
    const [xs, ys] = columns(rows, n, m);
    return hv2d(xs!, ys!, n, new Int32Array(n));
  }
  if (m === 3) {
    const [xs, ys, zs] = columns(rows, n, m);
    return hv3d(xs!, ys!, zs!, n, new Hv3dWorkspace());
  }
  if (m === 4) {
    const [xs, ys, zs, ws] = columns(rows, n, m);
    return hv4d(xs!, ys!, zs!, ws!, n, new Hv4dWorkspace());
  }
  if (m === 5) {
    const [xs, ys, zs, ws, vs] = columns(rows, n, m);
    return hv5d(xs!, ys!, zs!, ws!, vs!, n, new Hv5dWorkspace());
  }
  return wfg(rows, n, m, m, new WfgWorkspace(n, m), 5);
}

function columns(rows: Float64Array, n: number, m: number): Float64Array[] {
  const out: Float64Array[] = [];
  for (let j = 0; j < m; j++) {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = rows[i * m + j]!;
    out.push(c);
  }
  return out;
}

interface Translated {
  /** n x m: the points strictly inside the reference box, minus the reference. */
  rows: Float64Array;
  n: number;
  m: number;
  /** n: the input row of each kept point. */
  kept: Int32Array;
  /** The number of input rows. */
  total: number;
}

/** Validates the inputs and keeps the points strictly below the reference, translated by it. */
function translate(fn: string, points: MatrixLike, reference: ArrayLike<number>): Translated {
  if (reference === null || typeof reference !== 'object' || typeof reference.length !== 'number') {
    throw new TypeError(`${fn}: reference must be an array of numbers, got ${String(reference)}`);
  }
  if (points === null || typeof points !== 'object') {
    throw new TypeError(`${fn}: points must be a Matrix or an array of rows, got ${String(points)}`);
  }
  const m = reference.length;
  if (m < 1) throw new RangeError(`${fn}: reference must have at least 1 objective, got length 0`);
  const ref = new Float64Array(m);
  for (let j = 0; j < m; j++) {
    const r = reference[j];
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      throw new RangeError(`${fn}: reference[${j}] must be a finite number, got ${String(r)}`);
    }
    ref[j] = r;
  }
  const a = toMatrix(points, `${fn}: points`, m);
  if (a.rows > 0 || isMatrix(points)) {
    if (a.cols !== m) {
      throw new RangeError(`${fn}: points have ${a.cols} objectives but reference has length ${m}`);
    }
  }
  const total = a.rows;
  const data = a.data;
  const rows = new Float64Array(total * m);
  const kept = new Int32Array(total);
  let n = 0;
  for (let i = 0; i < total; i++) {
    let inside = true;
    const base = i * m;
    for (let j = 0; j < m; j++) {
      const v = data[base + j]!;
      if (Number.isNaN(v) || v === Number.NEGATIVE_INFINITY) {
        throw new RangeError(
          `${fn}: point ${i} objective ${j} is ${v}; expected a number (NaN and -Infinity have no finite volume)`,
        );
      }
      if (!(v < ref[j]!)) inside = false;
    }
    if (!inside) continue;
    const out = n * m;
    for (let j = 0; j < m; j++) rows[out + j] = data[base + j]! - ref[j]!;
    kept[n] = i;
    n++;
  }
  return { rows, n, m, kept, total };
}

export { HypervolumeImprovement } from './hv/improvement.js';
