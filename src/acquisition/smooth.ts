/**
 * Smooth, fat-tailed stand-ins for relu, max and the step function, with their derivatives, as
 * used by the log acquisition functions (Ament, Daulton, Eriksson, Balandat, Bakshy 2023,
 * "Unexpected improvements to expected improvement"). The fat (polynomial, not exponential) tails
 * keep gradients informative far from the region where the exact functions are non-zero.
 *
 * Definitions (the same functions as BoTorch's `safe_math`, written from the paper):
 *   fatplus(x; tau) = tau (softplus(x / tau) + 0.1 / (1 + (x / tau)^2))
 *   fatmax(x_1..x_k; tau) = M + tau log sum_i p((M - x_i) / tau),  M = max_i x_i,
 *     p(t) = 2 / (2 + 2t + t^2)  (equal to 1 with slope -1 at 0, decaying like 1 / t^2)
 *   fatmoid(x) = 2/3 / (1 + (x - 1/sqrt 3)^2) for x < 0, 1 - 2/3 / (1 + (x + 1/sqrt 3)^2) otherwise.
 */

/** Temperature of the smooth relu in qLogNEHVI (BoTorch's TAU_RELU). */
export const TAU_RELU = 1e-6;
/** Temperature of the smooth max in qLogNEHVI (BoTorch's qLogNEHVI default). */
export const TAU_MAX = 1e-3;

const INV_SQRT3 = 1 / Math.sqrt(3);
/**
 * Beyond these, softplus and sigmoid need no exp: for x > 40, e^-x < 5e-18 is below half an ulp
 * of x and of 1; for x < -60, e^x < 1e-26 is below half an ulp of 0.1 / (1 + x^2) and of
 * 0.2 |x| / (1 + x^2)^2 (the ratio 10 x^2 e^x only shrinks further out).
 */
const FAR_RIGHT = 40;
const FAR_LEFT = -60;

/** log(1 + e^x) without overflow or loss of digits for large |x|. */
export function softplus(x: number): number {
  return x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x));
}

/** 1 / (1 + e^{-x}), stable in both tails. */
export function sigmoid(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** log sigmoid(x) = -softplus(-x). */
export function logSigmoid(x: number): number {
  return -softplus(-x);
}

/**
 * log fatplus(z; tau) and its derivative with respect to z, written to `out[0]`, `out[1]`.
 * Finite for every finite z (about log(0.1 tau^3 / z^2) far below 0).
 */
export function logFatplus(z: number, tau: number, out: Float64Array): void {
  const x = z / tau;
  const c = 1 / (1 + x * x);
  let f: number;
  let df: number;
  if (x > FAR_RIGHT) {
    // softplus(x) = x and sigmoid(x) = 1 to the last bit: e^-x is below half an ulp of either.
    f = x + 0.1 * c;
    df = 1 - 0.2 * x * c * c;
  } else if (x < FAR_LEFT) {
    // softplus(x) and sigmoid(x) (about e^x) are below half an ulp of the tail terms: adding
    // them rounds to the tail term exactly.
    f = 0.1 * c;
    df = -(0.2 * x * c * c);
  } else {
    f = softplus(x) + 0.1 * c;
    df = sigmoid(x) - 0.2 * x * c * c;
  }
  out[0] = Math.log(tau * f);
  out[1] = df / (tau * f);
}

/** log fatplus(z; tau) alone: the value of `logFatplus`, to the last bit. */
export function logFatplusValue(z: number, tau: number): number {
  const x = z / tau;
  const c = 1 / (1 + x * x);
  const f = x > FAR_RIGHT ? x + 0.1 * c : x < FAR_LEFT ? 0.1 * c : softplus(x) + 0.1 * c;
  return Math.log(tau * f);
}

/** p(t) = 2 / (2 + 2t + t^2) for t >= 0. */
function pareto(t: number): number {
  return 2 / (2 + t * (2 + t));
}

/** p'(t). */
function paretoDerivative(t: number): number {
  const den = 2 + t * (2 + t);
  return (-2 * (2 + 2 * t)) / (den * den);
}

/**
 * Smooth maximum of `x[offset + i * stride]`, i < k, with its gradient written to
 * `grad[0..k)`. For k = 1 it is the value itself. `+Infinity` entries are not allowed;
 * `-Infinity` entries drop out (weight 0).
 */
export function fatmax(
  x: Float64Array,
  offset: number,
  stride: number,
  k: number,
  tau: number,
  grad: Float64Array,
): number {
  if (k === 1) {
    grad[0] = 1;
    return x[offset]!;
  }
  let M = -Infinity;
  let arg = 0;
  for (let i = 0; i < k; i++) {
    const v = x[offset + i * stride]!;
    if (v > M) {
      M = v;
      arg = i;
    }
  }
  let P = 0;
  let dP = 0;
  for (let i = 0; i < k; i++) {
    const t = (M - x[offset + i * stride]!) / tau;
    P += pareto(t);
    dP += paretoDerivative(t);
  }
  // d/dx_i = -p'(t_i) / P, plus (1 + sum_k p'(t_k) / P) through M for the argmax.
  for (let i = 0; i < k; i++) {
    const t = (M - x[offset + i * stride]!) / tau;
    grad[i] = -paretoDerivative(t) / P;
  }
  grad[arg] = grad[arg]! + 1 + dP / P;
  return M + tau * Math.log(P);
}

/**
 * Smooth minimum of two numbers, -fatmax(-a, -b); `b` may be +Infinity (then the result is `a`).
 * Writes d/da to `out[1]`, d/db is 1 - d/da; returns the value in `out[0]`.
 */
export function fatminimum2(a: number, b: number, tau: number, out: Float64Array): void {
  if (b === Infinity) {
    out[0] = a;
    out[1] = 1;
    return;
  }
  const lo = Math.min(a, b);
  const t = Math.abs(a - b) / tau;
  // P = 1 + p(t); far apart (p < 1e-8) log1p(p) is p to float64 accuracy and saves a log.
  const p = pareto(t);
  const P = 1 + p;
  out[0] = lo - tau * (p < 1e-8 ? p : Math.log1p(p));
  // d(-tau log P)/da: only the term whose t depends on a, sign by which one is the minimum.
  const dp = paretoDerivative(t) / P;
  out[1] = a <= b ? 1 + dp : -dp;
}

/** The value of `fatminimum2(a, b, tau, out)` alone, to the last bit. */
export function fatminimum2Value(a: number, b: number, tau: number): number {
  if (b === Infinity) return a;
  const lo = Math.min(a, b);
  const t = Math.abs(a - b) / tau;
  const p = pareto(t);
  return lo - tau * (p < 1e-8 ? p : Math.log1p(p));
}

/**
 * log fatmoid(x) and its derivative, written to `out[0]`, `out[1]`: a smooth step with a
 * 1 / x^2 left tail, so its log decays like -2 log|x| instead of linearly.
 */
export function logFatmoid(x: number, out: Float64Array): void {
  if (x < 0) {
    const u = x - INV_SQRT3;
    // log(2/3) - log(1 + u^2)
    out[0] = Math.log(2 / 3) - Math.log1p(u * u);
    out[1] = (-2 * u) / (1 + u * u);
  } else {
    const u = x + INV_SQRT3;
    const c = 1 / (1 + u * u);
    const f = 1 - (2 / 3) * c;
    out[0] = Math.log(f);
    out[1] = ((4 / 3) * u * c * c) / f;
  }
}

/** log(e^a - e^b) for a >= b; -Infinity when a <= b. */
export function logDiffExp(a: number, b: number): number {
  if (!(a > b)) return -Infinity;
  const d = b - a;
  // log1mexp (Maechler 2012): two branches keep the relative accuracy.
  return a + (d > -Math.LN2 ? Math.log(-Math.expm1(d)) : Math.log1p(-Math.exp(d)));
}
