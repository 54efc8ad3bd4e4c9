import { type Matrix, type MatrixLike, zeros } from '../src/linalg/matrix.js';
import { paretoFilter } from '../src/pareto/dominance.js';
import { curvePieces, runningMinimumIntegral, samplePieces } from './math.js';
import {
  covers,
  decisionMatrix,
  frontSize,
  integerOption,
  type Problem,
  type ReferencePointOption,
  referencePointOf,
} from './problem.js';

/** Options of the ZDT factories. */
export interface ZdtOptions extends ReferencePointOption {
  /** d >= 2; default 30 for ZDT1-3, 10 for ZDT4 and ZDT6. */
  dimensions?: number;
}

type Variant = 1 | 2 | 3 | 4 | 6;

/** ZDT3's front f2 = phi(f1) on [0, 1], and an antiderivative of phi. */
const zdt3Front = (t: number): number => 1 - Math.sqrt(t) - t * Math.sin(10 * Math.PI * t);
const zdt3Antiderivative = (t: number): number =>
  t -
  (2 / 3) * t ** 1.5 -
  (-(t * Math.cos(10 * Math.PI * t)) / (10 * Math.PI) + Math.sin(10 * Math.PI * t) / (100 * Math.PI ** 2));
/** ZDT6's f1 as a function of x1. */
const zdt6First = (x: number): number => 1 - Math.exp(-4 * x) * Math.sin(6 * Math.PI * x) ** 6;

/**
 * The least f1 of ZDT6, 0.28077531..., where exp(-4x) sin^6(6 pi x) peaks on its first lobe: the zero of
 * the derivative's factor 36 pi cos(6 pi x) - 4 sin(6 pi x) = 0, x = atan(9 pi) / (6 pi).
 */
function zdt6MinimumFirst(): number {
  return zdt6First(Math.atan(9 * Math.PI) / (6 * Math.PI));
}

/**
 * ZDT test problems (Zitzler, Deb, Thiele 2000) as pymoo defines them. Decision box [0, 1]^d, except
 * ZDT4's x_2..x_d in [-10, 10]. Every default reference point is (1.1, 1.1), 1.1 times the front's
 * nadir (1, 1). maxHypervolume, for r >= (1, 1) (ZDT6: r1 >= 1, r2 >= 1):
 *
 * - ZDT1, ZDT4 (front f2 = 1 - sqrt f1): r1 r2 - 1/3;
 * - ZDT2 (front f2 = 1 - f1^2): r1 r2 - 2/3;
 * - ZDT3 (front: the non-dominated pieces of f2 = 1 - sqrt f1 - f1 sin(10 pi f1)): r1 r2 minus the
 *   integral of the running minimum of that curve, exact but for the pieces' endpoints, found to
 *   machine precision;
 * - ZDT6 (front f2 = 1 - f1^2, f1 in [a, 1], a = 0.28077531...): (r1 - a) r2 - (1 - a) + (1 - a^3)/3.
 *
 * paretoFront(n): n points with f1 equally spaced over the front's f1 range; for ZDT3, spread over its
 * five pieces in proportion to their lengths (about n points, the dominated start of each later piece
 * left out).
 */
function zdt(variant: Variant, options: ZdtOptions): Problem {
  const name = `zdt${variant}`;
  const d = integerOption(
    options.dimensions,
    variant === 4 || variant === 6 ? 10 : 30,
    2,
    'dimensions',
    name,
  );
  const referencePoint = referencePointOf(options.referencePoint, [1.1, 1.1], name);
  const lower = new Float64Array(d);
  const upper = new Float64Array(d).fill(1);
  if (variant === 4) {
    lower.fill(-10, 1);
    upper.fill(10, 1);
  }
  const pieces = variant === 3 ? curvePieces(zdt3Front, 0, 1) : undefined;
  const firstMin = variant === 6 ? zdt6MinimumFirst() : 0;
  const r1 = referencePoint[0]!;
  const r2 = referencePoint[1]!;
  let maxHypervolume: number | undefined;
  if (covers(referencePoint, [1, 1])) {
    if (variant === 1 || variant === 4) maxHypervolume = r1 * r2 - 1 / 3;
    else if (variant === 2) maxHypervolume = r1 * r2 - 2 / 3;
    else if (variant === 6) maxHypervolume = (r1 - firstMin) * r2 - (1 - firstMin) + (1 - firstMin ** 3) / 3;
    else maxHypervolume = r1 * r2 - runningMinimumIntegral(zdt3Front, zdt3Antiderivative, pieces!, r1);
  }
  return {
    name,
    dimensions: d,
    objectives: 2,
    lower,
    upper,
    referencePoint,
    maxHypervolume,
    evaluate: (X: MatrixLike) => evaluateZdt(variant, decisionMatrix(X, d, name)),
    paretoFront(n: number): Matrix {
      frontSize(n, name);
      if (variant === 3) {
        const t = samplePieces(pieces!, n);
        const out = zeros(t.length, 2);
        for (let i = 0; i < t.length; i++) {
          out.data[2 * i] = t[i]!;
          out.data[2 * i + 1] = zdt3Front(t[i]!);
        }
        // Guard against a piece end rounding onto the next piece's level.
        const keep = paretoFilter(out);
        if (keep.length === out.rows) return out;
        const kept = zeros(keep.length, 2);
        for (let i = 0; i < keep.length; i++)
          kept.data.set(out.data.subarray(2 * keep[i]!, 2 * keep[i]! + 2), 2 * i);
        return kept;
      }
      const out = zeros(n, 2);
      const a = firstMin;
      for (let i = 0; i < n; i++) {
        const f1 = n === 1 ? a : a + ((1 - a) * i) / (n - 1);
        out.data[2 * i] = f1;
        out.data[2 * i + 1] = variant === 2 || variant === 6 ? 1 - f1 * f1 : 1 - Math.sqrt(f1);
      }
      return out;
    },
  };
}

/** n x 2 objective values of the n x d decision matrix X. */
function evaluateZdt(variant: Variant, X: Matrix): Matrix {
  const n = X.rows;
  const d = X.cols;
  const x = X.data;
  const out = zeros(n, 2);
  for (let i = 0; i < n; i++) {
    const o = i * d;
    const x1 = x[o]!;
    let s = 0;
    for (let j = 1; j < d; j++) {
      const v = x[o + j]!;
      s += variant === 4 ? v * v - 10 * Math.cos(4 * Math.PI * v) : v;
    }
    let f1 = x1;
    let g: number;
    if (variant === 4) g = 1 + 10 * (d - 1) + s;
    else if (variant === 6) g = 1 + 9 * (s / (d - 1)) ** 0.25;
    else g = 1 + (9 * s) / (d - 1);
    let f2: number;
    if (variant === 6) {
      f1 = zdt6First(x1);
      f2 = g * (1 - (f1 / g) ** 2);
    } else if (variant === 2) {
      f2 = g * (1 - (f1 / g) ** 2);
    } else if (variant === 3) {
      f2 = g * (1 - Math.sqrt(f1 / g) - (f1 / g) * Math.sin(10 * Math.PI * f1));
    } else {
      f2 = g * (1 - Math.sqrt(f1 / g));
    }
    out.data[2 * i] = f1;
    out.data[2 * i + 1] = f2;
  }
  return out;
}

/** ZDT1: convex front f2 = 1 - sqrt(f1). */
export const zdt1 = (options: ZdtOptions = {}): Problem => zdt(1, options);
/** ZDT2: concave front f2 = 1 - f1^2. */
export const zdt2 = (options: ZdtOptions = {}): Problem => zdt(2, options);
/** ZDT3: five disconnected front pieces. */
export const zdt3 = (options: ZdtOptions = {}): Problem => zdt(3, options);
/** ZDT4: ZDT1's front with 21^9 local fronts (Rastrigin g). */
export const zdt4 = (options: ZdtOptions = {}): Problem => zdt(4, options);
/** ZDT6: non-uniform, biased front f2 = 1 - f1^2 with f1 >= 0.2807753. */
export const zdt6 = (options: ZdtOptions = {}): Problem => zdt(6, options);
