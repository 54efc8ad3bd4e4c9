/**
 * Stationary ARD kernels k(x, x') = s · f(r²) with r² = Σ_k (x_k − x'_k)² / ℓ_k², where s is the
 * outputscale and f the kernel's profile. Everything is written in terms of r² so that the RBF and
 * the Matérn kernels share the pairwise squared-distance work, and every derivative is the profile's
 * derivative with respect to r² times the derivative of r²:
 *   ∂k/∂log ℓ_k = s f'(r²) · (−2 (x_k − x'_k)² / ℓ_k²),   ∂k/∂x_k = s f'(r²) · 2 (x_k − x'_k) / ℓ_k².
 */

export type KernelKind = 'rbf' | 'matern52' | 'matern32';

export const KERNEL_KINDS: readonly KernelKind[] = ['rbf', 'matern52', 'matern32'];

const SQRT3 = Math.sqrt(3);
const SQRT5 = Math.sqrt(5);

export function assertKernelKind(kind: unknown, where: string): asserts kind is KernelKind {
  if (kind !== 'rbf' && kind !== 'matern52' && kind !== 'matern32') {
    throw new TypeError(
      `${where}: kernel is ${JSON.stringify(kind)}, expected 'rbf', 'matern52' or 'matern32'`,
    );
  }
}

/** The profile f(r²): exp(−r²/2), (1 + u + u²/3) e^{−u} with u = √5 r, or (1 + u) e^{−u} with u = √3 r. */
export function kernelProfile(kind: KernelKind, r2: number): number {
  if (kind === 'rbf') return Math.exp(-0.5 * r2);
  if (kind === 'matern52') {
    const u = SQRT5 * Math.sqrt(r2);
    return (1 + u + (u * u) / 3) * Math.exp(-u);
  }
  const u = SQRT3 * Math.sqrt(r2);
  return (1 + u) * Math.exp(-u);
}

/**
 * df/d(r²). Finite at r = 0 for all three kinds: −1/2, −(5/6)(1 + u) e^{−u}, −(3/2) e^{−u}.
 */
export function kernelProfileDerivative(kind: KernelKind, r2: number): number {
  if (kind === 'rbf') return -0.5 * Math.exp(-0.5 * r2);
  if (kind === 'matern52') {
    const u = SQRT5 * Math.sqrt(r2);
    return (-5 / 6) * (1 + u) * Math.exp(-u);
  }
  return -1.5 * Math.exp(-SQRT3 * Math.sqrt(r2));
}

/**
 * Applies the profile to `count` squared distances: `value[p] = f(r2[p])` and, when given,
 * `derivative[p] = f'(r2[p])`. One exp (and one sqrt for Matérn) per entry; the switch sits outside
 * the loop so that each loop is monomorphic.
 */
export function applyProfile(
  kind: KernelKind,
  r2: Float64Array,
  count: number,
  value: Float64Array,
  derivative?: Float64Array,
): void {
  if (kind === 'rbf') {
    for (let p = 0; p < count; p++) {
      const e = Math.exp(-0.5 * r2[p]!);
      value[p] = e;
      if (derivative) derivative[p] = -0.5 * e;
    }
  } else if (kind === 'matern52') {
    for (let p = 0; p < count; p++) {
      const u = SQRT5 * Math.sqrt(r2[p]!);
      const e = Math.exp(-u);
      value[p] = (1 + u + (u * u) / 3) * e;
      if (derivative) derivative[p] = (-5 / 6) * (1 + u) * e;
    }
  } else {
    for (let p = 0; p < count; p++) {
      const u = SQRT3 * Math.sqrt(r2[p]!);
      const e = Math.exp(-u);
      value[p] = (1 + u) * e;
      if (derivative) derivative[p] = -1.5 * e;
    }
  }
}

/** k(x1, x2) for two points of length d. */
export function kernelValue(
  kind: KernelKind,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  lengthscales: ArrayLike<number>,
  outputscale: number,
): number {
  let r2 = 0;
  for (let k = 0; k < lengthscales.length; k++) {
    const t = (x1[k]! - x2[k]!) / lengthscales[k]!;
    r2 += t * t;
  }
  return outputscale * kernelProfile(kind, r2);
}

/**
 * k(x1, x2) and its gradient with respect to the log-hyperparameters, written to `out` (length d + 1):
 * `out[k] = ∂k/∂log ℓ_k` for k < d and `out[d] = ∂k/∂log s` (= k). Returns k.
 */
export function kernelHyperparameterGradient(
  kind: KernelKind,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  lengthscales: ArrayLike<number>,
  outputscale: number,
  out: Float64Array,
): number {
  const d = lengthscales.length;
  let r2 = 0;
  for (let k = 0; k < d; k++) {
    const t = (x1[k]! - x2[k]!) / lengthscales[k]!;
    out[k] = t * t;
    r2 += t * t;
  }
  const value = outputscale * kernelProfile(kind, r2);
  const df = outputscale * kernelProfileDerivative(kind, r2);
  for (let k = 0; k < d; k++) out[k] = -2 * df * out[k]!;
  out[d] = value;
  return value;
}

/**
 * The cross-covariance `K(X1, X2)` (`n1 x n2`, row-major) of `X1` (`n1 x d`) and `X2` (`n2 x d`).
 * Direct differences rather than the ‖a‖² + ‖b‖² − 2a·b expansion: no cancellation, never negative,
 * and in scalar JavaScript just as fast. O(n1 n2 d).
 */
export function crossCovariance(
  kind: KernelKind,
  X1: Float64Array,
  n1: number,
  X2: Float64Array,
  n2: number,
  d: number,
  lengthscales: ArrayLike<number>,
  outputscale: number,
  out: Float64Array = new Float64Array(n1 * n2),
): Float64Array {
  const inv = new Float64Array(d);
  for (let k = 0; k < d; k++) inv[k] = 1 / lengthscales[k]!;
  const Z2 = new Float64Array(n2 * d);
  for (let j = 0; j < n2; j++) for (let k = 0; k < d; k++) Z2[j * d + k] = X2[j * d + k]! * inv[k]!;
  const z1 = new Float64Array(d);
  // K(X, X): (a - b)² = (b - a)² exactly, so the upper triangle is the lower one mirrored.
  const symmetric = X1 === X2 && n1 === n2;
  for (let i = 0; i < n1; i++) {
    for (let k = 0; k < d; k++) z1[k] = X1[i * d + k]! * inv[k]!;
    const o = i * n2;
    const jEnd = symmetric ? i + 1 : n2;
    for (let j = 0; j < jEnd; j++) {
      let r2 = 0;
      const jo = j * d;
      for (let k = 0; k < d; k++) {
        const t = z1[k]! - Z2[jo + k]!;
        r2 += t * t;
      }
      out[o + j] = r2;
    }
  }
  if (symmetric) for (let i = 0; i < n1; i++) for (let j = 0; j < i; j++) out[j * n2 + i] = out[i * n2 + j]!;
  const block = out.subarray(0, n1 * n2);
  applyProfile(kind, block, n1 * n2, block);
  if (outputscale !== 1) for (let p = 0; p < n1 * n2; p++) out[p] = out[p]! * outputscale;
  return out;
}

/**
 * The gradient of k(x, X_j) with respect to x for one point `x` (length d) against each row of `X`
 * (`n x d`): `out[j * d + k] = ∂k(x, X_j)/∂x_k` (`n x d`). Also writes k(x, X_j) to `values` when
 * given (length n). O(n d).
 */
export function crossCovarianceInputGradient(
  kind: KernelKind,
  x: ArrayLike<number>,
  X: Float64Array,
  n: number,
  d: number,
  lengthscales: ArrayLike<number>,
  outputscale: number,
  out: Float64Array = new Float64Array(n * d),
  values?: Float64Array,
): Float64Array {
  for (let j = 0; j < n; j++) {
    const jo = j * d;
    let r2 = 0;
    for (let k = 0; k < d; k++) {
      const l = lengthscales[k]!;
      const t = (x[k]! - X[jo + k]!) / l;
      r2 += t * t;
    }
    const df = 2 * outputscale * kernelProfileDerivative(kind, r2);
    if (values) values[j] = outputscale * kernelProfile(kind, r2);
    for (let k = 0; k < d; k++) {
      const l = lengthscales[k]!;
      out[jo + k] = (df * (x[k]! - X[jo + k]!)) / (l * l);
    }
  }
  return out;
}
