import { type Matrix, type MatrixLike, zeros } from '../src/linalg/matrix.js';
import {
  curvePieces,
  dasDennis,
  dasDennisDivisions,
  factorial,
  runningMinimumIntegral,
  samplePieces,
  unitBallOrthantVolume,
  wallis,
} from './math.js';
import {
  covers,
  decisionMatrix,
  frontSize,
  integerOption,
  type Problem,
  type ReferencePointOption,
  referencePointOf,
} from './problem.js';

/** Options of the DTLZ factories. */
export interface DtlzOptions extends ReferencePointOption {
  /** m >= 2, default 3 (pymoo's default). */
  objectives?: number;
  /** d >= m, default m + k - 1 with pymoo's k: 5 for DTLZ1, 10 for DTLZ2-6, 20 for DTLZ7. */
  dimensions?: number;
}

type Variant = 1 | 2 | 3 | 4 | 5 | 6 | 7;

const DEFAULT_K: Record<Variant, number> = { 1: 5, 2: 10, 3: 10, 4: 10, 5: 10, 6: 10, 7: 20 };

/** DTLZ7's psi(t) = t/2 (1 + sin 3 pi t): f_m = 2 (m - sum psi(f_i)) on the front (g = 1). */
const psi = (t: number): number => (t / 2) * (1 + Math.sin(3 * Math.PI * t));
const negativePsi = (t: number): number => -psi(t);
const negativePsiAntiderivative = (t: number): number =>
  -(
    (t * t) / 4 +
    0.5 * (-(t * Math.cos(3 * Math.PI * t)) / (3 * Math.PI) + Math.sin(3 * Math.PI * t) / (9 * Math.PI ** 2))
  );

/**
 * DTLZ test problems (Deb, Thiele, Laumanns, Zitzler 2005) as pymoo and BoTorch define them, on [0, 1]^d
 * with k = d - m + 1 distance variables. Fronts and reference points:
 *
 * - DTLZ1: the simplex sum f = 1/2. Reference 0.55 per objective (1.1 times the front's nadir 1/2).
 *   maxHypervolume = prod r - 0.5^m / m! when every r_j >= 1/2. paretoFront(n): 1/2 times the largest
 *   Das-Dennis lattice with at most n points (at least its m vertices).
 * - DTLZ2, 3, 4: the unit sphere's positive orthant. Reference 1.1 per objective. maxHypervolume =
 *   prod r - pi^(m/2) / (Gamma(m/2 + 1) 2^m) when every r_j >= 1. paretoFront(n): that lattice projected
 *   onto the sphere.
 * - DTLZ5, 6: the curve (cos(a) v, sin(a)), a in [0, pi/2], v fixed (a quarter circle for m = 2).
 *   Reference 1.1 per objective. maxHypervolume (m <= 3, every r_j >= 1) = prod_{j<m} r_j
 *   (r_m - 1 + integral over [0, pi/2] of sin(u) prod_j (1 - sin(u) v_j / r_j)), expanded into Wallis
 *   integrals; for m >= 4 the true front is larger than the curve (Ishibuchi et al. 2017) and
 *   maxHypervolume is undefined. paretoFront(n): n equally spaced values of x_0 on the curve.
 * - DTLZ7: the product of the non-dominated pieces of psi on each of f_1..f_{m-1}, f_m = 2 (m - sum psi).
 *   Reference 1.1 for f_1..f_{m-1} and 2.2 m for f_m (1.1 times the front's box). maxHypervolume
 *   (r_m >= 2m, r_j > 0) = prod_{j<m} r_j (r_m - 2m + 2 sum_j I(r_j) / r_j), I(r) the integral of the
 *   running maximum of psi over [0, r], exact but for the pieces' endpoints, found to machine precision.
 *   paretoFront(n): s^(m-1) points, s = max(2, floor(n^(1/(m-1)))) per axis, spread over the pieces.
 */
function dtlz(variant: Variant, options: DtlzOptions): Problem {
  const name = `dtlz${variant}`;
  const m = integerOption(options.objectives, 3, 2, 'objectives', name);
  const d = integerOption(options.dimensions, m + DEFAULT_K[variant] - 1, m, 'dimensions', name);
  const k = d - m + 1;
  const defaultReference = new Float64Array(m).fill(variant === 1 ? 0.55 : 1.1);
  if (variant === 7) defaultReference[m - 1] = 2.2 * m;
  const referencePoint = referencePointOf(options.referencePoint, defaultReference, name);
  const dtlz7Pieces = variant === 7 ? curvePieces(negativePsi, 0, 1) : undefined;
  const maxHypervolume = maxHypervolumeOf(variant, m, referencePoint, dtlz7Pieces);
  return {
    name,
    dimensions: d,
    objectives: m,
    lower: new Float64Array(d),
    upper: new Float64Array(d).fill(1),
    referencePoint,
    maxHypervolume,
    evaluate: (X: MatrixLike) => evaluateDtlz(variant, decisionMatrix(X, d, name), m, k),
    paretoFront(n: number): Matrix {
      frontSize(n, name);
      if (variant === 7) return dtlz7Front(m, n, dtlz7Pieces!);
      if (variant === 5 || variant === 6) return curveFront(m, n);
      const lattice = dasDennis(m, dasDennisDivisions(m, n));
      const f = lattice.data;
      for (let i = 0; i < lattice.rows; i++) {
        let norm = 0;
        for (let j = 0; j < m; j++) norm += f[i * m + j]! ** 2;
        const scale = variant === 1 ? 0.5 : 1 / Math.sqrt(norm);
        for (let j = 0; j < m; j++) f[i * m + j] = f[i * m + j]! * scale;
      }
      return lattice;
    },
  };
}

function maxHypervolumeOf(
  variant: Variant,
  m: number,
  r: Float64Array,
  pieces: { starts: number[]; ends: number[] } | undefined,
): number | undefined {
  let box = 1;
  for (let j = 0; j < m; j++) box *= r[j]!;
  const ones = new Float64Array(m).fill(1);
  switch (variant) {
    case 1:
      return covers(r, new Float64Array(m).fill(0.5)) ? box - 0.5 ** m / factorial(m) : undefined;
    case 2:
    case 3:
    case 4:
      return covers(r, ones) ? box - unitBallOrthantVolume(m) : undefined;
    case 5:
    case 6: {
      if (m > 3 || !covers(r, ones)) return undefined;
      // prod_j (1 - s v_j / r_j) as a polynomial in s, then integral of sin(u)^(k+1) over [0, pi/2].
      const v = curveDirection(m);
      const coefficients = [1];
      for (let j = 0; j < m - 1; j++) {
        const c = -v[j]! / r[j]!;
        coefficients.push(0);
        for (let t = coefficients.length - 1; t > 0; t--) coefficients[t]! += c * coefficients[t - 1]!;
      }
      let integral = 0;
      for (let t = 0; t < coefficients.length; t++) integral += coefficients[t]! * wallis(t + 1);
      return (box / r[m - 1]!) * (r[m - 1]! - 1 + integral);
    }
    case 7: {
      if (!(r[m - 1]! >= 2 * m)) return undefined;
      let sum = 0;
      for (let j = 0; j < m - 1; j++) {
        if (!(r[j]! > 0)) return undefined;
        sum += -runningMinimumIntegral(negativePsi, negativePsiAntiderivative, pieces!, r[j]!) / r[j]!;
      }
      return (box / r[m - 1]!) * (r[m - 1]! - 2 * m + 2 * sum);
    }
  }
}

/**
 * v (length m - 1) with f_{1..m-1} = cos(a) v on the DTLZ5/6 front: all later angles are pi/4, so
 * v = (c^(m-2), c^(m-3) s, ..., c s, s) with c = s = cos(pi/4).
 */
function curveDirection(m: number): Float64Array {
  const v = new Float64Array(m - 1);
  const c = Math.SQRT1_2;
  for (let i = 0; i < m - 1; i++) v[i] = c ** (m - 2 - i) * (i > 0 ? c : 1);
  return v;
}

function curveFront(m: number, n: number): Matrix {
  const out = zeros(n, m);
  const v = curveDirection(m);
  for (let i = 0; i < n; i++) {
    const a = n === 1 ? 0 : ((i / (n - 1)) * Math.PI) / 2;
    for (let j = 0; j < m - 1; j++) out.data[i * m + j] = Math.cos(a) * v[j]!;
    out.data[i * m + m - 1] = Math.sin(a);
  }
  return out;
}

function dtlz7Front(m: number, n: number, pieces: { starts: number[]; ends: number[] }): Matrix {
  const s = Math.max(2, Math.floor(n ** (1 / (m - 1)) + 1e-9));
  const axis = samplePieces(pieces, s);
  const count = axis.length ** (m - 1);
  const out = zeros(count, m);
  for (let i = 0; i < count; i++) {
    let rest = i;
    let h = m;
    for (let j = m - 2; j >= 0; j--) {
      const t = axis[rest % axis.length]!;
      rest = Math.floor(rest / axis.length);
      out.data[i * m + j] = t;
      h -= psi(t);
    }
    out.data[i * m + m - 1] = 2 * h;
  }
  return out;
}

/** n x m objective values of the n x d decision matrix X. */
function evaluateDtlz(variant: Variant, X: Matrix, m: number, k: number): Matrix {
  const n = X.rows;
  const d = X.cols;
  const x = X.data;
  const out = zeros(n, m);
  const f = out.data;
  const theta = new Float64Array(m);
  const halfPi = Math.PI / 2;
  for (let i = 0; i < n; i++) {
    const o = i * d;
    // Distance function g over the last k variables.
    let g = 0;
    for (let j = m - 1; j < d; j++) {
      const v = x[o + j]!;
      if (variant === 1 || variant === 3) g += (v - 0.5) ** 2 - Math.cos(20 * Math.PI * (v - 0.5));
      else if (variant === 6) g += v ** 0.1;
      else g += variant === 7 ? v : (v - 0.5) ** 2;
    }
    if (variant === 1 || variant === 3) g = 100 * (k + g);
    if (variant === 7) g = 1 + (9 / k) * g;
    const fo = i * m;
    if (variant === 1) {
      // f_i = (1 + g)/2 * prod_{j < m-1-i} x_j * (1 - x_{m-1-i}), built from the last objective up.
      let prod = 0.5 * (1 + g);
      for (let t = 0; t < m - 1; t++) {
        f[fo + m - 1 - t] = prod * (1 - x[o + t]!);
        prod *= x[o + t]!;
      }
      f[fo] = prod;
    } else if (variant === 7) {
      let h = m;
      for (let j = 0; j < m - 1; j++) {
        const v = x[o + j]!;
        f[fo + j] = v;
        h -= (v / (1 + g)) * (1 + Math.sin(3 * Math.PI * v));
      }
      f[fo + m - 1] = (1 + g) * h;
    } else {
      for (let j = 0; j < m - 1; j++) {
        const v = x[o + j]!;
        if (variant === 4) theta[j] = v ** 100 * halfPi;
        else if ((variant === 5 || variant === 6) && j > 0)
          theta[j] = ((1 + 2 * g * v) / (2 * (1 + g))) * halfPi;
        else theta[j] = v * halfPi;
      }
      // f_i = (1 + g) prod_{j < m-1-i} cos(theta_j) * sin(theta_{m-1-i}) (i > 0).
      let prod = 1 + g;
      for (let t = 0; t < m - 1; t++) {
        f[fo + m - 1 - t] = prod * Math.sin(theta[t]!);
        prod *= Math.cos(theta[t]!);
      }
      f[fo] = prod;
    }
  }
  return out;
}

/** DTLZ1: linear front sum f = 1/2, 11^k - 1 local fronts (pymoo k = 5). */
export const dtlz1 = (options: DtlzOptions = {}): Problem => dtlz(1, options);
/** DTLZ2: spherical front, g = sum (x - 1/2)^2. */
export const dtlz2 = (options: DtlzOptions = {}): Problem => dtlz(2, options);
/** DTLZ3: DTLZ2's front with DTLZ1's multimodal g. */
export const dtlz3 = (options: DtlzOptions = {}): Problem => dtlz(3, options);
/** DTLZ4: DTLZ2 with x_j^100 in the angles (biased density). */
export const dtlz4 = (options: DtlzOptions = {}): Problem => dtlz(4, options);
/** DTLZ5: degenerate curve front, g = sum (x - 1/2)^2. */
export const dtlz5 = (options: DtlzOptions = {}): Problem => dtlz(5, options);
/** DTLZ6: DTLZ5's curve with g = sum x^0.1. */
export const dtlz6 = (options: DtlzOptions = {}): Problem => dtlz(6, options);
/** DTLZ7: 2^(m-1) disconnected front regions. */
export const dtlz7 = (options: DtlzOptions = {}): Problem => dtlz(7, options);
