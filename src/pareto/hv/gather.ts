import {
  at4,
  at8,
  type Code,
  F64,
  FunctionBuilder,
  f64,
  f64x2,
  get,
  globalGet,
  globalSet,
  growTo,
  I32,
  i32,
  increment as inc,
  instantiate,
  moduleBytes,
  ret,
  seq,
  set,
  V128,
  v128,
  type WasmMemory,
} from '../../wasm/assembler.js';
import { allLanes, coversLanes, laneLocals, laneSum, loadRow, setLanes, storeRow } from './lanes.js';

/**
 * The passes that bring a hypervolume's points, m = 2..5, to its kernels, in WebAssembly: one pass
 * checks and translates the input rows (minus the reference), keeping those strictly inside the
 * reference box and dropping what the kept point of smallest coordinate sum so far weakly dominates
 * (and, on sets that repeat points, the repeats, by hashing); pivot rounds drop what the smallest-sum
 * survivor dominates; a last pass copies the survivors into columns. hypervolume.ts decides which run
 * and when. The module holds the points: the input rows are copied into its memory, the passes
 * work on rows in place (two objectives to an f64x2 lane pair: one load, subtraction and comparison
 * for both), and the kernels read the columns where the last pass left them.
 *
 * Why WebAssembly: the JavaScript passes cost 5 to 20 ns a point (the hashed pass about 20: a
 * 3-objective grid set of 1500 points spent half its time in it), and in a process that had run
 * other sets through them they slowed further (a loop per m, all in one function).
 */

/** Bytes before the regions: the reference point, 5 doubles. */
const HEADER = 64;
/** The input rows (m <= 5 doubles a row: five regions). */
const INPUT = 0;
/** The translated columns, one region each. */
const COLUMN = 5;
/** The input row of each kept point (i32). */
const KEPT = 10;
/** The hash table: a position + 1 per slot, 0 for none (i32, at most 4(n + 1) slots: three regions). */
const TABLE = 11;
const REGIONS = 14;

// Globals.
/** Bytes per region. */
const G_STRIDE = 0;
/** Set by the passes: position of the kept point of smallest sum (-1 for none). */
const G_PIVOT = 1;
/** Set by gather: how many points it dropped as dominated. */
const G_DROPPED = 2;
/** Set by gather when it returns -1: the row of a NaN or -Infinity. */
const G_BAD_ROW = 3;
const GLOBALS = [I32, I32, I32, I32] as const;

const one = i32.const(1);
const zero = i32.const(0);
const regionAt = (r: number): Code => i32.add(i32.const(HEADER), i32.mul(globalGet(G_STRIDE), i32.const(r)));
const allOf = (tests: Code[]): Code => tests.reduce((all, t) => i32.and(all, t));
const range = (m: number): number[] => Array.from({ length: m }, (_, j) => j);

/** Locals for m columns' byte addresses, set at the function's start. */
function columnLocals(f: FunctionBuilder, m: number): { c: number[]; init: Code } {
  const c = range(m).map(() => f.local(I32));
  return { c, init: seq(...c.map((l, j) => set(l, regionAt(COLUMN + j)))) };
}

/**
 * gather(total, drop, distinct) for m objectives: checks the `total` input rows and writes those
 * strictly inside the box, minus the reference, over the input rows from the first on (row n of the
 * kept points at input row n <= i: a row is read before anything is written over it), their input
 * rows in KEPT; returns how many, or -1 at the first NaN or -Infinity (its row in G_BAD_ROW). Sets
 * G_PIVOT to the position of the kept point of smallest sum. With `drop` (non-zero), a point that
 * the kept point of smallest sum so far weakly dominates is not kept; with `distinct`, neither is a
 * row equal to one kept before it (found by hashing the row's bits: the first occurrence stays; rows
 * that differ but translate to the same point, by rounding, both stay, which is harmless).
 * G_DROPPED counts both.
 */
function gatherFn(m: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32], [I32]);
  const [TOTAL, DROP, DISTINCT] = [0, 1, 2];
  const i = f.local(I32);
  const n = f.local(I32);
  const t = tableLocals(f);
  const a = f.local(I32);
  /** Where kept row n goes. */
  const out = f.local(I32);
  const rows = f.local(I32);
  const position = f.local(I32);
  const kept = f.local(I32);
  const dropped = f.local(I32);
  const pivot = f.local(I32);
  const inside = f.local(I32);
  const sum = f.local(F64);
  const best = f.local(F64);
  const v = f.local(F64);
  // The reference, the row translated, the pivot's coordinates (+Infinity while none, or not `drop`).
  const r = laneLocals(f, m);
  const x = laneLocals(f, m);
  const q = laneLocals(f, m);
  /** Zero in both lanes (locals start at zero). */
  const origin = f.local(V128);
  const input = (j: number) => f64.load(get(a), 8 * j);
  const last = 8 * (m - 1);
  f.body(
    seq(
      f.when(get(DISTINCT), () => clearTable(f, t, get(TOTAL))),
      set(a, regionAt(INPUT)),
      set(rows, get(a)),
      set(out, get(a)),
      set(kept, regionAt(KEPT)),
      setLanes(
        r,
        (k) => v128.load(zero, 16 * k),
        () => f64.load(zero, last),
      ),
      setLanes(
        q,
        () => f64x2.splat(f64.const(Number.POSITIVE_INFINITY)),
        () => f64.const(Number.POSITIVE_INFINITY),
      ),
      set(best, f64.const(Number.POSITIVE_INFINITY)),
      set(pivot, i32.const(-1)),
      f.block('rows-done', () =>
        f.loop('rows', () =>
          seq(
            f.brIf('rows-done', i32.geS(get(i), get(TOTAL))),
            setLanes(
              x,
              (k) => f64x2.sub(v128.load(get(a), 16 * k, 3), get(r.pairs[k]!)),
              () => f64.sub(input(m - 1), get(r.single)),
            ),
            set(sum, laneSum(x, m)),
            f.block('next', () =>
              seq(
                f.block('keep', () =>
                  seq(
                    f.when(
                      allOf([
                        allLanes(
                          x,
                          (k) => f64x2.lt(get(x.pairs[k]!), get(origin)),
                          () => f64.lt(get(x.single), f64.const(0)),
                        ),
                        f64.gt(get(sum), f64.const(-Infinity)),
                      ]),
                      () =>
                        seq(
                          f.when(
                            allLanes(
                              x,
                              (k) => f64x2.le(get(q.pairs[k]!), get(x.pairs[k]!)),
                              () => f64.le(get(q.single), get(x.single)),
                            ),
                            () => seq(inc(dropped), f.br('next')),
                          ),
                          f.when(f64.lt(get(sum), get(best)), () =>
                            seq(
                              set(best, get(sum)),
                              set(pivot, get(n)),
                              f.when(get(DROP), () =>
                                setLanes(
                                  q,
                                  (k) => get(x.pairs[k]!),
                                  () => get(x.single),
                                ),
                              ),
                            ),
                          ),
                          f.br('keep'),
                        ),
                    ),
                    // Not plainly inside: a NaN or -Infinity is an error; a row may still be inside
                    // with a distance to the reference that overflowed to Infinity.
                    set(inside, one),
                    ...range(m).map((j) =>
                      seq(
                        set(v, input(j)),
                        f.when(i32.eqz(f64.gt(get(v), f64.const(-Infinity))), () =>
                          seq(globalSet(G_BAD_ROW, get(i)), ret(i32.const(-1))),
                        ),
                        set(inside, i32.and(get(inside), f64.lt(get(v), f64.load(zero, 8 * j)))),
                      ),
                    ),
                    f.brIf('next', i32.eqz(get(inside))),
                  ),
                ),
                // Kept only if it repeats no point kept before it: the input row's bits find its
                // slot (equal rows hash alike), the translated values decide.
                f.when(get(DISTINCT), () =>
                  f.block('new', () =>
                    seq(
                      f.block('repeat', () =>
                        seq(
                          probe(
                            f,
                            t,
                            hashOf(m, (j, offset) => i32.load(get(a), 8 * j + offset)),
                            (at) =>
                              seq(
                                set(position, i32.add(get(rows), i32.mul(at, i32.const(8 * m)))),
                                allLanes(
                                  x,
                                  (k) => f64x2.eq(v128.load(get(position), 16 * k, 3), get(x.pairs[k]!)),
                                  () => f64.eq(f64.load(get(position), last), get(x.single)),
                                ),
                              ),
                            'repeat',
                          ),
                          i32.store(at4(get(t.table), get(t.slot)), i32.add(get(n), one)),
                          f.br('new'),
                        ),
                      ),
                      inc(dropped),
                      f.br('next'),
                    ),
                  ),
                ),
                storeRow(x, m, get(out)),
                set(out, i32.add(get(out), i32.const(8 * m))),
                i32.store(at4(get(kept), get(n)), get(i)),
                inc(n),
              ),
            ),
            set(a, i32.add(get(a), i32.const(8 * m))),
            inc(i),
            f.br('rows'),
          ),
        ),
      ),
      globalSet(G_PIVOT, get(pivot)),
      globalSet(G_DROPPED, get(dropped)),
      get(n),
    ),
  );
  return f;
}

/** Multipliers of the hash, one per objective. */
const MIX = [0x9e3779b1, 0x85ebca6b, 0xc2b2ae35, 0x27d4eb2f, 0x165667b1];

/** The hash of a point from the two 32-bit words of each of its m coordinates (`word(j, 0 or 4)`). */
function hashOf(m: number, word: (j: number, offset: number) => Code): Code {
  let h = i32.mul(i32.xor(word(0, 0), word(0, 4)), i32.const(MIX[0]!));
  for (let j = 1; j < m; j++) h = i32.xor(i32.mul(i32.xor(h, word(j, 0)), i32.const(MIX[j]!)), word(j, 4));
  return h;
}

/** The locals of the hash table's code. */
interface Table {
  table: number;
  shift: number;
  mask: number;
  slot: number;
  entry: number;
}

function tableLocals(f: FunctionBuilder): Table {
  const [table, shift, mask, slot, entry] = range(5).map(() => f.local(I32));
  return { table: table!, shift: shift!, mask: mask!, slot: slot!, entry: entry! };
}

/** Code that sizes the table for `n` entries (at least twice as many slots, a power of two) and clears it. */
function clearTable(f: FunctionBuilder, t: Table, n: Code): Code {
  const { table, shift, mask, slot } = t;
  return seq(
    set(table, regionAt(TABLE)),
    set(shift, i32.const(28)),
    f.block('sized', () =>
      f.loop('size', () =>
        seq(
          f.brIf('sized', i32.geS(i32.shrU(i32.const(-1 >>> 1), get(shift)), n)),
          set(shift, i32.sub(get(shift), one)),
          f.br('size'),
        ),
      ),
    ),
    set(mask, i32.shrU(i32.const(-1), get(shift))),
    set(slot, zero),
    f.block('cleared', () =>
      f.loop('clear', () =>
        seq(
          f.brIf('cleared', i32.gtS(get(slot), get(mask))),
          f64.store(at4(get(table), get(slot)), f64.const(0)),
          set(slot, i32.add(get(slot), i32.const(2))),
          f.br('clear'),
        ),
      ),
    ),
  );
}

/**
 * Code that looks a point up in the table by its hash: branches to `found` when an entry `e` (a
 * position + 1) holds an equal point (`equals(position)`), else leaves `slot` at the empty slot where
 * it goes (linear probing).
 */
function probe(
  f: FunctionBuilder,
  t: Table,
  hash: Code,
  equals: (position: Code) => Code,
  found: string,
): Code {
  const { table, shift, mask, slot, entry } = t;
  return seq(
    set(slot, hash),
    set(
      slot,
      i32.shrU(
        i32.mul(i32.xor(get(slot), i32.shrU(get(slot), i32.const(15))), i32.const(MIX[0]!)),
        get(shift),
      ),
    ),
    f.block('empty', () =>
      f.loop('probe', () =>
        seq(
          set(entry, i32.load(at4(get(table), get(slot)))),
          f.brIf('empty', i32.eqz(get(entry))),
          f.brIf(found, equals(i32.sub(get(entry), one))),
          set(slot, i32.and(i32.add(get(slot), one), get(mask))),
          f.br('probe'),
        ),
      ),
    ),
  );
}

/**
 * countRepeats(n) for m objectives: how many of the first n input rows equal one before them (a
 * sample that decides whether the gathering pass drops repeats).
 */
function countRepeatsFn(m: number): FunctionBuilder {
  const f = new FunctionBuilder([I32], [I32]);
  const [N] = [0];
  const i = f.local(I32);
  const a = f.local(I32);
  const input = f.local(I32);
  const repeats = f.local(I32);
  const t = tableLocals(f);
  const rowAt = (row: Code) => i32.add(get(input), i32.mul(row, i32.const(8 * m)));
  f.body(
    seq(
      clearTable(f, t, get(N)),
      set(input, regionAt(INPUT)),
      f.block('rows-done', () =>
        f.loop('rows', () =>
          seq(
            f.brIf('rows-done', i32.geS(get(i), get(N))),
            set(a, rowAt(get(i))),
            f.block('next', () =>
              seq(
                f.block('repeat', () =>
                  seq(
                    probe(
                      f,
                      t,
                      hashOf(m, (j, offset) => i32.load(get(a), 8 * j + offset)),
                      (row) => {
                        const b = rowAt(row);
                        return allOf(
                          range(m).map((j) => f64.eq(f64.load(b, 8 * j), f64.load(get(a), 8 * j))),
                        );
                      },
                      'repeat',
                    ),
                    i32.store(at4(get(t.table), get(t.slot)), i32.add(get(i), one)),
                    f.br('next'),
                  ),
                ),
                inc(repeats),
              ),
            ),
            inc(i),
            f.br('rows'),
          ),
        ),
      ),
      get(repeats),
    ),
  );
  return f;
}

/**
 * dropDominated(n, pivot, before) for m objectives: drops from the first n rows (the gathering
 * pass's, in place) every point that the one at position `pivot` weakly dominates, its duplicates
 * included; returns the new count. While a round drops at least a quarter of the points (`before`:
 * those the gathering pass dropped, counted in the first round), the survivor of smallest coordinate
 * sum, which nothing dominates, becomes the next pivot; it is found in the same pass, and the one so
 * far drops what it dominates too. Pivots are moved to the front and stay. KEPT is not kept up: only
 * the volume runs the rounds, and it does not ask which input row a point came from.
 */
function dropDominatedFn(m: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32], [I32]);
  const [N, PIVOT, BEFORE] = [0, 1, 2];
  const used = f.local(I32);
  const w = f.local(I32);
  const t = f.local(I32);
  const next = f.local(I32);
  const dropped = f.local(I32);
  const rows = f.local(I32);
  /** The byte addresses of rows t and w. */
  const at = f.local(I32);
  const to = f.local(I32);
  const sum = f.local(F64);
  const best = f.local(F64);
  const p = laneLocals(f, m);
  const b = laneLocals(f, m);
  const x = laneLocals(f, m);
  const rowAt = (index: Code) => i32.add(get(rows), i32.mul(index, i32.const(8 * m)));
  const advance = (local: number) => set(local, i32.add(get(local), i32.const(8 * m)));
  f.body(
    seq(
      set(rows, regionAt(INPUT)),
      f.loop('round', () =>
        seq(
          // The pivot goes to position `used`.
          loadRow(p, m, rowAt(get(PIVOT))),
          loadRow(x, m, rowAt(get(used))),
          storeRow(x, m, rowAt(get(PIVOT))),
          storeRow(p, m, rowAt(get(used))),
          inc(used),
          set(w, get(used)),
          set(best, f64.const(Number.POSITIVE_INFINITY)),
          set(next, i32.const(-1)),
          setLanes(
            b,
            () => f64x2.splat(f64.const(Number.POSITIVE_INFINITY)),
            () => f64.const(Number.POSITIVE_INFINITY),
          ),
          set(t, get(used)),
          set(at, rowAt(get(t))),
          set(to, get(at)),
          f.block('points-done', () =>
            f.loop('points', () =>
              seq(
                f.brIf('points-done', i32.geS(get(t), get(N))),
                loadRow(x, m, get(at)),
                f.block('survives', () =>
                  seq(
                    f.block('dropped', () =>
                      seq(
                        f.brIf('dropped', coversLanes(p, x)),
                        f.brIf('dropped', coversLanes(b, x)),
                        f.br('survives'),
                      ),
                    ),
                    inc(t),
                    advance(at),
                    f.br('points'),
                  ),
                ),
                f.when(i32.ne(get(w), get(t)), () => storeRow(x, m, get(to))),
                set(sum, laneSum(x, m)),
                f.when(f64.lt(get(sum), get(best)), () =>
                  seq(
                    set(best, get(sum)),
                    set(next, get(w)),
                    setLanes(
                      b,
                      (k) => get(x.pairs[k]!),
                      () => get(x.single),
                    ),
                  ),
                ),
                inc(w),
                advance(to),
                inc(t),
                advance(at),
                f.br('points'),
              ),
            ),
          ),
          // The first round counts the points the gathering pass dropped.
          set(dropped, i32.add(i32.sub(get(N), get(w)), get(BEFORE))),
          set(BEFORE, zero),
          set(N, get(w)),
          f.when(
            i32.or(
              i32.ltS(i32.shl(get(dropped), i32.const(2)), i32.sub(i32.add(get(N), get(dropped)), get(used))),
              i32.eq(get(used), get(N)),
            ),
            () => ret(get(N)),
          ),
          set(PIVOT, get(next)),
          f.br('round'),
        ),
      ),
      get(N),
    ),
  );
  return f;
}

/** columns(n) for m objectives: copies the first n rows (the passes' output) into the m columns. */
function columnsFn(m: number): FunctionBuilder {
  const f = new FunctionBuilder([I32], []);
  const [N] = [0];
  const t = f.local(I32);
  const at = f.local(I32);
  const x = laneLocals(f, m);
  const { c, init } = columnLocals(f, m);
  f.body(
    seq(
      init,
      set(at, regionAt(INPUT)),
      f.forRange(
        'rows',
        t,
        zero,
        get(N),
        seq(
          loadRow(x, m, get(at)),
          ...range(m).map((j) =>
            j >> 1 < x.pairs.length
              ? v128.store64Lane(at8(get(c[j]!), get(t)), get(x.pairs[j >> 1]!), j & 1)
              : f64.store(at8(get(c[j]!), get(t)), get(x.single)),
          ),
          set(at, i32.add(get(at), i32.const(8 * m))),
        ),
      ),
    ),
  );
  return f;
}

interface GatherExports {
  readonly memory: WasmMemory;
  readonly setStride: (bytes: number) => void;
  readonly pivot: () => number;
  readonly dropped: () => number;
  readonly badRow: () => number;
  readonly [pass: string]: unknown;
}

function globalReader(global: number): FunctionBuilder {
  const f = new FunctionBuilder([], [I32]);
  f.body(globalGet(global));
  return f;
}

const setStride = new FunctionBuilder([I32], []);
setStride.body(globalSet(G_STRIDE, get(0)));
const functions: { name: string; fn: FunctionBuilder }[] = [
  { name: 'setStride', fn: setStride },
  { name: 'pivot', fn: globalReader(G_PIVOT) },
  { name: 'dropped', fn: globalReader(G_DROPPED) },
  { name: 'badRow', fn: globalReader(G_BAD_ROW) },
];
for (let m = 2; m <= 5; m++) {
  functions.push(
    { name: `gather${m}`, fn: gatherFn(m) },
    { name: `countRepeats${m}`, fn: countRepeatsFn(m) },
    { name: `dropDominated${m}`, fn: dropDominatedFn(m) },
    { name: `columns${m}`, fn: columnsFn(m) },
  );
}
const gatherModule = instantiate<GatherExports>(
  moduleBytes({ functions, globals: [...GLOBALS], memoryPages: 1 }),
  'hypervolume kernels',
  '',
);
const gathers = [2, 3, 4, 5].map(
  (m) => gatherModule[`gather${m}`] as (total: number, drop: number, distinct: number) => number,
);
const countRepeats = [2, 3, 4, 5].map((m) => gatherModule[`countRepeats${m}`] as (n: number) => number);
const toColumns = [2, 3, 4, 5].map((m) => gatherModule[`columns${m}`] as (n: number) => void);
const dropDominateds = [2, 3, 4, 5].map(
  (m) => gatherModule[`dropDominated${m}`] as (n: number, pivot: number, before: number) => number,
);

/**
 * The points of one hypervolume call, m = 2..5, in the module's memory: the caller writes the input
 * rows to {@link GatheredColumns.input} (m values a row), sets the reference, then runs the passes,
 * which leave the kept points translated in the first rows of `input` (and, after the gathering
 * pass, their input rows in `kept`); after {@link GatheredColumns.toColumns} the kernels read
 * {@link GatheredColumns.columns}[j][0..n). Views are renewed when the
 * memory grows ({@link GatheredColumns.cover}); one instance serves the thread (calls are
 * synchronous).
 */
export class GatheredColumns {
  capacity = 0;
  /** Room for capacity rows of up to 5 values. */
  input = new Float64Array(0);
  columns: Float64Array[] = [];
  kept = new Int32Array(0);
  private reference = new Float64Array(0);

  /** Makes room for n rows (only this grows the memory); the contents are then undefined. */
  cover(n: number): void {
    if (n <= this.capacity) return;
    const cap = Math.max(n, 2 * this.capacity, 64);
    const stride = cap * 8;
    const bytes = HEADER + REGIONS * stride;
    const memory = gatherModule.memory;
    growTo(memory, bytes);
    gatherModule.setStride(stride);
    const buffer = memory.buffer;
    const at = (r: number) => HEADER + r * stride;
    this.capacity = cap;
    this.input = new Float64Array(buffer, at(INPUT), 5 * cap);
    this.columns = range(5).map((j) => new Float64Array(buffer, at(COLUMN + j), cap));
    this.kept = new Int32Array(buffer, at(KEPT), cap);
    this.reference = new Float64Array(buffer, 0, 5);
  }

  /**
   * The gathering pass over `total` input rows of m values, against `reference`: returns the count
   * kept, or -1 at a NaN or -Infinity ({@link GatheredColumns.badRow}). With `drop`, points the kept
   * point of smallest sum so far weakly dominates are dropped, with `distinct` repeated points (see
   * gatherFn).
   */
  gather(total: number, m: number, reference: ArrayLike<number>, drop: boolean, distinct: boolean): number {
    for (let j = 0; j < m; j++) this.reference[j] = reference[j]!;
    return gathers[m - 2]!(total, drop ? 1 : 0, distinct ? 1 : 0);
  }

  /** How many of the first n input rows repeat one before them (see countRepeatsFn). */
  countRepeats(n: number, m: number): number {
    return countRepeats[m - 2]!(n);
  }

  /** The pivot rounds over the first n points (see dropDominatedFn). */
  dropDominated(n: number, m: number, pivot: number, before: number): number {
    return dropDominateds[m - 2]!(n, pivot, before);
  }

  /** Copies the first n rows that the passes left (translated, in `input`) into the columns. */
  toColumns(n: number, m: number): void {
    toColumns[m - 2]!(n);
  }

  /** Position of the kept point of smallest sum after the last pass, -1 for none. */
  get pivot(): number {
    return gatherModule.pivot();
  }

  /** Points the last gathering pass dropped, as dominated or repeated. */
  get dropped(): number {
    return gatherModule.dropped();
  }

  /** The row of the NaN or -Infinity that stopped the last gathering pass. */
  get badRow(): number {
    return gatherModule.badRow();
  }
}
