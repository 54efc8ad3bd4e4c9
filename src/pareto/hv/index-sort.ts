/**
 * In-place index sort for the hypervolume kernels, over an `Int32Array` of indices that reads its
 * keys from `Float64Array`s, because `TypedArray#sort` with a comparator costs a call per comparison
 * and the kernels sort on every invocation. Short arrays go to a three-way quicksort; longer ones
 * first get one bucket pass: the high 32 bits of each primary key, mapped to an order-preserving
 * integer (sign, exponent and 20 mantissa bits), minus the smallest, are cut to their top bits, about
 * one bucket per two keys, and a counting pass puts every index in its bucket. Each bucket is then
 * finished by the quicksort on the full keys (insertion sort for the usual handful of keys). Ties are
 * common (points on a grid, duplicates): a bucket of equal keys costs the three-way quicksort one
 * partition, O(r), and a bucket of r keys with u distinct values O(r log u).
 *
 * The buffers are module-private scratch grown on demand and reused by every call, so a sort
 * allocates nothing once warm (sorting is synchronous and calls nothing outside this module).
 */

/** Below this length a range is finished by insertion sort. */
const INSERTION_CUTOFF = 16;
/** From this length on, the bucket pass comes before the quicksort. */
const BUCKET_CUTOFF = 256;
/** At most 2^MAX_DIGIT buckets (their counts stay in the first-level cache). */
const MAX_DIGIT = 13;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const HIGH = LITTLE_ENDIAN ? 1 : 0;

let capacity = 0;
/** Per key: its bucket. */
let digit = new Int32Array(0);
const counts = new Int32Array((1 << MAX_DIGIT) + 1);
/** The 32-bit words of the last array sorted by the bucket path (a view cached per buffer). */
let words: Int32Array<ArrayBufferLike> = new Int32Array(0);
let wordsOf: ArrayBufferLike | null = null;
let wordsOffset = -1;

function ensure(n: number): void {
  if (n <= capacity) return;
  capacity = Math.max(n, 2 * capacity);
  digit = new Int32Array(capacity);
}

/** The 32-bit words of `a`, as a view reused while `a` lives in the same buffer. */
function wordsOfArray(a: Float64Array): Int32Array {
  if (a.buffer !== wordsOf || a.byteOffset !== wordsOffset || words.length < 2 * a.length) {
    words = new Int32Array(a.buffer, a.byteOffset, 2 * a.length);
    wordsOf = a.buffer;
    wordsOffset = a.byteOffset;
  }
  return words;
}

/**
 * Fills `idx[0..n)` with `0..n-1` ordered by `primary` ascending, ties broken by `secondary`
 * ascending (order among full ties is unspecified). `primary`, `secondary`: length >= n. The keys
 * must not be NaN; -0 and +0 are equal.
 */
export function argsortLex(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  if (n >= BUCKET_CUTOFF) {
    bucketArgsort(primary, secondary, n, idx);
    return;
  }
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n > 1) sortRange(primary, secondary, idx, 0, n - 1);
}

/** The bucket pass (see the file's comment), then the quicksort inside each bucket. */
function bucketArgsort(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  ensure(n);
  const w = wordsOfArray(primary);
  const d = digit;
  let kmin = 0x7fffffff;
  let kmax = -0x80000000;
  for (let i = 0; i < n; i++) {
    const h = w[2 * i + HIGH]!;
    // Signed order of the high word: negative numbers flip their magnitude bits. -0 (the one value
    // whose high word is the sign bit alone that equals zero) is made +0.
    const k = h === -0x80000000 && primary[i] === 0 ? 0 : h ^ ((h >> 31) & 0x7fffffff);
    d[i] = k;
    if (k < kmin) kmin = k;
    if (k > kmax) kmax = k;
  }
  // Bucket = the top `bits` bits of k - kmin, about one bucket per two keys.
  const span = kmax - kmin;
  // Bits of the span as an unsigned 32-bit number (0 when every key is the same).
  const spanBits = 32 - Math.clz32(span);
  let bits = 1;
  while (bits < MAX_DIGIT && 2 << bits <= n) bits++;
  if (bits > spanBits) bits = spanBits;
  const shift = spanBits - bits;
  const buckets = 1 << bits;
  counts.fill(0, 0, buckets + 1);
  for (let i = 0; i < n; i++) {
    // k - kmin < 2^32: as an unsigned bit pattern, shifted down to fewer than 2^13 buckets.
    const b = ((d[i]! - kmin) >>> shift) | 0;
    d[i] = b;
    counts[b + 1]!++;
  }
  // counts[b] = start of bucket b.
  for (let b = 1; b <= buckets; b++) counts[b] = counts[b]! + counts[b - 1]!;
  for (let i = 0; i < n; i++) {
    const b = d[i]!;
    const at = counts[b]!;
    counts[b] = at + 1;
    idx[at] = i;
  }
  // Now counts[b] = end of bucket b = start of bucket b + 1.
  let lo = 0;
  for (let b = 0; b < buckets; b++) {
    const hi = counts[b]!;
    if (hi - lo > INSERTION_CUTOFF) {
      // A bucket of one repeated key (grid values) is already sorted when there is no second key.
      const first = primary[idx[lo]!]!;
      let same = primary === secondary;
      for (let i = lo + 1; same && i < hi; i++) same = primary[idx[i]!] === first;
      if (!same) sortRange(primary, secondary, idx, lo, hi - 1);
    } else if (hi - lo > 1) {
      // Inline insertion sort: most buckets hold a few keys, and a call each would cost more.
      for (let i = lo + 1; i < hi; i++) {
        const x = idx[i]!;
        const xa = primary[x]!;
        const xb = secondary[x]!;
        let j = i - 1;
        while (j >= lo) {
          const y = idx[j]!;
          const ya = primary[y]!;
          if (ya < xa || (ya === xa && secondary[y]! <= xb)) break;
          idx[j + 1] = y;
          j--;
        }
        idx[j + 1] = x;
      }
    }
    lo = hi;
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
