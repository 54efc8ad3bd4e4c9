import { describe, expect, it } from 'vitest';
import {
  GEMM_REGION_DOUBLES,
  simdAxpy,
  simdDistanceUpdate,
  vectorMemory,
} from '../../src/linalg/simd-kernels.js';
import { uniform } from './helpers.js';

// The vector kernels against the scalar loops they replace, bit for bit: every length from 0 to 11
// (pairs and an odd last entry) and a long one, at odd and even offsets, leaving the entry after y
// alone.
describe('SIMD vector kernels', () => {
  const lengths = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 513];
  for (const n of lengths) {
    it(`y += alpha x and y += a (b - 2 x) equal the scalar loops for n = ${n}`, () => {
      const next = uniform(`simd-${n}`);
      const xs = Array.from({ length: n }, () => 10 * next() - 5);
      const ys = Array.from({ length: n }, () => 10 * next() - 5);
      for (const shift of [0, 1]) {
        const H = vectorMemory(2 * n + 4);
        const x0 = GEMM_REGION_DOUBLES + shift;
        const y0 = x0 + n + 1;
        const load = () => {
          for (let i = 0; i < n; i++) {
            H[x0 + i] = xs[i]!;
            H[y0 + i] = ys[i]!;
          }
          H[y0 + n] = 12345;
        };
        load();
        simdAxpy(n, -0.37, 8 * x0, 8 * y0);
        for (let i = 0; i < n; i++) expect(Object.is(H[y0 + i], ys[i]! + -0.37 * xs[i]!)).toBe(true);
        expect(H[y0 + n]).toBe(12345);
        load();
        simdDistanceUpdate(n, 0.3, 1.7, 8 * x0, 8 * y0);
        for (let i = 0; i < n; i++)
          expect(Object.is(H[y0 + i], ys[i]! + 0.3 * (1.7 - 2 * xs[i]!))).toBe(true);
        expect(H[y0 + n]).toBe(12345);
      }
    });
  }

  it('keeps the values of a view taken before the memory grows', () => {
    const small = vectorMemory(8);
    small[GEMM_REGION_DOUBLES] = 42;
    const grown = vectorMemory(small.length);
    expect(grown.length).toBeGreaterThan(small.length - GEMM_REGION_DOUBLES);
    expect(grown[GEMM_REGION_DOUBLES]).toBe(42);
  });
});
