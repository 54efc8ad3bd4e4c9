/**
 * The hypervolume in five objectives ({@link hv5d}), in WebAssembly: the sweep and its 3-D
 * contributions are a module built here with the project's assembler (wasm/assembler.ts) when this
 * file loads; JavaScript sorts the points and lays them out in the module's memory.
 *
 * Why WebAssembly: the same algorithm in JavaScript (V8, typed arrays, every double kept out of
 * boxed arguments and returns) took 2.2 ms on a 300-point front where this takes 1.5 ms, and
 * moocore's C 1.7 to 2.0 ms (bench/hv.ts, m = 5). The kernels are branchy scalar code: the gain is
 * no bounds or type checks and doubles passed and returned in registers, not SIMD. Each function
 * below does the JavaScript version's operations in its order, so the volumes are the same bit for
 * bit (checked against it on fronts, grids and clouds before it was replaced).
 */
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
  I32,
  i32,
  i64,
  instantiate,
  moduleBytes,
  PAGE,
  ret,
  seq,
  set,
  tee,
  type WasmMemory,
} from '../../wasm/assembler.js';
import { argsortLex } from './index-sort.js';

// The memory: REGIONS arrays of `stride` bytes each (room for capacity + 4 doubles), region r at
// byte r * stride. Doubles take 8 bytes, integers 4.
/** The points in sweep order (fifth objective ascending): their five coordinates. */
const PX = 0;
const PY = 1;
const PZ = 2;
const PW = 3;
const PV = 4;
/** Per point in sweep order: its rank in the fourth objective's order (i32). */
const RANK = 5;
/** By fourth-objective rank: the first and the last rank of its run of equal fourth objectives (i32). */
const RUN_START = 6;
const RUN_END = 7;
/** The first four coordinates by fourth-objective rank. */
const WX = 8;
const WY = 9;
const WZ = 10;
const WW = 11;
/** By fourth-objective rank, as bits (rank r: bit r & 31 of word r >>> 5): set while in the active set (i32 words). */
const ACTIVE = 12;
/** The active set, z ascending: coordinates and fourth-objective rank (i32). */
const AX = 13;
const AY = 14;
const AZ = 15;
const AR = 16;
/** The staircase in p's z plane (clippedBelow) and its candidates (i32). */
const SX = 17;
const SY = 18;
const CAND = 19;
/** The clipped 3-D set C, z ascending. */
const CX = 20;
const CY = 21;
const CZ = 22;
/** contribution3d's staircase, its candidates (i32) and its flags of entries to drop (i32). */
const CSX = 23;
const CSY = 24;
const CCAND = 25;
const DEAD = 26;
const REGIONS = 27;

// Globals.
/** A volume returned by contribution3d and contribution4d. */
const G_OUT = 0;
/** coverSlice's walls and uncovered area, read and written. */
const G_XB = 1;
const G_YL = 2;
const G_AREA = 3;
/** C's walls, set by clippedBelow. */
const G_CYL = 4;
const G_CXB = 5;
const G_CZW = 6;
/** Set by contribution3d: the first entry above p in z, the first flagged entry, whether any is. */
const G_SPLIT = 7;
const G_DEAD_FROM = 8;
const G_ANY_DEAD = 9;
/** The active set's size, the regions' stride in bytes and the number of points. */
const G_K = 10;
const G_STRIDE = 11;
const G_N = 12;
const GLOBALS = [F64, F64, F64, F64, F64, F64, F64, I32, I32, I32, I32, I32, I32] as const;

// Function indices.
const MOVE = 0;
const UPPER = 1;
const LOWER = 2;
const STAIR_REPLACE = 3;
const STAIR_INSERT = 4;
const STAIR_PRUNE = 5;
const EXCLUSIVE_AREA = 6;
const COVER_SLICE = 7;
const CONTRIBUTION3D = 8;
const ADD_TO_C = 9;
const CLIPPED_BELOW = 10;
const CONTRIBUTION4D = 11;
const INSERT = 12;
const HV5D = 13;
const SET_STRIDE = 14;

const one = i32.const(1);
const zero = i32.const(0);
const inc = (local: number): Code => set(local, i32.add(get(local), one));
const dec = (local: number): Code => set(local, i32.sub(get(local), one));
/** The byte address of region r. */
const region = (r: number): Code => i32.mul(globalGet(G_STRIDE), i32.const(r));
/** Entry `index` of the double array at byte address local `base`. */
const ld = (base: number, index: Code): Code => f64.load(at8(get(base), index));
const st = (base: number, index: Code, value: Code): Code => f64.store(at8(get(base), index), value);
const ldi = (base: number, index: Code): Code => i32.load(at4(get(base), index));
const sti = (base: number, index: Code, value: Code): Code => i32.store(at4(get(base), index), value);

/** move(base, dst, src, count): the 8-byte entries src.. to dst.. of the array at base (overlap allowed). */
function moveFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32], []);
  const [BASE, DST, SRC, COUNT] = [0, 1, 2, 3];
  const d = f.local(I32);
  const s = f.local(I32);
  const end = f.local(I32);
  f.body(
    seq(
      f.when(i32.leS(get(COUNT), zero), () => ret()),
      f.when(
        i32.ltS(get(DST), get(SRC)),
        () =>
          seq(
            set(d, at8(get(BASE), get(DST))),
            set(s, at8(get(BASE), get(SRC))),
            set(end, at8(get(s), get(COUNT))),
            f.loop('forward', () =>
              seq(
                i64.store(get(d), i64.load(get(s))),
                set(d, i32.add(get(d), i32.const(8))),
                f.brIf('forward', i32.ltU(tee(s, i32.add(get(s), i32.const(8))), get(end))),
              ),
            ),
          ),
        () =>
          seq(
            set(end, at8(get(BASE), get(SRC))),
            set(d, at8(get(BASE), i32.add(get(DST), get(COUNT)))),
            set(s, at8(get(BASE), i32.add(get(SRC), get(COUNT)))),
            f.loop('backward', () =>
              seq(
                set(d, i32.sub(get(d), i32.const(8))),
                set(s, i32.sub(get(s), i32.const(8))),
                i64.store(get(d), i64.load(get(s))),
                f.brIf('backward', i32.gtU(get(s), get(end))),
              ),
            ),
          ),
      ),
    ),
  );
  return f;
}

/** upper(base, n, v) / lower(base, n, v): the first index whose double is > v / >= v (n if none). */
function boundFn(strict: boolean): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, F64], [I32]);
  const [BASE, N, V] = [0, 1, 2];
  const lo = f.local(I32);
  const hi = f.local(I32);
  const mid = f.local(I32);
  const below = (a: Code, b: Code) => (strict ? f64.le(a, b) : f64.lt(a, b));
  f.body(
    seq(
      set(hi, get(N)),
      f.block('done', () =>
        f.loop('search', () =>
          seq(
            f.brIf('done', i32.geS(get(lo), get(hi))),
            set(mid, i32.shrU(i32.add(get(lo), get(hi)), one)),
            f.when(
              below(ld(BASE, get(mid)), get(V)),
              () => set(lo, i32.add(get(mid), one)),
              () => set(hi, get(mid)),
            ),
            f.br('search'),
          ),
        ),
      ),
      get(lo),
    ),
  );
  return f;
}

/** stairReplace(sx, sy, t, start, end, x, y): replaces s[start..end) by (x, y); returns the new length. */
function stairReplaceFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, F64, F64], [I32]);
  const [SXB, SYB, T, START, END, X, Y] = [0, 1, 2, 3, 4, 5, 6];
  const removed = f.local(I32);
  const from = f.local(I32);
  const shift = (dst: Code, src: Code, count: Code) =>
    seq(call(MOVE, get(SXB), dst, src, count), call(MOVE, get(SYB), dst, src, count));
  f.body(
    seq(
      set(removed, i32.sub(get(END), get(START))),
      f.when(
        i32.eqz(get(removed)),
        () => shift(i32.add(get(START), one), get(START), i32.sub(get(T), get(START))),
        () =>
          f.when(i32.gtS(get(removed), one), () =>
            seq(
              set(from, i32.add(get(START), get(removed))),
              shift(i32.add(get(START), one), get(from), i32.sub(get(T), get(from))),
            ),
          ),
      ),
      st(SXB, get(START), get(X)),
      st(SYB, get(START), get(Y)),
      i32.add(i32.sub(get(T), get(removed)), one),
    ),
  );
  return f;
}

/**
 * stairInsert(sx, sy, t, x, y): inserts (x, y) into the staircase s[0..t) (x ascending, y strictly
 * descending), dropping the points it weakly dominates; returns the new length.
 */
function stairInsertFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, F64, F64], [I32]);
  const [SXB, SYB, T, X, Y] = [0, 1, 2, 3, 4];
  const pos = f.local(I32);
  const start = f.local(I32);
  const end = f.local(I32);
  f.body(
    seq(
      set(pos, call(UPPER, get(SXB), get(T), get(X))),
      set(start, get(pos)),
      f.when(i32.gtS(get(pos), zero), () =>
        seq(
          f.when(f64.le(ld(SYB, i32.sub(get(pos), one)), get(Y)), () => ret(get(T))),
          f.when(f64.eq(ld(SXB, i32.sub(get(pos), one)), get(X)), () => set(start, i32.sub(get(pos), one))),
        ),
      ),
      set(end, get(pos)),
      f.block('ended', () =>
        f.loop('scan', () =>
          seq(
            f.brIf('ended', i32.geS(get(end), get(T))),
            f.brIf('ended', f64.lt(ld(SYB, get(end)), get(Y))),
            inc(end),
            f.br('scan'),
          ),
        ),
      ),
      call(STAIR_REPLACE, get(SXB), get(SYB), get(T), get(start), get(end), get(X), get(Y)),
    ),
  );
  return f;
}

/** stairPrune(sx, sy, t, xB, yL): drops the staircase points outside the walls; returns the new length. */
function stairPruneFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, F64, F64], [I32]);
  const [SXB, SYB, T, XB, YL] = [0, 1, 2, 3, 4];
  const a = f.local(I32);
  const b = f.local(I32);
  f.body(
    seq(
      f.block('front', () =>
        f.loop('scan', () =>
          seq(
            f.brIf('front', i32.geS(get(a), get(T))),
            f.brIf('front', f64.lt(ld(SYB, get(a)), get(YL))),
            inc(a),
            f.br('scan'),
          ),
        ),
      ),
      set(b, get(T)),
      f.block('back', () =>
        f.loop('scan', () =>
          seq(
            f.brIf('back', i32.leS(get(b), get(a))),
            f.brIf('back', f64.lt(ld(SXB, i32.sub(get(b), one)), get(XB))),
            dec(b),
            f.br('scan'),
          ),
        ),
      ),
      f.when(i32.gtS(get(a), zero), () =>
        seq(
          call(MOVE, get(SXB), zero, get(a), i32.sub(get(b), get(a))),
          call(MOVE, get(SYB), zero, get(a), i32.sub(get(b), get(a))),
        ),
      ),
      i32.sub(get(b), get(a)),
    ),
  );
  return f;
}

/** exclusiveArea(sx, sy, t, px, py, xB, yL): the area of [px, xB] x [py, yL] the staircase leaves uncovered. */
function exclusiveAreaFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, F64, F64, F64, F64], [F64]);
  const [SXB, SYB, T, PXL, PYL, XB, YL] = [0, 1, 2, 3, 4, 5, 6];
  const area = f.local(F64);
  const i = f.local(I32);
  const last = f.local(I32);
  f.body(
    seq(
      f.when(i32.eqz(get(T)), () => ret(f64.mul(f64.sub(get(XB), get(PXL)), f64.sub(get(YL), get(PYL))))),
      set(area, f64.mul(f64.sub(ld(SXB, zero), get(PXL)), f64.sub(get(YL), get(PYL)))),
      set(last, i32.sub(get(T), one)),
      f.block('done', () =>
        f.loop('strips', () =>
          seq(
            f.brIf('done', i32.geS(get(i), get(last))),
            set(
              area,
              f64.add(
                get(area),
                f64.mul(
                  f64.sub(ld(SXB, i32.add(get(i), one)), ld(SXB, get(i))),
                  f64.sub(ld(SYB, get(i)), get(PYL)),
                ),
              ),
            ),
            inc(i),
            f.br('strips'),
          ),
        ),
      ),
      f64.add(
        get(area),
        f64.mul(f64.sub(get(XB), ld(SXB, get(last))), f64.sub(ld(SYB, get(last)), get(PYL))),
      ),
    ),
  );
  return f;
}

/**
 * coverSlice(sx, sy, t, qx, qy, px, py): cuts p's slice by q, inside p's walls and not covering p
 * (see hv4d.ts); the walls and the uncovered area in G_XB, G_YL, G_AREA are read and written.
 * Returns the staircase's new length.
 */
function coverSliceFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, F64, F64, F64, F64], [I32]);
  const [SXB, SYB, T, QX, QY, PXL, PYL] = [0, 1, 2, 3, 4, 5, 6];
  const lost = f.local(F64);
  const left = f.local(F64);
  const h = f.local(F64);
  const right = f.local(F64);
  const i = f.local(I32);
  const lo = f.local(I32);
  const sweepUp = (from: number, to: Code) =>
    // while i < t && sy[i] >= qy: lost += (sx[i] - left) (h - qy); left = sx[i]; h = sy[i]; i++.
    seq(
      f.block('stop', () =>
        f.loop('step', () =>
          seq(
            f.brIf('stop', i32.geS(get(from), get(T))),
            f.brIf('stop', f64.lt(ld(SYB, get(from)), get(QY))),
            set(
              lost,
              f64.add(get(lost), f64.mul(f64.sub(ld(SXB, get(from)), get(left)), f64.sub(get(h), get(QY)))),
            ),
            set(left, ld(SXB, get(from))),
            set(h, ld(SYB, get(from))),
            inc(from),
            f.br('step'),
          ),
        ),
      ),
      // lost += ((i < t ? sx[i] : xB) - left) (h - qy)
      f.when(
        i32.ltS(get(from), get(T)),
        () => set(right, ld(SXB, get(from))),
        () => set(right, to),
      ),
      set(lost, f64.add(get(lost), f64.mul(f64.sub(get(right), get(left)), f64.sub(get(h), get(QY))))),
      globalSet(G_AREA, f64.sub(globalGet(G_AREA), get(lost))),
    );
  f.body(
    seq(
      f.when(f64.le(get(QX), get(PXL)), () =>
        seq(
          // A lower left wall: it covers everything above qy; the staircase points there go.
          set(left, get(PXL)),
          set(h, globalGet(G_YL)),
          sweepUp(i, globalGet(G_XB)),
          globalSet(G_YL, get(QY)),
          f.when(i32.gtS(get(i), zero), () =>
            seq(
              call(MOVE, get(SXB), zero, get(i), i32.sub(get(T), get(i))),
              call(MOVE, get(SYB), zero, get(i), i32.sub(get(T), get(i))),
            ),
          ),
          ret(i32.sub(get(T), get(i))),
        ),
      ),
      f.when(f64.le(get(QY), get(PYL)), () =>
        seq(
          // A nearer bottom wall: it covers everything right of qx; the staircase points there go.
          set(right, globalGet(G_XB)),
          f.block('stop', () =>
            f.loop('step', () =>
              seq(
                f.brIf('stop', i32.leS(get(T), zero)),
                f.brIf('stop', f64.lt(ld(SXB, i32.sub(get(T), one)), get(QX))),
                set(
                  lost,
                  f64.add(
                    get(lost),
                    f64.mul(
                      f64.sub(get(right), ld(SXB, i32.sub(get(T), one))),
                      f64.sub(ld(SYB, i32.sub(get(T), one)), get(PYL)),
                    ),
                  ),
                ),
                set(right, ld(SXB, i32.sub(get(T), one))),
                dec(T),
                f.br('step'),
              ),
            ),
          ),
          f.when(
            i32.gtS(get(T), zero),
            () => set(h, ld(SYB, i32.sub(get(T), one))),
            () => set(h, globalGet(G_YL)),
          ),
          set(lost, f64.add(get(lost), f64.mul(f64.sub(get(right), get(QX)), f64.sub(get(h), get(PYL))))),
          globalSet(G_AREA, f64.sub(globalGet(G_AREA), get(lost))),
          globalSet(G_XB, get(QX)),
          ret(get(T)),
        ),
      ),
      // Strictly inside: q covers [qx, ...) above qy up to the first staircase point at or below qy.
      set(lo, call(UPPER, get(SXB), get(T), get(QX))),
      f.when(
        i32.gtS(get(lo), zero),
        () => set(h, ld(SYB, i32.sub(get(lo), one))),
        () => set(h, globalGet(G_YL)),
      ),
      f.when(f64.le(get(h), get(QY)), () => ret(get(T))),
      set(left, get(QX)),
      set(i, get(lo)),
      sweepUp(i, globalGet(G_XB)),
      // start: lo - 1 when sx[lo - 1] = qx, else lo.
      f.when(i32.gtS(get(lo), zero), () =>
        f.when(f64.eq(ld(SXB, i32.sub(get(lo), one)), get(QX)), () => dec(lo)),
      ),
      call(STAIR_REPLACE, get(SXB), get(SYB), get(T), get(lo), get(i), get(QX), get(QY)),
    ),
  );
  return f;
}

/**
 * contribution3d(k, px, py, pz, markDead): p's exclusive 3-D contribution to C[0..k) (z ascending)
 * into G_OUT; 0 when an entry of C weakly dominates p. Sets G_SPLIT (the first entry above p in z)
 * and, when markDead, flags the entries p dominates (G_ANY_DEAD, G_DEAD_FROM). As contribution3d
 * and sweepAbove in hv4d.ts.
 */
function contribution3dFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, F64, F64, F64, I32], [I32]);
  const [K, PXL, PYL, PZL, MARK] = [0, 1, 2, 3, 4];
  const cx = f.local(I32);
  const cy = f.local(I32);
  const cz = f.local(I32);
  const sx = f.local(I32);
  const sy = f.local(I32);
  const cand = f.local(I32);
  const dead = f.local(I32);
  const xB = f.local(F64);
  const yL = f.local(F64);
  const qx = f.local(F64);
  const qy = f.local(F64);
  const qz = f.local(F64);
  const t = f.local(I32);
  const inside = f.local(I32);
  const split = f.local(I32);
  const tied = f.local(I32);
  const j = f.local(I32);
  const r = f.local(I32);
  const anyDead = f.local(I32);
  const deadFrom = f.local(I32);
  const left = f.local(I32);
  const below = f.local(I32);
  const area = f.local(F64);
  const vol = f.local(F64);
  const z = f.local(F64);
  const marks = f.local(I32);
  const d = f.local(I32);
  // p is dominated: no entry may stay flagged.
  const dominated = () =>
    seq(
      f.when(get(anyDead), () =>
        seq(
          set(r, get(j)),
          f.block('cleared', () =>
            f.loop('clear', () =>
              seq(
                f.brIf('cleared', i32.geS(get(r), get(split))),
                sti(dead, get(r), zero),
                inc(r),
                f.br('clear'),
              ),
            ),
          ),
        ),
      ),
      ret(zero),
    );
  f.body(
    seq(
      set(cx, region(CX)),
      set(cy, region(CY)),
      set(cz, region(CZ)),
      set(sx, region(CSX)),
      set(sy, region(CSY)),
      set(cand, region(CCAND)),
      set(dead, region(DEAD)),
      set(split, call(UPPER, get(cz), get(K), get(PZL))),
      set(deadFrom, get(split)),
      set(tied, get(split)),
      f.block('untied', () =>
        f.loop('scan', () =>
          seq(
            f.brIf('untied', i32.leS(get(tied), zero)),
            f.brIf('untied', f64.ne(ld(cz, i32.sub(get(tied), one)), get(PZL))),
            dec(tied),
            f.br('scan'),
          ),
        ),
      ),
      // The entries tied with p in z, downwards (flagged when p dominates them).
      set(j, get(split)),
      f.block('tiedDone', () =>
        f.loop('tiedScan', () =>
          seq(
            f.brIf('tiedDone', i32.leS(get(j), get(tied))),
            dec(j),
            set(qx, ld(cx, get(j))),
            set(qy, ld(cy, get(j))),
            f.when(get(MARK), () =>
              f.when(i32.and(f64.ge(get(qx), get(PXL)), f64.ge(get(qy), get(PYL))), () =>
                seq(sti(dead, get(j), one), set(anyDead, one), set(deadFrom, get(j))),
              ),
            ),
            f.when(
              f64.le(get(qx), get(PXL)),
              () =>
                seq(
                  f.when(f64.le(get(qy), get(PYL)), dominated),
                  f.when(f64.lt(get(qy), get(yL)), () => set(yL, get(qy))),
                ),
              () =>
                f.when(
                  f64.le(get(qy), get(PYL)),
                  () => f.when(f64.lt(get(qx), get(xB)), () => set(xB, get(qx))),
                  () =>
                    f.when(i32.and(f64.lt(get(qx), get(xB)), f64.lt(get(qy), get(yL))), () =>
                      seq(sti(cand, get(inside), get(j)), inc(inside)),
                    ),
                ),
            ),
            f.br('tiedScan'),
          ),
        ),
      ),
      // The rest, downwards: only an entry strictly inside the walls so far matters.
      set(j, get(tied)),
      f.block('belowDone', () =>
        f.loop('belowScan', () =>
          seq(
            f.brIf('belowDone', i32.leS(get(j), zero)),
            dec(j),
            set(qx, ld(cx, get(j))),
            set(qy, ld(cy, get(j))),
            f.brIf('belowScan', i32.eqz(i32.and(f64.lt(get(qx), get(xB)), f64.lt(get(qy), get(yL))))),
            set(left, f64.le(get(qx), get(PXL))),
            set(below, f64.le(get(qy), get(PYL))),
            f.when(i32.and(get(left), get(below)), dominated),
            f.when(get(left), () => set(yL, get(qy))),
            f.when(get(below), () => set(xB, get(qx))),
            sti(cand, get(inside), get(j)),
            set(inside, i32.add(get(inside), i32.sub(one, i32.or(get(left), get(below))))),
            f.br('belowScan'),
          ),
        ),
      ),
      // The staircase of the candidates inside the final walls.
      set(r, zero),
      f.block('stairDone', () =>
        f.loop('stair', () =>
          seq(
            f.brIf('stairDone', i32.geS(get(r), get(inside))),
            set(j, ldi(cand, get(r))),
            set(qx, ld(cx, get(j))),
            set(qy, ld(cy, get(j))),
            f.when(i32.and(f64.lt(get(qx), get(xB)), f64.lt(get(qy), get(yL))), () =>
              set(t, call(STAIR_INSERT, get(sx), get(sy), get(t), get(qx), get(qy))),
            ),
            inc(r),
            f.br('stair'),
          ),
        ),
      ),
      // Above p: sweep z until an entry covers p in x and y.
      set(t, call(STAIR_PRUNE, get(sx), get(sy), get(t), get(xB), get(yL))),
      set(area, call(EXCLUSIVE_AREA, get(sx), get(sy), get(t), get(PXL), get(PYL), get(xB), get(yL))),
      set(z, get(PZL)),
      set(j, get(split)),
      f.block('covered', () =>
        seq(
          f.block('swept', () =>
            f.loop('sweep', () =>
              seq(
                f.brIf('swept', i32.geS(get(j), get(K))),
                set(qz, ld(cz, get(j))),
                set(vol, f64.add(get(vol), f64.mul(get(area), f64.sub(get(qz), get(z))))),
                set(z, get(qz)),
                set(qx, ld(cx, get(j))),
                set(qy, ld(cy, get(j))),
                f.when(i32.or(f64.ge(get(qx), get(xB)), f64.ge(get(qy), get(yL))), () =>
                  seq(
                    // Outside p's walls: changes nothing, but may be dominated by p.
                    f.when(get(MARK), () =>
                      seq(
                        set(d, i32.and(f64.ge(get(qx), get(PXL)), f64.ge(get(qy), get(PYL)))),
                        sti(dead, get(j), get(d)),
                        set(marks, i32.or(get(marks), get(d))),
                      ),
                    ),
                    inc(j),
                    f.br('sweep'),
                  ),
                ),
                f.brIf('covered', i32.and(f64.le(get(qx), get(PXL)), f64.le(get(qy), get(PYL)))),
                f.when(get(MARK), () =>
                  f.when(
                    i32.or(
                      i32.or(f64.eq(get(qx), get(PXL)), f64.eq(get(qy), get(PYL))),
                      i32.and(f64.gt(get(qx), get(PXL)), f64.gt(get(qy), get(PYL))),
                    ),
                    () => seq(sti(dead, get(j), one), set(anyDead, one)),
                  ),
                ),
                globalSet(G_XB, get(xB)),
                globalSet(G_YL, get(yL)),
                globalSet(G_AREA, get(area)),
                set(t, call(COVER_SLICE, get(sx), get(sy), get(t), get(qx), get(qy), get(PXL), get(PYL))),
                set(xB, globalGet(G_XB)),
                set(yL, globalGet(G_YL)),
                set(area, globalGet(G_AREA)),
                inc(j),
                f.br('sweep'),
              ),
            ),
          ),
          // Not covered: up to the reference.
          set(vol, f64.add(get(vol), f64.mul(get(area), f64.sub(f64.const(0), get(z))))),
        ),
      ),
      f.when(get(marks), () => set(anyDead, one)),
      globalSet(G_OUT, get(vol)),
      globalSet(G_SPLIT, get(split)),
      globalSet(G_DEAD_FROM, get(deadFrom)),
      globalSet(G_ANY_DEAD, get(anyDead)),
      one,
    ),
  );
  return f;
}

/**
 * addToC(k, px, py, pz): inserts p into C[0..k) at G_SPLIT after a contribution3d with markDead
 * found it not dominated, dropping the flagged entries; returns the new length.
 */
function addToCFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, F64, F64, F64], [I32]);
  const [K, PXL, PYL, PZL] = [0, 1, 2, 3];
  const cx = f.local(I32);
  const cy = f.local(I32);
  const cz = f.local(I32);
  const dead = f.local(I32);
  const split = f.local(I32);
  const w = f.local(I32);
  const rr = f.local(I32);
  const newSplit = f.local(I32);
  f.body(
    seq(
      set(cx, region(CX)),
      set(cy, region(CY)),
      set(cz, region(CZ)),
      set(dead, region(DEAD)),
      set(split, globalGet(G_SPLIT)),
      f.when(globalGet(G_ANY_DEAD), () =>
        seq(
          set(w, globalGet(G_DEAD_FROM)),
          set(newSplit, get(split)),
          set(rr, get(w)),
          f.block('compacted', () =>
            f.loop('compact', () =>
              seq(
                f.brIf('compacted', i32.geS(get(rr), get(K))),
                f.when(i32.eq(get(rr), get(split)), () => set(newSplit, get(w))),
                f.when(
                  i32.eq(ldi(dead, get(rr)), one),
                  () => sti(dead, get(rr), zero),
                  () =>
                    seq(
                      st(cx, get(w), ld(cx, get(rr))),
                      st(cy, get(w), ld(cy, get(rr))),
                      st(cz, get(w), ld(cz, get(rr))),
                      inc(w),
                    ),
                ),
                inc(rr),
                f.br('compact'),
              ),
            ),
          ),
          f.when(
            i32.eq(get(split), get(K)),
            () => set(split, get(w)),
            () => set(split, get(newSplit)),
          ),
          set(K, get(w)),
        ),
      ),
      call(MOVE, get(cx), i32.add(get(split), one), get(split), i32.sub(get(K), get(split))),
      call(MOVE, get(cy), i32.add(get(split), one), get(split), i32.sub(get(K), get(split))),
      call(MOVE, get(cz), i32.add(get(split), one), get(split), i32.sub(get(K), get(split))),
      st(cx, get(split), get(PXL)),
      st(cy, get(split), get(PYL)),
      st(cz, get(split), get(PZL)),
      i32.add(get(K), one),
    ),
  );
  return f;
}

/**
 * clippedBelow(i, thr): writes to C (z ascending) the active points of w rank <= thr clipped to the
 * box of point i, less most of those another one dominates; returns their count, -1 when one weakly
 * dominates p. Sets C's walls G_CYL, G_CXB, G_CZW. As clippedBelow in the JavaScript version.
 */
function clippedBelowFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32], [I32]);
  const [I, THR] = [0, 1];
  const ax = f.local(I32);
  const ay = f.local(I32);
  const az = f.local(I32);
  const ar = f.local(I32);
  const sx = f.local(I32);
  const sy = f.local(I32);
  const cand = f.local(I32);
  const cx = f.local(I32);
  const cy = f.local(I32);
  const cz = f.local(I32);
  const k = f.local(I32);
  const px = f.local(F64);
  const py = f.local(F64);
  const pz = f.local(F64);
  const xB = f.local(F64);
  const yL = f.local(F64);
  const zW = f.local(F64);
  const qx = f.local(F64);
  const qy = f.local(F64);
  const ux = f.local(F64);
  const uy = f.local(F64);
  const j = f.local(I32);
  const c = f.local(I32);
  const r = f.local(I32);
  const inside = f.local(I32);
  const left = f.local(I32);
  const below = f.local(I32);
  const t = f.local(I32);
  const kc = f.local(I32);
  const lo = f.local(I32);
  const base = f.local(I32);
  f.body(
    seq(
      set(ax, region(AX)),
      set(ay, region(AY)),
      set(az, region(AZ)),
      set(ar, region(AR)),
      set(sx, region(SX)),
      set(sy, region(SY)),
      set(cand, region(CAND)),
      set(cx, region(CX)),
      set(cy, region(CY)),
      set(cz, region(CZ)),
      set(k, globalGet(G_K)),
      set(base, region(PX)),
      set(px, ld(base, get(I))),
      set(base, region(PY)),
      set(py, ld(base, get(I))),
      set(base, region(PZ)),
      set(pz, ld(base, get(I))),
      // At or below p in z: the walls and the candidates of the staircase in p's z plane.
      f.block('lowDone', () =>
        f.loop('low', () =>
          seq(
            f.brIf('lowDone', i32.geS(get(j), get(k))),
            f.brIf('lowDone', f64.gt(ld(az, get(j)), get(pz))),
            set(qx, ld(ax, get(j))),
            set(qy, ld(ay, get(j))),
            f.when(
              i32.and(
                i32.and(f64.lt(get(qx), get(xB)), f64.lt(get(qy), get(yL))),
                i32.leS(ldi(ar, get(j)), get(THR)),
              ),
              () =>
                seq(
                  set(left, f64.le(get(qx), get(px))),
                  set(below, f64.le(get(qy), get(py))),
                  f.when(i32.and(get(left), get(below)), () => ret(i32.const(-1))),
                  f.when(get(left), () => set(yL, get(qy))),
                  f.when(get(below), () => set(xB, get(qx))),
                  sti(cand, get(inside), get(j)),
                  set(inside, i32.add(get(inside), i32.sub(one, i32.or(get(left), get(below))))),
                ),
            ),
            inc(j),
            f.br('low'),
          ),
        ),
      ),
      // The staircase in p's z plane: the left wall (px, yL), the points inside the walls, (xB, py).
      f.when(f64.lt(get(yL), f64.const(0)), () =>
        seq(st(sx, zero, get(px)), st(sy, zero, get(yL)), set(t, one)),
      ),
      f.block('candDone', () =>
        f.loop('cands', () =>
          seq(
            f.brIf('candDone', i32.geS(get(c), get(inside))),
            set(r, ldi(cand, get(c))),
            set(qx, ld(ax, get(r))),
            set(qy, ld(ay, get(r))),
            f.when(i32.and(f64.lt(get(qx), get(xB)), f64.lt(get(qy), get(yL))), () =>
              set(t, call(STAIR_INSERT, get(sx), get(sy), get(t), get(qx), get(qy))),
            ),
            inc(c),
            f.br('cands'),
          ),
        ),
      ),
      f.when(f64.lt(get(xB), f64.const(0)), () =>
        seq(st(sx, get(t), get(xB)), st(sy, get(t), get(py)), inc(t)),
      ),
      globalSet(G_CYL, get(yL)),
      globalSet(G_CXB, get(xB)),
      set(c, zero),
      f.block('copied', () =>
        f.loop('copy', () =>
          seq(
            f.brIf('copied', i32.geS(get(c), get(t))),
            st(cx, get(c), ld(sx, get(c))),
            st(cy, get(c), ld(sy, get(c))),
            st(cz, get(c), get(pz)),
            inc(c),
            f.br('copy'),
          ),
        ),
      ),
      set(kc, get(t)),
      // Above p in z: kept when the staircase of those before them does not dominate them.
      f.block('highDone', () =>
        f.loop('high', () =>
          seq(
            f.brIf('highDone', i32.geS(get(j), get(k))),
            f.when(
              i32.eqz(
                i32.or(
                  i32.or(i32.gtS(ldi(ar, get(j)), get(THR)), f64.ge(ld(ay, get(j)), get(yL))),
                  i32.or(f64.ge(ld(ax, get(j)), get(xB)), f64.ge(ld(az, get(j)), get(zW))),
                ),
              ),
              () =>
                seq(
                  set(ux, f64.max(ld(ax, get(j)), get(px))),
                  set(uy, f64.max(ld(ay, get(j)), get(py))),
                  set(lo, call(UPPER, get(sx), get(t), get(ux))),
                  f.block('kept', () =>
                    seq(
                      f.when(i32.gtS(get(lo), zero), () =>
                        f.brIf('kept', f64.le(ld(sy, i32.sub(get(lo), one)), get(uy))),
                      ),
                      set(t, call(STAIR_INSERT, get(sx), get(sy), get(t), get(ux), get(uy))),
                      f.when(
                        i32.and(
                          i32.and(f64.eq(get(ux), get(px)), f64.eq(get(uy), get(py))),
                          f64.lt(ld(az, get(j)), get(zW)),
                        ),
                        () => set(zW, ld(az, get(j))),
                      ),
                      st(cx, get(kc), get(ux)),
                      st(cy, get(kc), get(uy)),
                      st(cz, get(kc), ld(az, get(j))),
                      inc(kc),
                    ),
                  ),
                ),
            ),
            inc(j),
            f.br('high'),
          ),
        ),
      ),
      globalSet(G_CZW, get(zW)),
      get(kc),
    ),
  );
  return f;
}

/**
 * contribution4d(i): point i's exclusive 4-D contribution to the active set into G_OUT; 0 when an
 * active point weakly dominates it. As contribution4d in the JavaScript version.
 */
function contribution4dFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], [I32]);
  const [I] = [0];
  const base = f.local(I32);
  const wx = f.local(I32);
  const wy = f.local(I32);
  const wz = f.local(I32);
  const ww = f.local(I32);
  const active = f.local(I32);
  const px = f.local(F64);
  const py = f.local(F64);
  const pz = f.local(F64);
  const pw = f.local(F64);
  const thr = f.local(I32);
  const kc = f.local(I32);
  const v3 = f.local(F64);
  const xB = f.local(F64);
  const yL = f.local(F64);
  const zW = f.local(F64);
  const vol = f.local(F64);
  const w = f.local(F64);
  const words = f.local(I32);
  const word = f.local(I32);
  const bits = f.local(I32);
  const r = f.local(I32);
  const qw = f.local(F64);
  const qx = f.local(F64);
  const qy = f.local(F64);
  const qz = f.local(F64);
  const ux = f.local(F64);
  const uy = f.local(F64);
  const uz = f.local(F64);
  f.body(
    seq(
      set(wx, region(WX)),
      set(wy, region(WY)),
      set(wz, region(WZ)),
      set(ww, region(WW)),
      set(active, region(ACTIVE)),
      set(base, region(PX)),
      set(px, ld(base, get(I))),
      set(base, region(PY)),
      set(py, ld(base, get(I))),
      set(base, region(PZ)),
      set(pz, ld(base, get(I))),
      set(base, region(PW)),
      set(pw, ld(base, get(I))),
      set(base, region(RANK)),
      set(r, ldi(base, get(I))),
      set(base, region(RUN_END)),
      set(thr, ldi(base, get(r))),
      set(kc, call(CLIPPED_BELOW, get(I), get(thr))),
      f.when(i32.ltS(get(kc), zero), () => ret(zero)),
      // C lies in p's box, above p: p is not dominated.
      f.when(
        call(CONTRIBUTION3D, get(kc), get(px), get(py), get(pz), zero),
        () => set(v3, globalGet(G_OUT)),
        () => set(v3, f64.const(-1)),
      ),
      set(yL, globalGet(G_CYL)),
      set(xB, globalGet(G_CXB)),
      set(zW, globalGet(G_CZW)),
      set(w, get(pw)),
      // The active points above p in w, by rank: the set bits of `active` from thr + 1 on.
      set(words, i32.shrU(i32.add(globalGet(G_N), i32.const(31)), i32.const(5))),
      set(r, i32.add(get(thr), one)),
      set(word, i32.shrU(get(r), i32.const(5))),
      f.when(i32.ltS(get(word), get(words)), () =>
        set(bits, i32.and(ldi(active, get(word)), i32.shl(i32.const(-1), i32.and(get(r), i32.const(31))))),
      ),
      f.loop('above', () =>
        seq(
          f.block('found', () =>
            f.loop('next', () =>
              seq(
                f.brIf('found', get(bits)),
                inc(word),
                f.when(i32.geS(get(word), get(words)), () =>
                  seq(
                    globalSet(G_OUT, f64.add(get(vol), f64.mul(get(v3), f64.sub(f64.const(0), get(w))))),
                    ret(one),
                  ),
                ),
                set(bits, ldi(active, get(word))),
                f.br('next'),
              ),
            ),
          ),
          set(r, i32.add(i32.shl(get(word), i32.const(5)), i32.ctz(get(bits)))),
          set(bits, i32.and(get(bits), i32.sub(get(bits), one))),
          set(qw, ld(ww, get(r))),
          set(vol, f64.add(get(vol), f64.mul(get(v3), f64.sub(get(qw), get(w))))),
          set(w, get(qw)),
          set(qx, ld(wx, get(r))),
          set(qy, ld(wy, get(r))),
          set(qz, ld(wz, get(r))),
          f.when(
            i32.and(i32.and(f64.le(get(qx), get(px)), f64.le(get(qy), get(py))), f64.le(get(qz), get(pz))),
            () => seq(globalSet(G_OUT, get(vol)), ret(one)),
          ),
          // Behind one of C's walls: changes nothing.
          f.brIf(
            'above',
            i32.or(i32.or(f64.ge(get(qy), get(yL)), f64.ge(get(qx), get(xB))), f64.ge(get(qz), get(zW))),
          ),
          set(ux, f64.max(get(qx), get(px))),
          set(uy, f64.max(get(qy), get(py))),
          set(uz, f64.max(get(qz), get(pz))),
          f.when(call(CONTRIBUTION3D, get(kc), get(ux), get(uy), get(uz), one), () =>
            seq(
              set(v3, f64.sub(get(v3), globalGet(G_OUT))),
              set(kc, call(ADD_TO_C, get(kc), get(ux), get(uy), get(uz))),
              f.when(
                f64.eq(get(ux), get(px)),
                () =>
                  f.when(
                    f64.eq(get(uy), get(py)),
                    () => set(zW, get(uz)),
                    () => f.when(f64.eq(get(uz), get(pz)), () => set(yL, get(uy))),
                  ),
                () =>
                  f.when(i32.and(f64.eq(get(uy), get(py)), f64.eq(get(uz), get(pz))), () => set(xB, get(ux))),
              ),
            ),
          ),
          f.br('above'),
        ),
      ),
      one,
    ),
  );
  return f;
}

/**
 * insert(i): adds point i to the active set (z order), dropping the points it weakly dominates in
 * 4-D. As insert in the JavaScript version.
 */
function insertFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], []);
  const [I] = [0];
  const ax = f.local(I32);
  const ay = f.local(I32);
  const az = f.local(I32);
  const ar = f.local(I32);
  const active = f.local(I32);
  const base = f.local(I32);
  const k = f.local(I32);
  const px = f.local(F64);
  const py = f.local(F64);
  const pz = f.local(F64);
  const rank = f.local(I32);
  const low = f.local(I32);
  const hx = f.local(F64);
  const hy = f.local(F64);
  const hz = f.local(F64);
  const hr = f.local(I32);
  const ex = f.local(F64);
  const ey = f.local(F64);
  const ez = f.local(F64);
  const er = f.local(I32);
  const w = f.local(I32);
  const j = f.local(I32);
  const bit = (rr: Code) => i32.shl(one, i32.and(rr, i32.const(31)));
  const wordAt = (rr: Code) => at4(get(active), i32.shrU(rr, i32.const(5)));
  f.body(
    seq(
      set(ax, region(AX)),
      set(ay, region(AY)),
      set(az, region(AZ)),
      set(ar, region(AR)),
      set(active, region(ACTIVE)),
      set(k, globalGet(G_K)),
      set(base, region(PX)),
      set(px, ld(base, get(I))),
      set(base, region(PY)),
      set(py, ld(base, get(I))),
      set(base, region(PZ)),
      set(pz, ld(base, get(I))),
      set(base, region(RANK)),
      set(rank, ldi(base, get(I))),
      set(base, region(RUN_START)),
      set(low, ldi(base, get(rank))),
      set(j, call(LOWER, get(az), get(k), get(pz))),
      set(w, get(j)),
      set(hx, get(px)),
      set(hy, get(py)),
      set(hz, get(pz)),
      set(hr, get(rank)),
      f.block('done', () =>
        f.loop('carry', () =>
          seq(
            f.brIf('done', i32.geS(get(j), get(k))),
            set(ex, ld(ax, get(j))),
            set(ey, ld(ay, get(j))),
            set(er, ldi(ar, get(j))),
            f.when(
              i32.and(
                i32.and(f64.ge(get(ex), get(px)), f64.ge(get(ey), get(py))),
                i32.geS(get(er), get(low)),
              ),
              () =>
                seq(
                  i32.store(
                    wordAt(get(er)),
                    i32.and(i32.load(wordAt(get(er))), i32.xor(bit(get(er)), i32.const(-1))),
                  ),
                ),
              () =>
                seq(
                  set(ez, ld(az, get(j))),
                  st(ax, get(w), get(hx)),
                  st(ay, get(w), get(hy)),
                  st(az, get(w), get(hz)),
                  sti(ar, get(w), get(hr)),
                  inc(w),
                  set(hx, get(ex)),
                  set(hy, get(ey)),
                  set(hz, get(ez)),
                  set(hr, get(er)),
                ),
            ),
            inc(j),
            f.br('carry'),
          ),
        ),
      ),
      st(ax, get(w), get(hx)),
      st(ay, get(w), get(hy)),
      st(az, get(w), get(hz)),
      sti(ar, get(w), get(hr)),
      i32.store(wordAt(get(rank)), i32.or(i32.load(wordAt(get(rank))), bit(get(rank)))),
      globalSet(G_K, i32.add(get(w), one)),
    ),
  );
  return f;
}

/** hv5d(n): the sweep over the points in memory (fifth objective ascending); the hypervolume. */
function hv5dFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], [F64]);
  const [N] = [0];
  const pv = f.local(I32);
  const t = f.local(I32);
  const v4 = f.local(F64);
  const hv = f.local(F64);
  const comp = f.local(F64);
  const vnext = f.local(F64);
  const term = f.local(F64);
  const s = f.local(F64);
  f.body(
    seq(
      set(pv, region(PV)),
      globalSet(G_N, get(N)),
      globalSet(G_K, zero),
      f.block('done', () =>
        f.loop('sweep', () =>
          seq(
            f.brIf('done', i32.geS(get(t), get(N))),
            f.when(call(CONTRIBUTION4D, get(t)), () =>
              seq(set(v4, f64.add(get(v4), globalGet(G_OUT))), call(INSERT, get(t))),
            ),
            f.when(
              i32.ltS(i32.add(get(t), one), get(N)),
              () => set(vnext, ld(pv, i32.add(get(t), one))),
              () => set(vnext, f64.const(0)),
            ),
            set(term, f64.mul(get(v4), f64.sub(get(vnext), ld(pv, get(t))))),
            set(s, f64.add(get(hv), get(term))),
            f.when(
              f64.ge(f64.abs(get(hv)), f64.abs(get(term))),
              () => set(comp, f64.add(get(comp), f64.add(f64.sub(get(hv), get(s)), get(term)))),
              () => set(comp, f64.add(get(comp), f64.add(f64.sub(get(term), get(s)), get(hv)))),
            ),
            set(hv, get(s)),
            inc(t),
            f.br('sweep'),
          ),
        ),
      ),
      f64.add(get(hv), get(comp)),
    ),
  );
  return f;
}

/** setStride(bytes): the regions' stride. */
function setStrideFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], []);
  f.body(globalSet(G_STRIDE, get(0)));
  return f;
}

interface Exports {
  readonly hv5d: (n: number) => number;
  readonly setStride: (bytes: number) => void;
  readonly memory: WasmMemory;
}

/** The functions by index (a call names its callee by index), and the names of those exported. */
const FUNCTIONS: [number, () => FunctionBuilder, string?][] = [
  [MOVE, moveFn],
  [UPPER, () => boundFn(true)],
  [LOWER, () => boundFn(false)],
  [STAIR_REPLACE, stairReplaceFn],
  [STAIR_INSERT, stairInsertFn],
  [STAIR_PRUNE, stairPruneFn],
  [EXCLUSIVE_AREA, exclusiveAreaFn],
  [COVER_SLICE, coverSliceFn],
  [CONTRIBUTION3D, contribution3dFn],
  [ADD_TO_C, addToCFn],
  [CLIPPED_BELOW, clippedBelowFn],
  [CONTRIBUTION4D, contribution4dFn],
  [INSERT, insertFn],
  [HV5D, hv5dFn, 'hv5d'],
  [SET_STRIDE, setStrideFn, 'setStride'],
];

const kernels = instantiate<Exports>(
  moduleBytes({
    functions: FUNCTIONS.map(([index, build, name], position) => {
      if (index !== position) throw new Error(`hv5d: function ${index} listed at position ${position}`);
      return { fn: build(), ...(name === undefined ? {} : { name }) };
    }),
    globals: [...GLOBALS],
    memoryPages: 1,
  }),
  'hypervolume kernels',
  '',
);

/** Reusable buffers for {@link hv5d}'s sorting; grows on demand so repeated calls allocate nothing. */
export class Hv5dWorkspace {
  capacity = -1;
  order5 = new Int32Array(0);
  order4 = new Int32Array(0);
  rank4 = new Int32Array(0);

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    this.capacity = cap;
    this.order5 = new Int32Array(cap);
    this.order4 = new Int32Array(cap);
    this.rank4 = new Int32Array(cap);
  }
}

/** The module's memory as doubles and as 32-bit integers, for `capacity` points. */
let memoryCapacity = -1;
let stride = 0;
let doubles = new Float64Array(0);
let ints = new Int32Array(0);

function cover(n: number): void {
  if (n <= memoryCapacity && doubles.buffer === kernels.memory.buffer) return;
  if (n > memoryCapacity) {
    memoryCapacity = Math.max(n, 2 * memoryCapacity, 64);
    stride = (memoryCapacity + 4) * 8;
    const bytes = REGIONS * stride;
    const have = kernels.memory.buffer.byteLength;
    if (have < bytes) kernels.memory.grow(Math.ceil((bytes - have) / PAGE));
    kernels.setStride(stride);
    doubles = new Float64Array(kernels.memory.buffer);
    ints = new Int32Array(kernels.memory.buffer);
    // The kernels keep contribution3d's flags clear between calls; the regions moved.
    ints.fill(0, (DEAD * stride) >>> 2, ((DEAD + 1) * stride) >>> 2);
    return;
  }
  doubles = new Float64Array(kernels.memory.buffer);
  ints = new Int32Array(kernels.memory.buffer);
}

/**
 * Hypervolume in five objectives, O(n^3) at worst and close to O(n^2) on fronts (a point's cost is
 * one scan of the active set plus a few cheap wall tests per point above it in w, and an O(|C|) 3-D
 * contribution for the rare ones that pass): the dimension sweep of Fonseca, Paquete and
 * López-Ibáñez (2006) on the fifth objective with the 4-D volume of the points seen so far kept up to
 * date by adding each newcomer's exclusive 4-D contribution, computed as in onec4dplusU of Guerreiro
 * and Fonseca (2018): p's exclusive 3-D volume against the points at or below it in w, then,
 * sweeping w upwards, that volume shrinks by the 3-D contribution of each point above (clipped to
 * p's box) until one covers p in x, y and z. No limit set is built or filtered; the active set drops
 * the points a newcomer dominates in 4-D. Points are translated so the reference is the origin
 * (every coordinate < 0).
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
  cover(n);
  const { order5, order4, rank4 } = work;
  argsortLex(vs, vs, n, order5);
  argsortLex(ws, ws, n, order4);
  const d = doubles;
  const s = ints;
  const s8 = stride >>> 3;
  const s4 = stride >>> 2;
  for (let r = 0; r < n; r++) {
    const i = order4[r]!;
    rank4[i] = r;
    d[WX * s8 + r] = xs[i]!;
    d[WY * s8 + r] = ys[i]!;
    d[WZ * s8 + r] = zs[i]!;
    d[WW * s8 + r] = ws[i]!;
  }
  const ww = WW * s8;
  for (let r = 0; r < n; ) {
    let e = r;
    while (e + 1 < n && d[ww + e + 1] === d[ww + r]) e++;
    for (let q = r; q <= e; q++) {
      s[RUN_START * s4 + q] = r;
      s[RUN_END * s4 + q] = e;
    }
    r = e + 1;
  }
  for (let t = 0; t < n; t++) {
    const i = order5[t]!;
    d[PX * s8 + t] = xs[i]!;
    d[PY * s8 + t] = ys[i]!;
    d[PZ * s8 + t] = zs[i]!;
    d[PW * s8 + t] = ws[i]!;
    d[PV * s8 + t] = vs[i]!;
    s[RANK * s4 + t] = rank4[i]!;
  }
  s.fill(0, ACTIVE * s4, ACTIVE * s4 + ((n + 31) >>> 5));
  return kernels.hv5d(n);
}
