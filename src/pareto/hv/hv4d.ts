import {
  call,
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
  candidateStaircase,
  compensatedAdd,
  coverStep,
  EXCLUSIVE_AREA,
  FIRST_OWN_FUNCTION,
  FIRST_OWN_GLOBAL,
  G_OUT,
  region,
  STAIR_PRUNE,
  tiedWallStep,
  wallStep,
} from './staircase.js';

/**
 * The hypervolume in four objectives ({@link hv4d}), in WebAssembly: a module built with the
 * project's assembler (wasm/assembler.ts) when this file loads, on the staircase functions it
 * shares with hv5d.ts (staircase.ts); JavaScript sorts the points and lays them out in the module's
 * memory. Why: as for hv5d.ts (no bounds or type checks, doubles in registers): 0.97 to 0.71 ms on
 * a 1000-point front, 6.1 to 4.6 ms at 4000, 0.61 to 0.49 ms on a 4000-point grid set against the
 * JavaScript version in one interleaved run (bench/results/hv-wasm-baseline.json). Each function does
 * the former JavaScript functions' operations in their order, so the volumes did not change in the
 * last bit (checked on fronts, grids, clouds and cubes of 1 to 3000 points before they were replaced).
 */

/** How many z ranges hv4d keeps the first node of. */
const BUCKETS = 64;

// The memory's regions (kernel-module.ts). Nodes: the points in sweep order, then two sentinels.
const NX = 0;
const NY = 1;
const NZ = 2;
/** The fourth objective of each point in sweep order. */
const NW = 3;
/** z-order links (i32). */
const NEXT = 4;
const PREV = 5;
/** Each node's z range (i32). */
const NB = 6;
/** The first node of each z range, -1 for none (i32, BUCKETS entries). */
const HEAD = 7;
/** The staircase inside p's box and its candidates (i32). */
const SX = 8;
const SY = 9;
const CAND = 10;
const REGIONS = 11;

// Globals after the shared ones (staircase.ts).
/** Set when insert3d finds p dominated: the node that does. */
const G_DOMINATOR = FIRST_OWN_GLOBAL;
/** z's lower end and the scale that maps z to its range. */
const G_ZMIN = FIRST_OWN_GLOBAL + 1;
const G_SCALE = FIRST_OWN_GLOBAL + 2;
const GLOBALS = [I32, F64, F64] as const;

// Function indices after the shared ones.
const UNLINK = FIRST_OWN_FUNCTION;
const INSERT3D = FIRST_OWN_FUNCTION + 1;
const HV4D = FIRST_OWN_FUNCTION + 2;

const one = i32.const(1);
const zero = i32.const(0);

/** unlink(j): unlinks node j from the z-ordered list, keeping its range's first node. */
function unlinkFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32], []);
  const [J] = [0];
  const next = f.local(I32);
  const prev = f.local(I32);
  const nb = f.local(I32);
  const head = f.local(I32);
  const before = f.local(I32);
  const after = f.local(I32);
  const b = f.local(I32);
  f.body(
    seq(
      set(next, region(NEXT)),
      set(prev, region(PREV)),
      set(nb, region(NB)),
      set(head, region(HEAD)),
      set(before, ldi(prev, get(J))),
      set(after, ldi(next, get(J))),
      sti(next, get(before), get(after)),
      sti(prev, get(after), get(before)),
      set(b, ldi(nb, get(J))),
      f.when(i32.eq(ldi(head, get(b)), get(J)), () =>
        f.when(
          i32.eq(ldi(nb, get(after)), get(b)),
          () => sti(head, get(b), get(after)),
          () => sti(head, get(b), i32.const(-1)),
        ),
      ),
    ),
  );
  return f;
}

/**
 * insert3d(p, bottom): links node p into the z-ordered list and writes its exclusive 3-D
 * contribution to G_OUT; returns 0 (p not linked, G_DOMINATOR set) when a linked node weakly
 * dominates it. Unlinks the nodes p dominates. The list holds no two nodes of which one weakly
 * dominates the other, so a p that dominates a node is itself dominated by none.
 */
function insert3dFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32], [I32]);
  const [P, BOTTOM] = [0, 1];
  const nx = f.local(I32);
  const ny = f.local(I32);
  const nz = f.local(I32);
  const next = f.local(I32);
  const prev = f.local(I32);
  const nb = f.local(I32);
  const head = f.local(I32);
  const sx = f.local(I32);
  const sy = f.local(I32);
  const cand = f.local(I32);
  const px = f.local(F64);
  const py = f.local(F64);
  const pz = f.local(F64);
  const b = f.local(I32);
  const r = f.local(I32);
  const h = f.local(I32);
  const lowest = f.local(I32);
  const xB = f.local(F64);
  const yL = f.local(F64);
  const inside = f.local(I32);
  const j = f.local(I32);
  const under = f.local(I32);
  const qz = f.local(F64);
  const qx = f.local(F64);
  const qy = f.local(F64);
  const after = f.local(I32);
  const before = f.local(I32);
  const q = f.local(I32);
  const t = f.local(I32);
  const area = f.local(F64);
  const vol = f.local(F64);
  const z = f.local(F64);
  const walls = { px, py, xB, yL, cand, inside };
  const dominatedBy = (node: number) => seq(globalSet(G_DOMINATOR, get(node)), ret(zero));
  f.body(
    seq(
      set(nx, region(NX)),
      set(ny, region(NY)),
      set(nz, region(NZ)),
      set(next, region(NEXT)),
      set(prev, region(PREV)),
      set(nb, region(NB)),
      set(head, region(HEAD)),
      set(sx, region(SX)),
      set(sy, region(SY)),
      set(cand, region(CAND)),
      set(px, ld(nx, get(P))),
      set(py, ld(ny, get(P))),
      set(pz, ld(nz, get(P))),
      set(
        b,
        // NaN (z's span overflowed, so the scale is 0) gives range 0, as any unusable scale does.
        i32.truncSatF64S(
          f64.min(
            f64.const(BUCKETS - 1),
            f64.floor(f64.mul(f64.sub(get(pz), globalGet(G_ZMIN)), globalGet(G_SCALE))),
          ),
        ),
      ),
      sti(nb, get(P), get(b)),
      // The first node of the highest range at or below p's that has one at or below p in z: p's
      // place lies a few nodes above it.
      set(lowest, i32.const(-1)),
      set(r, get(b)),
      f.block('found', () =>
        f.loop('ranges', () =>
          seq(
            f.brIf('found', i32.ltS(get(r), zero)),
            set(h, ldi(head, get(r))),
            f.when(i32.geS(get(h), zero), () =>
              f.when(f64.le(ld(nz, get(h)), get(pz)), () => seq(set(lowest, get(h)), f.br('found'))),
            ),
            set(r, i32.sub(get(r), one)),
            f.br('ranges'),
          ),
        ),
      ),
      // p's place: after the nodes below it in z, found from there by z alone.
      f.when(
        i32.geS(get(lowest), zero),
        () => set(j, get(lowest)),
        () => set(j, ldi(next, get(BOTTOM))),
      ),
      f.block('placed', () =>
        f.loop('walk', () =>
          seq(f.brIf('placed', f64.ge(ld(nz, get(j)), get(pz))), set(j, ldi(next, get(j))), f.br('walk')),
        ),
      ),
      // The highest node below p in z (the bottom sentinel if none), before tied nodes leave.
      set(under, ldi(prev, get(j))),
      set(qz, ld(nz, get(j))),
      // Tied with p in z: the nodes p weakly dominates leave (after counting as walls or candidates).
      f.block('untied', () =>
        f.loop('tied', () =>
          seq(
            f.brIf('untied', f64.ne(get(qz), get(pz))),
            set(qx, ld(nx, get(j))),
            set(qy, ld(ny, get(j))),
            set(after, ldi(next, get(j))),
            tiedWallStep(f, walls, qx, qy, get(j), () => dominatedBy(j)),
            f.when(i32.and(f64.ge(get(qx), get(px)), f64.ge(get(qy), get(py))), () => call(UNLINK, get(j))),
            set(j, get(after)),
            set(qz, ld(nz, get(j))),
            f.br('tied'),
          ),
        ),
      ),
      // p goes between `before` and j.
      set(before, ldi(prev, get(j))),
      // Below p in z, downwards: only a node strictly inside the walls so far matters.
      set(q, get(under)),
      f.block('bottom', () =>
        f.loop('down', () =>
          seq(
            f.brIf('bottom', i32.eq(get(q), get(BOTTOM))),
            set(qx, ld(nx, get(q))),
            set(qy, ld(ny, get(q))),
            f.when(i32.and(f64.lt(get(qx), get(xB)), f64.lt(get(qy), get(yL))), () =>
              wallStep(f, walls, qx, qy, get(q), () => dominatedBy(q)),
            ),
            set(q, ldi(prev, get(q))),
            f.br('down'),
          ),
        ),
      ),
      // The staircase of the candidates inside the final walls.
      candidateStaircase(f, walls, nx, ny, sx, sy, t),
      set(t, call(STAIR_PRUNE, get(sx), get(sy), get(t), get(xB), get(yL))),
      // Above p: the area of p's slice not yet covered, times each z step, until a node covers p in
      // x and y (the top sentinel at the latest).
      set(area, call(EXCLUSIVE_AREA, get(sx), get(sy), get(t), get(px), get(py), get(xB), get(yL))),
      set(z, get(pz)),
      f.block('covered', () =>
        f.loop('up', () =>
          seq(
            set(qz, ld(nz, get(j))),
            set(vol, f64.add(get(vol), f64.mul(get(area), f64.sub(get(qz), get(z))))),
            set(z, get(qz)),
            set(qx, ld(nx, get(j))),
            set(qy, ld(ny, get(j))),
            set(after, ldi(next, get(j))),
            f.when(i32.or(f64.ge(get(qx), get(xB)), f64.ge(get(qy), get(yL))), () =>
              seq(
                // Outside p's walls: changes nothing, but leaves when p dominates it.
                f.when(i32.and(f64.ge(get(qx), get(px)), f64.ge(get(qy), get(py))), () =>
                  call(UNLINK, get(j)),
                ),
                set(j, get(after)),
                f.br('up'),
              ),
            ),
            f.brIf('covered', i32.and(f64.le(get(qx), get(px)), f64.le(get(qy), get(py)))),
            // Inside p's walls: a node on p's x or y face, or one p dominates, leaves after covering
            // its part of the slice.
            f.when(
              i32.or(
                i32.or(f64.eq(get(qx), get(px)), f64.eq(get(qy), get(py))),
                i32.and(f64.gt(get(qx), get(px)), f64.gt(get(qy), get(py))),
              ),
              () => call(UNLINK, get(j)),
            ),
            coverStep(sx, sy, t, [qx, qy], [px, py], xB, yL, area),
            set(j, get(after)),
            f.br('up'),
          ),
        ),
      ),
      set(after, ldi(next, get(before))),
      sti(next, get(P), get(after)),
      sti(prev, get(P), get(before)),
      sti(prev, get(after), get(P)),
      sti(next, get(before), get(P)),
      set(h, ldi(head, get(b))),
      f.when(i32.or(i32.ltS(get(h), zero), f64.gt(ld(nz, get(h)), get(pz))), () => sti(head, get(b), get(P))),
      globalSet(G_OUT, get(vol)),
      one,
    ),
  );
  return f;
}

/** hv4d(n, zmin, scale): the sweep over the nodes in memory (fourth objective ascending); the hypervolume. */
function hv4dFn(): FunctionBuilder {
  const f = new FunctionBuilder([I32, F64, F64], [F64]);
  const [N, ZMIN, SCALE] = [0, 1, 2];
  const nx = f.local(I32);
  const ny = f.local(I32);
  const nz = f.local(I32);
  const nw = f.local(I32);
  const next = f.local(I32);
  const prev = f.local(I32);
  const nb = f.local(I32);
  const head = f.local(I32);
  const bottom = f.local(I32);
  const top = f.local(I32);
  const t = f.local(I32);
  const d = f.local(I32);
  const v3 = f.local(F64);
  const hv = f.local(F64);
  const comp = f.local(F64);
  const dx = f.local(F64);
  const dy = f.local(F64);
  const dz = f.local(F64);
  const px = f.local(F64);
  const py = f.local(F64);
  const pz = f.local(F64);
  const wt = f.local(F64);
  const wnext = f.local(F64);
  const inf = f64.const(Number.POSITIVE_INFINITY);
  f.body(
    seq(
      set(nx, region(NX)),
      set(ny, region(NY)),
      set(nz, region(NZ)),
      set(nw, region(NW)),
      set(next, region(NEXT)),
      set(prev, region(PREV)),
      set(nb, region(NB)),
      set(head, region(HEAD)),
      globalSet(G_ZMIN, get(ZMIN)),
      globalSet(G_SCALE, get(SCALE)),
      f.block('cleared', () =>
        f.loop('clear', () =>
          seq(
            f.brIf('cleared', i32.geS(get(t), i32.const(BUCKETS))),
            sti(head, get(t), i32.const(-1)),
            inc(t),
            f.br('clear'),
          ),
        ),
      ),
      // Node n is the bottom sentinel and n + 1 the top one, at z = 0 (the reference) and below
      // every point in x and y, so every walk above p ends there.
      set(bottom, get(N)),
      set(top, i32.add(get(N), one)),
      st(nz, get(bottom), f64.const(Number.NEGATIVE_INFINITY)),
      st(nx, get(top), f64.const(Number.NEGATIVE_INFINITY)),
      st(ny, get(top), f64.const(Number.NEGATIVE_INFINITY)),
      st(nz, get(top), f64.const(0)),
      sti(nb, get(top), i32.const(-1)),
      sti(next, get(bottom), get(top)),
      sti(prev, get(top), get(bottom)),
      // The last node found to dominate another, or linked in (see the JavaScript wrapper's comment).
      set(dx, inf),
      set(dy, inf),
      set(dz, inf),
      set(t, zero),
      f.block('done', () =>
        f.loop('sweep', () =>
          seq(
            f.brIf('done', i32.geS(get(t), get(N))),
            set(px, ld(nx, get(t))),
            set(py, ld(ny, get(t))),
            set(pz, ld(nz, get(t))),
            f.when(
              i32.eqz(
                i32.and(
                  i32.and(f64.le(get(dx), get(px)), f64.le(get(dy), get(py))),
                  f64.le(get(dz), get(pz)),
                ),
              ),
              () =>
                seq(
                  f.when(
                    call(INSERT3D, get(t), get(bottom)),
                    () => seq(set(d, get(t)), set(v3, f64.add(get(v3), globalGet(G_OUT)))),
                    () => set(d, globalGet(G_DOMINATOR)),
                  ),
                  set(dx, ld(nx, get(d))),
                  set(dy, ld(ny, get(d))),
                  set(dz, ld(nz, get(d))),
                ),
            ),
            set(wt, ld(nw, get(t))),
            inc(t),
            f.when(
              i32.ltS(get(t), get(N)),
              () => set(wnext, ld(nw, get(t))),
              () => set(wnext, f64.const(0)),
            ),
            // Within a group tied in w the slab is empty (on grids most points are).
            f.brIf('sweep', f64.eq(get(wnext), get(wt))),
            compensatedAdd(f, hv, comp, f64.mul(get(v3), f64.sub(get(wnext), get(wt)))),
            f.br('sweep'),
          ),
        ),
      ),
      f64.add(get(hv), get(comp)),
    ),
  );
  return f;
}

const kernels = new KernelModule<{ readonly hv4d: (n: number, zmin: number, scale: number) => number }>(
  [
    [UNLINK, unlinkFn],
    [INSERT3D, insert3dFn],
    [HV4D, hv4dFn, 'hv4d'],
  ],
  GLOBALS,
  REGIONS,
);

/** Reusable buffers for {@link hv4d}'s sorting; grows on demand so repeated calls allocate nothing. */
export class Hv4dWorkspace {
  capacity = -1;
  order = new Int32Array(0);
  /** The second sort key: x + y + z of each point. */
  sum = new Float64Array(0);

  ensure(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 16);
    this.capacity = cap;
    this.order = new Int32Array(cap);
    this.sum = new Float64Array(cap);
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
  // Nodes 0..n-1 and the two sentinels.
  kernels.cover(n + 2);
  const { order, sum } = work;
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
  const d = kernels.doubles;
  const s8 = kernels.stride >>> 3;
  for (let t = 0; t < n; t++) {
    const i = order[t]!;
    d[NX * s8 + t] = xs[i]!;
    d[NY * s8 + t] = ys[i]!;
    d[NZ * s8 + t] = zs[i]!;
    d[NW * s8 + t] = ws[i]!;
  }
  return kernels.exports.hv4d(n, zmin, scale);
}
