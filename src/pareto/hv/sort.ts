/**
 * In-place index sort for the hypervolume kernels: an LSD radix sort on the high 32 bits of the
 * keys for long arrays and a quicksort for short ones, over an `Int32Array` of indices that reads its
 * keys from `Float64Array`s, because `TypedArray#sort` with a comparator costs a call per comparison
 * and the kernels sort on every invocation. Ties are common (points on a grid, duplicates): the radix
 * passes put equal keys together in O(n), and the runs they leave are finished by a three-way
 * quicksort that never recurses into a block of equal keys, O(r log u) for a run of r keys with u
 * distinct values.
 *
 * The radix buffers are module-private scratch grown on demand and reused by every call, so a sort
 * allocates nothing once warm (sorting is synchronous and calls nothing outside this module).
 */

/** Below this length a range is finished by insertion sort. */
const INSERTION_CUTOFF = 16;
/** From this length on, the radix passes replace the quicksort. */
const RADIX_CUTOFF = 1024;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
/** Digits of the radix passes: 11, 11 and 10 bits of the 32-bit key. */
const BUCKETS = 2048;

let capacity = 0;
let keyA = new Uint32Array(0);
let keyB = new Uint32Array(0);
let idxB = new Int32Array(0);
const counts = new Int32Array(3 * BUCKETS);
/** One float64 seen as two 32-bit words, to read a key's high word without a view per array. */
const f64 = new Float64Array(1);
const u32 = new Uint32Array(f64.buffer);
const HIGH = LITTLE_ENDIAN ? 1 : 0;

function ensure(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, 2 * capacity);
  keyA = new Uint32Array(capacity);
  keyB = new Uint32Array(capacity);
  idxB = new Int32Array(capacity);
}

/**
 * Fills `idx[0..n)` with `0..n-1` ordered by `primary` ascending, ties broken by `secondary`
 * ascending (order among full ties is unspecified). `primary`, `secondary`: length >= n. The keys
 * must not be NaN; -0 and +0 are equal.
 */
export function argsortLex(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  if (n >= RADIX_CUTOFF) {
    radixArgsort(primary, secondary, n, idx);
    return;
  }
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n > 1) sortRange(primary, secondary, idx, 0, n - 1);
}

/**
 * LSD radix sort on the high 32 bits of each key mapped to an order-preserving unsigned integer
 * (sign, exponent and 20 mantissa bits): one pass builds the three digit histograms, a digit that is
 * the same for every key costs no pass, and each run of equal high words is then finished by the
 * comparison sort on the full keys. O(n) for keys spread over a few binades, against O(n log n)
 * comparisons for the quicksort.
 */
function radixArgsort(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  ensure(n);
  let key = keyA;
  let tmpKey = keyB;
  let cur: Int32Array = idx;
  let tmpIdx: Int32Array = idxB;
  let kmin = 0xffffffff;
  let kmax = 0;
  for (let i = 0; i < n; i++) {
    const v = primary[i]!;
    f64[0] = v;
    const h = u32[HIGH]!;
    // Negative numbers reverse order under their bit pattern; -0 is made +0.
    const k = v === 0 ? 0x80000000 : h & 0x80000000 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    key[i] = k;
    cur[i] = i;
    if (k < kmin) kmin = k;
    if (k > kmax) kmax = k;
  }
  // Keys relative to the smallest: only the digits that vary get a pass (two instead of three for
  // keys within a few binades of each other).
  const span = kmax - kmin;
  const passes = span < 1 << 11 ? 1 : span < 1 << 22 ? 2 : 3;
  counts.fill(0, 0, passes * BUCKETS);
  for (let i = 0; i < n; i++) {
    const k = (key[i]! - kmin) >>> 0;
    key[i] = k;
    counts[k & 0x7ff]!++;
    if (passes > 1) counts[BUCKETS + ((k >>> 11) & 0x7ff)]!++;
    if (passes > 2) counts[2 * BUCKETS + (k >>> 22)]!++;
  }
  for (let pass = 0; pass < passes; pass++) {
    const shift = 11 * pass;
    const mask = pass === 2 ? 0x3ff : 0x7ff;
    const base = pass * BUCKETS;
    // A pass where every key has the same digit changes nothing.
    if (counts[base + ((key[0]! >>> shift) & mask)] === n) continue;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = counts[base + b]!;
      counts[base + b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = key[i]!;
      const at = counts[base + ((k >>> shift) & mask)]!++;
      tmpKey[at] = k;
      tmpIdx[at] = cur[i]!;
    }
    const k2 = key;
    key = tmpKey;
    tmpKey = k2;
    const i2 = cur;
    cur = tmpIdx;
    tmpIdx = i2;
  }
  if (cur !== idx) {
    for (let i = 0; i < n; i++) idx[i] = cur[i]!;
  }
  let lo = 0;
  while (lo < n) {
    const k = key[lo]!;
    let hi = lo;
    while (hi + 1 < n && key[hi + 1] === k) hi++;
    if (hi > lo) sortRange(primary, secondary, idx, lo, hi);
    lo = hi + 1;
  }
}

/** Sorts `idx[lo..hi]` (inclusive) by (a, b): three-way quicksort, insertion sort for short ranges. */
function sortRange(a: Float64Array, b: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  // Recursing into the smaller side bounds the depth by log2 n.
  while (hi - lo > INSERTION_CUTOFF) {
    const mid = (lo + hi) >>> 1;
    let il = idx[lo]!;
    let im = idx[mid]!;
    let ih = idx[hi]!;
    if (less(a, b, im, il)) {
      const t = il;
      il = im;
      im = t;
    }
    if (less(a, b, ih, im)) {
      const t = im;
      im = ih;
      ih = t;
      if (less(a, b, im, il)) {
        const u = il;
        il = im;
        im = u;
      }
    }
    idx[lo] = il;
    idx[mid] = im;
    idx[hi] = ih;
    const pa = a[im]!;
    const pb = b[im]!;
    // Dijkstra's partition: [lo, lt) below the pivot, [lt, i) equal to it, (gt, hi] above.
    let lt = lo;
    let gt = hi;
    let i = lo;
    while (i <= gt) {
      const x = idx[i]!;
      const xa = a[x]!;
      if (xa < pa || (xa === pa && b[x]! < pb)) {
        idx[i] = idx[lt]!;
        idx[lt] = x;
        lt++;
        i++;
      } else if (xa > pa || b[x]! > pb) {
        idx[i] = idx[gt]!;
        idx[gt] = x;
        gt--;
      } else {
        i++;
      }
    }
    if (lt - lo < hi - gt) {
      if (lo < lt - 1) sortRange(a, b, idx, lo, lt - 1);
      lo = gt + 1;
    } else {
      if (gt + 1 < hi) sortRange(a, b, idx, gt + 1, hi);
      hi = lt - 1;
    }
  }
  for (let i = lo + 1; i <= hi; i++) {
    const x = idx[i]!;
    const xa = a[x]!;
    const xb = b[x]!;
    let j = i - 1;
    while (j >= lo) {
      const y = idx[j]!;
      const ya = a[y]!;
      if (ya < xa || (ya === xa && b[y]! <= xb)) break;
      idx[j + 1] = y;
      j--;
    }
    idx[j + 1] = x;
  }
}

function less(a: Float64Array, b: Float64Array, i: number, j: number): boolean {
  const ai = a[i]!;
  const aj = a[j]!;
  return ai < aj || (ai === aj && b[i]! < b[j]!);
}
