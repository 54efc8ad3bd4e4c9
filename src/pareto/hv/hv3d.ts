import { RankSet } from './rank-set.js';
import { argsortLex } from './sort.js';

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
  }
}

/**
 * Hypervolume in three objectives by the dimension sweep of Beume, Fonseca, López-Ibáñez, Paquete
 * and Vahrenhold (2009), O(n log n): sweep z upwards, keep the 2-D staircase of the points seen so far
 * in x order and its area; the tree is a {@link RankSet} over precomputed x ranks plus a linked list.
 * Points are translated so the reference is the origin (every coordinate < 0).
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
  const { zOrder, xOrder, rank, next, sx, sy, set } = work;
  argsortLex(zs, zs, n, zOrder);
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

  let area = 0;
  let vol = 0;
  let comp = 0;
  for (let k = 0; k < n; k++) {
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
