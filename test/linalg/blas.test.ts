import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axpyStrided, dot, gemm, gemv, syrk } from '../../src/linalg/blas.js';
import { maxAbsDiff, naiveProduct, randomMatrix, uniform } from './helpers.js';

const SHAPES: Array<[number, number, number]> = [
  [1, 1, 1],
  [2, 3, 1],
  [3, 7, 5],
  [7, 33, 2],
  [33, 65, 7],
  [65, 3, 130],
  [130, 33, 65],
  [97, 101, 300],
];

describe('gemm', () => {
  for (const [m, n, k] of SHAPES) {
    for (const transA of [false, true]) {
      for (const transB of [false, true]) {
        it(`matches a naive triple loop for ${m}x${n}x${k} transA=${transA} transB=${transB}`, () => {
          const next = uniform(`gemm-${m}-${n}-${k}-${transA}-${transB}`);
          const A = randomMatrix(m, k, next);
          const B = randomMatrix(k, n, next);
          const C0 = randomMatrix(m, n, next);
          const C = C0.slice();
          gemm(transA, transB, m, n, k, 0.7, A, B, -1.3, C);
          const P = naiveProduct(transA, transB, m, n, k, A, B);
          const expected = P.map((v, i) => 0.7 * v - 1.3 * C0[i]!);
          expect(maxAbsDiff(C, expected)).toBeLessThan(1e-12 * Math.max(1, k));
        });
      }
    }
  }

  it('ignores NaN in C when beta = 0', () => {
    const A = new Float64Array([1, 2, 3, 4]);
    const C = new Float64Array(4).fill(Number.NaN);
    gemm(false, false, 2, 2, 2, 1, A, A, 0, C);
    expect(Array.from(C)).toEqual([7, 10, 15, 22]);
  });

  it('rejects too-short arrays with a clear message', () => {
    expect(() =>
      gemm(false, false, 2, 2, 2, 1, new Float64Array(3), new Float64Array(4), 0, new Float64Array(4)),
    ).toThrow(/gemm: A has length 3, expected at least 4/);
    expect(() =>
      gemm(false, false, -1, 2, 2, 1, new Float64Array(4), new Float64Array(4), 0, new Float64Array(4)),
    ).toThrow(RangeError);
  });

  it('property: random shapes agree with the naive loop', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 40 }),
        fc.boolean(),
        fc.boolean(),
        fc.integer(),
        (m, n, k, ta, tb, seed) => {
          const next = uniform(`p${seed}`);
          const A = randomMatrix(m, k, next);
          const B = randomMatrix(k, n, next);
          const C = new Float64Array(m * n);
          gemm(ta, tb, m, n, k, 1, A, B, 0, C);
          return maxAbsDiff(C, naiveProduct(ta, tb, m, n, k, A, B)) < 1e-12 * k;
        },
      ),
      { numRuns: 60 },
    );
  });

  it('gives, bit for bit, the scalar sums in the packed order (the SIMD kernel), across memory growth', () => {
    // Each entry: C += alpha * (sum over one depth panel of 256, p ascending) per panel, as a scalar
    // loop computes it. Sizes from small to ones whose packed panels need more kernel memory (n past
    // one 2048-column block, k past one 256-deep panel), then small again on the grown memory.
    const cases: Array<[number, number, number, boolean, boolean]> = [
      [9, 10, 11, false, false],
      [101, 2100, 300, false, true],
      [130, 7, 600, true, false],
      [5, 6, 300, true, true],
    ];
    for (const [m, n, k, ta, tb] of cases) {
      const next = uniform(`bits-${m}-${n}-${k}`);
      const A = randomMatrix(m, k, next);
      const B = randomMatrix(k, n, next);
      const C = randomMatrix(m, n, next);
      const expected = C.slice();
      for (let i = 0; i < m; i++) {
        for (let j = 0; j < n; j++) {
          let c = expected[i * n + j]!;
          for (let p0 = 0; p0 < k; p0 += 256) {
            let acc = 0;
            for (let p = p0; p < Math.min(k, p0 + 256); p++) {
              acc += (ta ? A[p * m + i]! : A[i * k + p]!) * (tb ? B[j * k + p]! : B[p * n + j]!);
            }
            c += -0.7 * acc;
          }
          expected[i * n + j] = c;
        }
      }
      gemm(ta, tb, m, n, k, -0.7, A, B, 1, C);
      let differ = 0;
      for (let t = 0; t < m * n; t++) differ += Object.is(C[t], expected[t]) ? 0 : 1;
      expect(differ, `${m}x${n}x${k} transA=${ta} transB=${tb}`).toBe(0);
    }
  });
});

describe('syrk', () => {
  for (const [n, k] of [
    [1, 1],
    [2, 3],
    [3, 7],
    [7, 2],
    [33, 65],
    [65, 33],
    [130, 7],
  ] as Array<[number, number]>) {
    for (const trans of [false, true]) {
      it(`matches A A^T / A^T A by triple loop for n=${n} k=${k} trans=${trans}`, () => {
        const next = uniform(`syrk-${n}-${k}-${trans}`);
        const A = randomMatrix(n, k, next);
        const C0 = randomMatrix(n, n, next);
        // symmetric C0 so the expected value is symmetric
        for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) C0[j * n + i] = C0[i * n + j]!;
        const C = C0.slice();
        syrk(trans, n, k, 2, A, 0.5, C);
        const P = trans ? naiveProduct(true, false, n, n, k, A, A) : naiveProduct(false, true, n, n, k, A, A);
        const expected = P.map((v, i) => 2 * v + 0.5 * C0[i]!);
        expect(maxAbsDiff(C, expected)).toBeLessThan(1e-12 * Math.max(1, k));
      });
    }
  }
});

describe('gemv and dot', () => {
  it('gemv matches loops in both orientations', () => {
    const next = uniform('gemv');
    for (const [m, n] of [
      [1, 1],
      [3, 7],
      [33, 5],
      [65, 130],
    ] as Array<[number, number]>) {
      const A = randomMatrix(m, n, next);
      const x = randomMatrix(n, 1, next);
      const xt = randomMatrix(m, 1, next);
      const y0 = randomMatrix(m, 1, next);
      const yt0 = randomMatrix(n, 1, next);
      const y = y0.slice();
      gemv(false, m, n, 1.5, A, x, -2, y);
      const yt = yt0.slice();
      gemv(true, m, n, 1.5, A, xt, -2, yt);
      for (let i = 0; i < m; i++) {
        let s = 0;
        for (let j = 0; j < n; j++) s += A[i * n + j]! * x[j]!;
        expect(y[i]).toBeCloseTo(1.5 * s - 2 * y0[i]!, 12);
      }
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let i = 0; i < m; i++) s += A[i * n + j]! * xt[i]!;
        expect(yt[j]).toBeCloseTo(1.5 * s - 2 * yt0[j]!, 12);
      }
    }
  });

  it('dot sums the products, with an optional length', () => {
    const a = new Float64Array([1, 2, 3, 4, 5, 6, 7]);
    const b = new Float64Array([7, 6, 5, 4, 3, 2, 1]);
    expect(dot(a, b)).toBe(7 + 12 + 15 + 16 + 15 + 12 + 7);
    expect(dot(a, b, 2)).toBe(19);
    expect(() => dot(a, b, 9)).toThrow(/dot: n = 9/);
  });

  it('axpyStrided adds alpha x to y at the offsets, bit for bit as the plain loop, and nothing else', () => {
    const next = uniform('axpy');
    for (let n = 0; n <= 11; n++) {
      const x = randomMatrix(n + 5, 1, next);
      const y0 = randomMatrix(n + 7, 1, next);
      const y = y0.slice();
      axpyStrided(n, -0.7, x, 3, y, 2);
      const expected = y0.slice();
      for (let t = 0; t < n; t++) expected[2 + t] = expected[2 + t]! + -0.7 * x[3 + t]!;
      expect(Array.from(y)).toEqual(Array.from(expected));
    }
  });
});
