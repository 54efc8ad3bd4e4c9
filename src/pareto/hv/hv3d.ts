import {
  at4,
  call,
  F64,
  FunctionBuilder,
  f64,
  get,
  growTo,
  I32,
  i32,
  increment as inc,
  instantiate,
  f64At as ld,
  i32At as ldi,
  memoryCopy,
  moduleBytes,
  ret,
  seq,
  set,
  storeI32At as sti,
  type WasmMemory,
} from '../../wasm/assembler.js';
import { argsortLex, COUNT_BYTES, sortFunctions } from './index-sort.js';
import { RankSet } from './rank-set.js';
import { compensatedAdd } from './staircase.js';

/** Reusable buffers for {@link hv3d}'s rank-set path; grows on demand so repeated calls allocate nothing. */
export class Hv3dWorkspace {
  capacity = -1;
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
    this.xOrder = new Int32Array(cap);
    this.rank = new Int32Array(cap);
    this.next = new Int32Array(cap + 2);
    this.sx = new Float64Array(cap + 2);
    this.sy = new Float64Array(cap + 2);
    this.set = new RankSet(cap);
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

// The module's memory: a header (the sweep's state when it returns), the sort's counts, then
// regions of `capacity` 8-byte entries.
const OUT_VOLUME = 0;
const OUT_COMP = 8;
const OUT_AREA = 16;
const OUT_K = 24;
const OUT_S = 28;
const BASE = 64 + COUNT_BYTES;
const X = 0;
const Y = 1;
const Z = 2;
/** The points in z order (i32). */
const Z_ORDER = 3;
/** The array staircase: the point index of each entry, x ascending, y descending (i32). */
const STAIR = 4;
/** The sort's buckets (i32). */
const DIGIT = 5;
const REGIONS = 6;

const SORT_RANGE = 0;
const ARGSORT = 1;

const one = i32.const(1);
const zero = i32.const(0);

/**
 * sweep(n, stride): the array-staircase part of {@link hv3d} on the n points in regions X, Y, Z
 * (stride bytes each): sorts them by z into Z_ORDER, then sweeps. Returns 0 with the volume and its
 * compensation in the header when done; 1 when the rank set should take over, with the point to go
 * on from, the staircase's length, its area, the volume and its compensation in the header (the
 * staircase in STAIR). Does the former JavaScript code's operations in its order.
 */
function sweepFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32], [I32]);
  const [N, STRIDE] = [0, 1];
  const xs = f.local(I32);
  const ys = f.local(I32);
  const zs = f.local(I32);
  const order = f.local(I32);
  const st = f.local(I32);
  const k = f.local(I32);
  const i = f.local(I32);
  const s = f.local(I32);
  const lo = f.local(I32);
  const hi = f.local(I32);
  const mid = f.local(I32);
  const e = f.local(I32);
  const start = f.local(I32);
  const removed = f.local(I32);
  const inserted = f.local(I32);
  const px = f.local(F64);
  const py = f.local(F64);
  const pz = f.local(F64);
  const znext = f.local(F64);
  const h0 = f.local(F64);
  const h = f.local(F64);
  const left = f.local(F64);
  const added = f.local(F64);
  const area = f.local(F64);
  const vol = f.local(F64);
  const comp = f.local(F64);
  const dx = f.local(F64);
  const dy = f.local(F64);
  const region = (r: number) => i32.add(i32.const(BASE), i32.mul(get(STRIDE), i32.const(r)));
  const xAt = (entry: ReturnType<typeof get>) => ld(xs, ldi(st, entry));
  const yAt = (entry: ReturnType<typeof get>) => ld(ys, ldi(st, entry));
  /** The volume up to the next point's z, when it differs. */
  const step = () =>
    seq(
      set(pz, ld(zs, get(i))),
      set(znext, f64.const(0)),
      f.when(i32.ltS(i32.add(get(k), one), get(N)), () =>
        set(znext, ld(zs, ldi(order, i32.add(get(k), one)))),
      ),
      f.when(f64.ne(get(znext), get(pz)), () =>
        compensatedAdd(f, vol, comp, f64.mul(get(area), f64.sub(get(znext), get(pz)))),
      ),
    );
  /** Moves `count` staircase entries from `from` to `to` (overlapping as memmove). */
  const move = (to: ReturnType<typeof get>, from: ReturnType<typeof get>, count: ReturnType<typeof get>) =>
    memoryCopy(at4(get(st), to), at4(get(st), from), i32.shl(count, i32.const(2)));
  f.body(
    seq(
      set(xs, region(X)),
      set(ys, region(Y)),
      set(zs, region(Z)),
      set(order, region(Z_ORDER)),
      set(st, region(STAIR)),
      call(ARGSORT, get(zs), get(zs), get(N), get(order), region(DIGIT), i32.const(64)),
      // The last point found to cover another in x and y, or the last one inserted: it came earlier
      // in z, so it dominates whatever it covers, and on tie-heavy sets (duplicates, grids) it often
      // covers the next point too, which then costs one test instead of a search.
      set(dx, f64.const(Number.POSITIVE_INFINITY)),
      set(dy, f64.const(Number.POSITIVE_INFINITY)),
      f.block('swept', () =>
        f.loop('points', () =>
          seq(
            f.brIf('swept', i32.geS(get(k), get(N))),
            set(i, ldi(order, get(k))),
            set(px, ld(xs, get(i))),
            set(py, ld(ys, get(i))),
            f.block('stepped', () =>
              seq(
                f.brIf('stepped', i32.and(f64.le(get(dx), get(px)), f64.le(get(dy), get(py)))),
                // p's place: the first entry right of p in x.
                set(lo, zero),
                set(hi, get(s)),
                f.block('found', () =>
                  f.loop('bisect', () =>
                    seq(
                      f.brIf('found', i32.geS(get(lo), get(hi))),
                      set(mid, i32.shrU(i32.add(get(lo), get(hi)), one)),
                      f.when(
                        f64.le(xAt(get(mid)), get(px)),
                        () => set(lo, i32.add(get(mid), one)),
                        () => set(hi, get(mid)),
                      ),
                      f.br('bisect'),
                    ),
                  ),
                ),
                set(h0, f64.const(0)),
                f.when(i32.gtS(get(lo), zero), () => set(h0, yAt(i32.sub(get(lo), one)))),
                f.when(
                  f64.gt(get(h0), get(py)),
                  () =>
                    seq(
                      // Area newly covered: for each step right of p that p dominates, the strip
                      // between its height and p's; the first step below p ends the walk.
                      set(added, f64.const(0)),
                      set(left, get(px)),
                      set(h, get(h0)),
                      set(e, get(lo)),
                      f.block('walked', () =>
                        f.loop('walk', () =>
                          seq(
                            f.brIf('walked', i32.geS(get(e), get(s))),
                            f.brIf('walked', f64.lt(yAt(get(e)), get(py))),
                            set(
                              added,
                              f64.add(
                                get(added),
                                f64.mul(f64.sub(xAt(get(e)), get(left)), f64.sub(get(h), get(py))),
                              ),
                            ),
                            set(left, xAt(get(e))),
                            set(h, yAt(get(e))),
                            inc(e),
                            f.br('walk'),
                          ),
                        ),
                      ),
                      set(h0, f64.const(0)),
                      f.when(i32.ltS(get(e), get(s)), () => set(h0, xAt(get(e)))),
                      set(
                        added,
                        f64.add(get(added), f64.mul(f64.sub(get(h0), get(left)), f64.sub(get(h), get(py)))),
                      ),
                      set(start, get(lo)),
                      f.when(i32.gtS(get(lo), zero), () =>
                        f.when(f64.eq(xAt(i32.sub(get(lo), one)), get(px)), () =>
                          set(start, i32.sub(get(lo), one)),
                        ),
                      ),
                      set(removed, i32.sub(get(e), get(start))),
                      f.when(
                        i32.eqz(get(removed)),
                        () =>
                          seq(
                            inc(inserted),
                            f.when(i32.gtS(get(s), i32.const(16)), () =>
                              f.when(
                                f64.gt(
                                  f64.div(
                                    f64.mul(
                                      f64.mul(
                                        f64.convertI32S(i32.sub(get(N), get(k))),
                                        f64.convertI32S(get(inserted)),
                                      ),
                                      f64.convertI32S(get(s)),
                                    ),
                                    f64.convertI32S(i32.mul(i32.const(2), i32.add(get(k), one))),
                                  ),
                                  f64.add(
                                    f64.convertI32S(i32.mul(i32.const(SORT_MOVES), get(N))),
                                    f64.convertI32S(i32.mul(i32.const(STEP_MOVES), i32.sub(get(N), get(k)))),
                                  ),
                                ),
                                () =>
                                  seq(
                                    f64.store(zero, get(vol), OUT_VOLUME),
                                    f64.store(zero, get(comp), OUT_COMP),
                                    f64.store(zero, get(area), OUT_AREA),
                                    i32.store(zero, get(k), OUT_K),
                                    i32.store(zero, get(s), OUT_S),
                                    ret(one),
                                  ),
                              ),
                            ),
                            move(i32.add(get(start), one), get(start), i32.sub(get(s), get(start))),
                            inc(s),
                          ),
                        () =>
                          f.when(i32.gtS(get(removed), one), () =>
                            seq(
                              move(
                                i32.add(get(start), one),
                                i32.add(get(start), get(removed)),
                                i32.sub(i32.sub(get(s), get(start)), get(removed)),
                              ),
                              set(s, i32.sub(get(s), i32.sub(get(removed), one))),
                            ),
                          ),
                      ),
                      sti(st, get(start), get(i)),
                      set(area, f64.add(get(area), get(added))),
                      set(dx, get(px)),
                      set(dy, get(py)),
                    ),
                  () => seq(set(dx, xAt(i32.sub(get(lo), one))), set(dy, yAt(i32.sub(get(lo), one)))),
                ),
              ),
            ),
            step(),
            inc(k),
            f.br('points'),
          ),
        ),
      ),
      f64.store(zero, get(vol), OUT_VOLUME),
      f64.store(zero, get(comp), OUT_COMP),
      zero,
    ),
  );
  return f;
}

interface Hv3dExports {
  readonly memory: WasmMemory;
  readonly sweep: (n: number, stride: number) => number;
}

const [sortRange, argsort] = sortFunctions(SORT_RANGE);
const kernels = instantiate<Hv3dExports>(
  moduleBytes({
    functions: [{ fn: sortRange }, { fn: argsort }, { fn: sweepFn(), name: 'sweep' }],
    memoryPages: 1,
  }),
  'hypervolume kernels',
  '',
);
let capacity = 0;
let doubles = new Float64Array(0);
let ints = new Int32Array(0);
/** Views of Z_ORDER and STAIR, for the rank-set path. */
let orderView = new Int32Array(0);
let stairView = new Int32Array(0);

function cover(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, 2 * capacity, 256);
  const bytes = BASE + REGIONS * 8 * capacity;
  growTo(kernels.memory, bytes);
  const buffer = kernels.memory.buffer;
  doubles = new Float64Array(buffer);
  ints = new Int32Array(buffer);
  orderView = new Int32Array(buffer, BASE + Z_ORDER * 8 * capacity, capacity);
  stairView = new Int32Array(buffer, BASE + STAIR * 8 * capacity, capacity);
}

/**
 * Hypervolume in three objectives by the dimension sweep of Beume, Fonseca, López-Ibáñez, Paquete
 * and Vahrenhold (2009), O(n log n): sweep z upwards, keep the 2-D staircase of the points seen so far
 * in x order and its area. While the staircase is short (tie-heavy sets, clouds of mostly dominated
 * points) it is a sorted array of point indices, swept in WebAssembly (the z sort too); once
 * insertions into it are expected to cost more moves than a second sort ({@link SORT_MOVES}) it
 * moves to a {@link RankSet} over x ranks plus a linked list, O(log n) per point, in JavaScript.
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
  cover(n);
  const d = doubles;
  const x8 = (BASE >>> 3) + X * capacity;
  const y8 = (BASE >>> 3) + Y * capacity;
  const z8 = (BASE >>> 3) + Z * capacity;
  for (let i = 0; i < n; i++) {
    d[x8 + i] = xs[i]!;
    d[y8 + i] = ys[i]!;
    d[z8 + i] = zs[i]!;
  }
  if (kernels.sweep(n, 8 * capacity) === 0) return d[OUT_VOLUME >>> 3]! + d[OUT_COMP >>> 3]!;
  work.ensure(n);
  return hv3dRankSet(
    xs,
    ys,
    zs,
    n,
    work,
    orderView,
    stairView,
    ints[OUT_K >>> 2]!,
    ints[OUT_S >>> 2]!,
    d[OUT_AREA >>> 3]!,
    d[OUT_VOLUME >>> 3]!,
    d[OUT_COMP >>> 3]!,
  );
}

/**
 * {@link hv3d} from point `k0` of `zOrder` on, with the staircase in a {@link RankSet} over x ranks;
 * it takes over the `s0` entries of the array staircase `stair` and the sums so far.
 */
function hv3dRankSet(
  xs: Float64Array,
  ys: Float64Array,
  zs: Float64Array,
  n: number,
  work: Hv3dWorkspace,
  zOrder: Int32Array,
  stair: Int32Array,
  k0: number,
  s0: number,
  area0: number,
  vol0: number,
  comp0: number,
): number {
  const { xOrder, rank, next, sx, sy, set } = work;
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
    const i = stair[e]!;
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
