/**
 * In-place index sort for the hypervolume kernels: a quicksort over an `Int32Array` of indices that
 * reads its keys from `Float64Array`s, because `TypedArray#sort` with a comparator costs a call per
 * comparison and the kernels sort on every invocation.
 */

/** Below this length a range is finished by insertion sort. */
const INSERTION_CUTOFF = 16;
/** From this length on, a radix pass on the high 32 bits of the keys replaces the quicksort. */
const RADIX_CUTOFF = 512;
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Fills `idx[0..n)` with `0..n-1` ordered by `primary` ascending, ties broken by `secondary`
 * ascending (order among full ties is unspecified). `primary`, `secondary`: length >= n. The keys
 * must not be NaN.
 */
export function argsortLex(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  if (n >= RADIX_CUTOFF && LITTLE_ENDIAN && primary.byteOffset % 8 === 0) {
    radixArgsort(primary, secondary, n, idx);
    return;
  }
  for (let i = 0; i < n; i++) idx[i] = i;
  if (n > 1) sortRange(primary, secondary, idx, 0, n - 1);
}

/**
 * LSD radix sort (11 + 11 + 10 bits) on the high 32 bits of each key mapped to an order-preserving
 * unsigned integer (sign, exponent and 20 mantissa bits), then each run of equal high words is
 * finished by the comparison sort on the full keys; runs are short unless keys tie exactly.
 * O(n) for keys spread over a few binades, against O(n log n) comparisons for the quicksort.
 */
function radixArgsort(primary: Float64Array, secondary: Float64Array, n: number, idx: Int32Array): void {
  const words = new Uint32Array(primary.buffer, primary.byteOffset, 2 * n);
  let key = new Uint32Array(n);
  let tmpKey = new Uint32Array(n);
  let tmpIdx: Int32Array = new Int32Array(n);
  let cur: Int32Array = idx;
  for (let i = 0; i < n; i++) {
    const h = words[2 * i + 1]!;
    // Negative numbers reverse order under their bit pattern; -0 is made +0.
    key[i] = primary[i] === 0 ? 0x80000000 : h & 0x80000000 ? ~h >>> 0 : (h | 0x80000000) >>> 0;
    cur[i] = i;
  }
  const count = new Int32Array(2048);
  for (const shift of [0, 11, 22]) {
    const mask = shift === 22 ? 0x3ff : 0x7ff;
    count.fill(0);
    for (let i = 0; i < n; i++) count[(key[i]! >>> shift) & mask]!++;
    // A pass where every key has the same digit changes nothing.
    if (count[(key[0]! >>> shift) & mask] === n) continue;
    let sum = 0;
    for (let b = 0; b <= mask; b++) {
      const c = count[b]!;
      count[b] = sum;
      sum += c;
    }
    for (let i = 0; i < n; i++) {
      const k = key[i]!;
      const at = count[(k >>> shift) & mask]!++;
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
  if (cur !== idx) idx.set(cur.subarray(0, n));
  let lo = 0;
  while (lo < n) {
    let hi = lo;
    const k = key[lo]!;
    while (hi + 1 < n && key[hi + 1] === k) hi++;
    if (hi > lo) sortRange(primary, secondary, idx, lo, hi);
    lo = hi + 1;
  }
}

function sortRange(a: Float64Array, b: Float64Array, idx: Int32Array, lo: number, hi: number): void {
  // Hoare partition around a median of three; recursing into the smaller side bounds the depth by log2 n.
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
    let i = lo;
    let j = hi;
    while (i <= j) {
      let x = idx[i]!;
      while (a[x]! < pa || (a[x] === pa && b[x]! < pb)) x = idx[++i]!;
      let y = idx[j]!;
      while (a[y]! > pa || (a[y] === pa && b[y]! > pb)) y = idx[--j]!;
      if (i <= j) {
        idx[i] = y;
        idx[j] = x;
        i++;
        j--;
      }
    }
    if (j - lo < hi - i) {
      if (lo < j) sortRange(a, b, idx, lo, j);
      lo = i;
    } else {
      if (i < hi) sortRange(a, b, idx, i, hi);
      hi = j;
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
