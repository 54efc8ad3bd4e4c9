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
  i64,
  increment as inc,
  f64At as ld,
  i32At as ldi,
  ret,
  seq,
  set,
  storeF64At as st,
  storeI32At as sti,
  tee,
} from '../../wasm/assembler.js';

/**
 * The 2-D staircase inside a point's box, in WebAssembly: the functions that hv4d's and hv5d's
 * modules share (each module lists them first, at these indices, with these globals first; see
 * kernel-module.ts). A staircase is two arrays of doubles, x ascending and y strictly descending,
 * passed as byte addresses with its length; the point p's box is [px, xB] x [py, yL], its walls
 * xB and yL. They do the operations of the JavaScript functions of the same names that hv4d.ts
 * had, in their order (the volumes did not change in the last bit). Below them, the code the
 * kernels' own functions share, emitted inline into each (moves, bisections, the scans for p's walls
 * and staircase candidates, a cut of p's slice, the sweeps' compensated sums).
 */

// Globals.
/** coverSlice's walls and uncovered area, read and written. */
export const G_XB = 0;
export const G_YL = 1;
export const G_AREA = 2;
/** A volume returned by a kernel (a function returns one value: its i32 status). */
export const G_OUT = 3;
/** Set by sweepAbove: whether it flagged an entry. */
export const G_MARKED = 4;
export const SHARED_GLOBALS = [F64, F64, F64, F64, I32] as const;
/** The first index of a module's own globals. */
export const FIRST_OWN_GLOBAL = SHARED_GLOBALS.length;

// Function indices.
export const STAIR_REPLACE = 0;
export const STAIR_INSERT = 1;
export const STAIR_INSERT_AT = 2;
export const STAIR_PRUNE = 3;
export const EXCLUSIVE_AREA = 4;
export const COVER_SLICE = 5;
export const SWEEP_ABOVE = 6;
/** The first index of a module's own functions. */
export const FIRST_OWN_FUNCTION = 7;

/** Bytes per memory region of the kernel module being built; 0 while none is. */
let buildingStride = 0;

/**
 * Builds a kernel module's code for regions of `stride` bytes (kernel-module.ts): while `build`
 * runs, {@link region} gives their addresses as constants.
 */
export function withRegionStride<T>(stride: number, build: () => T): T {
  buildingStride = stride;
  try {
    return build();
  } finally {
    buildingStride = 0;
  }
}

/**
 * The byte address of a kernel's memory region r, a constant of the code being built: V8 then folds
 * it into each load's and store's address, where a base kept in a local took a register (the
 * kernels spilled them; 4 to 7% of hv4d's and hv5d's time).
 */
export function region(r: number): Code {
  if (buildingStride <= 0) throw new Error('hypervolume kernels: region() outside withRegionStride');
  return i32.const(r * buildingStride);
}

const one = i32.const(1);
const zero = i32.const(0);

/**
 * Code that moves the 8-byte entries src..src+count to dst.. of the array whose byte address is in
 * local `base` (overlap allowed; nothing when count <= 0). Inline, not a function: the moves are
 * short and a call cost as much as the copy (6% of hv5d's time as a function).
 */
export function moveCode(f: FunctionBuilder, base: number, dst: Code, src: Code, count: Code): Code {
  const d = f.local(I32);
  const s = f.local(I32);
  const end = f.local(I32);
  const n = f.local(I32);
  const to = f.local(I32);
  const from = f.local(I32);
  return seq(
    set(n, count),
    set(to, dst),
    set(from, src),
    f.when(i32.gtS(get(n), zero), () =>
      f.when(
        i32.ltS(get(to), get(from)),
        () =>
          seq(
            set(d, at8(get(base), get(to))),
            set(s, at8(get(base), get(from))),
            set(end, at8(get(s), get(n))),
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
            set(end, at8(get(base), get(from))),
            set(d, at8(get(base), i32.add(get(to), get(n)))),
            set(s, at8(get(base), i32.add(get(from), get(n)))),
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
}

/**
 * Code that sets local `out` to the first index i < n whose double a[i] is > v (`strict`) or >= v,
 * n if none, by bisection; a's byte address is in local `base`. Inline, as {@link moveCode}.
 */
export function boundCode(
  f: FunctionBuilder,
  base: number,
  n: Code,
  v: Code,
  out: number,
  strict: boolean,
): Code {
  const hi = f.local(I32);
  const mid = f.local(I32);
  const value = f.local(F64);
  const below = (a: Code, b: Code) => (strict ? f64.le(a, b) : f64.lt(a, b));
  return seq(
    set(out, zero),
    set(hi, n),
    set(value, v),
    f.block('bisected', () =>
      f.loop('bisect', () =>
        seq(
          f.brIf('bisected', i32.geS(get(out), get(hi))),
          set(mid, i32.shrU(i32.add(get(out), get(hi)), one)),
          f.when(
            below(ld(base, get(mid)), get(value)),
            () => set(out, i32.add(get(mid), one)),
            () => set(hi, get(mid)),
          ),
          f.br('bisect'),
        ),
      ),
    ),
  );
}

/** stairReplace(sx, sy, t, start, end, x, y): replaces s[start..end) by (x, y); returns the new length. */
export function stairReplaceFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, F64, F64], [I32]);
  const [SXB, SYB, T, START, END, X, Y] = [0, 1, 2, 3, 4, 5, 6];
  const removed = f.local(I32);
  const from = f.local(I32);
  const shift = (dst: Code, src: Code, count: Code) =>
    seq(moveCode(f, SXB, dst, src, count), moveCode(f, SYB, dst, src, count));
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
export function stairInsertFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, F64, F64], [I32]);
  const [SXB, SYB, T, X, Y] = [0, 1, 2, 3, 4];
  const pos = f.local(I32);
  f.body(
    seq(
      boundCode(f, SXB, get(T), get(X), pos, true),
      f.when(i32.gtS(get(pos), zero), () =>
        f.when(f64.le(ld(SYB, i32.sub(get(pos), one)), get(Y)), () => ret(get(T))),
      ),
      call(STAIR_INSERT_AT, get(SXB), get(SYB), get(T), get(pos), get(X), get(Y)),
    ),
  );
  return f;
}

/**
 * stairInsertAt(sx, sy, t, pos, x, y): {@link stairInsertFn}'s insertion once its place is known:
 * pos is the first index with sx[pos] > x, and s[pos - 1] does not dominate (x, y).
 */
export function stairInsertAtFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, F64, F64], [I32]);
  const [SXB, SYB, T, POS, X, Y] = [0, 1, 2, 3, 4, 5];
  const start = f.local(I32);
  const end = f.local(I32);
  f.body(
    seq(
      set(start, get(POS)),
      f.when(i32.gtS(get(POS), zero), () =>
        f.when(f64.eq(ld(SXB, i32.sub(get(POS), one)), get(X)), () => set(start, i32.sub(get(POS), one))),
      ),
      set(end, get(POS)),
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
export function stairPruneFn(): FunctionBuilder {
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
          moveCode(f, SXB, zero, get(a), i32.sub(get(b), get(a))),
          moveCode(f, SYB, zero, get(a), i32.sub(get(b), get(a))),
        ),
      ),
      i32.sub(get(b), get(a)),
    ),
  );
  return f;
}

/** exclusiveArea(sx, sy, t, px, py, xB, yL): the area of [px, xB] x [py, yL] the staircase leaves uncovered. */
export function exclusiveAreaFn(): FunctionBuilder {
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
 * coverSlice(sx, sy, t, qx, qy, px, py): cuts p's slice by q, an entry inside p's walls (qx < xB,
 * qy < yL) that does not cover p, for the sweeps above p: q left of p lowers the left wall, q below
 * p brings the bottom wall nearer, q strictly inside joins the staircase; the staircase points q
 * covers go. The walls and p's uncovered area in G_XB, G_YL, G_AREA are read and written (a
 * function returns one value); returns the staircase's new length.
 */
export function coverSliceFn(): FunctionBuilder {
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
              moveCode(f, SXB, zero, get(i), i32.sub(get(T), get(i))),
              moveCode(f, SYB, zero, get(i), i32.sub(get(T), get(i))),
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
      boundCode(f, SXB, get(T), get(QX), lo, true),
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
 * sweepAbove(sx, sy, t, px, py, pz, xB, yL, ax, ay, az, j, k, dead, mark): p's exclusive 3-D
 * contribution above its z plane. Given p, its walls and the staircase s[0..t) of the points at or
 * below p in z inside the walls, sweeps the entries a[j..k) (z ascending, all above p) until one
 * covers p in x and y, and returns p's exclusive area times each z step summed. When `mark`, sets
 * the flags dead[j] (4-byte integers) of the entries p weakly dominates or that lie on its x or y
 * face inside its walls, and G_MARKED to whether it set any (the flags above p start clear).
 */
export function sweepAboveFn(): FunctionBuilder {
  const f = new FunctionBuilder(
    [I32, I32, I32, F64, F64, F64, F64, F64, I32, I32, I32, I32, I32, I32, I32],
    [F64],
  );
  const [SXB, SYB, T, PXL, PYL, PZL, XB, YL, AX, AY, AZ, J, K, DEAD, MARK] = [
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14,
  ];
  const area = f.local(F64);
  const vol = f.local(F64);
  const z = f.local(F64);
  const qx = f.local(F64);
  const qy = f.local(F64);
  const qz = f.local(F64);
  const d = f.local(I32);
  const marks = f.local(I32);
  f.body(
    seq(
      set(T, call(STAIR_PRUNE, get(SXB), get(SYB), get(T), get(XB), get(YL))),
      // The area of p's slice not yet covered, kept up to date by subtracting what each newcomer
      // covers.
      set(area, call(EXCLUSIVE_AREA, get(SXB), get(SYB), get(T), get(PXL), get(PYL), get(XB), get(YL))),
      set(z, get(PZL)),
      f.block('covered', () =>
        seq(
          f.block('swept', () =>
            f.loop('sweep', () =>
              seq(
                f.brIf('swept', i32.geS(get(J), get(K))),
                set(qz, ld(AZ, get(J))),
                set(vol, f64.add(get(vol), f64.mul(get(area), f64.sub(get(qz), get(z))))),
                set(z, get(qz)),
                set(qx, ld(AX, get(J))),
                set(qy, ld(AY, get(J))),
                f.when(i32.or(f64.ge(get(qx), get(XB)), f64.ge(get(qy), get(YL))), () =>
                  seq(
                    // Outside p's walls: changes nothing, but may be dominated by p.
                    f.when(get(MARK), () =>
                      seq(
                        set(d, i32.and(f64.ge(get(qx), get(PXL)), f64.ge(get(qy), get(PYL)))),
                        i32.store(at4(get(DEAD), get(J)), get(d)),
                        set(marks, i32.or(get(marks), get(d))),
                      ),
                    ),
                    inc(J),
                    f.br('sweep'),
                  ),
                ),
                f.brIf('covered', i32.and(f64.le(get(qx), get(PXL)), f64.le(get(qy), get(PYL)))),
                // Inside p's walls: an entry on p's x or y face, or one p dominates, is flagged.
                f.when(get(MARK), () =>
                  f.when(
                    i32.or(
                      i32.or(f64.eq(get(qx), get(PXL)), f64.eq(get(qy), get(PYL))),
                      i32.and(f64.gt(get(qx), get(PXL)), f64.gt(get(qy), get(PYL))),
                    ),
                    () => seq(i32.store(at4(get(DEAD), get(J)), one), set(marks, one)),
                  ),
                ),
                coverStep(SXB, SYB, T, [qx, qy], [PXL, PYL], XB, YL, area),
                inc(J),
                f.br('sweep'),
              ),
            ),
          ),
          // Not covered: up to the reference.
          set(vol, f64.add(get(vol), f64.mul(get(area), f64.sub(f64.const(0), get(z))))),
        ),
      ),
      globalSet(G_MARKED, get(marks)),
      get(vol),
    ),
  );
  return f;
}

/**
 * The locals of a scan for p's walls and staircase candidates: p's x and y, the walls xB and yL
 * (starting at 0, the reference), and the candidates' indices cand[0..inside) (an i32 array at the
 * byte address in local `cand`).
 */
export interface WallScan {
  px: number;
  py: number;
  xB: number;
  yL: number;
  cand: number;
  inside: number;
}

/**
 * Code for one entry q = (qx, qy) tied with p in z: it lowers a wall when it lies left of p or
 * below it, is a candidate when strictly inside the walls, and runs `dominated` when it weakly
 * dominates p. Branches on the side (tied entries are few).
 */
export function tiedWallStep(
  f: FunctionBuilder,
  w: WallScan,
  qx: number,
  qy: number,
  index: Code,
  dominated: () => Code,
): Code {
  return f.when(
    f64.le(get(qx), get(w.px)),
    () =>
      seq(
        f.when(f64.le(get(qy), get(w.py)), dominated),
        f.when(f64.lt(get(qy), get(w.yL)), () => set(w.yL, get(qy))),
      ),
    () =>
      f.when(
        f64.le(get(qy), get(w.py)),
        () => f.when(f64.lt(get(qx), get(w.xB)), () => set(w.xB, get(qx))),
        () =>
          f.when(i32.and(f64.lt(get(qx), get(w.xB)), f64.lt(get(qy), get(w.yL))), () =>
            seq(sti(w.cand, get(w.inside), index), inc(w.inside)),
          ),
      ),
  );
}

/**
 * Code for one entry q = (qx, qy) below p in z and strictly inside the walls so far (the caller
 * tests that: on fronts and grids few entries are, so that test is a predictable branch): the side
 * of p it lies on is found without branches (it is not predictable); it lowers a wall, or is a
 * candidate (its slot is written every time and kept only then), or runs `dominated`.
 */
export function wallStep(
  f: FunctionBuilder,
  w: WallScan,
  qx: number,
  qy: number,
  index: Code,
  dominated: () => Code,
): Code {
  const left = f.local(I32);
  const below = f.local(I32);
  return seq(
    set(left, f64.le(get(qx), get(w.px))),
    set(below, f64.le(get(qy), get(w.py))),
    f.when(i32.and(get(left), get(below)), dominated),
    f.when(get(left), () => set(w.yL, get(qy))),
    f.when(get(below), () => set(w.xB, get(qx))),
    sti(w.cand, get(w.inside), index),
    set(w.inside, i32.add(get(w.inside), i32.sub(one, i32.or(get(left), get(below))))),
  );
}

/**
 * Code that inserts into the staircase at sx, sy (byte addresses in locals), of length in local
 * `t`, the candidates of `w` that lie strictly inside its final walls; their coordinates are read
 * from the double arrays at the byte addresses in locals `xs`, `ys`.
 */
export function candidateStaircase(
  f: FunctionBuilder,
  w: WallScan,
  xs: number,
  ys: number,
  sx: number,
  sy: number,
  t: number,
): Code {
  const c = f.local(I32);
  const r = f.local(I32);
  const qx = f.local(F64);
  const qy = f.local(F64);
  return seq(
    set(c, zero),
    f.block('stairDone', () =>
      f.loop('stair', () =>
        seq(
          f.brIf('stairDone', i32.geS(get(c), get(w.inside))),
          set(r, ldi(w.cand, get(c))),
          set(qx, ld(xs, get(r))),
          set(qy, ld(ys, get(r))),
          f.when(i32.and(f64.lt(get(qx), get(w.xB)), f64.lt(get(qy), get(w.yL))), () =>
            set(t, call(STAIR_INSERT, get(sx), get(sy), get(t), get(qx), get(qy))),
          ),
          inc(c),
          f.br('stair'),
        ),
      ),
    ),
  );
}

/**
 * Code that cuts p's slice by q = (qx, qy) (coverSlice, which reads and writes the walls and the
 * uncovered area through its globals): the locals xB, yL, area and t are updated.
 */
export function coverStep(
  sx: number,
  sy: number,
  t: number,
  q: [qx: number, qy: number],
  p: [px: number, py: number],
  xB: number,
  yL: number,
  area: number,
): Code {
  return seq(
    globalSet(G_XB, get(xB)),
    globalSet(G_YL, get(yL)),
    globalSet(G_AREA, get(area)),
    set(t, call(COVER_SLICE, get(sx), get(sy), get(t), get(q[0]), get(q[1]), get(p[0]), get(p[1]))),
    set(xB, globalGet(G_XB)),
    set(yL, globalGet(G_YL)),
    set(area, globalGet(G_AREA)),
  );
}

/**
 * Code that adds `term` to the sum in local `sum`, its rounding errors gathered in local `comp`
 * (Neumaier's compensated summation: the sweeps return sum + comp).
 */
export function compensatedAdd(f: FunctionBuilder, sum: number, comp: number, term: Code): Code {
  const t = f.local(F64);
  const s = f.local(F64);
  return seq(
    set(t, term),
    set(s, f64.add(get(sum), get(t))),
    f.when(
      f64.ge(f64.abs(get(sum)), f64.abs(get(t))),
      () => set(comp, f64.add(get(comp), f64.add(f64.sub(get(sum), get(s)), get(t)))),
      () => set(comp, f64.add(get(comp), f64.add(f64.sub(get(t), get(s)), get(sum)))),
    ),
    set(sum, get(s)),
  );
}
