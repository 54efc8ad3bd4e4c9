import { isMatrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { limitSetContributions } from './hv/contributions.js';
import { hv2d, hv2dContributions } from './hv/hv2d.js';
import { Hv3dWorkspace, hv3d } from './hv/hv3d.js';
import { Hv4dWorkspace, hv4d } from './hv/hv4d.js';
import { Hv5dWorkspace, hv5d } from './hv/hv5d.js';
import { Hvc3dWorkspace, hv3dContributions } from './hv/hvc3d.js';
import { argsortLex } from './hv/index-sort.js';
import { QhvWorkspace, qhv } from './hv/qhv.js';
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
 * or two; from 2048 points on, when that pivot dropped less and an eighth of the first 256 points
 * repeat one before them, a hashed pass first drops every repeated point (grid fronts). For m >= 6,
 * one pass with the smallest-sum point.
 *
 * A volume beyond the largest double (a point's distance to the reference, or their product,
 * overflows) is Infinity.
 *
 * @throws RangeError when `reference` has the wrong length or a non-finite value, or a point has a
 *   NaN or -Infinity coordinate (+Infinity just lies outside the reference box).
 */
export function hypervolume(points: MatrixLike, reference: ArrayLike<number>): number {
  const { n, m } = translate('hypervolume', points, reference, false);
  if (n === 0) return 0;
  const volume = volumeOfTranslated(n, m);
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
  const { n, m, total } = translate('hypervolumeContributions', points, reference, true);
  const out = new Float64Array(total);
  if (n === 0) return out;
  const { rows, kept, cols } = scratch;
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
  /** cols[j][i]: objective j of kept point i minus the reference (m <= 5). */
  cols: Float64Array[] = [];
  /** n x m row-major, the same values (m >= 6, and the contributions). */
  rows = new Float64Array(0);
  /** n x m: arrays of rows copied in, before the filter. */
  input = new Float64Array(0);
  kept = new Int32Array(0);
  order = new Int32Array(0);
  /** One objective of the kept points (the tie count of m = 6). */
  keys = new Float64Array(0);
  ref = new Float64Array(0);
  /** Set by the gathering passes: position in `kept` of the point with the smallest sum, or -1. */
  pivot = -1;
  /** Set by gatherColumns: the points it dropped as dominated by its running pivot. */
  dropped = 0;
  /** 32-bit views of `cols` (dropDuplicateColumns hashes a coordinate's two words). */
  words: Int32Array[] = [];
  /**
   * dropDuplicateColumns' open-addressing table, a power of two at least twice the capacity: the
   * position of a kept point per slot, valid where `stamps` holds the call's `stamp` (nothing is
   * cleared between calls).
   */
  slots = new Int32Array(0);
  stamps = new Int32Array(0);
  stamp = 0;
  readonly hv3 = new Hv3dWorkspace();
  readonly hv4 = new Hv4dWorkspace();
  readonly hvc3 = new Hvc3dWorkspace();
  readonly hv5 = new Hv5dWorkspace();
  wfg: WfgWorkspace | null = null;
  readonly qhv = new QhvWorkspace();

  ensure(n: number, m: number): void {
    if (n <= this.capacity && m <= this.width) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    const width = Math.max(m, this.width);
    this.capacity = cap;
    this.width = width;
    this.cols = [];
    for (let j = 0; j < Math.min(width, 5); j++) this.cols.push(new Float64Array(cap));
    this.words = this.cols.map((c) => new Int32Array(c.buffer));
    let size = 1;
    while (size < 2 * cap) size *= 2;
    this.slots = new Int32Array(size);
    this.stamps = new Int32Array(size);
    this.stamp = 0;
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
  const { cols } = scratch;
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
  if (m >= 7 || manyTies(n, m)) return qhv(scratch.rows, n, m, scratch.qhv);
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

interface Translated {
  /** The number of points strictly inside the reference box. */
  n: number;
  m: number;
  /** The number of input rows. */
  total: number;
}

/**
 * Validates the inputs and writes the points strictly below the reference, minus it, to `scratch`:
 * as columns when m <= 5 (and, with `contributions`, the input row of each in `kept`), as rows when
 * m >= 6 or with `contributions`.
 */
function translate(
  fn: string,
  points: MatrixLike,
  reference: ArrayLike<number>,
  contributions: boolean,
): Translated {
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
  let total: number;
  let data: Float64Array;
  if (Array.isArray(points)) {
    // Rows copied into reused scratch rather than a new Matrix (toMatrix's checks, same messages).
    total = points.length;
    scratch.ensure(total, m);
    data = scratch.input;
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
    data = a.data;
    scratch.ensure(total, m);
  }
  const { cols, rows, kept, ref } = scratch;
  for (let j = 0; j < m; j++) ref[j] = reference[j]!;
  // One pass checks every value, keeps the points strictly inside the box (their rows in `kept`)
  // and, for m = 2..5, writes them translated into the columns. It also finds the kept point with
  // the smallest coordinate sum: nothing else dominates it, and on sets of mostly dominated points
  // (clouds, grids) it dominates many, which the hypervolume then drops before any sort.
  // Contributions keep every point (a duplicate of it must still get 0).
  const columns = m >= 2 && m <= 5;
  let n = columns ? gatherColumns(fn, data, total, m, !contributions) : gatherRows(fn, data, total, m);
  if (columns) {
    // Large sets the pivot thinned little may repeat points (grids): one hashed pass drops the
    // repeats, and when they were many the pivot rounds follow.
    if (!contributions && n >= DEDUPLICATE_FROM && 4 * scratch.dropped < n) n = dropDuplicateColumns(n, m);
    // The gathering pass tested most points against a pivot already: when that dropped less than a
    // quarter of them (fronts), another pass would not pay.
    const pivot = scratch.pivot;
    if (!contributions && pivot >= 0 && n > 1 && 4 * scratch.dropped >= n) {
      n = dropDominatedColumns(n, m, pivot, scratch.dropped);
    }
  } else if (!contributions && scratch.pivot >= 0 && n > 1) {
    const pivot = scratch.pivot;
    n = dropDominatedRows(data, n, m, pivot);
  }
  if (m === 1) {
    const col = cols[0]!;
    const r = ref[0]!;
    for (let i = 0; i < n; i++) col[i] = data[kept[i]!]! - r;
  }
  if (m > 5 || contributions) {
    for (let i = 0; i < n; i++) {
      const from = kept[i]! * m;
      const to = i * m;
      for (let j = 0; j < m; j++) rows[to + j] = data[from + j]! - ref[j]!;
    }
  }
  return { n, m, total };
}

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

/**
 * {@link gatherRows} for m = 2..5 that also writes the kept points, translated, to `scratch.cols`:
 * one loop per m with the columns in locals (a generic loop over the columns costs about twice).
 * A row is written, at position n, only once it is kept. With `drop`, a point that the kept point of
 * smallest sum so far weakly dominates is not kept (clouds of mostly dominated points and
 * duplicates shrink in this pass already); the pivot then only finishes the job.
 */
function gatherColumns(fn: string, data: Float64Array, total: number, m: number, drop: boolean): number {
  const { kept, ref, cols } = scratch;
  let n = 0;
  let pivot = -1;
  let best = Number.POSITIVE_INFINITY;
  const c0 = cols[0]!;
  const c1 = cols[1]!;
  const r0 = ref[0]!;
  const r1 = ref[1]!;
  let dropped = 0;
  // The pivot's coordinates while `drop` (+Infinity dominates nothing).
  let q0 = Number.POSITIVE_INFINITY;
  let q1 = Number.POSITIVE_INFINITY;
  let q2 = Number.POSITIVE_INFINITY;
  let q3 = Number.POSITIVE_INFINITY;
  let q4 = Number.POSITIVE_INFINITY;
  if (m === 2) {
    for (let i = 0; i < total; i++) {
      const x0 = data[2 * i]! - r0;
      const x1 = data[2 * i + 1]! - r1;
      const sum = x0 + x1;
      if (x0 < 0 && x1 < 0 && sum > Number.NEGATIVE_INFINITY) {
        if ((+(q0 <= x0) & +(q1 <= x1)) !== 0) {
          dropped++;
          continue;
        }
        if (sum < best) {
          best = sum;
          pivot = n;
          if (drop) {
            q0 = x0;
            q1 = x1;
          }
        }
      } else if (!checkRow(fn, data, i, m)) {
        continue;
      }
      c0[n] = x0;
      c1[n] = x1;
      kept[n++] = i;
    }
  } else if (m === 3) {
    const c2 = cols[2]!;
    const r2 = ref[2]!;
    for (let i = 0; i < total; i++) {
      const b = 3 * i;
      const x0 = data[b]! - r0;
      const x1 = data[b + 1]! - r1;
      const x2 = data[b + 2]! - r2;
      const sum = x0 + x1 + x2;
      if (x0 < 0 && x1 < 0 && x2 < 0 && sum > Number.NEGATIVE_INFINITY) {
        if ((+(q0 <= x0) & +(q1 <= x1) & +(q2 <= x2)) !== 0) {
          dropped++;
          continue;
        }
        if (sum < best) {
          best = sum;
          pivot = n;
          if (drop) {
            q0 = x0;
            q1 = x1;
            q2 = x2;
          }
        }
      } else if (!checkRow(fn, data, i, m)) {
        continue;
      }
      c0[n] = x0;
      c1[n] = x1;
      c2[n] = x2;
      kept[n++] = i;
    }
  } else if (m === 4) {
    const c2 = cols[2]!;
    const c3 = cols[3]!;
    const r2 = ref[2]!;
    const r3 = ref[3]!;
    for (let i = 0; i < total; i++) {
      const b = 4 * i;
      const x0 = data[b]! - r0;
      const x1 = data[b + 1]! - r1;
      const x2 = data[b + 2]! - r2;
      const x3 = data[b + 3]! - r3;
      const sum = x0 + x1 + x2 + x3;
      if (x0 < 0 && x1 < 0 && x2 < 0 && x3 < 0 && sum > Number.NEGATIVE_INFINITY) {
        if ((+(q0 <= x0) & +(q1 <= x1) & +(q2 <= x2) & +(q3 <= x3)) !== 0) {
          dropped++;
          continue;
        }
        if (sum < best) {
          best = sum;
          pivot = n;
          if (drop) {
            q0 = x0;
            q1 = x1;
            q2 = x2;
            q3 = x3;
          }
        }
      } else if (!checkRow(fn, data, i, m)) {
        continue;
      }
      c0[n] = x0;
      c1[n] = x1;
      c2[n] = x2;
      c3[n] = x3;
      kept[n++] = i;
    }
  } else {
    const c2 = cols[2]!;
    const c3 = cols[3]!;
    const c4 = cols[4]!;
    const r2 = ref[2]!;
    const r3 = ref[3]!;
    const r4 = ref[4]!;
    for (let i = 0; i < total; i++) {
      const b = 5 * i;
      const x0 = data[b]! - r0;
      const x1 = data[b + 1]! - r1;
      const x2 = data[b + 2]! - r2;
      const x3 = data[b + 3]! - r3;
      const x4 = data[b + 4]! - r4;
      const sum = x0 + x1 + x2 + x3 + x4;
      if (x0 < 0 && x1 < 0 && x2 < 0 && x3 < 0 && x4 < 0 && sum > Number.NEGATIVE_INFINITY) {
        if ((+(q0 <= x0) & +(q1 <= x1) & +(q2 <= x2) & +(q3 <= x3) & +(q4 <= x4)) !== 0) {
          dropped++;
          continue;
        }
        if (sum < best) {
          best = sum;
          pivot = n;
          if (drop) {
            q0 = x0;
            q1 = x1;
            q2 = x2;
            q3 = x3;
            q4 = x4;
          }
        }
      } else if (!checkRow(fn, data, i, m)) {
        continue;
      }
      c0[n] = x0;
      c1[n] = x1;
      c2[n] = x2;
      c3[n] = x3;
      c4[n] = x4;
      kept[n++] = i;
    }
  }
  scratch.pivot = pivot;
  scratch.dropped = dropped;
  return n;
}

/** From this many points kept by the gathering pass on, {@link dropDuplicateColumns} runs. */
const DEDUPLICATE_FROM = 2048;
/** The points whose repeats decide whether {@link dropDuplicateColumns} goes through them all. */
const DEDUPLICATE_SAMPLE = 256;

/**
 * Drops from the columns `scratch.cols[0..m)[0..n)` (and `kept`) every point equal to one before it,
 * found by hashing the bits of its coordinates into `scratch.slots`; returns the new count, adds the
 * dropped to `scratch.dropped` and moves `scratch.pivot` with its point (a first occurrence: the
 * gathering pass drops what equals its pivot). Only when an eighth of the first
 * {@link DEDUPLICATE_SAMPLE} points repeat one before them (grids: m = 3, 10000 points hold 409
 * distinct ones): on fronts the sample costs about 1 µs, and the whole pass would cost about 10 ns a
 * point.
 */
function dropDuplicateColumns(n: number, m: number): number {
  const sample = Math.min(n, DEDUPLICATE_SAMPLE);
  if (8 * deduplicate(sample, m, false) < sample) return n;
  const w = deduplicate(n, m, true);
  scratch.dropped += n - w;
  return w;
}

/**
 * The pass of {@link dropDuplicateColumns} over the first n points: with `compact`, drops the repeats
 * and returns the count left; without, only counts the repeats and returns that.
 */
function deduplicate(n: number, m: number, compact: boolean): number {
  const { cols, words, kept, slots, stamps } = scratch;
  if (scratch.stamp >= 0x3fffffff) {
    stamps.fill(0);
    scratch.stamp = 0;
  }
  const stamp = ++scratch.stamp;
  // A table of at least twice n slots (a power of two), at the front of the buffers.
  let bits = 4;
  while (1 << bits < 2 * n) bits++;
  const shift = 32 - bits;
  const mask = (1 << bits) - 1;
  // The columns in locals; for m < 5 the missing ones alias column 0 (see dropDominatedColumns).
  const c0 = cols[0]!;
  const c1 = cols[1]!;
  const c2 = m > 2 ? cols[2]! : c0;
  const c3 = m > 3 ? cols[3]! : c0;
  const c4 = m > 4 ? cols[4]! : c0;
  const u0 = words[0]!;
  const u1 = words[1]!;
  const u2 = m > 2 ? words[2]! : u0;
  const u3 = m > 3 ? words[3]! : u0;
  const u4 = m > 4 ? words[4]! : u0;
  const pivot = scratch.pivot;
  let w = 0;
  let repeats = 0;
  for (let t = 0; t < n; t++) {
    const x0 = c0[t]!;
    const x1 = c1[t]!;
    const x2 = c2[t]!;
    const x3 = c3[t]!;
    const x4 = c4[t]!;
    // Both words of every coordinate, one multiply per coordinate.
    let h = Math.imul(u0[2 * t]! ^ u0[2 * t + 1]!, 0x9e3779b1);
    h = Math.imul(h ^ u1[2 * t]!, 0x85ebca6b) ^ u1[2 * t + 1]!;
    h = Math.imul(h ^ u2[2 * t]!, 0xc2b2ae35) ^ u2[2 * t + 1]!;
    h = Math.imul(h ^ u3[2 * t]!, 0x27d4eb2f) ^ u3[2 * t + 1]!;
    h = Math.imul(h ^ u4[2 * t]!, 0x165667b1) ^ u4[2 * t + 1]!;
    h = Math.imul(h ^ (h >>> 15), 0x9e3779b1);
    let slot = h >>> shift;
    let repeat = false;
    while (stamps[slot] === stamp) {
      const q = slots[slot]!;
      if (c0[q] === x0 && c1[q] === x1 && c2[q] === x2 && c3[q] === x3 && c4[q] === x4) {
        repeat = true;
        break;
      }
      slot = (slot + 1) & mask;
    }
    if (repeat) {
      repeats++;
      continue;
    }
    if (compact && w !== t) {
      c4[w] = x4;
      c3[w] = x3;
      c2[w] = x2;
      c1[w] = x1;
      c0[w] = x0;
      kept[w] = kept[t]!;
    }
    const at = compact ? w : t;
    if (compact && t === pivot) scratch.pivot = w;
    stamps[slot] = stamp;
    slots[slot] = at;
    w++;
  }
  return compact ? w : repeats;
}

/**
 * Drops from the columns `scratch.cols[0..m)[0..n)` (and `kept`) every point that the one at
 * position `pivot` weakly dominates, its duplicates included; returns the new count. While a round
 * drops at least a quarter of the points (clouds of mostly dominated points), the survivor with the
 * smallest coordinate sum, which nothing dominates, becomes the next pivot. Pivots are moved to the
 * front and stay.
 */
function dropDominatedColumns(n: number, m: number, pivot: number, before: number): number {
  const { cols, kept } = scratch;
  // The columns in locals (a loop over cols[j] costs about three times as much): for m < 5 the
  // missing ones alias column 0, with a pivot value of -Infinity that every point passes, and
  // copying them again copies column 0 again.
  const c0 = cols[0]!;
  const c1 = cols[1]!;
  const c2 = m > 2 ? cols[2]! : c0;
  const c3 = m > 3 ? cols[3]! : c0;
  const c4 = m > 4 ? cols[4]! : c0;
  // Weights of the aliased columns in a coordinate sum.
  const w2 = m > 2 ? 1 : 0;
  const w3 = m > 3 ? 1 : 0;
  const w4 = m > 4 ? 1 : 0;
  let used = 0;
  for (;;) {
    // The pivot goes to position `used`.
    for (let j = 0; j < m; j++) {
      const col = cols[j]!;
      const v = col[pivot]!;
      col[pivot] = col[used]!;
      col[used] = v;
    }
    const kp = kept[pivot]!;
    kept[pivot] = kept[used]!;
    kept[used] = kp;
    const p0 = c0[used]!;
    const p1 = c1[used]!;
    const p2 = m > 2 ? c2[used]! : Number.NEGATIVE_INFINITY;
    const p3 = m > 3 ? c3[used]! : Number.NEGATIVE_INFINITY;
    const p4 = m > 4 ? c4[used]! : Number.NEGATIVE_INFINITY;
    used++;
    let w = used;
    // The next pivot, found in the same pass: the survivor of smallest coordinate sum. The one so
    // far drops what it dominates too (it is kept, and nothing dominates a point of smallest sum).
    let best = Number.POSITIVE_INFINITY;
    let next = -1;
    let b0 = Number.POSITIVE_INFINITY;
    let b1 = Number.POSITIVE_INFINITY;
    let b2 = Number.POSITIVE_INFINITY;
    let b3 = Number.POSITIVE_INFINITY;
    let b4 = Number.POSITIVE_INFINITY;
    for (let t = used; t < n; t++) {
      const x0 = c0[t]!;
      const x1 = c1[t]!;
      const x2 = c2[t]!;
      const x3 = c3[t]!;
      const x4 = c4[t]!;
      if ((+(p0 <= x0) & +(p1 <= x1) & +(p2 <= x2) & +(p3 <= x3) & +(p4 <= x4)) !== 0) continue;
      if ((+(b0 <= x0) & +(b1 <= x1) & +(b2 <= x2) & +(b3 <= x3) & +(b4 <= x4)) !== 0) continue;
      if (w !== t) {
        c4[w] = x4;
        c3[w] = x3;
        c2[w] = x2;
        c1[w] = x1;
        c0[w] = x0;
        kept[w] = kept[t]!;
      }
      const sum = x0 + x1 + w2 * x2 + w3 * x3 + w4 * x4;
      if (sum < best) {
        best = sum;
        next = w;
        b0 = x0;
        b1 = x1;
        b2 = m > 2 ? x2 : Number.NEGATIVE_INFINITY;
        b3 = m > 3 ? x3 : Number.NEGATIVE_INFINITY;
        b4 = m > 4 ? x4 : Number.NEGATIVE_INFINITY;
      }
      w++;
    }
    // The first round counts the points the gathering pass dropped.
    const dropped = n - w + before;
    before = 0;
    n = w;
    if (4 * dropped < n + dropped - used || used === n) return n;
    pivot = next;
  }
}

/** {@link dropDominatedColumns} on the input rows, through `kept`. */
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
