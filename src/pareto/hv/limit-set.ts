import {
  at4,
  type Code,
  FunctionBuilder,
  f64,
  f64x2,
  get,
  growTo,
  I32,
  i32,
  i64x2,
  instantiate,
  moduleBytes,
  ret,
  seq,
  set,
  v128,
  type WasmMemory,
} from '../../wasm/assembler.js';
import { allLanes, laneLocals, setLanes, storeRow } from './lanes.js';

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

/** Work buffers of {@link limitSet4}: candidates and survivors grouped by clip mask; grows as needed. */
export class MaskBuckets {
  capacity: number;
  /** 16 x capacity: the candidate rows (offsets into `rows`) with each clip mask. */
  members: Int32Array;
  readonly memberCount = new Int32Array(16);
  /** 16 x capacity x 4: the survivors with each clip mask. */
  data: Float64Array;
  readonly count = new Int32Array(16);

  constructor(capacity = 32) {
    this.capacity = Math.max(1, capacity);
    this.members = new Int32Array(16 * this.capacity);
    this.data = new Float64Array(16 * this.capacity * 4);
  }

  /** Makes room for `needed` entries in every bucket (contents are not kept). */
  reserve(needed: number): void {
    if (needed <= this.capacity) return;
    this.capacity = Math.max(needed, 2 * this.capacity);
    this.members = new Int32Array(16 * this.capacity);
    this.data = new Float64Array(16 * this.capacity * 4);
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
 * the most clipped down), with the same contract and the same survivors in the same order, in
 * WebAssembly (below): the candidates' first five objectives are copied into the module's memory,
 * their clip masks come from two f64x2 comparisons and a scalar one, a counting pass groups them,
 * and each dominance test is two f64x2 comparisons and a scalar one. This carries the limit sets of
 * WFG at m = 6 (19% of its time at 100 points in JavaScript) and the 5-D contributions.
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
): number {
  if (to - from <= SMALL_CANDIDATES) return limitSet(rows, p, order, from, to, skip, stride, 5, out, masks);
  limitMemory.cover(to - from);
  const d = limitMemory.doubles;
  for (let j = 0; j < 5; j++) d[j] = rows[p + j]!;
  const cand = limitMemory.candidates >>> 3;
  let k = 0;
  for (let s = from; s < to; s++) {
    if (s === skip) continue;
    const q = order[s]! * stride;
    const c = cand + 5 * k++;
    d[c] = rows[q]!;
    d[c + 1] = rows[q + 1]!;
    d[c + 2] = rows[q + 2]!;
    d[c + 3] = rows[q + 3]!;
    d[c + 4] = rows[q + 4]!;
  }
  if (
    limitModule.limit5(
      k,
      limitMemory.candidates,
      limitMemory.masks,
      limitMemory.members,
      limitMemory.survivors,
    ) < 0
  ) {
    return -1;
  }
  // The survivors by clip mask, ascending; each group in the module's order.
  const ints = limitMemory.ints;
  const surv = limitMemory.survivors >>> 3;
  let cnt = 0;
  for (let m = 0; m < 31; m++) {
    const start = ints[(GROUP_START >>> 2) + m]!;
    const count = ints[(GROUP_COUNT >>> 2) + m]!;
    for (let r = 0; r < count; r++) {
      const b = surv + 5 * (start + r);
      const o = cnt * stride;
      out[o] = d[b]!;
      out[o + 1] = d[b + 1]!;
      out[o + 2] = d[b + 2]!;
      out[o + 3] = d[b + 3]!;
      out[o + 4] = d[b + 4]!;
      masks[cnt++] = m;
    }
  }
  return cnt;
}

// limitSet5's module. The memory: a header (p's five objectives at byte 0, then tables of 32-bit
// integers), then four regions of `capacity` entries: the candidates (five doubles each), their
// clip masks (i32), the candidates grouped by mask (i32 indices) and the survivors (five doubles).
/** MASK_ORDER5 (31 masks). */
const MASK_TABLE = 64;
/** Per mask: where its survivors start (in rows of the survivors' region) and how many. */
const GROUP_START = 192;
const GROUP_COUNT = 320;
/** Per mask: where its candidates start in the grouped region, how many, and how many placed. */
const BUCKET_START = 448;
const BUCKET_COUNT = 576;
const BUCKET_FILL = 704;
const LIMIT_HEADER = 832;
const ROW = 40;

/**
 * limit5(k, cand, mask, members, surv): the limit set of the k candidates at byte `cand` (rows of
 * five doubles) against p at byte 0, by limitSet4's scheme: returns -1 when a candidate weakly
 * dominates p, else the survivors' count, which lie in `surv` grouped by clip mask (GROUP_START,
 * GROUP_COUNT). `mask` and `members` are work regions of k i32 each.
 */
function limit5Fn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], [I32]);
  const [K, CAND, MASK, MEMBERS, SURV] = [0, 1, 2, 3, 4];
  const i = f.local(I32);
  const t = f.local(I32);
  const u = f.local(I32);
  const cm = f.local(I32);
  const kk = f.local(I32);
  const j = f.local(I32);
  const a = f.local(I32);
  const best = f.local(I32);
  const top = f.local(I32);
  const list = f.local(I32);
  const m = f.local(I32);
  const b = f.local(I32);
  const end = f.local(I32);
  const n = f.local(I32);
  const own = f.local(I32);
  const sum = f.local(I32);
  const p = laneLocals(f, 5);
  const c = laneLocals(f, 5);
  const table = (base: number, index: Code): Code => at4(i32.const(base), index);
  const rowAt = (base: number, index: Code): Code => i32.add(get(base), i32.mul(index, i32.const(ROW)));
  /** c = max(row at `a`, p), lane by lane (as Math.max). */
  const clip = setLanes(
    c,
    (k) => f64x2.max(v128.load(get(a), 16 * k, 3), get(p.pairs[k]!)),
    () => f64.max(f64.load(get(a), 32), get(p.single)),
  );
  /** 1 when the row at `at` weakly dominates c (`below`) or c weakly dominates it. */
  const weakly = (at: Code, below: boolean): Code => {
    const le = (row: Code, point: Code) => (below ? [row, point] : [point, row]) as [Code, Code];
    return allLanes(
      c,
      (k) => f64x2.le(...le(v128.load(at, 16 * k, 3), get(c.pairs[k]!))),
      () => f64.le(...le(f64.load(at, 32), get(c.single))),
    );
  };
  f.body(
    seq(
      f.forRange(
        'clear',
        t,
        i32.const(0),
        i32.const(32),
        seq(
          i32.store(table(GROUP_COUNT, get(t)), i32.const(0)),
          i32.store(table(BUCKET_COUNT, get(t)), i32.const(0)),
          i32.store(table(BUCKET_FILL, get(t)), i32.const(0)),
        ),
      ),
      setLanes(
        p,
        (k) => v128.load(i32.const(16 * k)),
        () => f64.load(i32.const(32)),
      ),
      // Clip masks: bit j when q_j <= p_j.
      f.forRange(
        'masks',
        i,
        i32.const(0),
        get(K),
        seq(
          set(a, rowAt(CAND, get(i))),
          set(
            cm,
            i32.or(
              i32.or(
                i64x2.bitmask(f64x2.le(v128.load(get(a), 0, 3), get(p.pairs[0]!))),
                i32.shl(i64x2.bitmask(f64x2.le(v128.load(get(a), 16, 3), get(p.pairs[1]!))), i32.const(2)),
              ),
              i32.shl(f64.le(f64.load(get(a), 32), get(p.single)), i32.const(4)),
            ),
          ),
          f.when(i32.eq(get(cm), i32.const(31)), () => ret(i32.const(-1))),
          i32.store(at4(get(MASK), get(i)), get(cm)),
          i32.store(
            table(BUCKET_COUNT, get(cm)),
            i32.add(i32.load(table(BUCKET_COUNT, get(cm))), i32.const(1)),
          ),
        ),
      ),
      f.forRange(
        'starts',
        t,
        i32.const(0),
        i32.const(32),
        seq(
          i32.store(table(BUCKET_START, get(t)), get(sum)),
          set(sum, i32.add(get(sum), i32.load(table(BUCKET_COUNT, get(t))))),
        ),
      ),
      f.forRange(
        'group',
        i,
        i32.const(0),
        get(K),
        seq(
          set(cm, i32.load(at4(get(MASK), get(i)))),
          set(t, i32.load(table(BUCKET_FILL, get(cm)))),
          i32.store(at4(get(MEMBERS), i32.add(i32.load(table(BUCKET_START, get(cm))), get(t))), get(i)),
          i32.store(table(BUCKET_FILL, get(cm)), i32.add(get(t), i32.const(1))),
        ),
      ),
      // The groups from the most clipped down.
      f.forRange(
        'groups',
        u,
        i32.const(0),
        i32.const(31),
        seq(
          set(cm, i32.load(table(MASK_TABLE, get(u)))),
          set(kk, i32.load(table(BUCKET_COUNT, get(cm)))),
          f.when(i32.gtS(get(kk), i32.const(0)), () =>
            seq(
              i32.store(table(GROUP_START, get(cm)), get(top)),
              set(list, at4(get(MEMBERS), i32.load(table(BUCKET_START, get(cm))))),
              f.when(
                i32.ltS(get(u), i32.const(5)),
                () =>
                  seq(
                    // Clipped in all but coordinate j: the candidate with the lowest q_j (the
                    // first of equals) dominates the rest.
                    set(j, i32.shl(i32.ctz(i32.xor(get(cm), i32.const(31))), i32.const(3))),
                    set(best, i32.load(get(list))),
                    f.forRange(
                      'lowest',
                      t,
                      i32.const(1),
                      get(kk),
                      seq(
                        set(i, i32.load(at4(get(list), get(t)))),
                        f.when(
                          f64.lt(
                            f64.load(i32.add(rowAt(CAND, get(i)), get(j))),
                            f64.load(i32.add(rowAt(CAND, get(best)), get(j))),
                          ),
                          () => set(best, get(i)),
                        ),
                      ),
                    ),
                    set(a, rowAt(CAND, get(best))),
                    clip,
                    storeRow(c, 5, rowAt(SURV, get(top))),
                    i32.store(table(GROUP_COUNT, get(cm)), i32.const(1)),
                    set(top, i32.add(get(top), i32.const(1))),
                  ),
                () =>
                  seq(
                    f.forRange(
                      'members',
                      t,
                      i32.const(0),
                      get(kk),
                      f.block('next', () =>
                        seq(
                          set(a, rowAt(CAND, i32.load(at4(get(list), get(t))))),
                          clip,
                          // Dominated by a survivor of a superset of cm (cm itself included)?
                          set(m, get(cm)),
                          f.block('free', () =>
                            f.loop('supersets', () =>
                              seq(
                                f.brIf('free', i32.geS(get(m), i32.const(31))),
                                set(b, rowAt(SURV, i32.load(table(GROUP_START, get(m))))),
                                set(
                                  end,
                                  i32.add(
                                    get(b),
                                    i32.mul(i32.load(table(GROUP_COUNT, get(m))), i32.const(ROW)),
                                  ),
                                ),
                                f.block('scanned', () =>
                                  f.loop('scan', () =>
                                    seq(
                                      f.brIf('scanned', i32.geU(get(b), get(end))),
                                      f.brIf('next', weakly(get(b), true)),
                                      set(b, i32.add(get(b), i32.const(ROW))),
                                      f.br('scan'),
                                    ),
                                  ),
                                ),
                                set(m, i32.or(i32.add(get(m), i32.const(1)), get(cm))),
                                f.br('supersets'),
                              ),
                            ),
                          ),
                          // Only its own group can hold points it dominates: drop them (the last
                          // takes each one's place), then append it.
                          set(n, i32.load(table(GROUP_COUNT, get(cm)))),
                          set(own, rowAt(SURV, i32.load(table(GROUP_START, get(cm))))),
                          set(b, get(own)),
                          f.block('dropped', () =>
                            f.loop('drop', () =>
                              seq(
                                f.brIf(
                                  'dropped',
                                  i32.geU(get(b), i32.add(get(own), i32.mul(get(n), i32.const(ROW)))),
                                ),
                                f.when(
                                  weakly(get(b), false),
                                  () =>
                                    seq(
                                      set(n, i32.sub(get(n), i32.const(1))),
                                      set(end, i32.add(get(own), i32.mul(get(n), i32.const(ROW)))),
                                      v128.store(get(b), v128.load(get(end), 0, 3), 0, 3),
                                      v128.store(get(b), v128.load(get(end), 16, 3), 16, 3),
                                      f64.store(get(b), f64.load(get(end), 32), 32),
                                    ),
                                  () => set(b, i32.add(get(b), i32.const(ROW))),
                                ),
                                f.br('drop'),
                              ),
                            ),
                          ),
                          storeRow(c, 5, i32.add(get(own), i32.mul(get(n), i32.const(ROW)))),
                          i32.store(table(GROUP_COUNT, get(cm)), i32.add(get(n), i32.const(1))),
                        ),
                      ),
                    ),
                    set(
                      top,
                      i32.add(i32.load(table(GROUP_START, get(cm))), i32.load(table(GROUP_COUNT, get(cm)))),
                    ),
                  ),
              ),
            ),
          ),
        ),
      ),
      get(top),
    ),
  );
  return f;
}

const limitModule = instantiate<{
  readonly memory: WasmMemory;
  readonly limit5: (k: number, cand: number, mask: number, members: number, surv: number) => number;
}>(
  moduleBytes({ functions: [{ name: 'limit5', fn: limit5Fn() }], memoryPages: 1 }),
  'hypervolume kernels',
  '128-bit SIMD, Node >= 16.4',
);

/** limitSet5's memory: the regions' byte addresses for `capacity` candidates, and views. */
const limitMemory = {
  capacity: 0,
  candidates: 0,
  masks: 0,
  members: 0,
  survivors: 0,
  doubles: new Float64Array(0),
  ints: new Int32Array(0),
  cover(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 64);
    this.capacity = cap;
    this.candidates = LIMIT_HEADER;
    this.masks = this.candidates + ROW * cap;
    this.members = this.masks + 4 * cap;
    this.survivors = this.members + 4 * cap;
    growTo(limitModule.memory, this.survivors + ROW * cap);
    this.doubles = new Float64Array(limitModule.memory.buffer);
    this.ints = new Int32Array(limitModule.memory.buffer);
    this.ints.set(MASK_ORDER5, MASK_TABLE >>> 2);
  },
};

function moveRow(a: Float64Array, from: number, to: number, d: number): void {
  for (let j = 0; j < d; j++) a[to + j] = a[from + j]!;
}
