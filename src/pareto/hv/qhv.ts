/** Up to this many points, inclusion-exclusion ends the recursion (4 and 5 measured alike at m = 8). */
const SMALL_SET = 4;

/**
 * Buffers of {@link qhv}: the points of every level of the recursion on one stack (a level's
 * sub-problems after its own points), and per depth the reference and the order of the objectives.
 * Grows on demand, so repeated calls allocate nothing once warm.
 */
export class QhvWorkspace {
  m = 0;
  /** Rows of m values: the input at 0, each sub-problem after the points of its parent. */
  stack = new Float64Array(0);
  /** Per depth d: the sub-problem's reference at d * m (the input's, 0, at depth 0). */
  refs = new Float64Array(0);
  /** Per depth d: the objectives in the order of the pivot's sub-boxes, at d * m. */
  perms = new Int32Array(0);
  /** Per depth d: the pivot, at d * m. */
  pivots = new Float64Array(0);
  /** Per row of the stack: in how many objectives the point is still below its level's pivot. */
  below = new Int32Array(0);
  /** Per objective: how many points lie below the pivot in it. */
  counts = new Int32Array(0);
  /** 2^SMALL_SET x m: the componentwise maximum of each subset, for inclusion-exclusion. */
  subsetMax = new Float64Array(0);
  depths = 0;
  /**
   * The volume so far, compensated (Neumaier): every pivot's box and every small set's volume adds
   * to it, so no call returns a double (boxed when the call is not inlined, as in the recursion).
   */
  readonly sum = new Float64Array(2);

  /** Room for n points of m objectives at depth 0, and for every depth below. */
  ensure(n: number, m: number): void {
    if (m !== this.m) {
      this.m = m;
      this.counts = new Int32Array(m);
      this.subsetMax = new Float64Array((1 << SMALL_SET) * m);
      this.depths = 0;
      this.stack = new Float64Array(0);
    }
    if (this.stack.length < 4 * n * m) {
      this.stack = new Float64Array(4 * n * m);
      this.below = new Int32Array(4 * n);
    }
    // Every sub-problem holds fewer points than its parent: at most n + 1 depths.
    if (n + 2 > this.depths) {
      this.depths = Math.max(n + 2, 2 * this.depths);
      this.refs = new Float64Array(this.depths * m);
      this.perms = new Int32Array(this.depths * m);
      this.pivots = new Float64Array(this.depths * m);
    }
  }

  /** Makes the stack hold at least `size` values, keeping its contents. */
  grow(size: number): void {
    if (size <= this.stack.length) return;
    const next = new Float64Array(Math.max(size, 2 * this.stack.length));
    next.set(this.stack);
    this.stack = next;
    const below = new Int32Array(next.length / this.m);
    below.set(this.below);
    this.below = below;
  }
}

/**
 * Hypervolume of the n rows of `rows` (m objectives, translated so the reference is the origin:
 * every coordinate < 0) by the divide and conquer of QHV-II (Jaszkiewicz 2018): the point p with the
 * largest box is a pivot; the rest of the reference box splits into m disjoint boxes, box j holding
 * the points below p in objective j and above or at p in the objectives before j, so that box j is
 * the hypervolume of the points with q_j < p_j, clipped up to p in the objectives before j, against
 * the reference lowered to p_j in objective j. The points p weakly dominates fall in no box. The
 * objectives go in the order of how many points lie below p, fewest first: the first box clips
 * nothing, and the clipping of the later ones makes their points coincide and drop out sooner (a
 * quarter to a third fewer sub-problems than in the input order at m = 8). Up to SMALL_SET points,
 * inclusion-exclusion. Worst case exponential in m, like WFG; on fronts of 30 to 500 points at
 * m = 7..12 it took 0.3 to 0.8 times the time of WFG with the 5-D sweep as base, on tie-heavy sets
 * 0.05 to 0.5 times; on fronts at m = 6 about 1.5 times, at m = 5 three times (see bench/hv.ts).
 */
export function qhv(rows: Float64Array, n: number, m: number, work: QhvWorkspace): number {
  if (n === 0) return 0;
  work.ensure(n, m);
  const stack = work.stack;
  for (let i = 0; i < n * m; i++) stack[i] = rows[i]!;
  work.refs.fill(0, 0, m);
  const sum = work.sum;
  sum[0] = 0;
  sum[1] = 0;
  split(0, n, 0, work);
  return sum[0]! + sum[1]!;
}

/**
 * Adds to `work.sum` the hypervolume of the n points at `stack[off..]` against the reference of
 * `depth`. The points are this call's own (its caller rewrites them for its next box): they are
 * clipped in place, box by box, and leave once no objective of theirs is left below the pivot.
 */
function split(off: number, n: number, depth: number, work: QhvWorkspace): void {
  const m = work.m;
  const refs = work.refs;
  const ro = depth * m;
  let rows = work.stack;
  if (n <= SMALL_SET) {
    inclusionExclusion(rows, off, n, m, refs, ro, work);
    return;
  }
  // The pivot: the point with the largest box.
  let pivot = off;
  let volume = -1;
  for (let i = 0; i < n; i++) {
    const o = off + i * m;
    let v = 1;
    for (let j = 0; j < m; j++) v *= refs[ro + j]! - rows[o + j]!;
    if (v > volume) {
      volume = v;
      pivot = o;
    }
  }
  const pv = work.pivots;
  for (let j = 0; j < m; j++) pv[ro + j] = rows[pivot + j]!;
  // Per objective, how many points lie below the pivot; per point, in how many objectives. The
  // points below in none (the pivot, the points it weakly dominates) fall in no box and leave.
  const counts = work.counts;
  const below = work.below;
  const bo = off / m;
  counts.fill(0);
  let live = n;
  for (let i = 0; i < live; i++) {
    const o = off + i * m;
    let c = 0;
    for (let j = 0; j < m; j++) {
      const b = +(rows[o + j]! < pv[ro + j]!);
      counts[j] = counts[j]! + b;
      c += b;
    }
    if (c === 0) {
      live--;
      moveRow(rows, off + live * m, o, m);
      i--;
    } else {
      below[bo + i] = c;
    }
  }
  // The objectives by how many points lie below the pivot, fewest first (insertion sort of m).
  const perms = work.perms;
  for (let a = 0; a < m; a++) {
    const c = counts[a]!;
    let b = a - 1;
    while (b >= 0 && counts[perms[ro + b]!]! > c) {
      perms[ro + b + 1] = perms[ro + b]!;
      b--;
    }
    perms[ro + b + 1] = a;
  }
  // Each sub-problem has fewer than n points; they go after this one's.
  const child = off + n * m;
  work.grow(child + (n - 1) * m);
  const cro = ro + m;
  add(work.sum, volume);
  for (let jj = 0; jj < m && live > 0; jj++) {
    rows = work.stack;
    const below = work.below;
    const j = perms[ro + jj]!;
    const pj = pv[ro + j]!;
    // Box j: the points below the pivot in j, already clipped in the objectives before it. Each is
    // then clipped in j too, and leaves when that was its last objective below the pivot.
    let k = 0;
    for (let i = 0; i < live; i++) {
      const o = off + i * m;
      if (!(rows[o + j]! < pj)) continue;
      moveRow(rows, o, child + k * m, m);
      k++;
      rows[o + j] = pj;
      const c = below[bo + i]! - 1;
      if (c === 0) {
        live--;
        moveRow(rows, off + live * m, o, m);
        below[bo + i] = below[bo + live]!;
        i--;
      } else {
        below[bo + i] = c;
      }
    }
    if (k === 0) continue;
    for (let l = 0; l < m; l++) refs[cro + l] = refs[ro + l]!;
    refs[cro + j] = pj;
    split(child, k, depth + 1, work);
  }
}

/** Adds x to the compensated sum (Neumaier) in `sum[0]`, its correction in `sum[1]`. */
function add(sum: Float64Array, x: number): void {
  const s = sum[0]!;
  const t = s + x;
  sum[1] = sum[1]! + (Math.abs(s) >= Math.abs(x) ? s - t + x : x - t + s);
  sum[0] = t;
}

function moveRow(a: Float64Array, from: number, to: number, m: number): void {
  for (let l = 0; l < m; l++) a[to + l] = a[from + l]!;
}

/**
 * Adds to `work.sum` the hypervolume of n <= SMALL_SET points at `rows[off..]` against the
 * reference at `refs[ro..]`: subset S adds (-1)^(|S|+1) times the box of the componentwise maximum of its members, built from S
 * minus its lowest member.
 */
function inclusionExclusion(
  rows: Float64Array,
  off: number,
  n: number,
  m: number,
  refs: Float64Array,
  ro: number,
  work: QhvWorkspace,
): void {
  const max = work.subsetMax;
  let total = 0;
  for (let set = 1; set < 1 << n; set++) {
    const low = 31 - Math.clz32(set & -set);
    const rest = set & (set - 1);
    const o = set * m;
    const r = rest * m;
    const q = off + low * m;
    let v = 1;
    let odd = 1;
    for (let j = 0; j < m; j++) {
      const x = rest === 0 ? rows[q + j]! : Math.max(max[r + j]!, rows[q + j]!);
      max[o + j] = x;
      v *= refs[ro + j]! - x;
    }
    for (let b = rest; b !== 0; b &= b - 1) odd ^= 1;
    total += odd === 1 ? v : -v;
  }
  add(work.sum, total);
}
