import { type Matrix, type MatrixLike, toMatrix } from '../linalg/matrix.js';
import { assertNoNaN } from './nondominated-sort.js';

/** Validates an approximation set A (n x m) and a reference set R (k x m) for the indicator `fn`. */
function pair(A: MatrixLike, R: MatrixLike, fn: string): [Matrix, Matrix] {
  const a = toMatrix(A, `${fn}: A`);
  const r = toMatrix(R, `${fn}: R`);
  if (a.rows === 0) throw new RangeError(`${fn}: A has no points, expected at least one`);
  if (r.rows === 0) throw new RangeError(`${fn}: R has no points, expected at least one`);
  if (a.cols !== r.cols) {
    throw new RangeError(`${fn}: A has ${a.cols} objectives and R has ${r.cols}, expected the same number`);
  }
  assertNoNaN(a, `${fn} (A)`);
  assertNoNaN(r, `${fn} (R)`);
  return [a, r];
}

/**
 * Mean over the rows p of `from` (`n x m`) of the least distance from p to a row of `to` (`k x m`);
 * `plus` measures only the part of each gap where the `to` point is worse (IGD+'s d+). O(n k m).
 */
function meanNearest(from: Matrix, to: Matrix, plus: boolean): number {
  const m = from.cols;
  const f = from.data;
  const t = to.data;
  let total = 0;
  for (let i = 0; i < from.rows; i++) {
    const oi = i * m;
    let best = Number.POSITIVE_INFINITY;
    for (let k = 0; k < to.rows; k++) {
      const ok = k * m;
      let d2 = 0;
      for (let j = 0; j < m && d2 < best; j++) {
        let d = t[ok + j]! - f[oi + j]!;
        if (plus && d < 0) d = 0;
        d2 += d * d;
      }
      if (d2 < best) best = d2;
    }
    total += Math.sqrt(best);
  }
  return total / from.rows;
}

/**
 * Generational distance as pymoo computes it (p = 1): the mean over a in A (`n x m`) of the Euclidean
 * distance from a to the nearest point of the reference front R (`k x m`). O(n k m).
 */
export function generationalDistance(A: MatrixLike, R: MatrixLike): number {
  const [a, r] = pair(A, R, 'generationalDistance');
  return meanNearest(a, r, false);
}

/**
 * Inverted generational distance: the mean over r in R (`k x m`) of the Euclidean distance from r to the
 * nearest point of A (`n x m`). O(n k m).
 */
export function invertedGenerationalDistance(A: MatrixLike, R: MatrixLike): number {
  const [a, r] = pair(A, R, 'invertedGenerationalDistance');
  return meanNearest(r, a, false);
}

/**
 * IGD+ (Ishibuchi, Masuda, Tanigaki, Nojima 2015): the mean over r in R (`k x m`) of the least
 * d+(r, a) = ||max(a - r, 0)|| over a in A (`n x m`), a distance that counts only where a is worse than
 * r, which makes the indicator weakly Pareto compliant. O(n k m).
 */
export function invertedGenerationalDistancePlus(A: MatrixLike, R: MatrixLike): number {
  const [a, r] = pair(A, R, 'invertedGenerationalDistancePlus');
  return meanNearest(r, a, true);
}

/**
 * Additive epsilon indicator (Zitzler et al. 2003): the smallest eps such that every r in R (`k x m`) is
 * weakly dominated by some a - eps, a in A (`n x m`), that is max over r of min over a of
 * max over j of (a_j - r_j). Zero or negative when A weakly dominates R. O(n k m).
 */
export function additiveEpsilon(A: MatrixLike, R: MatrixLike): number {
  const [a, r] = pair(A, R, 'additiveEpsilon');
  const m = a.cols;
  const ad = a.data;
  const rd = r.data;
  let worst = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < r.rows; k++) {
    const ok = k * m;
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < a.rows && best > worst; i++) {
      const oi = i * m;
      let gap = Number.NEGATIVE_INFINITY;
      // Once this a needs more than the best so far, it cannot win: stop scanning it.
      for (let j = 0; j < m && gap < best; j++) {
        const d = ad[oi + j]! - rd[ok + j]!;
        if (d > gap) gap = d;
      }
      if (gap < best) best = gap;
    }
    if (best > worst) worst = best;
  }
  return worst;
}

/**
 * log10(maxHv - hv), the usual convergence curve of a hypervolume run. The difference is clamped below
 * at Number.EPSILON * maxHv, the resolution of float64 at that magnitude, so reaching (or, by rounding,
 * passing) the maximum gives log10(EPSILON * maxHv) (about -15.65 + log10(maxHv)), never -Infinity or
 * NaN. Throws unless maxHv > 0 and hv >= 0 are finite.
 */
export function log10HypervolumeDifference(hv: number, maxHv: number): number {
  if (!(Number.isFinite(maxHv) && maxHv > 0)) {
    throw new RangeError(`log10HypervolumeDifference: maxHv is ${maxHv}, expected a finite number > 0`);
  }
  if (!(Number.isFinite(hv) && hv >= 0)) {
    throw new RangeError(`log10HypervolumeDifference: hv is ${hv}, expected a finite number >= 0`);
  }
  return Math.log10(Math.max(maxHv - hv, Number.EPSILON * maxHv));
}
