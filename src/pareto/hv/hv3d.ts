import { argsortLex } from './index-sort.js';
import { RankSet } from './rank-set.js';

/** Reusable buffers for {@link hv3d}; grows on demand so repeated calls allocate nothing. */
export class Hv3dWorkspace {
  capacity = -1;
  zOrder = new Int32Array(0);
  xOrder = new Int32Array(0);
  rank = new Int32Array(0);
  next = new Int32Array(0);
  /** x and y with two sentinels appended at indices n (head) and n + 1 (tail). */
  sx = new Float64Array(0);
  sy = new Float64Array(0);
  set = new RankSet(1);
  /**
   * The array staircase: the point index of each entry, x ascending (y descending). Indices only: an
   * insertion moves one array, not three, which on fronts outweighs the indirect reads.
   */
  sti = new Int32Array(0);

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    this.capacity = cap;
    this.zOrder = new Int32Array(cap);
    this.xOrder = new Int32Array(cap);
    this.rank = new Int32Array(cap);
    this.next = new Int32Array(cap + 2);
    this.sx = new Float64Array(cap + 2);
    this.sy = new Float64Array(cap + 2);
    this.set = new RankSet(cap);
    this.sti = new Int32Array(cap + 1);
  }
}

/**
 * The sorted-array staircase costs O(length) moves per insertion, the rank set O(log n) per point
 * but a second sort first. The switch is made when the moves the arrays can still expect (points
 * left, times the share of points inserted so far, times half the length) exceed what the rank set
 * would cost for the rest, in moves: SORT_MOVES per point of the set plus STEP_MOVES per point left.
 * Sets whose staircase stays short or rarely changes (tie-heavy grids, clouds of mostly dominated
 * points) never pay for the second sort; long fronts switch at a few dozen points.
 */
const SORT_MOVES = 8;
const STEP_MOVES = 24;

/**
 * Hypervolume in three objectives by the dimension sweep of Beume, Fonseca, López-Ibáñez, Paquete
 * and Vahrenhold (2009), O(n log n): sweep z upwards, keep the 2-D staircase of the points seen so far
 * in x order and its area. While the staircase is short (tie-heavy sets, clouds of mostly dominated
 * points) it is a sorted array of point indices; once insertions into it are expected to cost more
 * moves than a second sort ({@link SORT_MOVES}) it moves to a {@link RankSet} over x ranks plus a
 * linked list, O(log n) per point. Points are translated so the reference is the origin (every
 * coordinate < 0).
 *
 * @param xs first objective, length >= n (likewise ys, zs)
 * @param work buffers, grown to n here
 */
export function hv3d(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  n: number,
  work: Hv3dWorkspace,
): number {
  if (n === 0) return 0;
  work.ensure(n);
  const { zOrder, sti } = work;
  argsortLex(zs, zs, n, zOrder);
  // The x-y staircase of the points seen so far as two sorted arrays: a binary search finds p's
  // place, the points p dominates are a contiguous block after it, and no x sort is needed. Fronts
  // whose staircase grows long go to the rank set instead.
  let s = 0;
  let area = 0;
  let vol = 0;
  let comp = 0;
  let inserted = 0;
  // The last point found to cover another in x and y, or the last one inserted: it came earlier in
  // z, so it dominates whatever it covers, and on tie-heavy sets (duplicates, grids) it often covers
  // the next point too, which then costs one test instead of a search.
  let dx = Number.POSITIVE_INFINITY;
  let dy = Number.POSITIVE_INFINITY;
  for (let k = 0; k < n; k++) {
    const i = zOrder[k]!;
    const px = xs[i]!;
    const py = ys[i]!;
    if (dx <= px && dy <= py) {
      const znext = k + 1 < n ? zs[zOrder[k + 1]!]! : 0;
      const pz = zs[i]!;
      if (znext !== pz) {
        const term = area * (znext - pz);
        const t = vol + term;
        comp += Math.abs(vol) >= Math.abs(term) ? vol - t + term : term - t + vol;
        vol = t;
      }
      continue;
    }
    let lo = 0;
    let hi = s;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (xs[sti[mid]!]! <= px) lo = mid + 1;
      else hi = mid;
    }
    const h0 = lo > 0 ? ys[sti[lo - 1]!]! : 0;
    if (h0 > py) {
      // Area newly covered: for each step right of p that p dominates, the strip between its height
      // and p's; the first step below p ends the walk.
      let added = 0;
      let left = px;
      let h = h0;
      let e = lo;
      while (e < s && ys[sti[e]!]! >= py) {
        added += (xs[sti[e]!]! - left) * (h - py);
        left = xs[sti[e]!]!;
        h = ys[sti[e]!]!;
        e++;
      }
      added += ((e < s ? xs[sti[e]!]! : 0) - left) * (h - py);
      const start = lo > 0 && xs[sti[lo - 1]!]! === px ? lo - 1 : lo;
      const removed = e - start;
      if (removed === 0) {
        inserted++;
        if (s > 16 && ((n - k) * inserted * s) / (2 * (k + 1)) > SORT_MOVES * n + STEP_MOVES * (n - k)) {
          return hv3dRankSet(xs, ys, zs, n, work, k, s, area, vol, comp);
        }
        // Long moves natively, short ones by hand (a native call costs more than a few copies).
        if (s - start > 32) sti.copyWithin(start + 1, start, s);
        else for (let r = s; r > start; r--) sti[r] = sti[r - 1]!;
        s++;
      } else if (removed > 1) {
        const gap = removed - 1;
        if (s - start - removed > 32) sti.copyWithin(start + 1, start + removed, s);
        else for (let r = start + 1; r + gap < s; r++) sti[r] = sti[r + gap]!;
        s -= gap;
      }
      sti[start] = i;
      area += added;
      dx = px;
      dy = py;
    } else {
      dx = xs[sti[lo - 1]!]!;
      dy = ys[sti[lo - 1]!]!;
    }
    const znext = k + 1 < n ? zs[zOrder[k + 1]!]! : 0;
    const pz = zs[i]!;
    if (znext !== pz) {
      const term = area * (znext - pz);
      const t = vol + term;
      comp += Math.abs(vol) >= Math.abs(term) ? vol - t + term : term - t + vol;
      vol = t;
    }
  }
  return vol + comp;
}

/**
 * {@link hv3d} from point `k0` of `work.zOrder` on, with the staircase in a {@link RankSet} over x
 * ranks; it takes over the `s` entries of the array staircase and the sums so far.
 */
function hv3dRankSet(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  n: number,
  work: Hv3dWorkspace,
  k0: number,
  s0: number,
  area0: number,
  vol0: number,
  comp0: number,
): number {
  const { zOrder, xOrder, rank, next, sx, sy, set } = work;
  // Ranks by (x, y): a tie in x puts the lower y first, so the predecessor test also catches it.
  argsortLex(xs, ys, n, xOrder);
  for (let r = 0; r < n; r++) rank[xOrder[r]!] = r;
  sx.set(xs.subarray(0, n));
  sy.set(ys.subarray(0, n));
  const head = n;
  const tail = n + 1;
  sx[head] = Number.NEGATIVE_INFINITY;
  sy[head] = 0;
  sx[tail] = 0;
  sy[tail] = Number.NEGATIVE_INFINITY;
  next[head] = tail;
  // The array staircase, x ascending, becomes the linked list and the set.
  let last = head;
  for (let e = 0; e < s0; e++) {
    const i = work.sti[e]!;
    next[last] = i;
    set.insert(rank[i]!);
    last = i;
  }
  next[last] = tail;

  let area = area0;
  let vol = vol0;
  let comp = comp0;
  for (let k = k0; k < n; k++) {
    const i = zOrder[k]!;
    const px = sx[i]!;
    const py = sy[i]!;
    const r = rank[i]!;
    const pr = set.pred(r);
    const q = pr < 0 ? head : xOrder[pr]!;
    if (sy[q]! > py) {
      // Area newly covered: for each staircase step right of p that p dominates, the strip between
      // its height and p's; the first step below p ends the walk.
      let s = next[q]!;
      let left = px;
      let h = sy[q]!;
      let added = 0;
      while (sy[s]! >= py) {
        const sxs = sx[s]!;
        added += (sxs - left) * (h - py);
        left = sxs;
        h = sy[s]!;
        set.remove(rank[s]!);
        s = next[s]!;
      }
      added += (sx[s]! - left) * (h - py);
      next[q] = i;
      next[i] = s;
      set.insert(r);
      area += added;
    }
    const znext = k + 1 < n ? zs[zOrder[k + 1]!]! : 0;
    const term = area * (znext - zs[i]!);
    const t = vol + term;
    comp += Math.abs(vol) >= Math.abs(term) ? vol - t + term : term - t + vol;
    vol = t;
  }
  // The set is empty again only if every member was removed; clear what is left for the next call.
  let s = next[head]!;
  while (s !== tail) {
    set.remove(rank[s]!);
    s = next[s]!;
  }
  return vol + comp;
}
