/**
 * Triangular solves and the inverse from a Cholesky factor. L is `n x n` lower triangular, row-major
 * (its upper triangle is never read); right-hand sides B are `n x k` row-major.
 */
import { axpyStrided, dotStrided, gemmAccumulate, symmetrizeFromLower } from './blas.js';
import { GEMM_REGION_DOUBLES, simdAxpy, vectorMemory } from './simd-kernels.js';

/** Rows per block: off-diagonal updates of a block go through the packed gemm kernel. */
const BLOCK = 64;

function checkArgs(
  fn: string,
  L: Float64Array,
  n: number,
  B: Float64Array,
  k: number,
  out?: Float64Array,
): void {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`${fn}: n must be a non-negative integer, got ${n}`);
  if (!Number.isInteger(k) || k < 0)
    throw new RangeError(`${fn}: k must be a non-negative integer, got ${k}`);
  if (!(L instanceof Float64Array) || L.length < n * n) {
    throw new RangeError(
      `${fn}: L must be a Float64Array of length n * n = ${n * n}, got length ${L?.length}`,
    );
  }
  if (!(B instanceof Float64Array) || B.length < n * k) {
    throw new RangeError(
      `${fn}: B must be a Float64Array of length n * k = ${n * k}, got length ${B?.length}`,
    );
  }
  if (out !== undefined && (!(out instanceof Float64Array) || out.length < n * k)) {
    throw new RangeError(`${fn}: out must be a Float64Array of length n * k = ${n * k}, got ${out?.length}`);
  }
}

function prepareOut(B: Float64Array, n: number, k: number, out?: Float64Array): Float64Array {
  const X = out ?? new Float64Array(n * k);
  if (X !== B) X.set(B.subarray(0, n * k));
  return X;
}

/** Forward substitution in place on X (`n x k`): rows `i0 .. i1` only, using L's diagonal block. */
function forwardBlock(L: Float64Array, n: number, X: Float64Array, k: number, i0: number, i1: number): void {
  for (let i = i0; i < i1; i++) {
    const li = i * n;
    const xi = i * k;
    for (let p = i0; p < i; p++) {
      const l = L[li + p]!;
      if (l === 0) continue;
      axpyStrided(k, -l, X, p * k, X, xi);
    }
    const inv = 1 / L[li + i]!;
    for (let j = 0; j < k; j++) X[xi + j] = X[xi + j]! * inv;
  }
}

/** Backward substitution with L^T in place on X: rows `i0 .. i1`, using L's diagonal block. */
function backwardBlock(L: Float64Array, n: number, X: Float64Array, k: number, i0: number, i1: number): void {
  for (let i = i1 - 1; i >= i0; i--) {
    const li = i * n;
    const xi = i * k;
    const inv = 1 / L[li + i]!;
    for (let j = 0; j < k; j++) X[xi + j] = X[xi + j]! * inv;
    // Column i of L^T is row i of L: contiguous axpy into the rows above.
    for (let p = i0; p < i; p++) {
      const l = L[li + p]!;
      if (l === 0) continue;
      axpyStrided(k, -l, X, xi, X, p * k);
    }
  }
}

function solveLowerInPlace(L: Float64Array, n: number, X: Float64Array, k: number): void {
  if (k === 1) {
    // O(n^2) dot-product form: row i of L against the solved prefix.
    for (let i = 0; i < n; i++) X[i] = (X[i]! - dotStrided(L, i * n, X, 0, i)) / L[i * n + i]!;
    return;
  }
  for (let i0 = 0; i0 < n; i0 += BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    if (i0 > 0) gemmAccumulate(false, false, i1 - i0, k, i0, -1, L, i0 * n, n, X, 0, k, X, i0 * k, k);
    forwardBlock(L, n, X, k, i0, i1);
  }
}

function solveLowerTransposeInPlace(L: Float64Array, n: number, X: Float64Array, k: number): void {
  if (k === 1) {
    for (let i = n - 1; i >= 0; i--) {
      const li = i * n;
      const xi = X[i]! / L[li + i]!;
      X[i] = xi;
      for (let p = 0; p < i; p++) X[p] = X[p]! - L[li + p]! * xi;
    }
    return;
  }
  const lastStart = Math.floor((n - 1) / BLOCK) * BLOCK;
  for (let i0 = lastStart; i0 >= 0; i0 -= BLOCK) {
    const i1 = Math.min(n, i0 + BLOCK);
    backwardBlock(L, n, X, k, i0, i1);
    // X[0:i0] -= L[i0:i1, 0:i0]^T X[i0:i1]
    if (i0 > 0) gemmAccumulate(true, false, i0, k, i1 - i0, -1, L, i0 * n, n, X, i0 * k, k, X, 0, k);
  }
}

/** Solves `L X = B` for X (`n x k`); `out` may alias B. */
export function solveLower(
  L: Float64Array,
  n: number,
  B: Float64Array,
  k: number,
  out?: Float64Array,
): Float64Array {
  checkArgs('solveLower', L, n, B, k, out);
  const X = prepareOut(B, n, k, out);
  solveLowerInPlace(L, n, X, k);
  return X;
}

/** Solves `L^T X = B` for X (`n x k`); `out` may alias B. */
export function solveLowerTranspose(
  L: Float64Array,
  n: number,
  B: Float64Array,
  k: number,
  out?: Float64Array,
): Float64Array {
  checkArgs('solveLowerTranspose', L, n, B, k, out);
  const X = prepareOut(B, n, k, out);
  solveLowerTransposeInPlace(L, n, X, k);
  return X;
}

/** Solves `(L L^T) X = B` for X (`n x k`) with two triangular solves; `out` may alias B. */
export function choleskySolve(
  L: Float64Array,
  n: number,
  B: Float64Array,
  k: number,
  out?: Float64Array,
): Float64Array {
  checkArgs('choleskySolve', L, n, B, k, out);
  const X = prepareOut(B, n, k, out);
  solveLowerInPlace(L, n, X, k);
  solveLowerTransposeInPlace(L, n, X, k);
  return X;
}

/** Threshold below which the triangular inverse recursion switches to row-wise substitution. */
const INVERSE_LEAF = 48;

/**
 * Inverts the lower triangular block `T[o.., o..]` (size `m`, row stride `n`) in place.
 * Recursive 2 x 2 blocking: `[[A, 0], [C, D]]^{-1} = [[A^-1, 0], [-D^-1 C A^-1, D^-1]]`, the two
 * products done by gemm; ~n^3/3 multiply-adds, almost all in the packed kernel.
 */
function invertLowerRecursive(T: Float64Array, n: number, o: number, m: number, temp: Float64Array): void {
  if (m <= INVERSE_LEAF) {
    // Row i of the inverse: X[i, :i] = -(L[i, :i] X[:i, :i]) / L[i, i], built with contiguous axpys.
    for (let i = 0; i < m; i++) {
      const ri = (o + i) * n + o;
      const inv = 1 / T[ri + i]!;
      for (let j = 0; j < i; j++) temp[j] = 0;
      for (let p = 0; p < i; p++) {
        const l = T[ri + p]!;
        if (l === 0) continue;
        const rp = (o + p) * n + o;
        simdAxpy(p + 1, l, T.byteOffset + 8 * rp, temp.byteOffset);
      }
      for (let j = 0; j < i; j++) T[ri + j] = -temp[j]! * inv;
      T[ri + i] = inv;
    }
    return;
  }
  const m1 = Math.floor(m / 2 / 4) * 4 || Math.floor(m / 2);
  const m2 = m - m1;
  invertLowerRecursive(T, n, o, m1, temp);
  invertLowerRecursive(T, n, o + m1, m2, temp);
  // temp (m2 x m1) = C A^{-1}, reading only the lower triangle of A^{-1}.
  const cOff = (o + m1) * n + o;
  temp.fill(0, 0, m2 * m1);
  gemmLowerRight(T, n, cOff, m2, m1, o * n + o, temp);
  // C := -D^{-1} temp
  for (let i = 0; i < m2; i++) T.fill(0, cOff + i * n, cOff + i * n + m1);
  gemmLowerLeft(T, n, (o + m1) * n + o + m1, m2, m1, temp, T, cOff);
}

/**
 * temp (`rows x cols`) = T[cOff block] (`rows x cols`) * Lower(T[aOff block]) (`cols x cols`,
 * lower triangle only). Column blocks of the triangular factor let the gemm skip its zero part.
 */
function gemmLowerRight(
  T: Float64Array,
  n: number,
  cOff: number,
  rows: number,
  cols: number,
  aOff: number,
  temp: Float64Array,
): void {
  for (let j0 = 0; j0 < cols; j0 += BLOCK) {
    const j1 = Math.min(cols, j0 + BLOCK);
    // temp[:, j0:j1] += C[:, j1:] A[j1:, j0:j1]  (rectangular part below the diagonal block)
    if (j1 < cols) {
      gemmAccumulate(
        false,
        false,
        rows,
        j1 - j0,
        cols - j1,
        1,
        T,
        cOff + j1,
        n,
        T,
        aOff + j1 * n + j0,
        n,
        temp,
        j0,
        cols,
        false,
      );
    }
    // diagonal block: temp[:, j] += sum_{p=j}^{j1-1} C[:, p] A[p, j]
    for (let r = 0; r < rows; r++) {
      const cr = cOff + r * n;
      const tr = r * cols;
      for (let p = j0; p < j1; p++) {
        const c = T[cr + p]!;
        if (c === 0) continue;
        const ap = aOff + p * n;
        simdAxpy(p - j0 + 1, c, T.byteOffset + 8 * (ap + j0), temp.byteOffset + 8 * (tr + j0));
      }
    }
  }
}

/**
 * T[cOff block] (`rows x cols`) = -Lower(T[dOff block]) (`rows x rows`) * temp (`rows x cols`),
 * the target block being zero on entry.
 */
function gemmLowerLeft(
  T: Float64Array,
  n: number,
  dOff: number,
  rows: number,
  cols: number,
  temp: Float64Array,
  out: Float64Array,
  cOff: number,
): void {
  for (let i0 = 0; i0 < rows; i0 += BLOCK) {
    const i1 = Math.min(rows, i0 + BLOCK);
    if (i0 > 0) {
      gemmAccumulate(
        false,
        false,
        i1 - i0,
        cols,
        i0,
        -1,
        T,
        dOff + i0 * n,
        n,
        temp,
        0,
        cols,
        out,
        cOff + i0 * n,
        n,
        false,
      );
    }
    for (let i = i0; i < i1; i++) {
      const di = dOff + i * n;
      const oi = cOff + i * n;
      for (let p = i0; p <= i; p++) {
        const d = T[di + p]!;
        if (d === 0) continue;
        const tp = p * cols;
        simdAxpy(cols, -d, temp.byteOffset + 8 * tp, out.byteOffset + 8 * oi);
      }
    }
  }
}

/**
 * L^{-1} of the lower triangle of L (`n x n`) in a new array (upper part zero); arguments unchecked.
 * The recursion runs on copies in the SIMD kernels' memory (its row updates are `simdAxpy` calls,
 * the same values as scalar loops), so `invertLowerRecursive` and its helpers take views of it.
 */
function invertLower(L: Float64Array, n: number): Float64Array {
  const half = Math.ceil(n / 2);
  const tempLength = Math.max(n, half * half);
  const H = vectorMemory(n * n + tempLength);
  const inv = H.subarray(GEMM_REGION_DOUBLES, GEMM_REGION_DOUBLES + n * n);
  inv.fill(0);
  for (let i = 0; i < n; i++) {
    const o = i * n;
    for (let j = 0; j <= i; j++) inv[o + j] = L[o + j]!;
  }
  const temp = H.subarray(GEMM_REGION_DOUBLES + n * n, GEMM_REGION_DOUBLES + n * n + tempLength);
  invertLowerRecursive(inv, n, 0, n, temp);
  return inv.slice();
}

/**
 * `L^{-1}` of an `n x n` lower triangular L (row-major; its upper part is ignored), by the
 * recursive blocked inverse (~n^3/3 multiply-adds). For the few places that need the explicit
 * inverse of a factor: the float32 tensor path, which has no triangular solve.
 */
export function lowerInverse(L: Float64Array, n: number): Float64Array {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`lowerInverse: n must be a non-negative integer, got ${n}`);
  if (!(L instanceof Float64Array) || L.length < n * n) {
    throw new RangeError(
      `lowerInverse: L must be a Float64Array of length ${n * n}, got length ${L?.length}`,
    );
  }
  return invertLower(L, n);
}

/**
 * `(L L^T)^{-1}` as a full symmetric `n x n` matrix, from the `n x n` lower Cholesky factor L:
 * inverts L in a copy (recursive blocked triangular inverse), then forms `L^{-T} L^{-1}` blockwise.
 * For the few places that need the explicit inverse (the trace term of a GP likelihood gradient).
 */
export function choleskyInverse(L: Float64Array, n: number, out?: Float64Array): Float64Array {
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`choleskyInverse: n must be a non-negative integer, got ${n}`);
  if (!(L instanceof Float64Array) || L.length < n * n) {
    throw new RangeError(
      `choleskyInverse: L must be a Float64Array of length ${n * n}, got length ${L?.length}`,
    );
  }
  if (out !== undefined && (!(out instanceof Float64Array) || out.length < n * n)) {
    throw new RangeError(
      `choleskyInverse: out must be a Float64Array of length ${n * n}, got ${out?.length}`,
    );
  }
  const inv = invertLower(L, n);
  const result = out ?? new Float64Array(n * n);
  result.fill(0, 0, n * n);
  // (L L^T)^{-1} = inv^T inv = sum over row blocks P of inv[P, :p1]^T inv[P, :p1], since row block
  // P of the lower triangular inv is zero beyond column p1: n^3/6 multiply-adds instead of n^3/2.
  for (let p0 = 0; p0 < n; p0 += BLOCK) {
    const p1 = Math.min(n, p0 + BLOCK);
    gemmAccumulate(true, false, p1, p1, p1 - p0, 1, inv, p0 * n, n, inv, p0 * n, n, result, 0, n, true);
  }
  symmetrizeFromLower(result, n);
  return result;
}
