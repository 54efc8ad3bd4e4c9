import { type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { argsortStable, assertNoNaN, lexicographicOrder } from './nondominated-sort.js';

/**
 * Crowding distance (Deb, Pratap, Agarwal, Meyarivan 2002) of the rows of `points` (`n x m`) listed in
 * `indices` (default: all rows), with pymoo's conventions so that NSGA-II survival matches it:
 *
 * - with at most 2 points, every distance is Infinity;
 * - identical rows: the first listed gets the distance computed on the set without duplicates, later
 *   copies get 0 (they add no diversity);
 * - per objective, the points are sorted by value (ties in listed order); the first and last get
 *   Infinity, the others the gap between their neighbours divided by the objective's range over the
 *   set. An objective whose values are all equal contributes 0, boundaries included;
 * - the result is the mean over the m objectives (Deb's sum divided by m: the same order);
 * - an objective with infinite values has an infinite range: its boundaries get Infinity, its interior 0.
 *
 * Returns a new array of length `indices.length`, aligned with `indices`. O(m s log s) for s indices.
 */
export function crowdingDistance(points: MatrixLike, indices?: ArrayLike<number>): Float64Array {
  const P = toMatrix(points, 'crowdingDistance: points');
  assertNoNaN(P, 'crowdingDistance');
  const m = P.cols;
  let ids: Int32Array;
  if (indices === undefined) {
    ids = new Int32Array(P.rows);
    for (let i = 0; i < P.rows; i++) ids[i] = i;
  } else {
    ids = new Int32Array(indices.length);
    for (let t = 0; t < indices.length; t++) {
      const i = indices[t]!;
      if (!Number.isInteger(i) || i < 0 || i >= P.rows) {
        throw new RangeError(
          `crowdingDistance: indices[${t}] is ${i}, expected an integer in [0, ${P.rows})`,
        );
      }
      ids[t] = i;
    }
  }
  const s = ids.length;
  const out = new Float64Array(s);
  if (s <= 2 || m === 0) {
    out.fill(s <= 2 ? Number.POSITIVE_INFINITY : 0);
    return out;
  }

  // Gather the selected rows (s x m) so that position t in the set is row t of x.
  const x = new Float64Array(s * m);
  for (let t = 0; t < s; t++) x.set(P.data.subarray(ids[t]! * m, ids[t]! * m + m), t * m);

  // Unique positions, in listed order; a copy of an earlier row is left out and keeps distance 0.
  const lex = lexicographicOrder(x, s, m);
  const isCopy = new Uint8Array(s);
  for (let r = 1; r < s; r++) {
    const a = lex[r - 1]! * m;
    const b = lex[r]! * m;
    let same = true;
    for (let j = 0; j < m && same; j++) same = x[a + j] === x[b + j];
    if (same) isCopy[lex[r]!] = 1;
  }
  const unique = new Int32Array(s);
  let u = 0;
  for (let t = 0; t < s; t++) if (!isCopy[t]) unique[u++] = t;

  const column = new Float64Array(u);
  for (let j = 0; j < m; j++) {
    for (let r = 0; r < u; r++) column[r] = x[unique[r]! * m + j]!;
    // Stable by listed position, as pymoo's mergesort.
    const rank = argsortStable(column);
    const sorted = rank.map((r) => unique[r]!);
    const lo = x[sorted[0]! * m + j]!;
    const hi = x[sorted[u - 1]! * m + j]!;
    const range = hi - lo;
    if (!(range > 0) || !Number.isFinite(range)) {
      // All equal: no contribution. An infinite range (infinite objective values) makes every interior
      // gap 0 after normalization, so only the boundaries are marked.
      if (range === Number.POSITIVE_INFINITY) {
        out[sorted[0]!] = Number.POSITIVE_INFINITY;
        out[sorted[u - 1]!] = Number.POSITIVE_INFINITY;
      }
      continue;
    }
    out[sorted[0]!] = Number.POSITIVE_INFINITY;
    out[sorted[u - 1]!] = Number.POSITIVE_INFINITY;
    for (let r = 1; r < u - 1; r++) {
      const t = sorted[r]!;
      out[t] = out[t]! + (x[sorted[r + 1]! * m + j]! - x[sorted[r - 1]! * m + j]!) / range;
    }
  }
  for (let t = 0; t < s; t++) out[t] = isCopy[t] ? 0 : out[t]! / m;
  return out;
}
