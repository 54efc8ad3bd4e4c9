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
  growTo,
  I32,
  i32,
  increment as inc,
  instantiate,
  f64At as ld,
  i32At as ldi,
  moduleBytes,
  seq,
  set,
  storeI32At as sti,
  type WasmMemory,
} from '../../wasm/assembler.js';

/**
 * In-place index sort for the hypervolume kernels, in WebAssembly: it fills an array of indices
 * ordered by keys read from arrays of doubles, because `TypedArray#sort` with a comparator costs a
 * call per comparison and the kernels sort on every invocation. Short arrays go to a three-way
 * quicksort; longer ones first get one bucket pass: the high 32 bits of each primary key, mapped to
 * an order-preserving integer (sign, exponent and 20 mantissa bits), minus the smallest, are cut to
 * their top bits, about one bucket per two keys, and a counting pass puts every index in its bucket.
 * Each bucket is then finished by the quicksort on the full keys (insertion sort for the usual
 * handful of keys). Ties are common (points on a grid, duplicates): a bucket of equal keys costs the
 * three-way quicksort one partition, O(r), and a bucket of r keys with u distinct values O(r log u).
 *
 * {@link argsortLex} copies the keys into this file's module and the order out; kernels whose points
 * are in their own module's memory list the functions there ({@link sortFunctions}: hv3d.ts). Why
 * WebAssembly: it does the former JavaScript version's operations in their order (the same orders,
 * checked on 896 inputs of 0 to 20000 keys) in about two thirds of the time (1473 keys of 17
 * distinct values: 19 against 28 µs, fastest of 40 batches; 60 distinct keys: 1.0 against 1.6 µs).
 */

/** Below this length a range is finished by insertion sort. */
const INSERTION_CUTOFF = 16;
/** From this length on, the bucket pass comes before the quicksort. */
const BUCKET_CUTOFF = 256;
/** At most 2^MAX_DIGIT buckets (their counts stay in the first-level cache). */
const MAX_DIGIT = 13;
/** Bytes of the bucket counts ((2^MAX_DIGIT + 1) 32-bit counts, rounded up to 8). */
export const COUNT_BYTES = (((1 << MAX_DIGIT) + 1) * 4 + 7) & ~7;

const one = i32.const(1);

/**
 * Insertion sort of `idx[lo..hi]` (inclusive, bounds in locals) by (a, b): each index moves down past
 * the larger keys before it. Scratch locals: `x`, `y`, `i`, `j` (i32), `xa`, `xb` (f64).
 */
function insertionCode(
  f: FunctionBuilder,
  [A, B, IDX]: [number, number, number],
  lo: number,
  hi: number,
  [x, y, i, j, xa, xb]: [number, number, number, number, number, number],
): Code {
  return seq(
    set(i, i32.add(get(lo), one)),
    f.block('sorted', () =>
      f.loop('next', () =>
        seq(
          f.brIf('sorted', i32.gtS(get(i), get(hi))),
          set(x, ldi(IDX, get(i))),
          set(xa, ld(A, get(x))),
          set(xb, ld(B, get(x))),
          set(j, i32.sub(get(i), one)),
          f.block('placed', () =>
            f.loop('down', () =>
              seq(
                f.brIf('placed', i32.ltS(get(j), get(lo))),
                set(y, ldi(IDX, get(j))),
                // a[y] < xa || (a[y] === xa && b[y] <= xb): y stays below x.
                f.brIf(
                  'placed',
                  i32.or(
                    f64.lt(ld(A, get(y)), get(xa)),
                    i32.and(f64.eq(ld(A, get(y)), get(xa)), f64.le(ld(B, get(y)), get(xb))),
                  ),
                ),
                sti(IDX, i32.add(get(j), one), get(y)),
                dec(j),
                f.br('down'),
              ),
            ),
          ),
          sti(IDX, i32.add(get(j), one), get(x)),
          inc(i),
          f.br('next'),
        ),
      ),
    ),
  );
}

/** (a[i], b[i]) < (a[j], b[j]) for the indices in locals i and j. */
const less = (A: number, B: number, i: number, j: number): Code =>
  i32.or(
    f64.lt(ld(A, get(i)), ld(A, get(j))),
    i32.and(f64.eq(ld(A, get(i)), ld(A, get(j))), f64.lt(ld(B, get(i)), ld(B, get(j)))),
  );

/**
 * sortRange(a, b, idx, lo, hi): sorts `idx[lo..hi]` (inclusive) by (a, b), byte addresses: three-way
 * quicksort, recursing into the smaller side (depth at most log2 n), insertion sort for short ranges.
 * `self`: its own function index.
 */
function sortRangeFn(self: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32], []);
  const [A, B, IDX, LO, HI] = [0, 1, 2, 3, 4];
  const mid = f.local(I32);
  const il = f.local(I32);
  const im = f.local(I32);
  const ih = f.local(I32);
  const t = f.local(I32);
  const lt = f.local(I32);
  const gt = f.local(I32);
  const i = f.local(I32);
  const x = f.local(I32);
  const y = f.local(I32);
  const j = f.local(I32);
  const pa = f.local(F64);
  const pb = f.local(F64);
  const xa = f.local(F64);
  const xb = f.local(F64);
  const swap = (u: number, v: number) => seq(set(t, get(u)), set(u, get(v)), set(v, get(t)));
  f.body(
    seq(
      f.block('short', () =>
        f.loop('range', () =>
          seq(
            f.brIf('short', i32.leS(i32.sub(get(HI), get(LO)), i32.const(INSERTION_CUTOFF))),
            set(mid, i32.shrU(i32.add(get(LO), get(HI)), one)),
            set(il, ldi(IDX, get(LO))),
            set(im, ldi(IDX, get(mid))),
            set(ih, ldi(IDX, get(HI))),
            f.when(less(A, B, im, il), () => swap(il, im)),
            f.when(less(A, B, ih, im), () =>
              seq(
                swap(im, ih),
                f.when(less(A, B, im, il), () => swap(il, im)),
              ),
            ),
            sti(IDX, get(LO), get(il)),
            sti(IDX, get(mid), get(im)),
            sti(IDX, get(HI), get(ih)),
            set(pa, ld(A, get(im))),
            set(pb, ld(B, get(im))),
            // Dijkstra's partition: [lo, lt) below the pivot, [lt, i) equal to it, (gt, hi] above.
            set(lt, get(LO)),
            set(gt, get(HI)),
            set(i, get(LO)),
            f.block('parted', () =>
              f.loop('part', () =>
                seq(
                  f.brIf('parted', i32.gtS(get(i), get(gt))),
                  set(x, ldi(IDX, get(i))),
                  set(xa, ld(A, get(x))),
                  set(xb, ld(B, get(x))),
                  f.when(
                    i32.or(
                      f64.lt(get(xa), get(pa)),
                      i32.and(f64.eq(get(xa), get(pa)), f64.lt(get(xb), get(pb))),
                    ),
                    () =>
                      seq(sti(IDX, get(i), ldi(IDX, get(lt))), sti(IDX, get(lt), get(x)), inc(lt), inc(i)),
                    () =>
                      f.when(
                        i32.or(f64.gt(get(xa), get(pa)), f64.gt(get(xb), get(pb))),
                        () => seq(sti(IDX, get(i), ldi(IDX, get(gt))), sti(IDX, get(gt), get(x)), dec(gt)),
                        () => inc(i),
                      ),
                  ),
                  f.br('part'),
                ),
              ),
            ),
            f.when(
              i32.ltS(i32.sub(get(lt), get(LO)), i32.sub(get(HI), get(gt))),
              () =>
                seq(
                  f.when(i32.ltS(get(LO), i32.sub(get(lt), one)), () =>
                    call(self, get(A), get(B), get(IDX), get(LO), i32.sub(get(lt), one)),
                  ),
                  set(LO, i32.add(get(gt), one)),
                ),
              () =>
                seq(
                  f.when(i32.ltS(i32.add(get(gt), one), get(HI)), () =>
                    call(self, get(A), get(B), get(IDX), i32.add(get(gt), one), get(HI)),
                  ),
                  set(HI, i32.sub(get(lt), one)),
                ),
            ),
            f.br('range'),
          ),
        ),
      ),
      insertionCode(f, [A, B, IDX], LO, HI, [x, y, i, j, xa, xb]),
    ),
  );
  return f;
}

/**
 * argsort(a, b, n, idx, digit, counts): fills `idx[0..n)` with 0..n-1 ordered by (a, b), byte
 * addresses; `digit` has room for n 32-bit integers, `counts` {@link COUNT_BYTES} bytes.
 * `sortRange`: the index of {@link sortRangeFn}.
 */
function argsortFn(sortRange: number): FunctionBuilder {
  const f = new FunctionBuilder([I32, I32, I32, I32, I32, I32], []);
  const [A, B, N, IDX, DIGIT, COUNTS] = [0, 1, 2, 3, 4, 5];
  const i = f.local(I32);
  const h = f.local(I32);
  const k = f.local(I32);
  const kmin = f.local(I32);
  const kmax = f.local(I32);
  const spanBits = f.local(I32);
  const bits = f.local(I32);
  const shift = f.local(I32);
  const buckets = f.local(I32);
  const b = f.local(I32);
  const at = f.local(I32);
  const lo = f.local(I32);
  const hi = f.local(I32);
  const last = f.local(I32);
  const same = f.local(I32);
  const x = f.local(I32);
  const y = f.local(I32);
  const j = f.local(I32);
  const first = f.local(F64);
  const xa = f.local(F64);
  const xb = f.local(F64);
  const count = (index: Code) => i32.load(at4(get(COUNTS), index));
  const setCount = (index: Code, value: Code) => i32.store(at4(get(COUNTS), index), value);
  const zero = i32.const(0);
  f.body(
    f.when(
      i32.ltS(get(N), i32.const(BUCKET_CUTOFF)),
      () =>
        seq(
          f.forRange('identity', i, zero, get(N), sti(IDX, get(i), get(i))),
          f.when(i32.gtS(get(N), one), () =>
            call(sortRange, get(A), get(B), get(IDX), zero, i32.sub(get(N), one)),
          ),
        ),
      () =>
        seq(
          set(kmin, i32.const(0x7fffffff)),
          set(kmax, i32.const(-0x80000000)),
          f.forRange(
            'keys',
            i,
            zero,
            get(N),
            seq(
              set(h, i32.load(at8(get(A), get(i)), 4)),
              // Signed order of the high word: negative numbers flip their magnitude bits. -0 (the one
              // value whose high word is the sign bit alone that equals zero) is made +0.
              set(k, i32.xor(get(h), i32.and(i32.shrS(get(h), i32.const(31)), i32.const(0x7fffffff)))),
              f.when(
                i32.and(i32.eq(get(h), i32.const(-0x80000000)), f64.eq(ld(A, get(i)), f64.const(0))),
                () => set(k, zero),
              ),
              sti(DIGIT, get(i), get(k)),
              f.when(i32.ltS(get(k), get(kmin)), () => set(kmin, get(k))),
              f.when(i32.gtS(get(k), get(kmax)), () => set(kmax, get(k))),
            ),
          ),
          // Bucket = the top `bits` bits of k - kmin, about one bucket per two keys; the span's bits
          // as an unsigned 32-bit number (0 when every key is the same).
          set(spanBits, i32.sub(i32.const(32), i32.clz(i32.sub(get(kmax), get(kmin))))),
          set(bits, one),
          f.block('sized', () =>
            f.loop('size', () =>
              seq(
                f.brIf('sized', i32.geS(get(bits), i32.const(MAX_DIGIT))),
                f.brIf('sized', i32.gtS(i32.shl(i32.const(2), get(bits)), get(N))),
                inc(bits),
                f.br('size'),
              ),
            ),
          ),
          f.when(i32.gtS(get(bits), get(spanBits)), () => set(bits, get(spanBits))),
          set(shift, i32.sub(get(spanBits), get(bits))),
          set(buckets, i32.shl(one, get(bits))),
          f.forRange('clear', b, zero, i32.add(get(buckets), one), setCount(get(b), zero)),
          f.forRange(
            'count',
            i,
            zero,
            get(N),
            seq(
              set(b, i32.shrU(i32.sub(ldi(DIGIT, get(i)), get(kmin)), get(shift))),
              sti(DIGIT, get(i), get(b)),
              setCount(i32.add(get(b), one), i32.add(count(i32.add(get(b), one)), one)),
            ),
          ),
          // counts[b] = start of bucket b.
          f.forRange(
            'sum',
            b,
            one,
            i32.add(get(buckets), one),
            setCount(get(b), i32.add(count(get(b)), count(i32.sub(get(b), one)))),
          ),
          f.forRange(
            'scatter',
            i,
            zero,
            get(N),
            seq(
              set(b, ldi(DIGIT, get(i))),
              set(at, count(get(b))),
              setCount(get(b), i32.add(get(at), one)),
              sti(IDX, get(at), get(i)),
            ),
          ),
          // Now counts[b] = end of bucket b = start of bucket b + 1.
          set(lo, zero),
          f.forRange(
            'finish',
            b,
            zero,
            get(buckets),
            seq(
              set(hi, count(get(b))),
              f.when(
                i32.gtS(i32.sub(get(hi), get(lo)), i32.const(INSERTION_CUTOFF)),
                () =>
                  seq(
                    // A bucket of one repeated key (grid values) is already sorted when there is no
                    // second key.
                    set(first, ld(A, ldi(IDX, get(lo)))),
                    set(same, i32.eq(get(A), get(B))),
                    set(i, i32.add(get(lo), one)),
                    f.block('differs', () =>
                      f.loop('compare', () =>
                        seq(
                          f.brIf('differs', i32.eqz(get(same))),
                          f.brIf('differs', i32.geS(get(i), get(hi))),
                          set(same, f64.eq(ld(A, ldi(IDX, get(i))), get(first))),
                          inc(i),
                          f.br('compare'),
                        ),
                      ),
                    ),
                    f.when(i32.eqz(get(same)), () =>
                      call(sortRange, get(A), get(B), get(IDX), get(lo), i32.sub(get(hi), one)),
                    ),
                  ),
                () =>
                  f.when(i32.gtS(i32.sub(get(hi), get(lo)), one), () =>
                    seq(
                      set(last, i32.sub(get(hi), one)),
                      insertionCode(f, [A, B, IDX], lo, last, [x, y, i, j, xa, xb]),
                    ),
                  ),
              ),
              set(lo, get(hi)),
            ),
          ),
        ),
    ),
  );
  return f;
}

/**
 * The sort's two functions, to be listed at indices `first` (sortRange) and `first + 1` (argsort) of
 * a module: argsort(a, b, n, idx, digit, counts), byte addresses (see {@link argsortFn}).
 */
export function sortFunctions(first: number): [FunctionBuilder, FunctionBuilder] {
  return [sortRangeFn(first), argsortFn(first)];
}

interface SortExports {
  readonly memory: WasmMemory;
  readonly argsort: (a: number, b: number, n: number, idx: number, digit: number, counts: number) => void;
}

const [sortRange, argsort] = sortFunctions(0);
const sorter = instantiate<SortExports>(
  moduleBytes({ functions: [{ fn: sortRange }, { fn: argsort, name: 'argsort' }], memoryPages: 1 }),
  'hypervolume kernels',
  '',
);

// The module's memory: the counts at byte 0, then four regions of `capacity` 8-byte entries: the
// primary keys, the secondary keys, the order and the buckets (32-bit integers in the last two).
let capacity = 0;
let doubles = new Float64Array(0);
let ints = new Int32Array(0);

function cover(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, 2 * capacity, 1024);
  const bytes = COUNT_BYTES + 4 * 8 * capacity;
  growTo(sorter.memory, bytes);
  doubles = new Float64Array(sorter.memory.buffer);
  ints = new Int32Array(sorter.memory.buffer);
}

/**
 * Fills `idx[0..n)` with `0..n-1` ordered by `primary` ascending, ties broken by `secondary`
 * ascending (the order among full ties is unspecified, but the same keys give the same order).
 * `primary`, `secondary`: length >= n. The keys must not be NaN; -0 and +0 are equal.
 */
export function argsortLex(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  if (n <= 1) {
    if (n === 1) idx[0] = 0;
    return;
  }
  cover(n);
  const a = COUNT_BYTES;
  const b = a + 8 * capacity;
  const order = b + 8 * capacity;
  const digit = order + 8 * capacity;
  const d = doubles;
  const a8 = a >>> 3;
  for (let i = 0; i < n; i++) d[a8 + i] = primary[i]!;
  if (secondary !== primary) {
    const b8 = b >>> 3;
    for (let i = 0; i < n; i++) d[b8 + i] = secondary[i]!;
  }
  sorter.argsort(a, secondary === primary ? a : b, n, order, digit, 0);
  const out = ints;
  const o4 = order >>> 2;
  for (let i = 0; i < n; i++) idx[i] = out[o4 + i]!;
}
