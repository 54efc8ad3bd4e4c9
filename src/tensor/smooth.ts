/**
 * The smooth, fat-tailed functions of `src/acquisition/smooth.ts` as TensorFlow.js ops (float32),
 * differentiated by tfjs's autodiff. Same definitions (Ament et al. 2023):
 *   log fatplus(z; tau) = log tau + log(softplus(z / tau) + 0.1 / (1 + (z / tau)^2))
 *   fatmax(x; tau) = M + tau log sum_i p((M - x_i) / tau), p(t) = 2 / (2 + 2t + t^2), M = max x
 *   log fatmoid(x) = log(2/3) - log1p((x - 1/sqrt 3)^2) for x < 0, log(1 - 2/3 / (1 + (x + 1/sqrt 3)^2))
 * Every branch that `where` drops is kept finite, so no NaN reaches the gradient through it.
 */
import type { Tensor } from '@tensorflow/tfjs';
import type { TensorFlow } from './backend.js';

const INV_SQRT3 = 1 / Math.sqrt(3);

/** log fatplus(z; tau), elementwise. */
export function logFatplus(tf: TensorFlow, z: Tensor, tau: number): Tensor {
  const x = tf.div(z, tau);
  const tail = tf.div(0.1, tf.add(1, tf.square(x)));
  return tf.add(Math.log(tau), tf.log(tf.add(tf.softplus(x), tail)));
}

/** p(t) = 2 / (2 + 2t + t^2). */
function pareto(tf: TensorFlow, t: Tensor): Tensor {
  return tf.div(2, tf.add(2, tf.mul(t, tf.add(2, t))));
}

/** Smooth maximum along `axis` (kept when `keepDims`); the value itself when that axis has length 1. */
export function fatmax(tf: TensorFlow, x: Tensor, axis: number, tau: number, keepDims = false): Tensor {
  const k = x.shape[axis < 0 ? x.rank + axis : axis]!;
  if (k === 1) return keepDims ? x : tf.squeeze(x, [axis]);
  const M = tf.max(x, axis, true);
  const P = tf.sum(pareto(tf, tf.div(tf.sub(M, x), tau)), axis, true);
  const out = tf.add(M, tf.mul(tau, tf.log(P)));
  return keepDims ? out : tf.squeeze(out, [axis]);
}

/** Smooth minimum along `axis`: -fatmax(-x). */
export function fatmin(tf: TensorFlow, x: Tensor, axis: number, tau: number, keepDims = false): Tensor {
  return tf.neg(fatmax(tf, tf.neg(x), axis, tau, keepDims));
}

/** Smooth minimum of a and b (broadcast); where b is +Infinity, a. */
export function fatminimum2(tf: TensorFlow, a: Tensor, b: Tensor, tau: number): Tensor {
  const finite = tf.isFinite(b);
  const bSafe = tf.where(finite, b, a);
  // min(a, b) as a - relu(a - b): tfjs's Minimum gradient does not reduce broadcast dimensions.
  const lo = tf.sub(a, tf.relu(tf.sub(a, bSafe)));
  const t = tf.div(tf.abs(tf.sub(a, bSafe)), tau);
  const smooth = tf.sub(lo, tf.mul(tau, tf.log1p(pareto(tf, t))));
  return tf.where(finite, smooth, tf.add(a, tf.zerosLike(smooth)));
}

/**
 * A 0/1 indicator of x > 0 that autodiff sees as constant. (Comparison ops have no gradient in
 * tfjs, so a `where` whose condition is computed from a differentiated tensor breaks the backward
 * pass; `step` has a zero gradient.)
 */
function positive(tf: TensorFlow, x: Tensor): Tensor {
  return tf.step(x);
}

/** log fatmoid(x), elementwise: both branches are finite everywhere and blended by the sign of x. */
export function logFatmoid(tf: TensorFlow, x: Tensor): Tensor {
  const uLeft = tf.sub(x, INV_SQRT3);
  const left = tf.sub(Math.log(2 / 3), tf.log1p(tf.square(uLeft)));
  const uRight = tf.add(x, INV_SQRT3);
  const right = tf.log(tf.sub(1, tf.div(2 / 3, tf.add(1, tf.square(uRight)))));
  // x >= 0 takes the right branch (as the float64 reference): 1 - step(-x).
  const h = tf.sub(1, positive(tf, tf.neg(x)));
  return tf.add(left, tf.mul(h, tf.sub(right, left)));
}

/** Stands for -Infinity where a finite value must flow through products with 0. */
export const FLOAT32_MINUS_INFINITY = -1e30;

/** log(e^a - e^b); where a <= b, -1e30 (a float32 stand-in for -Infinity) with a zero gradient. */
export function logDiffExp(tf: TensorFlow, a: Tensor, b: Tensor): Tensor {
  const gap = tf.sub(b, a);
  const ok = positive(tf, tf.neg(gap));
  // Where the gap is not negative, feed the formulas a safe gap of -1 (the result is replaced).
  const safe = tf.sub(tf.mul(ok, gap), tf.sub(1, ok));
  const small = positive(tf, tf.add(safe, Math.LN2));
  // Both branches finite for a negative gap: clamp each into its own range.
  const nearGap = tf.sub(safe, tf.relu(tf.add(safe, 1e-30)));
  const farGap = tf.sub(safe, tf.relu(tf.add(safe, Math.LN2)));
  const viaExpm1 = tf.log(tf.neg(tf.expm1(nearGap)));
  const viaLog1p = tf.log1p(tf.neg(tf.exp(farGap)));
  const value = tf.add(a, tf.add(viaLog1p, tf.mul(small, tf.sub(viaExpm1, viaLog1p))));
  return tf.add(tf.mul(ok, value), tf.mul(tf.sub(1, ok), FLOAT32_MINUS_INFINITY));
}
