import { addToActive3d, contribution3d, Hv4dWorkspace, stairInsert } from './hv4d.js';
import { argsortLex } from './index-sort.js';

/** Reusable buffers for {@link hv5d}; grows on demand so repeated calls allocate nothing. */
export class Hv5dWorkspace {
  capacity = -1;
  /** All points by the fifth objective, and by the fourth with each point's rank in that order. */
  order5 = new Int32Array(0);
  order4 = new Int32Array(0);
  rank4 = new Int32Array(0);
  /**
   * By fourth-objective rank: the first and the last rank of its run of equal fourth objectives
   * (WFG's limit sets, clipped to a point, tie often and in long runs).
   */
  runStart = new Int32Array(0);
  runEnd = new Int32Array(0);
  /**
   * By fourth-objective rank, as bits (rank r: bit r & 31 of word r >>> 5): set while that point is
   * in the active set, so the scan above p skips the others 32 at a time.
   */
  active = new Int32Array(0);
  /** The points' first four coordinates by fourth-objective rank (the scans above p read them in order). */
  wx = new Float64Array(0);
  wy = new Float64Array(0);
  wz = new Float64Array(0);
  ww = new Float64Array(0);
  /** The active set, z ascending: coordinates and fourth-objective rank (order4 gives the point). */
  ax = new Float64Array(0);
  ay = new Float64Array(0);
  az = new Float64Array(0);
  ar = new Int32Array(0);
  k = 0;
  /** The 2-D staircase inside a box and the candidates for it (see contribution3d in hv4d.ts). */
  sx = new Float64Array(0);
  sy = new Float64Array(0);
  cand = new Int32Array(0);
  /** The clipped 3-D set C of contribution4d and the buffers of its 3-D contributions. */
  readonly clip = new Hv4dWorkspace();
  /** Walls of C set by clippedBelow: its lowest y at (px, *, pz), x at (*, py, pz), z at (px, py, *). */
  yL = 0;
  xB = 0;
  zW = 0;
  /** contribution4d's volume (a double returned from a call that is not inlined is boxed). */
  readonly out = new Float64Array(1);
  /** A clipped point for stairInsert, which reads it by index (doubles as arguments are boxed). */
  readonly cx1 = new Float64Array(1);
  readonly cy1 = new Float64Array(1);

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    this.capacity = cap;
    this.order5 = new Int32Array(cap);
    this.order4 = new Int32Array(cap);
    this.rank4 = new Int32Array(cap);
    this.runStart = new Int32Array(cap);
    this.runEnd = new Int32Array(cap);
    this.active = new Int32Array((cap + 31) >>> 5);
    this.wx = new Float64Array(cap);
    this.wy = new Float64Array(cap);
    this.wz = new Float64Array(cap);
    this.ww = new Float64Array(cap);
    this.ax = new Float64Array(cap + 1);
    this.ay = new Float64Array(cap + 1);
    this.az = new Float64Array(cap + 1);
    this.ar = new Int32Array(cap + 1);
    this.sx = new Float64Array(cap + 2);
    this.sy = new Float64Array(cap + 2);
    this.cand = new Int32Array(cap + 1);
    this.clip.ensure(cap + 2);
  }
}

/**
 * Hypervolume in five objectives, O(n^3) at worst and close to O(n^2) on fronts (a point's cost is
 * one scan of the active set plus a few cheap wall tests per point above it in w, and an O(|C|) 3-D
 * contribution for the rare ones that pass): the dimension sweep of Fonseca, Paquete and López-Ibáñez (2006) on the fifth objective with the
 * 4-D volume of the points seen so far kept up to date by adding each newcomer's exclusive 4-D
 * contribution, computed as in onec4dplusU of Guerreiro and Fonseca (2018): p's exclusive 3-D volume
 * against the points at or below it in w, then, sweeping w upwards, that volume shrinks by the 3-D
 * contribution of each point above (clipped to p's box) until one covers p in x, y and z.
 * No limit set is built or filtered; the active set drops the points a newcomer dominates in 4-D.
 * Points are translated so the reference is the origin (every coordinate < 0).
 *
 * @param xs first objective, length >= n (likewise ys, zs, ws, vs)
 */
export function hv5d(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  ws: Float64Array,
  vs: Float64Array,
  n: number,
  work: Hv5dWorkspace,
): number {
  if (n === 0) return 0;
  work.ensure(n);
  const { order5, order4, rank4, active } = work;
  argsortLex(vs, vs, n, order5);
  argsortLex(ws, ws, n, order4);
  const { wx, wy, wz, ww } = work;
  for (let r = 0; r < n; r++) {
    const i = order4[r]!;
    rank4[i] = r;
    wx[r] = xs[i]!;
    wy[r] = ys[i]!;
    wz[r] = zs[i]!;
    ww[r] = ws[i]!;
  }
  const { runStart, runEnd } = work;
  for (let r = 0; r < n; ) {
    let e = r;
    while (e + 1 < n && ww[e + 1] === ww[r]) e++;
    for (let q = r; q <= e; q++) {
      runStart[q] = r;
      runEnd[q] = e;
    }
    r = e + 1;
  }
  active.fill(0, 0, (n + 31) >>> 5);
  work.k = 0;
  let v4 = 0;
  let hv = 0;
  let comp = 0;
  for (let t = 0; t < n; t++) {
    const i = order5[t]!;
    if (contribution4d(i, xs, ys, zs, ws, n, work)) {
      v4 += work.out[0]!;
      insert(i, xs, ys, zs, work);
    }
    const vnext = t + 1 < n ? vs[order5[t + 1]!]! : 0;
    const term = v4 * (vnext - vs[i]!);
    const s = hv + term;
    comp += Math.abs(hv) >= Math.abs(term) ? hv - s + term : term - s + hv;
    hv = s;
  }
  return hv + comp;
}

/**
 * Exclusive 4-D contribution of point i to the active set, written to `work.out[0]`; false when an
 * active point weakly dominates it. The active points with w <= p_w (those of rank <= `thr` in w) are clipped to p's box
 * and reduced to a 3-D set C; p's exclusive 3-D volume against C is then swept up in w through the
 * active points above (visited in w order, read from the rank-ordered copies), each one clipped and added to C and its
 * contribution subtracted, until one covers p in x, y and z. O(k) for C, then per point above a few
 * wall tests and, for the ~20% that pass them on fronts, an O(|C|) 3-D contribution.
 */
function contribution4d(
  i: number,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  ws: Float64Array,
  n: number,
  work: Hv5dWorkspace,
): boolean {
  const { rank4, active, clip } = work;
  const px = xs[i]!;
  const py = ys[i]!;
  const pz = zs[i]!;
  const pw = ws[i]!;
  const thr = work.runEnd[rank4[i]!]!;
  let kc = clippedBelow(i, xs, ys, zs, thr, work);
  if (kc < 0) return false;
  const { ax: cx, ay: cy, az: cz } = clip;
  const args = clip.args;
  args[0] = px;
  args[1] = py;
  args[2] = pz;
  // C lies in p's box, above p: p is not dominated (-1 would say so).
  let v3 = contribution3d(cx, cy, cz, kc, clip, false) ? clip.out[0]! : -1;
  let yL = work.yL;
  let xB = work.xB;
  let zW = work.zW;
  let vol = 0;
  let w = pw;
  const { wx, wy, wz, ww } = work;
  // The active points above p in w, by rank: the set bits of `active` from thr + 1 on.
  const words = (n + 31) >>> 5;
  let word = (thr + 1) >>> 5;
  let bits = word < words ? active[word]! & (-1 << ((thr + 1) & 31)) : 0;
  for (;;) {
    while (bits === 0) {
      word++;
      if (word >= words) {
        work.out[0] = vol + v3 * (0 - w);
        return true;
      }
      bits = active[word]!;
    }
    const low = bits & -bits;
    bits ^= low;
    const r = (word << 5) + 31 - Math.clz32(low);
    const qw = ww[r]!;
    vol += v3 * (qw - w);
    w = qw;
    const qx = wx[r]!;
    const qy = wy[r]!;
    const qz = wz[r]!;
    // One branch per test, not one per coordinate (their outcomes are unpredictable).
    if ((+(qx <= px) & +(qy <= py) & +(qz <= pz)) !== 0) {
      work.out[0] = vol;
      return true;
    }
    // Most clipped points fall behind one of C's walls, its points on two faces of p's box. The
    // walls lie beyond p (yL > py, xB > px, zW > pz), so q's own coordinates decide.
    if ((+(qy >= yL) | +(qx >= xB) | +(qz >= zW)) !== 0) continue;
    // q clipped to p's box: its 3-D contribution to C is what p loses from here on.
    const ux = Math.max(qx, px);
    const uy = Math.max(qy, py);
    const uz = Math.max(qz, pz);
    args[0] = ux;
    args[1] = uy;
    args[2] = uz;
    if (contribution3d(cx, cy, cz, kc, clip, true)) {
      v3 -= clip.out[0]!;
      kc = addToActive3d(cx, cy, cz, kc, clip);
      if (ux === px) {
        if (uy === py) zW = uz;
        else if (uz === pz) yL = uy;
      } else if (uy === py && uz === pz) {
        xB = ux;
      }
    }
  }
}

/**
 * Writes to `work.clip` (z ascending) the active points of w rank <= `thr` clipped to the box of
 * p = point i, less most of those another one dominates, and returns their count; -1 when one
 * weakly dominates p.
 * The points at or below p in z all land in p's z plane, where only their 2-D staircase matters (the
 * lowest y left of p, the lowest x below p, and the points between); the points above are kept when
 * the staircase of those before them does not dominate them. One O(k) scan plus staircase updates.
 */
function clippedBelow(
  i: number,
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  thr: number,
  work: Hv5dWorkspace,
): number {
  // p by index, not as double arguments (each one boxed when the call is not inlined).
  const px = xs[i]!;
  const py = ys[i]!;
  const pz = zs[i]!;
  const { ax, ay, az, ar, sx, sy, cand } = work;
  const { ax: cx, ay: cy, az: cz } = work.clip;
  const k = work.k;
  let xB = 0;
  let yL = 0;
  let j = 0;
  let inside = 0;
  // Without branches on the side of p an entry lies, nor on whether it counts (see contribution3d):
  // an entry past the threshold has both flags 0 and is never a candidate.
  for (; j < k; j++) {
    if (az[j]! > pz) break;
    const qx = ax[j]!;
    const qy = ay[j]!;
    // Only an entry strictly inside the walls so far can dominate p, lower a wall or be a
    // candidate (the walls lie beyond p); few are, so the test is predictable.
    if ((+(qx < xB) & +(qy < yL) & +(ar[j]! <= thr)) === 0) continue;
    const left = +(qx <= px);
    const below = +(qy <= py);
    if ((left & below) !== 0) return -1;
    if (left !== 0) yL = qy;
    if (below !== 0) xB = qx;
    cand[inside] = j;
    inside += 1 - (left | below);
  }
  // The staircase in p's z plane: the left wall (px, yL), the points inside the walls, (xB, py).
  let t = 0;
  if (yL < 0) {
    sx[0] = px;
    sy[0] = yL;
    t = 1;
  }
  for (let c = 0; c < inside; c++) {
    const r = cand[c]!;
    const qx = ax[r]!;
    const qy = ay[r]!;
    if (qx < xB && qy < yL) t = stairInsert(sx, sy, t, ax, ay, r);
  }
  if (xB < 0) {
    sx[t] = xB;
    sy[t] = py;
    t++;
  }
  work.yL = yL;
  work.xB = xB;
  let zW = 0;
  for (let c = 0; c < t; c++) {
    cx[c] = sx[c]!;
    cy[c] = sy[c]!;
    cz[c] = pz;
  }
  let kc = t;
  for (; j < k; j++) {
    // The walls lie beyond p (yL > py, xB > px, zW > pz): the point's own coordinates decide.
    if ((+(ar[j]! > thr) | +(ay[j]! >= yL) | +(ax[j]! >= xB) | +(az[j]! >= zW)) !== 0) continue;
    const ux = Math.max(ax[j]!, px);
    const uy = Math.max(ay[j]!, py);
    let lo = 0;
    let hi = t;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (sx[mid]! <= ux) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && sy[lo - 1]! <= uy) continue;
    const { cx1, cy1 } = work;
    cx1[0] = ux;
    cy1[0] = uy;
    t = stairInsert(sx, sy, t, cx1, cy1, 0);
    if (ux === px && uy === py && az[j]! < zW) zW = az[j]!;
    cx[kc] = ux;
    cy[kc] = uy;
    cz[kc] = az[j]!;
    kc++;
  }
  work.zW = zW;
  return kc;
}

/**
 * Adds point i to the active set (z order), dropping the points it weakly dominates in 4-D: those at
 * or above it in z, x and y whose w rank is at least that of the first point tied with p in w. One
 * pass from p's place carries each kept entry one slot up.
 */
function insert(i: number, xs: Float64Array, ys: Float64Array, zs: Float64Array, work: Hv5dWorkspace): void {
  const px = xs[i]!;
  const py = ys[i]!;
  const pz = zs[i]!;
  const { ax, ay, az, ar, active } = work;
  const k = work.k;
  const low = work.runStart[work.rank4[i]!]!;
  let lo = 0;
  let hi = k;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (az[mid]! < pz) lo = mid + 1;
    else hi = mid;
  }
  let hx = px;
  let hy = py;
  let hz = pz;
  let hr = work.rank4[i]!;
  let w = lo;
  for (let j = lo; j < k; j++) {
    const ex = ax[j]!;
    const ey = ay[j]!;
    const er = ar[j]!;
    if ((+(ex >= px) & +(ey >= py) & +(er >= low)) !== 0) {
      active[er >>> 5] = active[er >>> 5]! & ~(1 << (er & 31));
      continue;
    }
    const ez = az[j]!;
    ax[w] = hx;
    ay[w] = hy;
    az[w] = hz;
    ar[w] = hr;
    w++;
    hx = ex;
    hy = ey;
    hz = ez;
    hr = er;
  }
  ax[w] = hx;
  ay[w] = hy;
  az[w] = hz;
  ar[w] = hr;
  const ri = work.rank4[i]!;
  active[ri >>> 5] = active[ri >>> 5]! | (1 << (ri & 31));
  work.k = w + 1;
}
