import { type Matrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { assertNoNaN, lexicographicOrder, nondominatedSort } from './nondominated-sort.js';

/**
 * Pareto dominance for minimization: `a` dominates `b` when `a <= b` in every objective and `a < b` in
 * at least one. Both vectors must have the same length.
 */
export function dominates(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) {
    throw new RangeError(
      `dominates: vectors have lengths ${a.length} and ${b.length}, expected equal lengths`,
    );
  }
  let strictly = false;
  for (let j = 0; j < a.length; j++) {
    const x = a[j]!;
    const y = b[j]!;
    if (x > y) return false;
    if (x < y) strictly = true;
  }
  return strictly;
}

/** Weak dominance for minimization: `a <= b` in every objective (so every vector weakly dominates itself). */
export function weaklyDominates(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) {
    throw new RangeError(
      `weaklyDominates: vectors have lengths ${a.length} and ${b.length}, expected equal lengths`,
    );
  }
  for (let j = 0; j < a.length; j++) {
    if (!(a[j]! <= b[j]!)) return false;
  }
  return true;
}

function sameRow(x: Float64Array, a: number, b: number, m: number): boolean {
  const oa = a * m;
  const ob = b * m;
  for (let j = 0; j < m; j++) if (x[oa + j] !== x[ob + j]) return false;
  return true;
}

/**
 * Above this many non-dominated points found so far (n / 4, within [64, 1500]), the m >= 4 filter hands
 * over to the sort: its O(m n |front|) cost would pass the sort's.
 */
function filterFrontLimit(n: number): number {
  return Math.max(64, Math.min(1500, n >> 2));
}

/**
 * Non-dominated mask of the rows of `points` (`n x m`): 1 where no other row dominates the row. Among
 * identical non-dominated rows only the first (lowest index) is marked, unless `keepDuplicates`.
 *
 * m = 2: lexicographic sort and a sweep on the running minimum, O(n log n). m = 3: lexicographic sort
 * and a two-dimensional staircase of the points kept so far (Kung, Luccio, Preparata 1975), O(n log n)
 * comparisons plus the shifts of a sorted array (memmoves, O(n s) element moves for a staircase of s
 * points, small unless the projections are themselves mutually non-dominated). m >= 4: sort by the sum of objectives, then test each point against the front found so
 * far, O(m n |front|); when the front grows past min(1500, n/4) points it falls back to the first front
 * of `nondominatedSort`, O(n log^(m-1) n).
 */
export function isNondominated(points: MatrixLike, options: { keepDuplicates?: boolean } = {}): Uint8Array {
  const P = toMatrix(points, 'isNondominated: points');
  assertNoNaN(P, 'isNondominated');
  return nondominatedMask(P, options.keepDuplicates ?? false);
}

/**
 * Indices (ascending) of the non-dominated rows of `points` (`n x m`, minimization). Among identical
 * non-dominated rows only the first is kept unless `keepDuplicates`. See `isNondominated` for the
 * algorithms.
 */
export function paretoFilter(points: MatrixLike, options: { keepDuplicates?: boolean } = {}): Int32Array {
  const P = toMatrix(points, 'paretoFilter: points');
  assertNoNaN(P, 'paretoFilter');
  const mask = nondominatedMask(P, options.keepDuplicates ?? false);
  let count = 0;
  for (let i = 0; i < mask.length; i++) count += mask[i]!;
  const out = new Int32Array(count);
  for (let i = 0, k = 0; i < mask.length; i++) if (mask[i]) out[k++] = i;
  return out;
}

function nondominatedMask(P: Matrix, keepDuplicates: boolean): Uint8Array {
  const n = P.rows;
  const m = P.cols;
  const mask = new Uint8Array(n);
  if (n === 0) return mask;
  if (m === 0) {
    // Every row is the empty vector: all identical.
    mask[0] = 1;
    if (keepDuplicates) mask.fill(1);
    return mask;
  }
  if (m === 1) {
    let best = Number.POSITIVE_INFINITY;
    let first = 0;
    for (let i = 0; i < n; i++) {
      const v = P.data[i]!;
      if (v < best || i === 0) {
        best = v;
        first = i;
      }
    }
    for (let i = 0; i < n; i++) if (P.data[i] === best && (keepDuplicates || i === first)) mask[i] = 1;
    return mask;
  }
  if (m === 2) return filter2(P, keepDuplicates, mask);
  if (m === 3) return filter3(P, keepDuplicates, mask);
  return filterGeneral(P, keepDuplicates, mask);
}

/** Marks the non-first members of each run of identical rows in `order` as `mask` of their first. */
function copyDuplicates(
  x: Float64Array,
  m: number,
  order: Int32Array,
  mask: Uint8Array,
  keepDuplicates: boolean,
): void {
  for (let t = 1; t < order.length; t++) {
    const i = order[t]!;
    const prev = order[t - 1]!;
    if (sameRow(x, prev, i, m)) mask[i] = keepDuplicates ? mask[prev]! : 0;
  }
}

function filter2(P: Matrix, keepDuplicates: boolean, mask: Uint8Array): Uint8Array {
  const x = P.data;
  const order = lexicographicOrder(x, P.rows, 2);
  // In lexicographic order an earlier distinct point with f2 <= ours dominates us.
  let best = Number.POSITIVE_INFINITY;
  for (let t = 0; t < order.length; t++) {
    const i = order[t]!;
    const y = x[2 * i + 1]!;
    if (y < best || t === 0) {
      mask[i] = 1;
      best = y;
    }
  }
  copyDuplicates(x, 2, order, mask, keepDuplicates);
  return mask;
}

function filter3(P: Matrix, keepDuplicates: boolean, mask: Uint8Array): Uint8Array {
  const n = P.rows;
  const x = P.data;
  const order = lexicographicOrder(x, n, 3);
  // Staircase of the (f2, f3) projections of the points kept so far: f2 strictly increasing, f3 strictly
  // decreasing. Earlier points have f1 <= ours, so a staircase point weakly below us in (f2, f3)
  // dominates us.
  const s2 = new Float64Array(n);
  const s3 = new Float64Array(n);
  let size = 0;
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    if (t > 0 && sameRow(x, order[t - 1]!, i, 3)) continue;
    const y = x[3 * i + 1]!;
    const z = x[3 * i + 2]!;
    // pos = number of staircase points with s2 <= y.
    let lo = 0;
    let hi = size;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (s2[mid]! <= y) lo = mid + 1;
      else hi = mid;
    }
    const pos = lo;
    if (pos > 0 && s3[pos - 1]! <= z) continue;
    mask[i] = 1;
    // Remove the staircase points that (y, z) weakly dominates: they start at the first s2 >= y.
    let start = pos;
    if (start > 0 && s2[start - 1] === y) start--;
    let end = start;
    while (end < size && s3[end]! >= z) end++;
    const removed = end - start;
    if (removed !== 1) {
      s2.copyWithin(start + 1, end, size);
      s3.copyWithin(start + 1, end, size);
      size += 1 - removed;
    }
    s2[start] = y;
    s3[start] = z;
  }
  copyDuplicates(x, 3, order, mask, keepDuplicates);
  return mask;
}

function filterGeneral(P: Matrix, keepDuplicates: boolean, mask: Uint8Array): Uint8Array {
  const n = P.rows;
  const m = P.cols;
  const x = P.data;
  const sums = new Float64Array(n);
  let finiteSums = true;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < m; j++) s += x[i * m + j]!;
    sums[i] = s;
    if (Number.isNaN(s)) finiteSums = false;
  }
  const lex = lexicographicOrder(x, n, m);
  let order = lex;
  if (finiteSums) {
    // A dominating point has a smaller or equal (rounded) sum; equal sums fall back to lexicographic rank,
    // so dominators still come first and identical rows stay adjacent.
    const lexRank = new Int32Array(n);
    for (let t = 0; t < n; t++) lexRank[lex[t]!] = t;
    order = Int32Array.from(lex).sort((a, b) => sums[a]! - sums[b]! || lexRank[a]! - lexRank[b]!);
  }
  // The front so far, row-major, for cache-friendly scans: O(m n |front|) in all.
  const limit = filterFrontLimit(n);
  const front = new Float64Array(Math.min(n, limit) * m);
  let size = 0;
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    if (t > 0 && sameRow(x, order[t - 1]!, i, m)) continue;
    const o = i * m;
    let dominated = false;
    for (let f = 0; f < size && !dominated; f++) {
      const of = f * m;
      let j = 0;
      while (j < m && front[of + j]! <= x[o + j]!) j++;
      dominated = j === m;
    }
    if (dominated) continue;
    if (size === limit) return filterBySort(P, keepDuplicates, mask, lex);
    mask[i] = 1;
    front.set(x.subarray(o, o + m), size * m);
    size++;
  }
  copyDuplicates(x, m, order, mask, keepDuplicates);
  return mask;
}

function filterBySort(P: Matrix, keepDuplicates: boolean, mask: Uint8Array, lex: Int32Array): Uint8Array {
  const { ranks } = nondominatedSort(P);
  for (let i = 0; i < ranks.length; i++) mask[i] = ranks[i] === 0 ? 1 : 0;
  // Equal rows share a rank: keep only the first of each run of identical rows unless asked.
  for (let t = 1; t < lex.length; t++) {
    const i = lex[t]!;
    const prev = lex[t - 1]!;
    if (mask[i] && sameRow(P.data, prev, i, P.cols)) mask[i] = keepDuplicates ? 1 : 0;
  }
  return mask;
}
