import { type Matrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';

/**
 * Throws a RangeError naming `fn` when any entry of `points` is NaN: every ordering in `pareto/` assumes
 * a total order on each objective. Infinities are allowed.
 */
export function assertNoNaN(points: Matrix, fn: string): void {
  const { data, cols } = points;
  for (let i = 0; i < data.length; i++) {
    if (Number.isNaN(data[i]!)) {
      const r = Math.floor(i / cols);
      throw new RangeError(`${fn}: points[${r}][${i - r * cols}] is NaN, expected a number`);
    }
  }
}

/**
 * Indices `0..n-1` of the rows of `x` (`n x m`, row-major) in lexicographic order, ties (identical rows)
 * by index. In this order a row can only be dominated by rows before it, and identical rows are adjacent.
 *
 * Comparator sorts are slow in V8 (and so are its built-in typed-array sorts), so the first objective
 * goes through a stable least-significant-digit radix sort of its IEEE-754 bits, O(8 n); only runs of
 * equal first objectives are then sorted with a comparator on the remaining ones.
 */
export function lexicographicOrder(x: Float64Array, n: number, m: number): Int32Array {
  if (n < 2 || m === 0) {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order;
  }
  const compareFrom =
    (start: number) =>
    (a: number, b: number): number => {
      const oa = a * m;
      const ob = b * m;
      for (let j = start; j < m; j++) {
        const va = x[oa + j]!;
        const vb = x[ob + j]!;
        if (va < vb) return -1;
        if (va > vb) return 1;
      }
      return a - b;
    };
  let order: Int32Array;
  if (n < 48) {
    order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort(compareFrom(0));
  }
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const v = x[i * m]!;
    values[i] = v === 0 ? 0 : v; // -0 and 0 compare equal: give them the same bits
  }
  order = radixArgsort(values);
  let distinct = true;
  for (let t = 1; t < n && distinct; t++) distinct = values[order[t]!] !== values[order[t - 1]!];
  if (m > 1 && !distinct) {
    const rest = compareFrom(1);
    let start = 0;
    for (let t = 1; t <= n; t++) {
      if (t < n && values[order[t]!] === values[order[start]!]) continue;
      if (t - start > 1) order.subarray(start, t).sort(rest);
      start = t;
    }
  }
  return order;
}

/**
 * Stable argsort (ties by index) of `values` (no NaN; -0 counts as 0): the indices 0..n-1 in ascending
 * order of value. Radix sort for n >= 48, a comparator sort below. Does not modify `values`.
 */
export function argsortStable(values: Float64Array): Int32Array {
  const n = values.length;
  if (n < 48) {
    const order = new Int32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    return order.sort((a, b) => (values[a]! < values[b]! ? -1 : values[a]! > values[b]! ? 1 : a - b));
  }
  const copy = new Float64Array(n);
  for (let i = 0; i < n; i++) copy[i] = values[i] === 0 ? 0 : values[i]!;
  return radixArgsort(copy);
}

/** Whether float64 words lie low word first (every platform Node runs on today). */
const LITTLE_ENDIAN = new Uint8Array(Float64Array.of(1).buffer)[7] === 0x3f;

/**
 * Stable argsort of `values` (no NaN, no -0) by a least-significant-digit radix sort on the bytes of
 * their order-preserving 64-bit images: 8 counting passes, each skipped when one byte value holds all.
 */
function radixArgsort(values: Float64Array): Int32Array {
  const n = values.length;
  const words = new Uint32Array(values.buffer, values.byteOffset, 2 * n);
  const high = LITTLE_ENDIAN ? 1 : 0;
  // Order-preserving image: flip every bit of negatives, only the sign bit of the rest.
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + high]!;
    const l = words[2 * i + 1 - high]!;
    const negative = h >>> 31 === 1;
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    lo[i] = negative ? ~l >>> 0 : l;
  }
  let order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let spare = new Int32Array(n);
  const counts = new Int32Array(256);
  for (let pass = 0; pass < 8; pass++) {
    const word = pass < 4 ? lo : hi;
    const shift = (pass & 3) * 8;
    counts.fill(0);
    for (let t = 0; t < n; t++) counts[(word[order[t]!]! >>> shift) & 255]!++;
    let skip = false;
    for (let b = 0; b < 256 && !skip; b++) skip = counts[b] === n;
    if (skip) continue;
    let sum = 0;
    for (let b = 0; b < 256; b++) {
      const c = counts[b]!;
      counts[b] = sum;
      sum += c;
    }
    for (let t = 0; t < n; t++) {
      const i = order[t]!;
      spare[counts[(word[i]! >>> shift) & 255]!++] = i;
    }
    const swap = order;
    order = spare;
    spare = swap;
  }
  return order;
}

/** Options of `nondominatedSort`. */
export interface NondominatedSortOptions {
  /**
   * Only the first fronts that together hold at least this many points are needed (NSGA-II survival of
   * N points passes N). Points in later fronts get rank -1 and no front is listed for them. Default: all.
   * The sort computes every rank anyway (the divide-and-conquer has no cheaper prefix), so this trims
   * the result rather than the work.
   */
  stopAfter?: number;
}

/**
 * Non-dominated sorting (minimization) of the rows of `points` (`n x m`).
 *
 * Returns `ranks` (length n, 0 = the Pareto front; -1 for points past `stopAfter`) and `fronts`, where
 * `fronts[k]` lists the indices (ascending) of the points of rank k. Identical rows share a rank. A
 * point's rank is the length of the longest chain of dominating points above it, as in Deb et al. 2002.
 *
 * m = 2: lexicographic sort and a longest-chain sweep with binary search, O(n log n). m >= 3: the
 * divide-and-conquer of Jensen 2003, generalized to ties by Fortin, Grenier, Parizeau 2013 with the
 * corrections of Buzdalov and Shalyto 2014, O(n log^(m-1) n); duplicates are merged before it runs.
 */
export function nondominatedSort(
  points: MatrixLike,
  options: NondominatedSortOptions = {},
): { ranks: Int32Array; fronts: Int32Array[] } {
  const P = toMatrix(points, 'nondominatedSort: points');
  assertNoNaN(P, 'nondominatedSort');
  const stopAfter = options.stopAfter ?? Number.POSITIVE_INFINITY;
  if (!(stopAfter >= 0)) {
    throw new RangeError(`nondominatedSort: stopAfter is ${options.stopAfter}, expected a number >= 0`);
  }
  const n = P.rows;
  const m = P.cols;
  const ranks = new Int32Array(n);
  if (n === 0) return { ranks, fronts: [] };
  if (m === 0) return buildFronts(ranks, stopAfter);

  // Merge identical rows: unique point u (in lexicographic order) stands for every row with uniqueOf = u.
  const order = lexicographicOrder(P.data, n, m);
  const uniqueOf = new Int32Array(n);
  const x = new Float64Array(n * m);
  let u = -1;
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    let same = t > 0;
    if (same) {
      const prev = order[t - 1]! * m;
      for (let j = 0; j < m && same; j++) same = P.data[prev + j] === P.data[i * m + j];
    }
    if (!same) {
      u++;
      for (let j = 0; j < m; j++) x[u * m + j] = P.data[i * m + j]!;
    }
    uniqueOf[i] = u;
  }
  const count = u + 1;
  const uniqueRanks = new Int32Array(count);
  if (m === 1) {
    for (let i = 0; i < count; i++) uniqueRanks[i] = i;
  } else if (m === 2) {
    sweep2(x, count, uniqueRanks);
  } else {
    new DivideAndConquer(x.subarray(0, count * m), count, m, uniqueRanks).run();
  }
  for (let i = 0; i < n; i++) ranks[i] = uniqueRanks[uniqueOf[i]!]!;
  return buildFronts(ranks, stopAfter);
}

function buildFronts(ranks: Int32Array, stopAfter: number): { ranks: Int32Array; fronts: Int32Array[] } {
  let maxRank = -1;
  for (let i = 0; i < ranks.length; i++) if (ranks[i]! > maxRank) maxRank = ranks[i]!;
  const sizes = new Int32Array(maxRank + 1);
  for (let i = 0; i < ranks.length; i++) sizes[ranks[i]!]!++;
  let kept = 0;
  let covered = 0;
  while (kept <= maxRank && covered < stopAfter) covered += sizes[kept++]!;
  if (stopAfter === 0) kept = 0;
  const fronts: Int32Array[] = [];
  for (let k = 0; k < kept; k++) fronts.push(new Int32Array(sizes[k]!));
  const fill = new Int32Array(kept);
  for (let i = 0; i < ranks.length; i++) {
    const r = ranks[i]!;
    if (r < kept) fronts[r]![fill[r]!++] = i;
    else ranks[i] = -1;
  }
  return { ranks, fronts };
}

/**
 * m = 2 ranks of distinct points in lexicographic order (`x` is `n x 2`). best[r] = least f2 among the
 * points of rank r so far, non-decreasing in r, so a point's rank is the number of ranks whose best f2
 * is <= its own: a binary search, O(n log n) in all (Jensen 2003, the two-objective base case).
 */
function sweep2(x: Float64Array, n: number, ranks: Int32Array): void {
  const best = new Float64Array(n);
  let fronts = 0;
  for (let i = 0; i < n; i++) {
    const y = x[2 * i + 1]!;
    let lo = 0;
    let hi = fronts;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (best[mid]! <= y) lo = mid + 1;
      else hi = mid;
    }
    ranks[i] = lo;
    best[lo] = y;
    if (lo === fronts) fronts++;
  }
}

/** Below this many points a subproblem of `sortA` is solved by pairwise comparison. */
const SMALL_A = 24;
/** Below this product of sizes a subproblem of `sortB` is solved by pairwise comparison. */
const SMALL_B = 400;

/**
 * The divide-and-conquer non-dominated sort of Jensen 2003 with ties handled as in Fortin, Grenier,
 * Parizeau 2013 and Buzdalov & Shalyto 2014. Points are distinct and indexed in lexicographic order, so
 * a point can only be dominated by points of smaller index, and any ordered pair (l, h) with l <= h in
 * every objective is a domination.
 *
 * `idx` holds the point ids of the current subproblems; every call leaves its ranges sorted by id,
 * which the two-objective sweeps rely on. `scratch`, `values` and `tree` are shared work buffers: they
 * are only used between recursive calls, never across one.
 */
class DivideAndConquer {
  private readonly idx: Int32Array;
  private readonly scratch: Int32Array;
  private readonly values: Float64Array;
  private readonly tree: Int32Array;
  private readonly scratch2: Int32Array;
  /** Cut points set by `partition`. */
  private cutLess = 0;
  private cutEqual = 0;

  constructor(
    private readonly x: Float64Array,
    private readonly n: number,
    private readonly m: number,
    private readonly rank: Int32Array,
  ) {
    this.idx = new Int32Array(n);
    for (let i = 0; i < n; i++) this.idx[i] = i;
    this.scratch = new Int32Array(n);
    this.scratch2 = new Int32Array(n);
    this.values = new Float64Array(n);
    this.tree = new Int32Array(n + 1);
  }

  run(): void {
    this.sortA(0, this.n, this.m - 1);
  }

  /**
   * Final ranks of the points in idx[from, until), which agree in every objective above k, given that
   * all influence from outside the range has been applied already.
   */
  private sortA(from: number, until: number, k: number): void {
    const size = until - from;
    if (size < 2) return;
    if (k === 0) {
      // Distinct points equal in all but the first objective form a chain in id order.
      for (let t = from + 1; t < until; t++) this.raise(this.idx[t - 1]!, this.idx[t]!);
      return;
    }
    if (k === 1) {
      this.sweepA(from, until);
      return;
    }
    if (size <= SMALL_A) {
      this.bruteA(from, until, k);
      return;
    }
    const pivot = this.median(from, until, k);
    if (Number.isNaN(pivot)) {
      // Every point has the same value in objective k.
      this.sortA(from, until, k - 1);
      return;
    }
    this.partition(from, until, k, pivot);
    const a = this.cutLess;
    const b = this.cutEqual;
    this.sortA(from, a, k);
    this.sortB(from, a, a, b, k - 1);
    this.sortA(a, b, k - 1);
    this.merge(from, a, b);
    this.sortB(from, b, b, until, k - 1);
    this.sortA(b, until, k);
    this.merge(from, b, until);
  }

  /**
   * Raises the ranks of idx[hFrom, hUntil) by the final ranks of idx[lFrom, lUntil), where every l is
   * already <= every h in each objective above k.
   */
  private sortB(lFrom: number, lUntil: number, hFrom: number, hUntil: number, k: number): void {
    const lSize = lUntil - lFrom;
    const hSize = hUntil - hFrom;
    if (lSize === 0 || hSize === 0) return;
    if (k === 0) {
      this.walkB(lFrom, lUntil, hFrom, hUntil);
      return;
    }
    if (k === 1) {
      this.sweepB(lFrom, lUntil, hFrom, hUntil);
      return;
    }
    if (lSize * hSize <= SMALL_B) {
      this.bruteB(lFrom, lUntil, hFrom, hUntil, k);
      return;
    }
    const { x, m, idx, values } = this;
    // One pass gathers objective k of L then H for the median, and each side's range.
    let lMin = Number.POSITIVE_INFINITY;
    let lMax = Number.NEGATIVE_INFINITY;
    let o = 0;
    for (let t = lFrom; t < lUntil; t++) {
      const v = x[idx[t]! * m + k]!;
      values[o++] = v;
      if (v < lMin) lMin = v;
      if (v > lMax) lMax = v;
    }
    let hMin = Number.POSITIVE_INFINITY;
    let hMax = Number.NEGATIVE_INFINITY;
    for (let t = hFrom; t < hUntil; t++) {
      const v = x[idx[t]! * m + k]!;
      values[o++] = v;
      if (v < hMin) hMin = v;
      if (v > hMax) hMax = v;
    }
    if (lMax <= hMin) {
      this.sortB(lFrom, lUntil, hFrom, hUntil, k - 1);
      return;
    }
    if (lMin > hMax) return;
    const pivot = quickselect(values, o, (o - 1) >>> 1);
    this.partition(lFrom, lUntil, k, pivot);
    const la = this.cutLess;
    const lb = this.cutEqual;
    this.partition(hFrom, hUntil, k, pivot);
    const ha = this.cutLess;
    const hb = this.cutEqual;
    // Pairs with l_k <= h_k: (less, less) and (greater, greater) keep objective k; every pair of
    // L<=pivot with H>=pivot is settled in objective k and drops to k - 1.
    this.sortB(lFrom, la, hFrom, ha, k);
    this.sortB(lb, lUntil, hb, hUntil, k);
    this.merge(lFrom, la, lb);
    this.merge(ha, hb, hUntil);
    this.sortB(lFrom, lb, ha, hUntil, k - 1);
    this.merge(lFrom, lb, lUntil);
    this.merge(hFrom, ha, hUntil);
  }

  private raise(l: number, h: number): void {
    const r = this.rank[l]! + 1;
    if (r > this.rank[h]!) this.rank[h] = r;
  }

  /** True when point l <= point h in objectives 0..k. */
  private below(l: number, h: number, k: number): boolean {
    const { x, m } = this;
    const ol = l * m;
    const oh = h * m;
    for (let j = 0; j <= k; j++) if (x[ol + j]! > x[oh + j]!) return false;
    return true;
  }

  private bruteA(from: number, until: number, k: number): void {
    const idx = this.idx;
    for (let t = from + 1; t < until; t++) {
      const h = idx[t]!;
      for (let s = from; s < t; s++) {
        const l = idx[s]!;
        if (this.below(l, h, k)) this.raise(l, h);
      }
    }
  }

  private bruteB(lFrom: number, lUntil: number, hFrom: number, hUntil: number, k: number): void {
    const idx = this.idx;
    for (let t = hFrom; t < hUntil; t++) {
      const h = idx[t]!;
      // Only smaller ids can dominate, and the L range is sorted by id.
      for (let s = lFrom; s < lUntil; s++) {
        const l = idx[s]!;
        if (l > h) break;
        if (this.below(l, h, k)) this.raise(l, h);
      }
    }
  }

  /** k = 0 in sortB: l dominates h exactly when l has the smaller id. */
  private walkB(lFrom: number, lUntil: number, hFrom: number, hUntil: number): void {
    const { idx, rank } = this;
    let best = -1;
    let s = lFrom;
    for (let t = hFrom; t < hUntil; t++) {
      const h = idx[t]!;
      while (s < lUntil && idx[s]! < h) {
        const r = rank[idx[s]!]!;
        if (r > best) best = r;
        s++;
      }
      if (best >= 0 && best + 1 > rank[h]!) rank[h] = best + 1;
    }
  }

  /**
   * k = 1 in sortA: in id order (so f1 ascending), each point's rank is one more than the highest rank
   * among earlier points with f2 <= its own: a prefix-maximum Fenwick tree over the sorted f2 values,
   * O(s log s).
   */
  private sweepA(from: number, until: number): void {
    const { x, m, idx, rank, tree } = this;
    const size = until - from;
    const sorted = this.values.subarray(0, size);
    for (let t = 0; t < size; t++) sorted[t] = x[idx[from + t]! * m + 1]!;
    sorted.sort();
    tree.fill(-1, 0, size + 1);
    for (let t = from; t < until; t++) {
      const p = idx[t]!;
      const y = x[p * m + 1]!;
      const r = prefixMax(tree, upperBound(sorted, y)) + 1;
      if (r > rank[p]!) rank[p] = r;
      raiseAt(tree, size, lowerBound(sorted, y) + 1, rank[p]!);
    }
  }

  /** k = 1 in sortB: the same sweep, inserting L's points and querying H's, merged by id. */
  private sweepB(lFrom: number, lUntil: number, hFrom: number, hUntil: number): void {
    const { x, m, idx, rank, tree } = this;
    const lSize = lUntil - lFrom;
    const sorted = this.values.subarray(0, lSize);
    for (let t = 0; t < lSize; t++) sorted[t] = x[idx[lFrom + t]! * m + 1]!;
    sorted.sort();
    tree.fill(-1, 0, lSize + 1);
    let s = lFrom;
    for (let t = hFrom; t < hUntil; t++) {
      const h = idx[t]!;
      while (s < lUntil && idx[s]! < h) {
        const l = idx[s]!;
        raiseAt(tree, lSize, lowerBound(sorted, x[l * m + 1]!) + 1, rank[l]!);
        s++;
      }
      const r = prefixMax(tree, upperBound(sorted, x[h * m + 1]!)) + 1;
      if (r > 0 && r > rank[h]!) rank[h] = r;
    }
  }

  /** Lower median of objective k over idx[from, until) by quickselect, O(s); NaN when all are equal. */
  private median(from: number, until: number, k: number): number {
    const { x, m, idx, values } = this;
    let lo = Number.POSITIVE_INFINITY;
    let hi = Number.NEGATIVE_INFINITY;
    for (let t = from; t < until; t++) {
      const value = x[idx[t]! * m + k]!;
      values[t - from] = value;
      if (value < lo) lo = value;
      if (value > hi) hi = value;
    }
    if (lo === hi) return Number.NaN;
    return quickselect(values, until - from, (until - from - 1) >>> 1);
  }

  /**
   * Stable three-way partition of idx[from, until) by objective k against pivot: < pivot in
   * [from, cutLess), == pivot in [cutLess, cutEqual), > pivot in [cutEqual, until). Each part keeps id
   * order. One pass: the less part is written in place, the others to two scratch buffers.
   */
  private partition(from: number, until: number, k: number, pivot: number): void {
    const { x, m, idx, scratch, scratch2 } = this;
    let pl = from;
    let pe = 0;
    let pg = 0;
    for (let t = from; t < until; t++) {
      const i = idx[t]!;
      const v = x[i * m + k]!;
      if (v < pivot) idx[pl++] = i;
      else if (v === pivot) scratch[pe++] = i;
      else scratch2[pg++] = i;
    }
    this.cutLess = pl;
    this.cutEqual = pl + pe;
    idx.set(scratch.subarray(0, pe), pl);
    idx.set(scratch2.subarray(0, pg), pl + pe);
  }

  /** Merges the id-sorted runs idx[from, mid) and idx[mid, until) into one id-sorted run. */
  private merge(from: number, mid: number, until: number): void {
    if (from === mid || mid === until) return;
    const { idx, scratch } = this;
    if (idx[mid - 1]! < idx[mid]!) return;
    let a = from;
    let b = mid;
    let o = from;
    while (a < mid && b < until) scratch[o++] = idx[a]! < idx[b]! ? idx[a++]! : idx[b++]!;
    while (a < mid) scratch[o++] = idx[a++]!;
    while (b < until) scratch[o++] = idx[b++]!;
    idx.set(scratch.subarray(from, until), from);
  }
}

/** Number of entries of the ascending `a` that are < v. */
function lowerBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Number of entries of the ascending `a` that are <= v. */
function upperBound(a: Float64Array, v: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (a[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Maximum over positions 1..count of the Fenwick tree `tree` (-1 when empty). */
function prefixMax(tree: Int32Array, count: number): number {
  let best = -1;
  for (let i = count; i > 0; i -= i & -i) if (tree[i]! > best) best = tree[i]!;
  return best;
}

/** Raises position `pos` (1-based, of `size`) of the prefix-maximum Fenwick tree to at least `value`. */
function raiseAt(tree: Int32Array, size: number, pos: number, value: number): void {
  for (let i = pos; i <= size; i += i & -i) {
    // A node covers its children's ranges, so once one holds `value` its ancestors do too.
    if (tree[i]! >= value) break;
    tree[i] = value;
  }
}

/** The k-th smallest (0-based) of v[0, size), reordering v in place (Hoare's selection, O(size)). */
function quickselect(v: Float64Array, size: number, k: number): number {
  let lo = 0;
  let hi = size - 1;
  while (hi > lo) {
    // Median of three as the pivot keeps sorted and reversed inputs linear.
    const mid = (lo + hi) >>> 1;
    const a = v[lo]!;
    const b = v[mid]!;
    const c = v[hi]!;
    const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (v[i]! < pivot) i++;
      while (v[j]! > pivot) j--;
      if (i <= j) {
        const tmp = v[i]!;
        v[i] = v[j]!;
        v[j] = tmp;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return v[k]!;
  }
  return v[k]!;
}
