import { isMatrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { limitSetContributions } from './hv/contributions.js';
import { GatheredColumns } from './hv/gather.js';
import { hv2d, hv2dContributions } from './hv/hv2d.js';
import { Hv3dWorkspace, hv3d } from './hv/hv3d.js';
import { Hv4dWorkspace, hv4d } from './hv/hv4d.js';
import { Hv5dWorkspace, hv5d } from './hv/hv5d.js';
import { Hvc3dWorkspace, hv3dContributions } from './hv/hvc3d.js';
import { argsortLex } from './hv/index-sort.js';
import { qhv } from './hv/qhv.js';
import { WfgWorkspace, wfg } from './hv/wfg.js';

/**
 * Hypervolume of the region dominated by `points` (n x m, minimization) and bounded above by
 * `reference` (length m). Only points strictly below the reference in every objective count;
 * dominated and duplicate points are harmless. Exact for any m, computed on the points minus the
 * reference: sort and sweep for m = 2, the O(n log n) dimension sweep for m = 3, an O(n^2) sweep
 * adding exclusive 3-D contributions for m = 4, a sweep adding exclusive 4-D contributions for m = 5,
 * WFG with the m = 5 sweep as base case for m = 6 (against WFG down to the m = 4 sweep: about
 * twice as fast at m = 5 from n = 1000, 5 to 35% faster at m = 6..8; see bench/hv.ts), and the
 * divide and conquer of QHV-II for m >= 7 and for m = 6 sets with many ties (0.4 to 0.75 times the
 * time of that WFG at m = 7 and 8, 0.05 to 0.6 on tie-heavy sets at m = 6..8). Before any
 * of them, for m <= 5, the pass that checks and translates the points drops those that the kept
 * point of smallest coordinate sum so far weakly dominates; when that dropped a quarter of them, the
 * smallest-sum point of all drops what it dominates from the survivors (again while a round drops a
 * quarter), so clouds of mostly dominated points, grids and duplicates cost little more than a pass
 * or two; from 512 points on, when an eighth of the first 128 repeat one before them, that pass
 * also drops every repeated point, found by hashing (grid fronts). These passes run in WebAssembly
 * (hv/gather.ts). For m >= 6, one pass with the smallest-sum point.
 *
 * A volume beyond the largest double (a point's distance to the reference, or their product,
 * overflows) is Infinity.
 *
 * @throws RangeError when `reference` has the wrong length or a non-finite value, or a point has a
 *   NaN or -Infinity coordinate (+Infinity just lies outside the reference box).
 */
export function hypervolume(points: MatrixLike, reference: ArrayLike<number>): number {
  const n = translate('hypervolume', points, reference, false);
  if (n === 0) return 0;
  const volume = volumeOfTranslated(n, reference.length);
  // The inputs are checked, so a NaN can only come from an overflow (Infinity − Infinity, or
  // 0 · Infinity across a tie): some box of a kept point, and so the union, exceeds the largest
  // double.
  return Number.isNaN(volume) ? Number.POSITIVE_INFINITY : volume;
}

/**
 * Exclusive contribution of each point: HV(all) - HV(all but i), length n. Points outside the
 * reference box, dominated points and exact duplicates contribute 0. O(n log n) for m = 2; for m = 3
 * a z sweep whose set-up per point is O(log n) amortized, followed by a walk up the points above it
 * until one covers it (short on typical fronts, O(n) per point at worst); for m >= 4 each point's box
 * minus the hypervolume of its non-dominated limit set.
 */
export function hypervolumeContributions(points: MatrixLike, reference: ArrayLike<number>): Float64Array {
  const n = translate('hypervolumeContributions', points, reference, true);
  const m = reference.length;
  const { rows, total, keptOf: kept } = scratch;
  const out = new Float64Array(total);
  if (n === 0) return out;
  const cols = scratch.gathered.columns;
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
    hv2dContributions(cols[0]!, cols[1]!, n, scratch.order, c);
  } else if (m === 3) {
    hv3dContributions(cols[0]!, cols[1]!, cols[2]!, n, scratch.hvc3, c);
  } else {
    limitSetContributions(rows, n, m, c);
  }
  for (let i = 0; i < n; i++) out[kept[i]!] = c[i]!;
  return out;
}

/**
 * Buffers of the public functions, grown on demand and reused by every call so that a call allocates
 * nothing once warm: the translated points (columns for m <= 5, rows for m >= 6 and for the
 * contributions at m >= 4) and the kernels' workspaces. Module-private scratch: every call fills
 * what it reads before reading it, and the kernels are synchronous and call no user code.
 */
class Scratch {
  capacity = 0;
  width = 0;
  /** n x m row-major, the translated points (m >= 6, and the contributions at m = 1, 4 and 5). */
  rows = new Float64Array(0);
  /** n x m: arrays of rows copied in, before the filter (m = 1 and m >= 6). */
  input = new Float64Array(0);
  /** The input row of each kept point (m = 1 and m >= 6). */
  kept = new Int32Array(0);
  order = new Int32Array(0);
  /** One objective of the kept points (the tie count of m = 6). */
  keys = new Float64Array(0);
  ref = new Float64Array(0);
  /** Set by translate: the number of input rows, and the input row of each point it kept. */
  total = 0;
  keptOf: Int32Array = new Int32Array(0);
  /** Set by gatherRows: position in `kept` of the point with the smallest sum, or -1. */
  pivot = -1;
  /** m = 2..5: the input rows, the translated columns and their input rows, in WebAssembly memory. */
  readonly gathered = new GatheredColumns();
  readonly hv3 = new Hv3dWorkspace();
  readonly hv4 = new Hv4dWorkspace();
  readonly hvc3 = new Hvc3dWorkspace();
  readonly hv5 = new Hv5dWorkspace();
  wfg: WfgWorkspace | null = null;

  ensure(n: number, m: number): void {
    if (n <= this.capacity && m <= this.width) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    const width = Math.max(m, this.width);
    this.capacity = cap;
    this.width = width;
    this.rows = new Float64Array(cap * width);
    this.input = new Float64Array(cap * width);
    this.kept = new Int32Array(cap);
    this.order = new Int32Array(cap);
    this.keys = new Float64Array(cap);
    this.ref = new Float64Array(width);
  }

  wfgFor(n: number, m: number): WfgWorkspace {
    const w = this.wfg;
    if (w !== null && w.n >= n && w.stride === m) return w;
    const grown = new WfgWorkspace(Math.max(n, w !== null && w.stride === m ? 2 * w.n : 0), m);
    this.wfg = grown;
    return grown;
  }
}

const scratch = new Scratch();

/** Hypervolume of the n translated points in `scratch` (the reference is the origin). */
function volumeOfTranslated(n: number, m: number): number {
  const cols = scratch.gathered.columns;
  if (m === 1) {
    const xs = cols[0]!;
    let lo = 0;
    for (let i = 0; i < n; i++) lo = Math.min(lo, xs[i]!);
    return -lo;
  }
  if (m === 2) return hv2d(cols[0]!, cols[1]!, n, scratch.order);
  if (m === 3) return hv3d(cols[0]!, cols[1]!, cols[2]!, n, scratch.hv3);
  if (m === 4) return hv4d(cols[0]!, cols[1]!, cols[2]!, cols[3]!, n, scratch.hv4);
  if (m === 5) return hv5d(cols[0]!, cols[1]!, cols[2]!, cols[3]!, cols[4]!, n, scratch.hv5);
  if (m >= 7 || manyTies(n, m)) return qhv(scratch.rows, n, m);
  return wfg(scratch.rows, n, m, m, scratch.wfgFor(n, m), 5);
}

/**
 * Whether the n translated rows in `scratch` (m objectives) repeat values often: fewer distinct
 * values than half the entries, counted per objective. At m = 6 QHV-II then beats WFG (clipped
 * points coincide and drop out: grids 0.5x, mostly dominated grids 0.05 to 0.4x), while on fronts of
 * distinct values WFG is about 1.7x faster. O(m n log n), little beside either.
 */
function manyTies(n: number, m: number): boolean {
  const { rows, keys, order } = scratch;
  let distinct = 0;
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < n; i++) keys[i] = rows[i * m + j]!;
    argsortLex(keys, keys, n, order);
    distinct++;
    for (let i = 1; i < n; i++) distinct += +(keys[order[i]!] !== keys[order[i - 1]!]);
  }
  return 2 * distinct < m * n;
}

/**
 * Validates the inputs and writes the points strictly below the reference, minus it, to `scratch`:
 * as columns for the volume at m <= 5 and the contributions at m = 2 and 3, as rows for m >= 6 and
 * the contributions at m = 1, 4 and 5; returns how many, and sets
 * `scratch.total` (the input rows) and `scratch.keptOf` (each point's input row; with
 * `contributions`, or m = 1 or m >= 6). Allocates nothing once the scratch is large enough.
 */
function translate(
  fn: string,
  points: MatrixLike,
  reference: ArrayLike<number>,
  contributions: boolean,
): number {
  if (reference === null || typeof reference !== 'object' || typeof reference.length !== 'number') {
    throw new TypeError(`${fn}: reference must be an array of numbers, got ${String(reference)}`);
  }
  if (points === null || typeof points !== 'object') {
    throw new TypeError(`${fn}: points must be a Matrix or an array of rows, got ${String(points)}`);
  }
  const m = reference.length;
  if (m < 1) throw new RangeError(`${fn}: reference must have at least 1 objective, got length 0`);
  for (let j = 0; j < m; j++) {
    const r = reference[j];
    if (typeof r !== 'number' || !Number.isFinite(r)) {
      throw new RangeError(`${fn}: reference[${j}] must be a finite number, got ${String(r)}`);
    }
  }
  // m = 2..5 gather in WebAssembly, from the rows copied into its memory.
  const columns = m >= 2 && m <= 5;
  const { gathered } = scratch;
  let total: number;
  let data: Float64Array;
  if (Array.isArray(points)) {
    // Rows copied into reused scratch rather than a new Matrix (toMatrix's checks, same messages).
    total = points.length;
    scratch.ensure(total, m);
    if (columns) gathered.cover(total);
    data = columns ? gathered.input : scratch.input;
    for (let i = 0; i < total; i++) {
      const row = points[i] as ArrayLike<number>;
      if (row.length !== m) {
        const first = (points[0] as ArrayLike<number>).length;
        if (row.length !== first) {
          throw new RangeError(
            `${fn}: points: row ${i} has ${row.length} values, expected ${first} like row 0`,
          );
        }
        throw new RangeError(`${fn}: points have ${row.length} objectives but reference has length ${m}`);
      }
      for (let j = 0; j < m; j++) data[i * m + j] = row[j]!;
    }
  } else {
    const a = toMatrix(
      points,
      fn === 'hypervolume' ? 'hypervolume: points' : 'hypervolumeContributions: points',
      m,
    );
    if (a.rows > 0 || isMatrix(points)) {
      if (a.cols !== m) {
        throw new RangeError(`${fn}: points have ${a.cols} objectives but reference has length ${m}`);
      }
    }
    total = a.rows;
    scratch.ensure(total, m);
    data = a.data;
    if (columns) {
      gathered.cover(total);
      gathered.input.set(data);
      data = gathered.input;
    }
  }
  const { rows, ref } = scratch;
  for (let j = 0; j < m; j++) ref[j] = reference[j]!;
  // One pass checks every value, keeps the points strictly inside the box (their rows in `kept`)
  // and, for m = 2..5, writes them translated over the input's first rows, which the pivot rounds
  // then filter in place and a last pass copies into the columns. It also finds the kept point with
  // the smallest coordinate sum: nothing else dominates it, and on sets of mostly dominated points
  // (clouds, grids) it dominates many, which the hypervolume then drops before any sort. For m =
  // 2..5 it drops what the smallest-sum point so far weakly dominates, as it goes.
  // Contributions keep every point (a duplicate of it must still get 0).
  let n: number;
  let kept: Int32Array;
  if (columns) {
    kept = gathered.kept;
    // Sets of many points may repeat points (grids): when the first rows show many repeats, the
    // gathering pass drops them too, and when they were many the pivot rounds follow.
    let distinct = false;
    if (!contributions && total >= DEDUPLICATE_FROM) {
      const sample = Math.min(total, DEDUPLICATE_SAMPLE);
      distinct = 8 * gathered.countRepeats(sample, m) >= sample;
    }
    n = gathered.gather(total, m, ref, !contributions, distinct);
    if (n < 0) {
      checkRow(fn, data, gathered.badRow, m);
      throw new Error(`${fn}: internal error: row ${gathered.badRow} was reported bad but checks out`);
    }
    const dropped = gathered.dropped;
    // The gathering pass tested most points against a pivot already: when that dropped less than a
    // quarter of them (fronts), another pass would not pay.
    const pivot = gathered.pivot;
    if (!contributions && pivot >= 0 && n > 1 && 4 * dropped >= n) {
      n = gathered.dropDominated(n, m, pivot, dropped);
    }
    // The contributions of m = 4 and 5 read the rows the passes left (translated, in the input's
    // first rows); the other kernels read columns.
    if (contributions && m >= 4) rows.set(data.subarray(0, n * m));
    else gathered.toColumns(n, m);
  } else {
    kept = scratch.kept;
    n = gatherRows(fn, data, total, m);
    if (!contributions && scratch.pivot >= 0 && n > 1) n = dropDominatedRows(data, n, m, scratch.pivot);
  }
  if (m === 1) {
    gathered.cover(n);
    const col = gathered.columns[0]!;
    const r = ref[0]!;
    for (let i = 0; i < n; i++) col[i] = data[kept[i]!]! - r;
  }
  if (!columns && (m > 5 || contributions)) {
    for (let i = 0; i < n; i++) {
      const from = kept[i]! * m;
      const to = i * m;
      for (let j = 0; j < m; j++) rows[to + j] = data[from + j]! - ref[j]!;
    }
  }
  scratch.total = total;
  scratch.keptOf = kept;
  return n;
}

/**
 * From this many input rows on, the repeats of the first ones are counted. Below, the kernels take
 * the repeats (m = 3, 1500 points of a grid front, 338 distinct: 37 µs with the repeats dropped,
 * 60 without).
 */
const DEDUPLICATE_FROM = 512;
/**
 * The rows whose repeats decide whether the gathering pass drops repeated points: an eighth of them
 * repeating one before them, which k rows drawn from about 4k distinct points do (grids: m = 3, 1500
 * points hold 338 distinct ones, and 21 of the first 128 repeat). The sample costs about 0.7 µs (a
 * tenth of the gathering pass at 800 points), dropping the repeats about 8 ns a row.
 */
const DEDUPLICATE_SAMPLE = 128;

/**
 * The slow path of the gathering passes, for a row that is not plainly inside the box: throws on a
 * NaN or -Infinity, else says whether the row is strictly inside (it can be, with a distance to the
 * reference that overflowed to Infinity, and then the volume is not finite).
 */
function checkRow(fn: string, data: Float64Array, i: number, m: number): boolean {
  const { ref } = scratch;
  let inside = true;
  for (let j = 0; j < m; j++) {
    const v = data[i * m + j]!;
    // NaN fails both tests; -Infinity is the only value below every number.
    if (!(v > Number.NEGATIVE_INFINITY)) {
      throw new RangeError(
        `${fn}: point ${i} objective ${j} is ${v}; expected a number (NaN and -Infinity have no finite volume)`,
      );
    }
    if (!(v < ref[j]!)) inside = false;
  }
  return inside;
}

/**
 * Checks the rows and keeps those strictly inside the box, in `scratch.kept`; sets `scratch.pivot` to
 * the position in `kept` of the one with the smallest translated coordinate sum (-1 if none).
 */
function gatherRows(fn: string, data: Float64Array, total: number, m: number): number {
  const { kept, ref } = scratch;
  let n = 0;
  let pivot = -1;
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < total; i++) {
    let inside = true;
    let sum = 0;
    const base = i * m;
    for (let j = 0; j < m; j++) {
      const d = data[base + j]! - ref[j]!;
      inside = inside && d < 0;
      sum += d;
    }
    if (inside && sum > Number.NEGATIVE_INFINITY) {
      if (sum < best) {
        best = sum;
        pivot = n;
      }
      kept[n++] = i;
    } else if (checkRow(fn, data, i, m)) {
      kept[n++] = i;
    }
  }
  scratch.pivot = pivot;
  return n;
}

/** The pivot's round of the gathering passes (hv/gather.ts) on the input rows, through `kept` (m >= 6). */
function dropDominatedRows(data: Float64Array, n: number, m: number, pivot: number): number {
  const { kept } = scratch;
  const pb = kept[pivot]! * m;
  let w = 0;
  for (let t = 0; t < n; t++) {
    const i = kept[t]!;
    if (t !== pivot) {
      const base = i * m;
      let j = 0;
      while (j < m && data[pb + j]! <= data[base + j]!) j++;
      if (j === m) continue;
    }
    kept[w++] = i;
  }
  return w;
}

export { HypervolumeImprovement } from './hv/improvement.js';
