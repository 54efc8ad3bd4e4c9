import {
  at4,
  at8,
  type Code,
  call,
  F64,
  FunctionBuilder,
  f64,
  get,
  globalGet,
  globalSet,
  growTo,
  I32,
  i32,
  increment as inc,
  instantiate,
  memoryGrow,
  memorySize,
  moduleBytes,
  PAGE,
  ret,
  select,
  seq,
  set,
  type WasmMemory,
} from '../../wasm/assembler.js';
import { compensatedAdd } from './staircase.js';

/**
 * QHV-II in WebAssembly ({@link qhv}): a module built with the project's assembler when this file
 * loads. JavaScript copies the points in and reads the volume out; the recursion, its stack of
 * sub-problems (grown from inside when a level needs room) and the inclusion-exclusion of small sets
 * run in the module. Each function does the former JavaScript version's operations in their order
 * (the same volumes to the last bit). Why: the recursion's inner loops over m objectives paid for
 * bounds checks and the inclusion-exclusion for `Math.max` calls.
 */

/** Up to this many points, inclusion-exclusion ends the recursion (4 and 5 measured alike at m = 8). */
const SMALL_SET = 4;

// Globals: the number of objectives, the byte addresses of the arrays, the compensated sum.
const G_M = 0;
/** Per depth d: the sub-problem's reference at d * m (the input's, 0, at depth 0; doubles). */
const G_REFS = 1;
/** Per depth d: the pivot, at d * m (doubles). */
const G_PIVOTS = 2;
/** Per depth d: the objectives in the order of the pivot's sub-boxes, at d * m (i32). */
const G_PERMS = 3;
/** Per objective: how many points lie below the pivot (i32). */
const G_COUNTS = 4;
/** 2^SMALL_SET x m: the componentwise maximum of each subset, for inclusion-exclusion (doubles). */
const G_MAX = 5;
/**
 * The stack of points, last in memory: rows of m + 1 doubles, the input at row 0, each
 * sub-problem after the rows of its parent; entry m of a row holds (as an i32) in how many
 * objectives the point is still below its level's pivot.
 */
const G_STACK = 6;
/** The volume so far, compensated (Neumaier): every pivot's box and small set's volume adds to it. */
const G_SUM = 7;
const G_COMP = 8;
const GLOBALS = [I32, I32, I32, I32, I32, I32, I32, F64, F64] as const;

const ADD = 0;
const INCLUSION_EXCLUSION = 1;
const SPLIT = 2;

const one = i32.const(1);
const zero = i32.const(0);

/** add(x): adds x to the compensated sum. */
function addFn(): FunctionBuilder {
  const f = new FunctionBuilder([F64], []);
  const [X] = [0];
  const sum = f.local(F64);
  const comp = f.local(F64);
  f.body(
    seq(
      set(sum, globalGet(G_SUM)),
      set(comp, globalGet(G_COMP)),
      compensatedAdd(f, sum, comp, get(X)),
      globalSet(G_SUM, get(sum)),
      globalSet(G_COMP, get(comp)),
    ),
  );
  return f;
}

/**
 * inclusionExclusion(off, n, ro): adds the hypervolume of the n <= SMALL_SET points from stack row
 * `off` against the reference at refs[ro..]: subset S adds (-1)^(|S|+1) times the box of the
 * componentwise maximum of its members, built from S minus its lowest member.
 */
function inclusionExclusionFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32], []);
  const [OFF, N, RO] = [0, 1, 2];
  const m = f.local(I32);
  const rows = f.local(I32);
  const stride = f.local(I32);
  const refs = f.local(I32);
  const max = f.local(I32);
  const subset = f.local(I32);
  const rest = f.local(I32);
  const o = f.local(I32);
  const r = f.local(I32);
  const q = f.local(I32);
  const j = f.local(I32);
  const v = f.local(F64);
  const x = f.local(F64);
  const total = f.local(F64);
  f.body(
    seq(
      set(m, globalGet(G_M)),
      set(rows, globalGet(G_STACK)),
      set(stride, i32.mul(i32.add(get(m), one), i32.const(8))),
      set(refs, at8(globalGet(G_REFS), get(RO))),
      set(max, globalGet(G_MAX)),
      set(subset, one),
      f.block('subsets-done', () =>
        f.loop('subsets', () =>
          seq(
            f.brIf('subsets-done', i32.geS(get(subset), i32.shl(one, get(N)))),
            set(rest, i32.and(get(subset), i32.sub(get(subset), one))),
            set(o, at8(get(max), i32.mul(get(subset), get(m)))),
            set(r, at8(get(max), i32.mul(get(rest), get(m)))),
            // The lowest member's row.
            set(q, i32.add(get(rows), i32.mul(i32.add(get(OFF), i32.ctz(get(subset))), get(stride)))),
            set(v, f64.const(1)),
            f.forRange(
              'objectives',
              j,
              zero,
              get(m),
              seq(
                set(x, f64.load(at8(get(q), get(j)))),
                f.when(get(rest), () => set(x, f64.max(f64.load(at8(get(r), get(j))), get(x)))),
                f64.store(at8(get(o), get(j)), get(x)),
                set(v, f64.mul(get(v), f64.sub(f64.load(at8(get(refs), get(j))), get(x)))),
              ),
            ),
            // |S| odd (rest even) adds, even subtracts.
            set(
              total,
              f64.add(
                get(total),
                select(get(v), f64.neg(get(v)), i32.eqz(i32.and(i32.popcnt(get(rest)), one))),
              ),
            ),
            inc(subset),
            f.br('subsets'),
          ),
        ),
      ),
      call(ADD, get(total)),
    ),
  );
  return f;
}

/**
 * split(off, n, depth): adds the hypervolume of the n points from stack row `off` against the
 * reference of `depth`. The points are this call's own (its caller rewrites them for its next box):
 * they are clipped in place, box by box, and leave once no objective of theirs is left below the
 * pivot. Returns 0, or 1 when the memory could not grow for a level's sub-problems.
 */
function splitFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32], [I32]);
  const [OFF, N, DEPTH] = [0, 1, 2];
  const m = f.local(I32);
  const rows = f.local(I32);
  const stride = f.local(I32);
  const ro = f.local(I32);
  const refs = f.local(I32);
  const pv = f.local(I32);
  const perms = f.local(I32);
  const counts = f.local(I32);
  const i = f.local(I32);
  const j = f.local(I32);
  const jj = f.local(I32);
  const o = f.local(I32);
  const c = f.local(I32);
  const b = f.local(I32);
  const a = f.local(I32);
  const live = f.local(I32);
  const pivot = f.local(I32);
  const child = f.local(I32);
  const k = f.local(I32);
  const bytes = f.local(I32);
  const v = f.local(F64);
  const volume = f.local(F64);
  const pj = f.local(F64);
  const row = (index: Code) => i32.add(get(rows), i32.mul(index, get(stride)));
  const value = (address: number, objective: Code) => f64.load(at8(get(address), objective));
  const belowAt = (address: number) => i32.load(at8(get(address), get(m)));
  /** Moves row `from` over row `to` (with its count when `withCount`). */
  const moveRow = (from: Code, to: Code, withCount: boolean) =>
    f.block('moved', () =>
      seq(
        set(a, from),
        set(b, to),
        set(j, zero),
        f.loop('move', () =>
          seq(
            f.brIf('moved', i32.geS(get(j), withCount ? i32.add(get(m), one) : get(m))),
            f64.store(at8(get(b), get(j)), value(a, get(j))),
            inc(j),
            f.br('move'),
          ),
        ),
      ),
    );
  f.body(
    seq(
      set(m, globalGet(G_M)),
      set(rows, globalGet(G_STACK)),
      set(stride, i32.mul(i32.add(get(m), one), i32.const(8))),
      set(ro, i32.mul(get(DEPTH), get(m))),
      f.when(i32.leS(get(N), i32.const(SMALL_SET)), () =>
        seq(call(INCLUSION_EXCLUSION, get(OFF), get(N), get(ro)), ret(zero)),
      ),
      set(refs, at8(globalGet(G_REFS), get(ro))),
      set(pv, at8(globalGet(G_PIVOTS), get(ro))),
      set(perms, at4(globalGet(G_PERMS), get(ro))),
      set(counts, globalGet(G_COUNTS)),
      // The pivot: the point with the largest box.
      set(pivot, row(get(OFF))),
      set(volume, f64.const(-1)),
      f.forRange(
        'candidates',
        i,
        zero,
        get(N),
        seq(
          set(o, row(i32.add(get(OFF), get(i)))),
          set(v, f64.const(1)),
          f.forRange(
            'box',
            j,
            zero,
            get(m),
            set(v, f64.mul(get(v), f64.sub(value(refs, get(j)), value(o, get(j))))),
          ),
          f.when(f64.gt(get(v), get(volume)), () => seq(set(volume, get(v)), set(pivot, get(o)))),
        ),
      ),
      f.forRange('pivot', j, zero, get(m), f64.store(at8(get(pv), get(j)), value(pivot, get(j)))),
      // Per objective, how many points lie below the pivot; per point, in how many objectives. The
      // points below in none (the pivot, the points it weakly dominates) fall in no box and leave.
      f.forRange('clear', j, zero, get(m), i32.store(at4(get(counts), get(j)), zero)),
      set(live, get(N)),
      set(i, zero),
      f.block('counted', () =>
        f.loop('count', () =>
          seq(
            f.brIf('counted', i32.geS(get(i), get(live))),
            set(o, row(i32.add(get(OFF), get(i)))),
            set(c, zero),
            f.forRange(
              'objectives',
              j,
              zero,
              get(m),
              seq(
                set(b, f64.lt(value(o, get(j)), value(pv, get(j)))),
                i32.store(at4(get(counts), get(j)), i32.add(i32.load(at4(get(counts), get(j))), get(b))),
                set(c, i32.add(get(c), get(b))),
              ),
            ),
            f.when(
              i32.eqz(get(c)),
              () =>
                seq(
                  set(live, i32.sub(get(live), one)),
                  set(k, get(o)),
                  moveRow(row(i32.add(get(OFF), get(live))), get(k), false),
                ),
              () => seq(i32.store(at8(get(o), get(m)), get(c)), inc(i)),
            ),
            f.br('count'),
          ),
        ),
      ),
      // The objectives by how many points lie below the pivot, fewest first (insertion sort of m).
      f.forRange(
        'order',
        a,
        zero,
        get(m),
        seq(
          set(c, i32.load(at4(get(counts), get(a)))),
          set(b, i32.sub(get(a), one)),
          f.block('placed', () =>
            f.loop('shift', () =>
              seq(
                f.brIf('placed', i32.ltS(get(b), zero)),
                f.brIf(
                  'placed',
                  i32.leS(i32.load(at4(get(counts), i32.load(at4(get(perms), get(b))))), get(c)),
                ),
                i32.store(at4(get(perms), i32.add(get(b), one)), i32.load(at4(get(perms), get(b)))),
                set(b, i32.sub(get(b), one)),
                f.br('shift'),
              ),
            ),
          ),
          i32.store(at4(get(perms), i32.add(get(b), one)), get(a)),
        ),
      ),
      // Each sub-problem has fewer than n points; they go after this one's.
      set(child, i32.add(get(OFF), get(N))),
      set(bytes, row(i32.add(get(child), get(N)))),
      f.when(i32.gtU(get(bytes), i32.mul(memorySize(), i32.const(PAGE))), () =>
        f.when(
          i32.eq(
            memoryGrow(
              i32.sub(i32.shrU(i32.add(get(bytes), i32.const(PAGE - 1)), i32.const(16)), memorySize()),
            ),
            i32.const(-1),
          ),
          () => ret(one),
        ),
      ),
      call(ADD, get(volume)),
      set(jj, zero),
      f.block('boxes-done', () =>
        f.loop('boxes', () =>
          seq(
            f.brIf('boxes-done', i32.geS(get(jj), get(m))),
            f.brIf('boxes-done', i32.eqz(get(live))),
            set(j, i32.load(at4(get(perms), get(jj)))),
            set(pj, value(pv, get(j))),
            // Box j: the points below the pivot in j, already clipped in the objectives before it.
            // Each is then clipped in j too, and leaves when that was its last objective below.
            set(k, zero),
            set(i, zero),
            f.block('clipped', () =>
              f.loop('clip', () =>
                seq(
                  f.brIf('clipped', i32.geS(get(i), get(live))),
                  set(o, row(i32.add(get(OFF), get(i)))),
                  f.when(i32.eqz(f64.lt(value(o, get(j)), get(pj))), () => seq(inc(i), f.br('clip'))),
                  // moveRow uses j: keep the objective in c meanwhile.
                  set(c, get(j)),
                  moveRow(get(o), row(i32.add(get(child), get(k))), false),
                  set(j, get(c)),
                  inc(k),
                  f64.store(at8(get(o), get(j)), get(pj)),
                  set(c, i32.sub(belowAt(o), one)),
                  f.when(
                    i32.eqz(get(c)),
                    () =>
                      seq(
                        set(live, i32.sub(get(live), one)),
                        set(c, get(j)),
                        moveRow(row(i32.add(get(OFF), get(live))), get(o), true),
                        set(j, get(c)),
                      ),
                    () => seq(i32.store(at8(get(o), get(m)), get(c)), inc(i)),
                  ),
                  f.br('clip'),
                ),
              ),
            ),
            f.when(get(k), () =>
              seq(
                // The child's reference: this one's, lowered to the pivot in j.
                set(c, get(j)),
                set(b, at8(get(refs), get(m))),
                f.forRange('reference', a, zero, get(m), f64.store(at8(get(b), get(a)), value(refs, get(a)))),
                f64.store(at8(get(b), get(c)), get(pj)),
                f.when(call(SPLIT, get(child), get(k), i32.add(get(DEPTH), one)), () => ret(one)),
                // The memory may have grown: the addresses stay, and so do the locals.
                set(j, get(c)),
              ),
            ),
            inc(jj),
            f.br('boxes'),
          ),
        ),
      ),
      zero,
    ),
  );
  return f;
}

interface QhvExports {
  readonly memory: WasmMemory;
  readonly setup: (
    m: number,
    refs: number,
    pivots: number,
    perms: number,
    counts: number,
    max: number,
    stack: number,
  ) => void;
  readonly split: (off: number, n: number, depth: number) => number;
  readonly volume: () => number;
}

function setupFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32, I32], []);
  f.body(
    seq(
      ...[G_M, G_REFS, G_PIVOTS, G_PERMS, G_COUNTS, G_MAX, G_STACK].map((g, p) => globalSet(g, get(p))),
      globalSet(G_SUM, f64.const(0)),
      globalSet(G_COMP, f64.const(0)),
    ),
  );
  return f;
}

function volumeFn(): FunctionBuilder {
  const f = new FunctionBuilder([], [F64]);
  f.body(f64.add(globalGet(G_SUM), globalGet(G_COMP)));
  return f;
}

const kernels = instantiate<QhvExports>(
  moduleBytes({
    functions: [
      { fn: addFn() },
      { fn: inclusionExclusionFn() },
      { fn: splitFn(), name: 'split' },
      { fn: setupFn(), name: 'setup' },
      { fn: volumeFn(), name: 'volume' },
    ],
    globals: [...GLOBALS],
    memoryPages: 1,
  }),
  'hypervolume kernels',
  '',
);
/** The memory's doubles, renewed when the memory grew (here or inside the module). */
let doubles = new Float64Array(0);

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
 *
 * @throws RangeError when the memory cannot grow for the recursion's sub-problems
 */
export function qhv(rows: Float64Array, n: number, m: number): number {
  if (n === 0) return 0;
  // Every sub-problem holds fewer points than its parent: at most n + 1 depths.
  const depths = n + 2;
  const refs = 0;
  const pivots = refs + 8 * depths * m;
  const perms = pivots + 8 * depths * m;
  const counts = perms + ((4 * depths * m + 7) & ~7);
  const max = counts + ((4 * m + 7) & ~7);
  const stack = max + 8 * (1 << SMALL_SET) * m;
  const width = m + 1;
  const bytes = stack + 8 * width * 2 * n;
  const memory = kernels.memory;
  growTo(memory, bytes);
  if (doubles.buffer !== memory.buffer) doubles = new Float64Array(memory.buffer);
  const d = doubles;
  const s8 = stack >>> 3;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) d[s8 + i * width + j] = rows[i * m + j]!;
  }
  d.fill(0, refs >>> 3, (refs >>> 3) + m);
  kernels.setup(m, refs, pivots, perms, counts, max, stack);
  if (kernels.split(0, n, 0) !== 0) {
    throw new RangeError(
      `hypervolume: QHV-II ran out of memory for the sub-problems of ${n} points in ${m} objectives`,
    );
  }
  return kernels.volume();
}
