/**
 * Cholesky factorization `A = L L^T` of symmetric positive (semi)definite matrices, row-major.
 */
import { dotStrided, gemmAccumulate } from './blas.js';

/** Thrown when a matrix cannot be factored even with the largest allowed jitter. */
export class CholeskyError extends Error {
  override name = 'CholeskyError';
}

export interface CholeskyResult {
  /** n x n lower triangular factor L (upper part zero) with `L L^T = a + jitter * I`. */
  factor: Float64Array;
  /** What was added to the diagonal (0 if none). */
  jitter: number;
}

export interface CholeskyOptions {
  /** First jitter tried after a failure; default 1e-8 times the mean diagonal. */
  initialJitter?: number;
  /** Largest jitter tried; default 1e-2 times the mean diagonal. */
  maxJitter?: number;
  /** n*n buffer for the factor. */
  out?: Float64Array;
}

/** Below this size the recursion switches to the row-oriented unblocked kernels. */
const LEAF = 16;

/** Splits m into two halves, the first a multiple of 4 so that micro-kernel tiles line up. */
function split(m: number): number {
  const half = Math.floor(m / 8) * 4;
  return half > 0 ? half : Math.floor(m / 2);
}

/**
 * Recursive Cholesky (Gustavson 1997; Ahmed & Pingali 2000) of the lower triangle of the `n x n`
 * row-major `a`, in place: `L11 = chol(A11)`, `L21 = A21 L11^{-T}`, `A22 -= L21 L21^T`,
 * `L22 = chol(A22)`. Nearly all of the n^3/6 multiply-adds run in the packed gemm kernel, also for
 * the small n of a GP. The upper triangle is not read, but diagonal tiles of the updates spill into
 * it: callers zero it afterwards. Returns -1 on success, or the index of the first non-positive (or
 * non-finite) pivot, whose value is then left on the diagonal.
 */
export function choleskyBlocked(a: Float64Array, n: number): number {
  return choleskyRecursive(a, n, 0, n);
}

function choleskyRecursive(a: Float64Array, ld: number, o: number, m: number): number {
  if (m <= LEAF) return choleskyLeaf(a, ld, o, m);
  const m1 = split(m);
  const m2 = m - m1;
  const failed = choleskyRecursive(a, ld, o, m1);
  if (failed >= 0) return failed;
  const o21 = o + m1 * ld;
  solveRightLowerTranspose(a, ld, o, m1, o21, m2);
  gemmAccumulate(false, true, m2, m2, m1, -1, a, o21, ld, a, o21, ld, a, o21 + m1, ld, true);
  const rest = choleskyRecursive(a, ld, o21 + m1, m2);
  return rest >= 0 ? rest + m1 : -1;
}

/** Unblocked Cholesky-Banachiewicz on the `m x m` block at offset o (stride ld): contiguous row dots. */
function choleskyLeaf(a: Float64Array, ld: number, o: number, m: number): number {
  for (let i = 0; i < m; i++) {
    const ri = o + i * ld;
    for (let j = 0; j < i; j++) {
      const rj = o + j * ld;
      a[ri + j] = (a[ri + j]! - dotStrided(a, ri, a, rj, j)) / a[rj + j]!;
    }
    const d = a[ri + i]! - dotStrided(a, ri, a, ri, i);
    if (!(d > 0) || !Number.isFinite(d)) {
      a[ri + i] = d;
      return i;
    }
    a[ri + i] = Math.sqrt(d);
  }
  return -1;
}

/**
 * Leaf of `solveRightLowerTranspose`: forward substitution of each row of X against the rows of L,
 * four rows of X at a time so that each load of L feeds four multiply-adds; O(rows c^2 / 2).
 */
function solveRightLeaf(a: Float64Array, ld: number, lo: number, c: number, xo: number, rows: number): void {
  let i = 0;
  for (; i + 3 < rows; i += 4) {
    const x0 = xo + i * ld;
    const x1 = x0 + ld;
    const x2 = x1 + ld;
    const x3 = x2 + ld;
    for (let j = 0; j < c; j++) {
      const lj = lo + j * ld;
      let s0 = a[x0 + j]!;
      let s1 = a[x1 + j]!;
      let s2 = a[x2 + j]!;
      let s3 = a[x3 + j]!;
      for (let p = 0; p < j; p++) {
        const l = a[lj + p]!;
        s0 -= a[x0 + p]! * l;
        s1 -= a[x1 + p]! * l;
        s2 -= a[x2 + p]! * l;
        s3 -= a[x3 + p]! * l;
      }
      const inv = 1 / a[lj + j]!;
      a[x0 + j] = s0 * inv;
      a[x1 + j] = s1 * inv;
      a[x2 + j] = s2 * inv;
      a[x3 + j] = s3 * inv;
    }
  }
  for (; i < rows; i++) {
    const xi = xo + i * ld;
    for (let j = 0; j < c; j++) {
      const lj = lo + j * ld;
      a[xi + j] = (a[xi + j]! - dotStrided(a, xi, a, lj, j)) / a[lj + j]!;
    }
  }
}

/**
 * Solves `X L^T = B` in place for the `rows x c` block X at offset xo, with L the `c x c` lower
 * triangle at offset lo (stride ld): recursive on the columns, the off-diagonal part by gemm.
 */
function solveRightLowerTranspose(
  a: Float64Array,
  ld: number,
  lo: number,
  c: number,
  xo: number,
  rows: number,
): void {
  if (c <= LEAF) {
    solveRightLeaf(a, ld, lo, c, xo, rows);
    return;
  }
  const c1 = split(c);
  solveRightLowerTranspose(a, ld, lo, c1, xo, rows);
  // X2 -= X1 L21^T
  gemmAccumulate(false, true, rows, c - c1, c1, -1, a, xo, ld, a, lo + c1 * ld, ld, a, xo + c1, ld, false);
  solveRightLowerTranspose(a, ld, lo + c1 * ld + c1, c - c1, xo + c1, rows);
}

function zeroUpper(a: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
}

/**
 * In-place Cholesky without jitter of the `n x n` row-major `a` (lower triangle read). On success
 * `a` holds L with its upper triangle zeroed and the result is true; false if `a` is not positive
 * definite (then `a` holds a partial factorization).
 */
export function choleskyInPlace(a: Float64Array, n: number): boolean {
  checkSquare('choleskyInPlace', a, n);
  const ok = choleskyBlocked(a, n) < 0;
  if (ok) zeroUpper(a, n);
  return ok;
}

function checkSquare(fn: string, a: Float64Array, n: number): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${fn}: n must be a non-negative integer, got ${n}`);
  if (!(a instanceof Float64Array)) throw new TypeError(`${fn}: the matrix must be a Float64Array (n x n)`);
  if (a.length < n * n) {
    throw new RangeError(`${fn}: the matrix has length ${a.length}, expected n * n = ${n * n} for n = ${n}`);
  }
}

/** Copies the lower triangle of `a` into `out`, zeroing the upper triangle, adding `jitter` on the diagonal. */
function copyLower(a: Float64Array, n: number, jitter: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = i * n;
    for (let j = 0; j <= i; j++) out[o + j] = a[o + j]!;
    out[o + i] = out[o + i]! + jitter;
    out.fill(0, o + i + 1, o + n);
  }
}

/**
 * Cholesky of the symmetric positive (semi)definite `n x n` row-major matrix `a` (only the lower
 * triangle is read; `a` is not modified). On failure retries with jitter added to the diagonal:
 * starting at `initialJitter` (default 1e-8 times the mean diagonal), multiplying by 10, giving up
 * with a `CholeskyError` once the jitter would exceed `maxJitter` (default 1e-2 times the mean
 * diagonal). `out` (length n*n) receives the factor when given.
 */
export function cholesky(a: Float64Array, n: number, options: CholeskyOptions = {}): CholeskyResult {
  checkSquare('cholesky', a, n);
  const out = options.out ?? new Float64Array(n * n);
  if (out.length < n * n) {
    throw new RangeError(`cholesky: out has length ${out.length}, expected at least ${n * n}`);
  }
  let trace = 0;
  for (let i = 0; i < n; i++) {
    const o = i * n;
    for (let j = 0; j <= i; j++) {
      const v = a[o + j]!;
      if (!Number.isFinite(v)) {
        throw new CholeskyError(
          `cholesky: entry (${i}, ${j}) of the ${n} x ${n} matrix is ${v}; expected finite values`,
        );
      }
    }
    trace += a[o + i]!;
  }
  const meanDiagonal = n > 0 ? trace / n : 0;
  const scaleOfJitter = meanDiagonal > 0 ? meanDiagonal : 1;
  const initialJitter = options.initialJitter ?? 1e-8 * scaleOfJitter;
  const maxJitter = options.maxJitter ?? 1e-2 * scaleOfJitter;
  if (!(initialJitter > 0) || !(maxJitter >= 0)) {
    throw new RangeError(
      `cholesky: initialJitter must be > 0 and maxJitter >= 0, got ${initialJitter} and ${maxJitter}`,
    );
  }
  let jitter = 0;
  for (;;) {
    copyLower(a, n, jitter, out);
    const failed = choleskyBlocked(out, n);
    if (failed < 0) {
      zeroUpper(out, n);
      return { factor: out, jitter };
    }
    const pivot = out[failed * n + failed]!;
    const next = jitter === 0 ? initialJitter : jitter * 10;
    if (next > maxJitter) {
      zeroUpper(out, n);
      throw new CholeskyError(
        `cholesky: the ${n} x ${n} matrix is not positive definite: pivot ${failed} was ${pivot} ` +
          `with jitter ${jitter} on the diagonal (the largest allowed is ${maxJitter})`,
      );
    }
    jitter = next;
  }
}

/** log det(L L^T) = 2 sum_i log L[i, i] for the `n x n` lower triangular factor L. */
export function logDetFromCholesky(factor: Float64Array, n: number): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += Math.log(factor[i * n + i]!);
  return 2 * s;
}
