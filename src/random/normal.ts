import type { Matrix } from '../linalg/matrix.js';
import { createRng } from './rng.js';
import { SOBOL_MAX_DIMENSION, sobolSamples } from './sobol.js';

import { normalQuantile } from './wichura.js';

export { normalQuantile };

const SQRT_HALF = Math.SQRT1_2;
const INV_SQRT_PI = 0.5641895835477563;
const INV_SQRT_2PI = 0.3989422804014327;

// W. J. Cody, "Rational Chebyshev approximations for the error function", Math. Comp. 23 (1969)
// 631-638: near-minimax rational approximations good to about 18 digits on each interval (the
// published coefficients, written as the doubles they round to).
// erf on |y| <= 0.46875, in y^2.
const EA = [3.1611237438705655, 113.86415415105016, 377.485237685302, 3209.3775891384694];
const EA4 = 0.18577770618460315;
const EB = [23.601290952344122, 244.02463793444417, 1282.6165260773723, 2844.236833439171];
// erfcx on 0.46875 < y <= 4, in y.
const EC = [
  0.5641884969886701, 8.883149794388377, 66.11919063714163, 298.6351381974001, 881.952221241769,
  1712.0476126340707, 2051.0783778260716, 1230.3393547979972,
];
const EC8 = 2.1531153547440383e-8;
const ED = [
  15.744926110709835, 117.6939508913125, 537.1811018620099, 1621.3895745666903, 3290.7992357334597,
  4362.619090143247, 3439.3676741437216, 1230.3393548037495,
];
// erfcx on y > 4, in 1 / y^2.
const EP = [
  0.30532663496123236, 0.36034489994980445, 0.12578172611122926, 0.016083785148742275, 0.0006587491615298378,
];
const EP5 = 0.016315387137302097;
const EQ = [2.568520192289822, 1.8729528499234604, 0.5279051029514285, 0.06051834131244132];
const EQ4 = 0.0023352049762686918;

/** erf(y) for |y| <= 0.46875. */
function erfSmall(y: number): number {
  const z = y * y;
  let num = EA4 * z;
  let den = z;
  for (let i = 0; i < 3; i++) {
    num = (num + EA[i]!) * z;
    den = (den + EB[i]!) * z;
  }
  return (y * (num + EA[3]!)) / (den + EB[3]!);
}

/** The scaled complementary error function exp(y^2) erfc(y) for y > 0.46875. */
function erfcxLarge(y: number): number {
  if (y <= 4) {
    let num = EC8 * y;
    let den = y;
    for (let i = 0; i < 7; i++) {
      num = (num + EC[i]!) * y;
      den = (den + ED[i]!) * y;
    }
    return (num + EC[7]!) / (den + ED[7]!);
  }
  // Beyond 6.71e7, 1 - 1/(2 y^2) rounds to 1: the leading term is exact to double precision.
  if (y >= 6.71e7) return INV_SQRT_PI / y;
  const z = 1 / (y * y);
  let num = EP5 * z;
  let den = z;
  for (let i = 0; i < 4; i++) {
    num = (num + EP[i]!) * z;
    den = (den + EQ[i]!) * z;
  }
  const r = (z * (num + EP[4]!)) / (den + EQ4);
  return (INV_SQRT_PI - r) / y;
}

/** exp(-y^2) for y >= 0 without the relative error of rounding y^2 (Cody's splitting). */
function expMinusSquare(y: number): number {
  const head = Math.trunc(y * 16) / 16;
  const del = (y - head) * (y + head);
  return Math.exp(-head * head) * Math.exp(-del);
}

/** erfc(y), accurate to a few ulps relative for every y (Cody 1969). */
export function erfc(y: number): number {
  if (Number.isNaN(y)) return Number.NaN;
  const a = Math.abs(y);
  if (a <= 0.46875) return 1 - erfSmall(y);
  // exp underflows gracefully to 0 beyond a = 27.3.
  const r = a === Infinity ? 0 : expMinusSquare(a) * erfcxLarge(a);
  return y < 0 ? 2 - r : r;
}

/** The standard normal density. */
export function normalPdf(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/** 2 Phi(-|x|) for |x| > 0.46875 sqrt 2, computed from x itself rather than a rounded x / sqrt 2. */
function twiceLowerTail(a: number): number {
  if (a === Infinity) return 0;
  // exp(-a^2 / 2) split as in expMinusSquare: head^2 / 2 is exact, so the only rounding is relative.
  const head = Math.trunc(a * 16) / 16;
  const del = 0.5 * (a - head) * (a + head);
  return Math.exp(-0.5 * head * head) * Math.exp(-del) * erfcxLarge(a * SQRT_HALF);
}

const CENTRE = 0.46875 * Math.SQRT2;

/**
 * The standard normal CDF Phi(x) with small relative error in both tails: rounding x / sqrt 2
 * would cost a relative error of about x^2 ulps far out (1e-13 at x = -30), so the tails square x
 * itself. Subnormal below x = -37.5, 0 below -38.5.
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -CENTRE) return 0.5 * twiceLowerTail(-x);
  if (x > CENTRE) return 1 - 0.5 * twiceLowerTail(x);
  return 0.5 + 0.5 * erfSmall(x * SQRT_HALF);
}

/**
 * log Phi(x), stable for every x: for x < -1 it is log(erfcx(-x / sqrt 2) / 2) - x^2 / 2, which
 * never underflows (at x = -40 it is about -804.6 where Phi itself is 0 in double precision); for
 * x > 0 it is log1p(-Phi(-x)), so that values near 0 keep their digits.
 */
export function logNormalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  if (x < -1) {
    if (x === -Infinity) return -Infinity;
    return Math.log(0.5 * erfcxLarge(-x * SQRT_HALF)) - 0.5 * x * x;
  }
  // + 0 turns log1p(-0) = -0 at x = Infinity into 0.
  if (x > 0) return Math.log1p(-normalCdf(-x)) + 0;
  return Math.log(normalCdf(x));
}

function checkShape(fn: string, n: number, dimension: number): void {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`${fn}: n must be an integer >= 0, got ${n}`);
  if (!Number.isInteger(dimension) || dimension < 1) {
    throw new RangeError(`${fn}: dimension must be an integer >= 1, got ${dimension}`);
  }
}

/** n x d i.i.d. standard normal samples from `createRng(seed)`, filled row by row. */
export function iidNormalSamples(n: number, dimension: number, seed: number): Matrix {
  checkShape('iidNormalSamples', n, dimension);
  const rng = createRng(seed).fork('iid-normal');
  const data = new Float64Array(n * dimension);
  for (let i = 0; i < data.length; i++) data[i] = rng.normal();
  return { rows: n, cols: dimension, data };
}

/**
 * n x d quasi-random standard normal base samples: scrambled Sobol (linear matrix scrambling plus
 * digital shift, seeded by `seed`) mapped through `normalQuantile`. The Sobol points lie on the
 * 2^-52 grid and are moved half a step, so they are strictly inside (0, 1) and symmetric about 1/2
 * (the extremes are about +-8.2). For d > 21201, seeded i.i.d. normals instead.
 */
export function normalBaseSamples(n: number, dimension: number, seed: number): Matrix {
  checkShape('normalBaseSamples', n, dimension);
  if (dimension > SOBOL_MAX_DIMENSION) return iidNormalSamples(n, dimension, seed);
  const u = sobolSamples(n, dimension, seed, { scramble: true });
  const data = u.data;
  const half = 2 ** -53;
  for (let i = 0; i < data.length; i++) data[i] = normalQuantile(data[i]! + half);
  return u;
}
