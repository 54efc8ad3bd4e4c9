import { type Matrix, zeros } from '../src/linalg/matrix.js';

/**
 * Gamma(x) for x a positive integer or half-integer, exactly as products: Gamma(k) = (k-1)! and
 * Gamma(k + 1/2) = sqrt(pi) (2k)! / (4^k k!), evaluated by the recurrence Gamma(x + 1) = x Gamma(x).
 */
export function gammaHalfInteger(x: number): number {
  if (!(x > 0) || !Number.isInteger(2 * x)) {
    throw new RangeError(`gammaHalfInteger: x is ${x}, expected a positive integer or half-integer`);
  }
  let value = Number.isInteger(x) ? 1 : Math.sqrt(Math.PI);
  for (let t = Number.isInteger(x) ? 1 : 0.5; t < x; t++) value *= t;
  return value;
}

/** Volume of the positive orthant of the unit ball in m dimensions: pi^(m/2) / (Gamma(m/2 + 1) 2^m). */
export function unitBallOrthantVolume(m: number): number {
  return Math.PI ** (m / 2) / (gammaHalfInteger(m / 2 + 1) * 2 ** m);
}

export function factorial(k: number): number {
  let f = 1;
  for (let t = 2; t <= k; t++) f *= t;
  return f;
}

export function binomial(n: number, k: number): number {
  if (k < 0 || k > n) return 0;
  let c = 1;
  for (let t = 1; t <= Math.min(k, n - k); t++) c = (c * (n - Math.min(k, n - k) + t)) / t;
  return Math.round(c);
}

/**
 * The Das-Dennis simplex lattice: all vectors of m non-negative multiples of 1/divisions summing to 1,
 * C(divisions + m - 1, m - 1) rows (`count x m`), in lexicographically decreasing order of the first
 * coordinates.
 */
export function dasDennis(m: number, divisions: number): Matrix {
  if (!Number.isInteger(m) || m < 1) throw new RangeError(`dasDennis: m is ${m}, expected an integer >= 1`);
  if (!Number.isInteger(divisions) || divisions < 0) {
    throw new RangeError(`dasDennis: divisions is ${divisions}, expected an integer >= 0`);
  }
  const count = binomial(divisions + m - 1, m - 1);
  const out = zeros(count, m);
  const parts = new Int32Array(m);
  let row = 0;
  // Enumerate compositions of `divisions` into m parts, depth first over the first m - 1 parts.
  const fill = (j: number, left: number): void => {
    if (j === m - 1) {
      parts[j] = left;
      for (let t = 0; t < m; t++) out.data[row * m + t] = divisions === 0 ? 1 / m : parts[t]! / divisions;
      row++;
      return;
    }
    for (let v = left; v >= 0; v--) {
      parts[j] = v;
      fill(j + 1, left - v);
    }
  };
  if (divisions === 0) {
    out.data.fill(1 / m);
    return out;
  }
  fill(0, divisions);
  return out;
}

/** The largest number of Das-Dennis divisions whose lattice has at most n points (at least 1). */
export function dasDennisDivisions(m: number, n: number): number {
  let h = 1;
  while (binomial(h + 1 + m - 1, m - 1) <= n) h++;
  return h;
}

/**
 * The non-dominated pieces of a two-objective curve front {(t, phi(t)) : t in [a, b]}: the intervals
 * where phi reaches a new running minimum. `ends[i]` is a local minimum of phi (or b); `starts[i]` (i > 0)
 * is where phi falls back to the level phi(ends[i-1]), so it is weakly dominated itself and each piece is
 * open at its start. Found on a grid of `grid` cells and refined by golden-section search and bisection
 * to machine precision, so phi must be smooth and have at most one local extremum per grid cell.
 */
export function curvePieces(
  phi: (t: number) => number,
  a: number,
  b: number,
  grid = 20000,
): { starts: number[]; ends: number[] } {
  const starts: number[] = [a];
  const ends: number[] = [];
  const h = (b - a) / grid;
  let i = 0;
  while (i < grid) {
    // On the curve: walk while phi decreases.
    while (i < grid && phi(a + (i + 1) * h) < phi(a + i * h)) i++;
    if (i === grid) {
      ends.push(b);
      break;
    }
    const end = goldenMinimum(phi, Math.max(a, a + (i - 1) * h), Math.min(b, a + (i + 1) * h));
    ends.push(end);
    // A margin far above rounding keeps a grid point at the minimum itself from restarting a piece;
    // it moves the next start by about 1e-13 / |phi'|, and that start is then strictly non-dominated.
    const level = phi(end) - 1e-13 * Math.max(1, Math.abs(phi(end)));
    // Off the curve: find the first grid point below the level again.
    let j = i + 1;
    while (j <= grid && !(phi(a + j * h) < level)) j++;
    if (j > grid) break;
    let lo = a + (j - 1) * h;
    let hi = a + j * h;
    for (let it = 0; it < 200 && hi - lo > 0; it++) {
      const mid = 0.5 * (lo + hi);
      if (mid === lo || mid === hi) break;
      if (phi(mid) < level) hi = mid;
      else lo = mid;
    }
    starts.push(hi);
    i = j;
  }
  return { starts, ends };
}

/** The minimizer of a unimodal phi on [lo, hi] by golden-section search. */
function goldenMinimum(phi: (t: number) => number, lo: number, hi: number): number {
  const g = (Math.sqrt(5) - 1) / 2;
  let x1 = hi - g * (hi - lo);
  let x2 = lo + g * (hi - lo);
  let f1 = phi(x1);
  let f2 = phi(x2);
  for (let it = 0; it < 200 && hi - lo > 1e-15 * Math.max(1, Math.abs(lo)); it++) {
    if (f1 < f2) {
      hi = x2;
      x2 = x1;
      f2 = f1;
      x1 = hi - g * (hi - lo);
      f1 = phi(x1);
    } else {
      lo = x1;
      x1 = x2;
      f1 = f2;
      x2 = lo + g * (hi - lo);
      f2 = phi(x2);
    }
  }
  const mid = 0.5 * (lo + hi);
  // The search brackets may end at the interval's edge; keep the best of the three.
  const candidates = [lo, mid, hi];
  let best = mid;
  for (const c of candidates) if (phi(c) < phi(best)) best = c;
  return best;
}

/**
 * Integral over [a, upper] of the running minimum M(t) = min over u in [a, t] of phi(u), given the
 * pieces of `curvePieces` and an antiderivative `Phi` of phi: exact up to the rounding of the pieces.
 */
export function runningMinimumIntegral(
  phi: (t: number) => number,
  Phi: (t: number) => number,
  pieces: { starts: number[]; ends: number[] },
  upper: number,
): number {
  let total = 0;
  const { starts, ends } = pieces;
  for (let p = 0; p < ends.length; p++) {
    const s = starts[p]!;
    if (s >= upper) break;
    const e = Math.min(ends[p]!, upper);
    total += Phi(e) - Phi(s);
    const next = Math.min(p + 1 < starts.length ? starts[p + 1]! : upper, upper);
    if (next > e) total += phi(ends[p]!) * (next - e);
  }
  return total;
}

/**
 * Deterministic points on the pieces: n in all, spread in proportion to each piece's length; the first
 * piece includes its start, later pieces exclude theirs (weakly dominated) and include their end.
 */
export function samplePieces(pieces: { starts: number[]; ends: number[] }, n: number): Float64Array {
  const { starts, ends } = pieces;
  let total = 0;
  for (let p = 0; p < ends.length; p++) total += ends[p]! - starts[p]!;
  const out: number[] = [];
  if (n === 1) return Float64Array.of(starts[0]!);
  // The first piece spends one point on its closed start.
  const spread = n - 1;
  let used = 0;
  out.push(starts[0]!);
  for (let p = 0; p < ends.length; p++) {
    const length = ends[p]! - starts[p]!;
    const count = Math.max(p === ends.length - 1 ? spread - used : Math.round((spread * length) / total), 0);
    for (let k = 1; k <= count; k++) out.push(starts[p]! + (length * k) / count);
    used += count;
  }
  return Float64Array.from(out);
}

/** Wallis integral: integral of sin(u)^k over [0, pi/2]. */
export function wallis(k: number): number {
  let w = k % 2 === 0 ? Math.PI / 2 : 1;
  for (let j = k % 2 === 0 ? 2 : 3; j <= k; j += 2) w *= (j - 1) / j;
  return w;
}
