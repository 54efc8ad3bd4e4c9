import { argsortLex } from './index-sort.js';

/** How many z ranges hv4d keeps the first node of. */
const BUCKETS = 64;

/**
 * Reusable buffers for {@link hv4d} (its linked nodes) and the 3-D contributions (hvc3d.ts); grows
 * on demand.
 */
export class Hv4dWorkspace {
  capacity = -1;
  order = new Int32Array(0);
  /** All points in z order (3-D contributions). */
  ax = new Float64Array(0);
  ay = new Float64Array(0);
  az = new Float64Array(0);
  /** Original index of each entry of ax/ay/az (3-D contributions only). */
  id = new Int32Array(0);
  /** Set when hv4d's insertion finds the point dominated: the node that does. */
  dominator = -1;
  /** The 2-D staircase inside the point's box: x ascending, y strictly descending. */
  sx = new Float64Array(0);
  sy = new Float64Array(0);
  /** Entries below p in z that lie strictly inside p's box in x and y. */
  cand = new Int32Array(0);
  /**
   * The point and walls of {@link sweepAbove} and hv4d's insertion (px, py, pz, xB, yL), and p's
   * uncovered area during the sweeps above it: doubles passed as arguments to a call that is not
   * inlined are boxed, one allocation each, and these run thousands of times per call.
   */
  readonly args = new Float64Array(6);
  /**
   * The contribution found by insert3d or sweepAbove: a double returned from a call
   * that is not inlined is boxed, one allocation per call.
   */
  readonly out = new Float64Array(1);
  /** hv4d's second sort key: x + y + z of each point. */
  sum = new Float64Array(0);
  /** hv4d's nodes (the points in sweep order, then two sentinels): coordinates and z-order links. */
  nx = new Float64Array(0);
  ny = new Float64Array(0);
  nz = new Float64Array(0);
  next = new Int32Array(0);
  prev = new Int32Array(0);
  /** hv4d's z range of each node, the first node of each range (-1: none) and the ranges' map. */
  nb = new Int32Array(0);
  readonly head = new Int32Array(BUCKETS);
  zmin = 0;
  scale = 0;

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    this.capacity = cap;
    this.order = new Int32Array(cap);
    this.ax = new Float64Array(cap + 1);
    this.ay = new Float64Array(cap + 1);
    this.az = new Float64Array(cap + 1);
    this.id = new Int32Array(cap + 1);
    this.sx = new Float64Array(cap + 1);
    this.sy = new Float64Array(cap + 1);
    this.cand = new Int32Array(cap + 1);
    this.sum = new Float64Array(cap + 1);
    this.nx = new Float64Array(cap + 2);
    this.ny = new Float64Array(cap + 2);
    this.nz = new Float64Array(cap + 2);
    this.next = new Int32Array(cap + 2);
    this.prev = new Int32Array(cap + 2);
    this.nb = new Int32Array(cap + 2);
  }
}

/**
 * Hypervolume in four objectives, O(n^2): sweep the fourth objective upwards, keep the 3-D volume of
 * the points seen so far, and add each point's exclusive 3-D contribution (the scheme of HV4D+,
 * Guerreiro & Fonseca 2018). The 3-D set is a doubly linked list in z order with the first node of
 * each of BUCKETS z ranges at hand: p finds its place from its range, walks down from there through
 * every node below it (for its walls and staircase candidates, and a node that dominates p, which on
 * tie-heavy sets lies close below it, ends the walk early), then up from its place until a node
 * covers it in x and y, unlinking on the way the nodes it dominates, and is linked in. Nothing is
 * searched, shifted or compacted.
 * Points are translated so the reference is the origin (every coordinate < 0).
 *
 * @param xs first objective, length >= n (likewise ys, zs, ws)
 */
export function hv4d(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  ws: Float64Array,
  n: number,
  work: Hv4dWorkspace,
): number {
  if (n === 0) return 0;
  work.ensure(n);
  const { order, sum, nx, ny, nz, nb, next, prev, head } = work;
  // Ties in w go by x + y + z: a point then never dominates one of its w group seen before it (no
  // removals within the group), and duplicates come together.
  let zmin = 0;
  for (let i = 0; i < n; i++) {
    const z = zs[i]!;
    sum[i] = xs[i]! + ys[i]! + z;
    if (z < zmin) zmin = z;
  }
  argsortLex(ws, sum, n, order);
  // z in [zmin, 0) maps to the ranges 0..BUCKETS-1, in order (a product with a positive scale and a
  // floor are monotone); an unusable scale (huge or tiny spans) puts every node in range 0.
  let scale = BUCKETS / -zmin;
  if (!(scale > 0 && scale < Number.POSITIVE_INFINITY)) scale = 0;
  work.zmin = zmin;
  work.scale = scale;
  head.fill(-1);
  // Nodes 0..n-1 are the points in sweep order; n is the bottom sentinel and n + 1 the top one, at
  // z = 0 (the reference) and below every point in x and y, so every walk above p ends there.
  const bottom = n;
  const top = n + 1;
  nz[bottom] = Number.NEGATIVE_INFINITY;
  nx[top] = Number.NEGATIVE_INFINITY;
  ny[top] = Number.NEGATIVE_INFINITY;
  nz[top] = 0;
  nb[top] = -1;
  next[bottom] = top;
  prev[top] = bottom;
  let v3 = 0;
  let hv = 0;
  let comp = 0;
  // The last node found to dominate another, or linked in: on sets with many dominated points and
  // duplicates it often dominates the next one too, which then costs one test instead of a walk. It
  // came earlier in w, so it dominates in 4-D whether or not it is still linked.
  let dx = Number.POSITIVE_INFINITY;
  let dy = Number.POSITIVE_INFINITY;
  let dz = Number.POSITIVE_INFINITY;
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    const px = xs[i]!;
    const py = ys[i]!;
    const pz = zs[i]!;
    if ((+(dx <= px) & +(dy <= py) & +(dz <= pz)) === 0) {
      nx[t] = px;
      ny[t] = py;
      nz[t] = pz;
      const linked = insert3d(t, bottom, work);
      const d = linked ? t : work.dominator;
      if (linked) v3 += work.out[0]!;
      dx = nx[d]!;
      dy = ny[d]!;
      dz = nz[d]!;
    }
    const wnext = t + 1 < n ? ws[order[t + 1]!]! : 0;
    // Within a group tied in w the slab is empty (on grids most points are).
    if (wnext === ws[i]!) continue;
    const term = v3 * (wnext - ws[i]!);
    const s = hv + term;
    comp += Math.abs(hv) >= Math.abs(term) ? hv - s + term : term - s + hv;
    hv = s;
  }
  return hv + comp;
}

/** Unlinks node j from hv4d's list, keeping its range's first node. */
function unlink(j: number, work: Hv4dWorkspace): void {
  const { next, prev, nb, head } = work;
  const before = prev[j]!;
  const after = next[j]!;
  next[before] = after;
  prev[after] = before;
  const b = nb[j]!;
  if (head[b] === j) head[b] = nb[after] === b ? after : -1;
}

/**
 * Links node p into hv4d's z-ordered list and writes its exclusive 3-D contribution to
 * `work.out[0]`; returns false (p not linked, `work.dominator` set) when a linked node weakly
 * dominates it. Unlinks the nodes p dominates. The list holds no two nodes of which one weakly
 * dominates the other, so a p that dominates a node is itself dominated by none.
 */
function insert3d(p: number, bottom: number, work: Hv4dWorkspace): boolean {
  const { nx, ny, nz, nb, next, prev, head, sx, sy, cand } = work;
  const px = nx[p]!;
  const py = ny[p]!;
  const pz = nz[p]!;
  const b = Math.min(BUCKETS - 1, Math.floor((pz - work.zmin) * work.scale));
  nb[p] = b;
  // The first node of the highest range at or below p's that has one at or below p in z: p's place
  // lies a few nodes above it.
  let lowest = -1;
  for (let r = b; r >= 0; r--) {
    const h = head[r]!;
    if (h >= 0 && nz[h]! <= pz) {
      lowest = h;
      break;
    }
  }
  // p's place: after the nodes below it in z, found from there by z alone. The walls: the lowest y
  // of nodes left of p (x <= px) and the lowest x of nodes below p (y <= py) at or below p in z cut
  // p's box down to [px, xB] x [py, yL]; nodes strictly inside are candidates for the staircase,
  // filtered by the final walls afterwards.
  let xB = 0;
  let yL = 0;
  let inside = 0;
  let j = lowest >= 0 ? lowest : next[bottom]!;
  while (nz[j]! < pz) j = next[j]!;
  // The highest node below p in z (the bottom sentinel if none), before tied nodes leave.
  const under = prev[j]!;
  let qz = nz[j]!;
  // Tied with p in z: the nodes p weakly dominates leave (after counting as walls or candidates; a
  // node below p that dominated p would dominate them too, so none is in the list then).
  while (qz === pz) {
    const qx = nx[j]!;
    const qy = ny[j]!;
    const after = next[j]!;
    if (qx <= px) {
      if (qy <= py) {
        work.dominator = j;
        return false;
      }
      if (qy < yL) yL = qy;
    } else if (qy <= py) {
      if (qx < xB) xB = qx;
    } else if (qx < xB && qy < yL) {
      cand[inside++] = j;
    }
    if (qx >= px && qy >= py) unlink(j, work);
    j = after;
    qz = nz[j]!;
  }
  // p goes between `before` and j.
  const before = prev[j]!;
  // Below p in z, downwards (on tie-heavy sets a node that dominates p lies close below it). Only a
  // node strictly inside the walls so far can dominate p, lower a wall or be a candidate (the walls
  // lie beyond p): on fronts and grids 5 to 7% of them, so that one test is a predictable branch,
  // and the side of p such a node lies is then found without branches (it is not predictable).
  for (let q = under; q !== bottom; q = prev[q]!) {
    const qx = nx[q]!;
    const qy = ny[q]!;
    if ((+(qx < xB) & +(qy < yL)) !== 0) {
      const left = +(qx <= px);
      const below = +(qy <= py);
      if ((left & below) !== 0) {
        work.dominator = q;
        return false;
      }
      if (left !== 0) yL = qy;
      if (below !== 0) xB = qx;
      cand[inside] = q;
      inside += 1 - (left | below);
    }
  }
  let t = 0;
  for (let c = 0; c < inside; c++) {
    const r = cand[c]!;
    const qx = nx[r]!;
    const qy = ny[r]!;
    if (qx < xB && qy < yL) t = stairInsert(sx, sy, t, nx, ny, r);
  }
  const args = work.args;
  args[0] = px;
  args[1] = py;
  args[3] = xB;
  args[4] = yL;
  t = stairPrune(t, work);
  // Above p: as in sweepAbove, the area of p's slice not yet covered, kept up to date by subtracting
  // what each newcomer covers, times each z step, until a node covers p in x and y (the top
  // sentinel at the latest).
  exclusiveArea(t, work);
  let area = args[5]!;
  let vol = 0;
  let z = pz;
  for (;;) {
    const qzj = nz[j]!;
    vol += area * (qzj - z);
    z = qzj;
    const qx = nx[j]!;
    const qy = ny[j]!;
    const after = next[j]!;
    if ((+(qx >= xB) | +(qy >= yL)) !== 0) {
      // Outside p's walls: changes nothing, but leaves when p dominates it.
      if ((+(qx >= px) & +(qy >= py)) !== 0) unlink(j, work);
      j = after;
      continue;
    }
    if ((+(qx <= px) & +(qy <= py)) !== 0) break;
    // Inside p's walls: a node on p's x or y face, or one p dominates, leaves after covering its
    // part of the slice.
    if ((+(qx === px) | +(qy === py) | (+(qx > px) & +(qy > py))) !== 0) unlink(j, work);
    args[3] = xB;
    args[4] = yL;
    args[5] = area;
    t = coverSlice(nx, ny, j, t, work);
    xB = args[3]!;
    yL = args[4]!;
    area = args[5]!;
    j = after;
  }
  const after = next[before]!;
  next[p] = after;
  prev[p] = before;
  prev[after] = p;
  next[before] = p;
  const h = head[b]!;
  if (h < 0 || nz[h]! > pz) head[b] = p;
  work.out[0] = vol;
  return true;
}

/**
 * p's exclusive 3-D contribution above its z plane: given p and its walls, `work.args` = (px, py,
 * pz, xB, yL), and the staircase `work.sx/sy[0..t)` of the points at or below p in z inside the
 * walls, sweeps the entries `a[j..k)` (z ascending, all above p) until one covers p in x and y,
 * summing p's exclusive area times each z step into `work.out[0]` (the 3-D contributions, hvc3d.ts).
 */
export function sweepAbove(
  t: number,
  ax: Float64Array,
  ay: Float64Array,
  az: Float64Array,
  j: number,
  k: number,
  work: Hv4dWorkspace,
): void {
  const args = work.args;
  const px = args[0]!;
  const py = args[1]!;
  const pz = args[2]!;
  let xB = args[3]!;
  let yL = args[4]!;
  t = stairPrune(t, work);
  // The area of p's slice not yet covered, kept up to date by subtracting what each newcomer covers:
  // the height of the covered region over x is yL left of the staircase, then sy[i] from sx[i] on.
  exclusiveArea(t, work);
  let area = args[5]!;
  let vol = 0;
  let z = pz;
  let covered = false;
  for (; j < k; j++) {
    const qz = az[j]!;
    vol += area * (qz - z);
    z = qz;
    const qx = ax[j]!;
    const qy = ay[j]!;
    // Outside p's walls: changes nothing.
    if ((+(qx >= xB) | +(qy >= yL)) !== 0) continue;
    if ((+(qx <= px) & +(qy <= py)) !== 0) {
      covered = true;
      break;
    }
    args[3] = xB;
    args[4] = yL;
    args[5] = area;
    t = coverSlice(ax, ay, j, t, work);
    xB = args[3]!;
    yL = args[4]!;
    area = args[5]!;
  }
  if (!covered) vol += area * (0 - z);
  work.out[0] = vol;
}

/**
 * Cuts p's slice by q = (xs[j], ys[j]), an entry inside p's walls (qx < xB, qy < yL) that does not
 * cover p, for the sweeps above p ({@link sweepAbove} and hv4d's insertion): q left of p lowers the
 * left wall, q below p brings the bottom wall nearer, q strictly inside joins the staircase; the
 * staircase points q covers go. Reads p and the walls from `work.args` (px, py, -, xB, yL) and
 * p's uncovered area from `args[5]`, writes back the walls and the area, returns the staircase's
 * new length. The doubles travel in `args`, not as arguments or a return value (each one boxed when
 * the call is not inlined).
 */
function coverSlice(xs: Float64Array, ys: Float64Array, j: number, t: number, work: Hv4dWorkspace): number {
  const { sx, sy, args } = work;
  const px = args[0]!;
  const py = args[1]!;
  const xB = args[3]!;
  const yL = args[4]!;
  const qx = xs[j]!;
  const qy = ys[j]!;
  if (qx <= px) {
    // A lower left wall: it covers everything above qy; the staircase points there go.
    let lost = 0;
    let left = px;
    let h = yL;
    let i = 0;
    while (i < t && sy[i]! >= qy) {
      lost += (sx[i]! - left) * (h - qy);
      left = sx[i]!;
      h = sy[i]!;
      i++;
    }
    lost += ((i < t ? sx[i]! : xB) - left) * (h - qy);
    args[5] = args[5]! - lost;
    args[4] = qy;
    if (i > 0) {
      for (let r = i; r < t; r++) {
        sx[r - i] = sx[r]!;
        sy[r - i] = sy[r]!;
      }
      t -= i;
    }
    return t;
  }
  if (qy <= py) {
    // A nearer bottom wall: it covers everything right of qx; the staircase points there go.
    let lost = 0;
    let right = xB;
    while (t > 0 && sx[t - 1]! >= qx) {
      lost += (right - sx[t - 1]!) * (sy[t - 1]! - py);
      right = sx[t - 1]!;
      t--;
    }
    lost += (right - qx) * ((t > 0 ? sy[t - 1]! : yL) - py);
    args[5] = args[5]! - lost;
    args[3] = qx;
    return t;
  }
  // Strictly inside: q covers [qx, ...) above qy up to the first staircase point at or below qy.
  let lo = 0;
  let hi = t;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sx[mid]! <= qx) lo = mid + 1;
    else hi = mid;
  }
  const h0 = lo > 0 ? sy[lo - 1]! : yL;
  if (h0 <= qy) return t;
  let lost = 0;
  let left = qx;
  let h = h0;
  let e = lo;
  while (e < t && sy[e]! >= qy) {
    lost += (sx[e]! - left) * (h - qy);
    left = sx[e]!;
    h = sy[e]!;
    e++;
  }
  lost += ((e < t ? sx[e]! : xB) - left) * (h - qy);
  args[5] = args[5]! - lost;
  return stairReplace(sx, sy, t, lo > 0 && sx[lo - 1] === qx ? lo - 1 : lo, e, qx, qy);
}

/** Replaces the staircase points `s[start..end)` by (x, y) (end >= start); returns the new length. */
function stairReplace(
  sx: Float64Array,
  sy: Float64Array,
  t: number,
  start: number,
  end: number,
  x: number,
  y: number,
): number {
  const removed = end - start;
  if (removed === 0) {
    for (let i = t; i > start; i--) {
      sx[i] = sx[i - 1]!;
      sy[i] = sy[i - 1]!;
    }
  } else if (removed > 1) {
    const gap = removed - 1;
    for (let i = start + 1; i + gap < t; i++) {
      sx[i] = sx[i + gap]!;
      sy[i] = sy[i + gap]!;
    }
  }
  sx[start] = x;
  sy[start] = y;
  return t - removed + 1;
}

/**
 * Inserts (x, y) = (xs[r], ys[r]) into the staircase `s[0..t)` (x ascending, y strictly descending),
 * dropping the points it weakly dominates; returns the new length (unchanged if (x, y) is weakly
 * dominated). The point is read by index: doubles passed to a call that is not inlined are boxed.
 */
export function stairInsert(
  sx: Float64Array,
  sy: Float64Array,
  t: number,
  xs: Float64Array,
  ys: Float64Array,
  r: number,
): number {
  const x = xs[r]!;
  const y = ys[r]!;
  let lo = 0;
  let hi = t;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sx[mid]! <= x) lo = mid + 1;
    else hi = mid;
  }
  const pos = lo;
  if (pos > 0 && sy[pos - 1]! <= y) return t;
  const start = pos > 0 && sx[pos - 1] === x ? pos - 1 : pos;
  let end = pos;
  while (end < t && sy[end]! >= y) end++;
  const removed = end - start;
  // Shifts by hand: the staircase is short and copyWithin costs more than the copy at this size.
  if (removed === 0) {
    for (let i = t; i > pos; i--) {
      sx[i] = sx[i - 1]!;
      sy[i] = sy[i - 1]!;
    }
    sx[pos] = x;
    sy[pos] = y;
    return t + 1;
  }
  sx[start] = x;
  sy[start] = y;
  if (removed > 1) {
    const gap = removed - 1;
    for (let i = start + 1; i + gap < t; i++) {
      sx[i] = sx[i + gap]!;
      sy[i] = sy[i + gap]!;
    }
  }
  return t - removed + 1;
}

/**
 * Drops the points of the staircase `work.sx/sy[0..t)` outside the walls xB = `work.args[3]` and
 * yL = `args[4]` (y >= yL at the front, x >= xB at the back); returns its new length.
 */
function stairPrune(t: number, work: Hv4dWorkspace): number {
  const { sx, sy, args } = work;
  const xB = args[3]!;
  const yL = args[4]!;
  let a = 0;
  while (a < t && sy[a]! >= yL) a++;
  let b = t;
  while (b > a && sx[b - 1]! >= xB) b--;
  if (a > 0) {
    for (let i = a; i < b; i++) {
      sx[i - a] = sx[i]!;
      sy[i - a] = sy[i]!;
    }
  }
  return b - a;
}

/**
 * Area of [px, xB] x [py, yL] (`work.args` = px, py, -, xB, yL) not dominated by the staircase
 * `work.sx/sy[0..t)`, as a sum of positive rectangles, written to `args[5]`.
 */
function exclusiveArea(t: number, work: Hv4dWorkspace): void {
  const { sx, sy, args } = work;
  const px = args[0]!;
  const py = args[1]!;
  const xB = args[3]!;
  const yL = args[4]!;
  if (t === 0) {
    args[5] = (xB - px) * (yL - py);
    return;
  }
  let area = (sx[0]! - px) * (yL - py);
  for (let i = 0; i + 1 < t; i++) area += (sx[i + 1]! - sx[i]!) * (sy[i]! - py);
  area += (xB - sx[t - 1]!) * (sy[t - 1]! - py);
  args[5] = area;
}
