import { inverse, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { cholesky } from '../../src/linalg/cholesky.js';
import {
  choleskyInverse,
  choleskySolve,
  lowerInverse,
  solveLower,
  solveLowerTranspose,
} from '../../src/linalg/triangular.js';
import { maxAbsDiff, naiveProduct, randomMatrix, randomSpd, toRowArrays, uniform } from './helpers.js';

const SIZES = [1, 2, 3, 7, 33, 65, 130];

function transpose(a: Float64Array, n: number): Float64Array {
  const t = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) t[j * n + i] = a[i * n + j]!;
  return t;
}

describe('triangular solves', () => {
  for (const n of SIZES) {
    for (const k of [1, 3, 70]) {
      it(`L X = B, L^T X = B and (L L^T) X = B for n = ${n}, k = ${k}`, () => {
        const next = uniform(`tri-${n}-${k}`);
        const { factor: L } = cholesky(randomSpd(n, next), n);
        const B = randomMatrix(n, k, next);
        const X1 = solveLower(L, n, B, k);
        expect(maxAbsDiff(naiveProduct(false, false, n, k, n, L, X1), B)).toBeLessThan(1e-11);
        const X2 = solveLowerTranspose(L, n, B, k);
        expect(maxAbsDiff(naiveProduct(false, false, n, k, n, transpose(L, n), X2), B)).toBeLessThan(1e-11);
        const X3 = choleskySolve(L, n, B, k);
        const A = naiveProduct(false, true, n, n, n, L, L);
        expect(maxAbsDiff(naiveProduct(false, false, n, k, n, A, X3), B)).toBeLessThan(1e-10);
      });
    }
  }

  it('supports out aliasing B and ignores the upper triangle of L', () => {
    const n = 65;
    const k = 5;
    const next = uniform('alias');
    const { factor } = cholesky(randomSpd(n, next), n);
    const L = factor.slice();
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = Number.NaN;
    const B = randomMatrix(n, k, next);
    const expected = choleskySolve(factor, n, B, k);
    const inPlace = B.slice();
    expect(choleskySolve(L, n, inPlace, k, inPlace)).toBe(inPlace);
    expect(maxAbsDiff(inPlace, expected)).toBeLessThan(1e-13);
  });

  it('rejects mis-sized arguments', () => {
    expect(() => solveLower(new Float64Array(4), 2, new Float64Array(3), 2)).toThrow(/solveLower: B must be/);
  });
});

describe('choleskyInverse', () => {
  for (const n of [...SIZES, 200]) {
    it(`matches ml-matrix inverse for n = ${n}`, () => {
      const a = randomSpd(n, uniform(`inv-${n}`));
      const { factor } = cholesky(a, n);
      const inv = choleskyInverse(factor, n);
      const ref = inverse(new MlMatrix(toRowArrays(a, n, n))).to1DArray();
      expect(maxAbsDiff(inv, ref)).toBeLessThan(1e-10);
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) expect(inv[i * n + j]).toBe(inv[j * n + i]);
      const eye = naiveProduct(false, false, n, n, n, a, inv);
      for (let i = 0; i < n; i++) eye[i * n + i] = eye[i * n + i]! - 1;
      expect(maxAbsDiff(eye, new Float64Array(n * n))).toBeLessThan(1e-10);
    });
  }
});

describe('lowerInverse', () => {
  for (const n of [...SIZES, 200]) {
    it(`L L^{-1} = I, lower triangular, ignoring L's upper part, for n = ${n}`, () => {
      const { factor } = cholesky(randomSpd(n, uniform(`linv-${n}`)), n);
      const L = factor.slice();
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) L[i * n + j] = Number.NaN;
      const inv = lowerInverse(L, n);
      for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) expect(inv[i * n + j]).toBe(0);
      const eye = naiveProduct(false, false, n, n, n, factor, inv);
      for (let i = 0; i < n; i++) eye[i * n + i] = eye[i * n + i]! - 1;
      expect(maxAbsDiff(eye, new Float64Array(n * n))).toBeLessThan(1e-10);
    });
  }

  it('rejects mis-sized arguments', () => {
    expect(() => lowerInverse(new Float64Array(3), 2)).toThrow(/lowerInverse: L must be/);
  });
});
