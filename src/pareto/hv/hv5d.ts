/**
 * The hypervolume in five objectives ({@link hv5d}), in WebAssembly: the sweep and its 3-D
 * contributions are a module built here with the project's assembler (wasm/assembler.ts) when this
 * file loads; JavaScript sorts the points and lays them out in the module's memory.
 *
 * Why WebAssembly: the same algorithm in JavaScript (V8, typed arrays, every double kept out of
 * boxed arguments and returns) took 2.2 ms on a 300-point front where this takes 1.4 to 1.5 ms, and
 * moocore's C 1.7 to 1.9 ms; at 1000 points 10.0 ms against 7.0 (moocore 13.7; bench/hv.ts with
 * --baseline, bench/results/hv-wasm-baseline.json). The kernels are branchy scalar code: the gain is
 * no bounds or type checks and doubles passed and returned in registers, not SIMD. Each function
 * below does the former JavaScript functions' operations in their order, so the volumes did not
 * change in the last bit (checked on fronts, grids, clouds and cubes before they were replaced).
 */
import {
  at4,
  at8,
  type Code,
  call,
  decrement as dec,
  F64,
  FunctionBuilder,
  f64,
  get,
  globalGet,
  globalSet,
  I32,
  i32,
  increment as inc,
  f64At as ld,
  i32At as ldi,
  ret,
  seq,
  set,
  storeF64At as st,
  storeI32At as sti,
} from '../../wasm/assembler.js';
import { argsortLex } from './index-sort.js';
import { KernelModule } from './kernel-module.js';
import {
  boundCode,
  candidateStaircase,
  compensatedAdd,
  FIRST_OWN_FUNCTION,
  FIRST_OWN_GLOBAL,
  G_MARKED,
  G_OUT,
  moveCode,
  region,
  STAIR_INSERT_AT,
  SWEEP_ABOVE,
  tiedWallStep,
  wallStep,
} from './staircase.js';

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

// Globals after the shared ones (staircase.ts).
/** C's walls, set by clippedBelow. */
const G_CYL = FIRST_OWN_GLOBAL;
const G_CXB = FIRST_OWN_GLOBAL + 1;
const G_CZW = FIRST_OWN_GLOBAL + 2;
/** Set by contribution3d: the first entry above p in z, the first flagged entry, whether any is. */
const G_SPLIT = FIRST_OWN_GLOBAL + 3;
const G_DEAD_FROM = FIRST_OWN_GLOBAL + 4;
const G_ANY_DEAD = FIRST_OWN_GLOBAL + 5;
/** The active set's size and the number of points. */
const G_K = FIRST_OWN_GLOBAL + 6;
const G_N = FIRST_OWN_GLOBAL + 7;
const GLOBALS = [F64, F64, F64, I32, I32, I32, I32, I32] as const;

// Function indices after the shared ones.
const CONTRIBUTION3D = FIRST_OWN_FUNCTION;
const ADD_TO_C = FIRST_OWN_FUNCTION + 1;
const CLIPPED_BELOW = FIRST_OWN_FUNCTION + 2;
const CONTRIBUTION4D = FIRST_OWN_FUNCTION + 3;
const INSERT = FIRST_OWN_FUNCTION + 4;
const HV5D = FIRST_OWN_FUNCTION + 5;

const one = i32.const(1);
const zero = i32.const(0);

/**
 * contribution3d(k, px, py, pz, markDead): p's exclusive 3-D contribution to C[0..k) (z ascending),
 * HV(C + p) - HV(C), into G_OUT; 0 when an entry of C weakly dominates p. O(k) scans plus a 2-D
 * staircase inside p's box: the entries at or below p in z, scanned downwards (a dominating one, on
 * tie-heavy sets, lies close below p), give the walls xB, yL and the starting slice; the entries
 * above are swept in z until one covers p (sweepAbove, staircase.ts). Sets G_SPLIT (the first entry
 * above p in z) and, when markDead, flags the entries p dominates (G_ANY_DEAD, G_DEAD_FROM: no entry
 * below it is flagged), which addToC then drops.
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
  const t = f.local(I32);
  const inside = f.local(I32);
  const split = f.local(I32);
  const tied = f.local(I32);
  const j = f.local(I32);
  const r = f.local(I32);
  const anyDead = f.local(I32);
  const deadFrom = f.local(I32);
  const vol = f.local(F64);
  const walls = { px: PXL, py: PYL, xB, yL, cand, inside };
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
      boundCode(f, cz, get(K), get(PZL), split, true),
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
            tiedWallStep(f, walls, qx, qy, get(j), dominated),
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
            wallStep(f, walls, qx, qy, get(j), dominated),
            f.br('belowScan'),
          ),
        ),
      ),
      // The staircase of the candidates inside the final walls.
      candidateStaircase(f, walls, cx, cy, sx, sy, t),
      // Above p: sweep z until an entry covers p in x and y.
      set(
        vol,
        call(
          SWEEP_ABOVE,
          ...[get(sx), get(sy), get(t), get(PXL), get(PYL), get(PZL), get(xB), get(yL)],
          ...[get(cx), get(cy), get(cz), get(split), get(K), get(dead), get(MARK)],
        ),
      ),
      f.when(globalGet(G_MARKED), () => set(anyDead, one)),
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
      moveCode(f, cx, i32.add(get(split), one), get(split), i32.sub(get(K), get(split))),
      moveCode(f, cy, i32.add(get(split), one), get(split), i32.sub(get(K), get(split))),
      moveCode(f, cz, i32.add(get(split), one), get(split), i32.sub(get(K), get(split))),
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
 * box of p = point i, less most of those another one dominates; returns their count, -1 when one
 * weakly dominates p. The points at or below p in z all land in p's z plane, where only their 2-D
 * staircase matters (the lowest y left of p, the lowest x below p, and the points between); the
 * points above are kept when the staircase of those before them does not dominate them. One O(k)
 * scan plus staircase updates. Sets C's walls G_CYL, G_CXB, G_CZW: its lowest y at (px, *, pz), x at
 * (*, py, pz), z at (px, py, *).
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
  const _r = f.local(I32);
  const inside = f.local(I32);
  const t = f.local(I32);
  const kc = f.local(I32);
  const lo = f.local(I32);
  const walls = { px, py, xB, yL, cand, inside };
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
      set(px, f64.load(at8(region(PX), get(I)))),
      set(py, f64.load(at8(region(PY), get(I)))),
      set(pz, f64.load(at8(region(PZ), get(I)))),
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
              () => wallStep(f, walls, qx, qy, get(j), () => ret(i32.const(-1))),
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
      candidateStaircase(f, walls, ax, ay, sx, sy, t),
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
                  boundCode(f, sx, get(t), get(ux), lo, true),
                  f.block('kept', () =>
                    seq(
                      f.when(i32.gtS(get(lo), zero), () =>
                        f.brIf('kept', f64.le(ld(sy, i32.sub(get(lo), one)), get(uy))),
                      ),
                      set(t, call(STAIR_INSERT_AT, get(sx), get(sy), get(t), get(lo), get(ux), get(uy))),
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
 * active point weakly dominates it. The active points of w rank <= thr (those tied with p in w
 * included) are clipped to p's box and reduced to a 3-D set C (clippedBelow); p's exclusive 3-D
 * volume against C is then swept up in w through the active points above (their ranks are the set
 * bits of ACTIVE), each one clipped and added to C and its 3-D contribution subtracted, until one
 * covers p in x, y and z. Most clipped points fall behind one of C's walls (its points on two faces
 * of p's box) and cost three comparisons.
 */
function contribution4dFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], [I32]);
  const [I] = [0];
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
      set(px, f64.load(at8(region(PX), get(I)))),
      set(py, f64.load(at8(region(PY), get(I)))),
      set(pz, f64.load(at8(region(PZ), get(I)))),
      set(pw, f64.load(at8(region(PW), get(I)))),
      set(r, i32.load(at4(region(RANK), get(I)))),
      set(thr, i32.load(at4(region(RUN_END), get(r)))),
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
 * 4-D: those at or above it in z, x and y whose w rank is at least that of the first point tied with
 * p in w. One pass from p's place carries each kept entry one slot up.
 */
function insertFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], []);
  const [I] = [0];
  const ax = f.local(I32);
  const ay = f.local(I32);
  const az = f.local(I32);
  const ar = f.local(I32);
  const active = f.local(I32);
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
      set(px, f64.load(at8(region(PX), get(I)))),
      set(py, f64.load(at8(region(PY), get(I)))),
      set(pz, f64.load(at8(region(PZ), get(I)))),
      set(rank, i32.load(at4(region(RANK), get(I)))),
      set(low, i32.load(at4(region(RUN_START), get(rank)))),
      boundCode(f, az, get(k), get(pz), j, false),
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
            compensatedAdd(f, hv, comp, f64.mul(get(v4), f64.sub(get(vnext), ld(pv, get(t))))),
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

const kernels = new KernelModule<{ readonly hv5d: (n: number) => number }>(
  [
    [CONTRIBUTION3D, contribution3dFn],
    [ADD_TO_C, addToCFn],
    [CLIPPED_BELOW, clippedBelowFn],
    [CONTRIBUTION4D, contribution4dFn],
    [INSERT, insertFn],
    [HV5D, hv5dFn, 'hv5d'],
  ],
  GLOBALS,
  REGIONS,
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
  kernels.cover(n);
  const { order5, order4, rank4 } = work;
  argsortLex(vs, vs, n, order5);
  argsortLex(ws, ws, n, order4);
  const d = kernels.doubles;
  const s = kernels.ints;
  const s8 = kernels.stride >>> 3;
  const s4 = kernels.stride >>> 2;
  // contribution3d's flags start clear (the memory is shared with nothing else, but regions move
  // when it grows): n + 2 entries at most, as C holds.
  s.fill(0, DEAD * s4, DEAD * s4 + n + 4);
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
  return kernels.exports.hv5d(n);
}
