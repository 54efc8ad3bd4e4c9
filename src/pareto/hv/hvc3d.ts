import { argsortLex } from './index-sort.js';
import { KernelModule } from './kernel-module.js';
import { RankSet } from './rank-set.js';

// The memory's regions (kernel-module.ts): the points in z order, and the staircase inside p's box.
const AX = 0;
const AY = 1;
const AZ = 2;
const SX = 3;
const SY = 4;

/** The staircase functions only (staircase.ts): stairInsert and sweepAbove, on the regions above. */
const kernels = new KernelModule<object>([], [], 5);

/** Reusable buffers for {@link hv3dContributions}; grows on demand. */
export class Hvc3dWorkspace {
  capacity = -1;
  order = new Int32Array(0);
  /** Original index of each point in z order. */
  id = new Int32Array(0);

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    this.capacity = cap;
    this.order = new Int32Array(cap);
    this.id = new Int32Array(cap);
  }
}

/**
 * Exclusive contributions in three objectives. A z sweep keeps the x-y staircase of the points below
 * (a {@link RankSet} over x ranks plus a linked list, as in hv3d). When p is reached, its walls and
 * the points of its starting slice come straight from the staircase: the neighbour left of p gives
 * the left wall, the staircase points p dominates are the only points inside its box that matter
 * (any other point there is covered twice), and the first point below p gives the bottom wall. Those
 * points are then removed by p's insertion, so the setup is O(n log n) in all. The points above p
 * are then swept in z until one covers p in x and y (sweepAbove, in WebAssembly: staircase.ts, on
 * the points and staircase this function writes into the module's memory), which is short on
 * typical fronts but O(n) per point in the worst case. Points tied in z are scanned pairwise.
 *
 * @param xs first objective, length >= n (likewise ys, zs), translated so the reference is 0
 * @param out length >= n; dominated points and exact duplicates get 0
 */
export function hv3dContributions(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  n: number,
  work: Hvc3dWorkspace,
  out: Float64Array,
): void {
  if (n === 0) return;
  work.ensure(n);
  kernels.cover(n);
  const { order, id } = work;
  const { stride } = kernels;
  const s8 = stride >>> 3;
  const view = (r: number) => kernels.doubles.subarray(r * s8, r * s8 + n + 4);
  const ax = view(AX);
  const ay = view(AY);
  const az = view(AZ);
  const sx = view(SX);
  const sy = view(SY);
  const { stairInsert, sweepAbove } = kernels.exports;
  argsortLex(zs, zs, n, order);
  for (let s = 0; s < n; s++) {
    const i = order[s]!;
    ax[s] = xs[i]!;
    ay[s] = ys[i]!;
    az[s] = zs[i]!;
    id[s] = i;
  }
  // Ranks by (x, y) over z-sorted positions; next[] links the staircase in x order.
  const xOrder = new Int32Array(n);
  argsortLex(ax, ay, n, xOrder);
  const rank = new Int32Array(n);
  for (let r = 0; r < n; r++) rank[xOrder[r]!] = r;
  const set = new RankSet(n);
  const head = n;
  const tail = n + 1;
  const next = new Int32Array(n + 2);
  next[head] = tail;

  let g0 = 0;
  while (g0 < n) {
    const gz = az[g0]!;
    let g1 = g0 + 1;
    while (g1 < n && az[g1] === gz) g1++;
    for (let p = g0; p < g1; p++) {
      const px = ax[p]!;
      const py = ay[p]!;
      const pr = set.pred(rank[p]!);
      const q = pr < 0 ? head : xOrder[pr]!;
      let dominated = q !== head && ay[q]! <= py;
      let yL = q === head ? 0 : ay[q]!;
      let xB = 0;
      let t = 0;
      let s = next[q]!;
      // Staircase points with the same x sort after p only if their y is not lower.
      while (!dominated && s !== tail && ax[s] === px) {
        if (ay[s]! <= py) dominated = true;
        else yL = ay[s]!;
        s = next[s]!;
      }
      if (!dominated) {
        while (s !== tail && ay[s]! > py) {
          sx[t] = ax[s]!;
          sy[t] = ay[s]!;
          t++;
          s = next[s]!;
        }
        if (s !== tail) xB = ax[s]!;
        // Members of p's z group are below p too but not yet on the staircase.
        for (let r = g0; r < g1 && !dominated; r++) {
          if (r === p) continue;
          const qx = ax[r]!;
          const qy = ay[r]!;
          if (qx <= px) {
            if (qy <= py) dominated = true;
            else if (qy < yL) yL = qy;
          } else if (qy <= py) {
            if (qx < xB) xB = qx;
          }
        }
      }
      if (dominated) {
        out[id[p]!] = 0;
        continue;
      }
      for (let r = g0; r < g1; r++) {
        const qx = ax[r]!;
        const qy = ay[r]!;
        if (r !== p && qx > px && qy > py && qx < xB && qy < yL) {
          t = stairInsert(SX * stride, SY * stride, t, qx, qy);
        }
      }
      const v = sweepAbove(
        SX * stride,
        SY * stride,
        t,
        px,
        py,
        gz,
        xB,
        yL,
        AX * stride,
        AY * stride,
        AZ * stride,
        g1,
        n,
        0,
        0,
      );
      out[id[p]!] = Math.max(v, 0);
    }
    // Insert the group into the staircase, dropping the points each one dominates.
    for (let p = g0; p < g1; p++) {
      const py = ay[p]!;
      const r = rank[p]!;
      const pr = set.pred(r);
      const q = pr < 0 ? head : xOrder[pr]!;
      if (q !== head && ay[q]! <= py) continue;
      let s = next[q]!;
      while (s !== tail && ay[s]! >= py) {
        set.remove(rank[s]!);
        s = next[s]!;
      }
      next[q] = p;
      next[p] = s;
      set.insert(r);
    }
    g0 = g1;
  }
}
