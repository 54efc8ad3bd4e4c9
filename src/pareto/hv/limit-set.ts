/**
 * The limit set of WFG (While, Bradstreet, Barone 2012): the other points clipped to p's box,
 * `q' = max(q, p)` in the first `d` objectives, reduced to its non-dominated members.
 *
 * Reads p at `rows[p..p+d)` and the candidates at `rows[order[s] * stride ..]` for `s` in
 * `[from, to)` except `s === skip`; writes the survivors as rows of `out` (stride `stride`),
 * using `out`'s row `to - from` as scratch, so `out` needs `(to - from + 1) * stride` entries, and
 * their clip masks to `masks` (length >= to - from + 1).
 * Returns their count, or -1 when some candidate weakly dominates p (p then has no exclusive part).
 * O((to - from) * |limit set| * d) in the worst case, but see the clip masks below.
 */
export function limitSet(
  rows: Float64Array,
  p: number,
  order: Int32Array,
  from: number,
  to: number,
  skip: number,
  stride: number,
  d: number,
  out: Float64Array,
  masks: Int32Array,
): number {
  const full = (1 << d) - 1;
  let cnt = 0;
  for (let s = from; s < to; s++) {
    if (s === skip) continue;
    const q = order[s]! * stride;
    const c = cnt * stride;
    // Bit j of the clip mask is set when q'_j = p_j. A survivor r' can weakly dominate q' only if it
    // is clipped wherever q' is (r'_j >= p_j = q'_j forces equality), i.e. mask(q') is a subset of
    // mask(r'); most pairs fail this integer test and skip the coordinate comparisons.
    let cm = 0;
    for (let j = 0; j < d; j++) {
      const pj = rows[p + j]!;
      const qj = rows[q + j]!;
      // Without a branch: which of the two is larger is unpredictable.
      out[c + j] = Math.max(qj, pj);
      cm |= +(qj <= pj) << j;
    }
    if (cm === full) return -1;
    // Survivors are mutually non-dominated, so a candidate dominated by one of them dominates none.
    let w = 0;
    let dominated = false;
    for (let r = 0; r < cnt; r++) {
      const rm = masks[r]!;
      const both = rm & cm;
      if (both !== cm && both !== rm) {
        if (w !== r) {
          moveRow(out, r * stride, w * stride, d);
          masks[w] = rm;
        }
        w++;
        continue;
      }
      const b = r * stride;
      // Both directions in one pass without branches (d is at most 7).
      let rLow = 1;
      let cLow = 1;
      for (let j = 0; j < d; j++) {
        const a = out[b + j]!;
        const x = out[c + j]!;
        rLow &= +(a <= x);
        cLow &= +(x <= a);
      }
      if (rLow !== 0) {
        dominated = true;
        break;
      }
      if (cLow === 0) {
        if (w !== r) {
          moveRow(out, b, w * stride, d);
          masks[w] = rm;
        }
        w++;
      }
    }
    if (dominated) continue;
    if (w !== cnt) moveRow(out, c, w * stride, d);
    masks[w] = cm;
    cnt = w + 1;
  }
  return cnt;
}

/** Up to this many candidates {@link limitSet4} hands over to the plain {@link limitSet}. */
const SMALL_CANDIDATES = 8;

/** Clip masks of 4 coordinates other than 15, by decreasing number of bits. */
const MASK_ORDER = [14, 13, 11, 7, 12, 10, 9, 6, 5, 3, 8, 4, 2, 1, 0];

/** Clip masks of 5 coordinates other than 31, by decreasing number of bits (the first 5 have 4). */
const MASK_ORDER5 = Array.from({ length: 31 }, (_, m) => m).sort(
  (a, b) => bitCount(b) - bitCount(a) || b - a,
);

function bitCount(m: number): number {
  let c = 0;
  for (let b = m; b !== 0; b &= b - 1) c++;
  return c;
}

/**
 * Work buffers of {@link limitSet4} (d = 4) and {@link limitSet5} (d = 5): candidates and survivors
 * grouped by clip mask; grows as needed.
 */
export class MaskBuckets {
  readonly d: number;
  capacity: number;
  /** 2^d x capacity: the candidate rows (offsets into `rows`) with each clip mask. */
  members: Int32Array;
  readonly memberCount: Int32Array;
  /** 2^d x capacity x d: the survivors with each clip mask. */
  data: Float64Array;
  readonly count: Int32Array;

  constructor(capacity = 32, d = 4) {
    this.d = d;
    this.capacity = Math.max(1, capacity);
    this.memberCount = new Int32Array(1 << d);
    this.count = new Int32Array(1 << d);
    this.members = new Int32Array((1 << d) * this.capacity);
    this.data = new Float64Array((1 << d) * this.capacity * d);
  }

  /** Makes room for `needed` entries in every bucket (contents are not kept). */
  reserve(needed: number): void {
    if (needed <= this.capacity) return;
    const d = this.d;
    this.capacity = Math.max(needed, 2 * this.capacity);
    this.members = new Int32Array((1 << d) * this.capacity);
    this.data = new Float64Array((1 << d) * this.capacity * d);
  }
}

/**
 * {@link limitSet} for d = 4 with the same contract and result (survivors in `out`, masks in
 * `masks`). The candidates are first grouped by clip mask, then the groups are filtered from the
 * most clipped down. A clipped point can only be dominated by one whose mask contains its own, and
 * can only dominate one whose mask lies inside its own; so in this order survivors are final once
 * their group is done, each candidate meets only the survivors of its supersets and of its own
 * group, and a group clipped in three coordinates reduces to the minimum of the fourth. This case
 * carries all the work of WFG at m = 5 and the deepest level above that.
 */
export function limitSet4(
  rows: Float64Array,
  p: number,
  order: Int32Array,
  from: number,
  to: number,
  skip: number,
  stride: number,
  out: Float64Array,
  masks: Int32Array,
  buckets: MaskBuckets,
): number {
  // The grouping costs a few dozen steps per call whatever the size; tiny sets skip it.
  if (to - from <= SMALL_CANDIDATES) return limitSet(rows, p, order, from, to, skip, stride, 4, out, masks);
  buckets.reserve(to - from);
  const cap = buckets.capacity;
  const span = cap * 4;
  const members = buckets.members;
  const memberCount = buckets.memberCount;
  const data = buckets.data;
  const count = buckets.count;
  memberCount.fill(0);
  count.fill(0);
  const p0 = rows[p]!;
  const p1 = rows[p + 1]!;
  const p2 = rows[p + 2]!;
  const p3 = rows[p + 3]!;
  for (let s = from; s < to; s++) {
    if (s === skip) continue;
    const q = order[s]! * stride;
    // Branch-free: each comparison is a coin flip on typical fronts, and mispredictions cost
    // more than the rest of this loop.
    const cm =
      +(rows[q]! <= p0) |
      (+(rows[q + 1]! <= p1) << 1) |
      (+(rows[q + 2]! <= p2) << 2) |
      (+(rows[q + 3]! <= p3) << 3);
    if (cm === 15) return -1;
    members[cm * cap + memberCount[cm]!++] = q;
  }
  for (let u = 0; u < 15; u++) {
    const cm = MASK_ORDER[u]!;
    const k = memberCount[cm]!;
    if (k === 0) continue;
    const list = cm * cap;
    const own = cm * span;
    if (u < 4) {
      // Clipped in all but coordinate j: the candidate with the lowest q_j dominates the rest.
      const j = 31 - Math.clz32(cm ^ 15);
      let best = members[list]!;
      for (let i = 1; i < k; i++) {
        const q = members[list + i]!;
        if (rows[q + j]! < rows[best + j]!) best = q;
      }
      data[own] = Math.max(rows[best]!, p0);
      data[own + 1] = Math.max(rows[best + 1]!, p1);
      data[own + 2] = Math.max(rows[best + 2]!, p2);
      data[own + 3] = Math.max(rows[best + 3]!, p3);
      count[cm] = 1;
      continue;
    }
    for (let i = 0; i < k; i++) {
      const q = members[list + i]!;
      const c0 = Math.max(rows[q]!, p0);
      const c1 = Math.max(rows[q + 1]!, p1);
      const c2 = Math.max(rows[q + 2]!, p2);
      const c3 = Math.max(rows[q + 3]!, p3);
      // Supersets of cm, cm itself included (15 never holds anything).
      let dominated = false;
      for (let m = cm; m < 15 && !dominated; m = (m + 1) | cm) {
        const base = m * span;
        const end = base + count[m]! * 4;
        for (let b = base; b < end; b += 4) {
          if (
            (+(data[b]! <= c0) & +(data[b + 1]! <= c1) & +(data[b + 2]! <= c2) & +(data[b + 3]! <= c3)) !==
            0
          ) {
            dominated = true;
            break;
          }
        }
      }
      if (dominated) continue;
      // Only its own group can hold points it dominates; drop them (swap with the last).
      let n = count[cm]!;
      let b = own;
      while (b < own + n * 4) {
        if (
          (+(c0 <= data[b]!) & +(c1 <= data[b + 1]!) & +(c2 <= data[b + 2]!) & +(c3 <= data[b + 3]!)) !==
          0
        ) {
          n--;
          const l = own + n * 4;
          data[b] = data[l]!;
          data[b + 1] = data[l + 1]!;
          data[b + 2] = data[l + 2]!;
          data[b + 3] = data[l + 3]!;
        } else {
          b += 4;
        }
      }
      const at = own + n * 4;
      data[at] = c0;
      data[at + 1] = c1;
      data[at + 2] = c2;
      data[at + 3] = c3;
      count[cm] = n + 1;
    }
  }
  let cnt = 0;
  for (let m = 0; m < 15; m++) {
    const base = m * span;
    const end = base + count[m]! * 4;
    for (let b = base; b < end; b += 4) {
      const o = cnt * stride;
      out[o] = data[b]!;
      out[o + 1] = data[b + 1]!;
      out[o + 2] = data[b + 2]!;
      out[o + 3] = data[b + 3]!;
      masks[cnt++] = m;
    }
  }
  return cnt;
}

/**
 * {@link limitSet} for d = 5 by the scheme of {@link limitSet4} (groups by clip mask, filtered from
 * the most clipped down), with the same contract; `buckets` must be built with d = 5. This carries
 * the limit sets of WFG at m = 6 and the deepest level above that when the 5-D sweep is the base.
 */
export function limitSet5(
  rows: Float64Array,
  p: number,
  order: Int32Array,
  from: number,
  to: number,
  skip: number,
  stride: number,
  out: Float64Array,
  masks: Int32Array,
  buckets: MaskBuckets,
): number {
  if (to - from <= SMALL_CANDIDATES) return limitSet(rows, p, order, from, to, skip, stride, 5, out, masks);
  buckets.reserve(to - from);
  const cap = buckets.capacity;
  const span = cap * 5;
  const members = buckets.members;
  const memberCount = buckets.memberCount;
  const data = buckets.data;
  const count = buckets.count;
  memberCount.fill(0);
  count.fill(0);
  const p0 = rows[p]!;
  const p1 = rows[p + 1]!;
  const p2 = rows[p + 2]!;
  const p3 = rows[p + 3]!;
  const p4 = rows[p + 4]!;
  for (let s = from; s < to; s++) {
    if (s === skip) continue;
    const q = order[s]! * stride;
    // Branch-free, as in limitSet4.
    const cm =
      +(rows[q]! <= p0) |
      (+(rows[q + 1]! <= p1) << 1) |
      (+(rows[q + 2]! <= p2) << 2) |
      (+(rows[q + 3]! <= p3) << 3) |
      (+(rows[q + 4]! <= p4) << 4);
    if (cm === 31) return -1;
    members[cm * cap + memberCount[cm]!++] = q;
  }
  for (let u = 0; u < 31; u++) {
    const cm = MASK_ORDER5[u]!;
    const k = memberCount[cm]!;
    if (k === 0) continue;
    const list = cm * cap;
    const own = cm * span;
    if (u < 5) {
      // Clipped in all but coordinate j: the candidate with the lowest q_j dominates the rest.
      const j = 31 - Math.clz32(cm ^ 31);
      let best = members[list]!;
      for (let i = 1; i < k; i++) {
        const q = members[list + i]!;
        if (rows[q + j]! < rows[best + j]!) best = q;
      }
      data[own] = Math.max(rows[best]!, p0);
      data[own + 1] = Math.max(rows[best + 1]!, p1);
      data[own + 2] = Math.max(rows[best + 2]!, p2);
      data[own + 3] = Math.max(rows[best + 3]!, p3);
      data[own + 4] = Math.max(rows[best + 4]!, p4);
      count[cm] = 1;
      continue;
    }
    for (let i = 0; i < k; i++) {
      const q = members[list + i]!;
      const c0 = Math.max(rows[q]!, p0);
      const c1 = Math.max(rows[q + 1]!, p1);
      const c2 = Math.max(rows[q + 2]!, p2);
      const c3 = Math.max(rows[q + 3]!, p3);
      const c4 = Math.max(rows[q + 4]!, p4);
      // Supersets of cm, cm itself included (31 never holds anything).
      let dominated = false;
      for (let m = cm; m < 31 && !dominated; m = (m + 1) | cm) {
        const base = m * span;
        const end = base + count[m]! * 5;
        for (let b = base; b < end; b += 5) {
          if (
            (+(data[b]! <= c0) &
              +(data[b + 1]! <= c1) &
              +(data[b + 2]! <= c2) &
              +(data[b + 3]! <= c3) &
              +(data[b + 4]! <= c4)) !==
            0
          ) {
            dominated = true;
            break;
          }
        }
      }
      if (dominated) continue;
      // Only its own group can hold points it dominates; drop them (swap with the last).
      let n = count[cm]!;
      let b = own;
      while (b < own + n * 5) {
        if (
          (+(c0 <= data[b]!) &
            +(c1 <= data[b + 1]!) &
            +(c2 <= data[b + 2]!) &
            +(c3 <= data[b + 3]!) &
            +(c4 <= data[b + 4]!)) !==
          0
        ) {
          n--;
          const l = own + n * 5;
          data[b] = data[l]!;
          data[b + 1] = data[l + 1]!;
          data[b + 2] = data[l + 2]!;
          data[b + 3] = data[l + 3]!;
          data[b + 4] = data[l + 4]!;
        } else {
          b += 5;
        }
      }
      const at = own + n * 5;
      data[at] = c0;
      data[at + 1] = c1;
      data[at + 2] = c2;
      data[at + 3] = c3;
      data[at + 4] = c4;
      count[cm] = n + 1;
    }
  }
  let cnt = 0;
  for (let m = 0; m < 31; m++) {
    const base = m * span;
    const end = base + count[m]! * 5;
    for (let b = base; b < end; b += 5) {
      const o = cnt * stride;
      out[o] = data[b]!;
      out[o + 1] = data[b + 1]!;
      out[o + 2] = data[b + 2]!;
      out[o + 3] = data[b + 3]!;
      out[o + 4] = data[b + 4]!;
      masks[cnt++] = m;
    }
  }
  return cnt;
}

function moveRow(a: Float64Array, from: number, to: number, d: number): void {
  for (let j = 0; j < d; j++) a[to + j] = a[from + j]!;
}
