import { CholeskyDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { CholeskyError, cholesky, choleskyInPlace, logDetFromCholesky } from '../../src/linalg/cholesky.js';
import { maxAbsDiff, naiveProduct, randomMatrix, randomSpd, toRowArrays, uniform } from './helpers.js';

const SIZES = [1, 2, 3, 7, 33, 65, 130];

describe('cholesky', () => {
  for (const n of SIZES) {
    it(`agrees with ml-matrix and reproduces A for n = ${n}`, () => {
      const a = randomSpd(n, uniform(`chol-${n}`));
      const copy = a.slice();
      const { factor, jitter } = cholesky(a, n);
      expect(jitter).toBe(0);
      expect(Array.from(a)).toEqual(Array.from(copy));
      const ml = new CholeskyDecomposition(new MlMatrix(toRowArrays(a, n, n)));
      const ref = ml.lowerTriangularMatrix.to1DArray();
      expect(maxAbsDiff(factor, ref)).toBeLessThan(1e-11);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(factor[i * n + j]).toBe(0);
      const llt = naiveProduct(false, true, n, n, n, factor, factor);
      expect(maxAbsDiff(llt, a)).toBeLessThan(1e-12 * n);
      // log det by the product of ml-matrix's pivots
      let logDet = 0;
      for (let i = 0; i < n; i++) logDet += 2 * Math.log(ref[i * n + i]!);
      expect(logDetFromCholesky(factor, n)).toBeCloseTo(logDet, 9);
    });
  }

  it('reads only the lower triangle', () => {
    const n = 33;
    const a = randomSpd(n, uniform('lower-only'));
    const garbage = a.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) garbage[i * n + j] = 1e300;
    expect(maxAbsDiff(cholesky(garbage, n).factor, cholesky(a, n).factor)).toBe(0);
  });

  it('writes into out when given', () => {
    const a = randomSpd(7, uniform('out'));
    const out = new Float64Array(49);
    expect(cholesky(a, 7, { out }).factor).toBe(out);
  });

  it('escalates jitter on a rank-deficient matrix and reports it', () => {
    const n = 40;
    const k = 5;
    const g = randomMatrix(n, k, uniform('rank'));
    const a = naiveProduct(false, true, n, n, k, g, g); // rank 5
    const { factor, jitter } = cholesky(a, n);
    let mean = 0;
    for (let i = 0; i < n; i++) mean += a[i * n + i]! / n;
    expect(jitter).toBeGreaterThan(0);
    expect(jitter).toBeLessThanOrEqual(1e-2 * mean);
    // jitter follows the 1e-8 * mean * 10^j ladder
    const rung = Math.log10(jitter / (1e-8 * mean));
    expect(Math.abs(rung - Math.round(rung))).toBeLessThan(1e-9);
    const shifted = a.slice();
    for (let i = 0; i < n; i++) shifted[i * n + i] = shifted[i * n + i]! + jitter;
    expect(maxAbsDiff(naiveProduct(false, true, n, n, n, factor, factor), shifted)).toBeLessThan(1e-10);
  });

  it('factors the all-zero matrix with jitter', () => {
    const { factor, jitter } = cholesky(new Float64Array(9), 3);
    expect(jitter).toBe(1e-8);
    expect(factor[0]).toBeCloseTo(1e-4, 12);
  });

  it('throws CholeskyError naming size, jitter and pivot on a negative definite matrix', () => {
    const n = 3;
    const a = new Float64Array([-2, 0, 0, 0, -1, 0, 0, 0, -3]);
    let error: unknown;
    try {
      cholesky(a, n);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CholeskyError);
    const message = (error as Error).message;
    expect(message).toMatch(/3 x 3/);
    expect(message).toMatch(/pivot 0/);
    expect(message).toMatch(/jitter/);
  });

  it('throws CholeskyError on non-finite entries', () => {
    expect(() => cholesky(new Float64Array([1, 0, Number.NaN, 1]), 2)).toThrow(/entry \(1, 0\).*NaN/);
  });

  it('respects custom jitter limits', () => {
    const a = new Float64Array([1, 1, 1, 1]); // singular
    expect(() => cholesky(a, 2, { maxJitter: 0 })).toThrow(CholeskyError);
    expect(cholesky(a, 2, { initialJitter: 0.5, maxJitter: 1 }).jitter).toBe(0.5);
  });
});

describe('choleskyInPlace', () => {
  it('factors in place and zeroes the upper triangle', () => {
    for (const n of [1, 7, 65, 130]) {
      const a = randomSpd(n, uniform(`inplace-${n}`));
      const work = a.slice();
      expect(choleskyInPlace(work, n)).toBe(true);
      expect(maxAbsDiff(work, cholesky(a, n).factor)).toBeLessThan(1e-12);
    }
  });

  it('returns false without jitter on a singular matrix', () => {
    expect(choleskyInPlace(new Float64Array([1, 1, 1, 1]), 2)).toBe(false);
    expect(choleskyInPlace(new Float64Array([-1]), 1)).toBe(false);
  });
});
