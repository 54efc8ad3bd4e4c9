import fc from 'fast-check';
import { EigenvalueDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { PairwiseDifferences } from '../../src/gp/distances.js';
import {
  crossCovariance,
  crossCovarianceInputGradient,
  KERNEL_KINDS,
  type KernelKind,
  kernelHyperparameterGradient,
  kernelProfile,
  kernelProfileDerivative,
  kernelValue,
} from '../../src/gp/kernels.js';

/** The kernels written from their textbook forms in the distance r (Rasmussen & Williams eq. 4.9, 4.17). */
function reference(kind: KernelKind, x1: number[], x2: number[], ls: number[], s: number): number {
  let r2 = 0;
  for (let k = 0; k < ls.length; k++) r2 += ((x1[k]! - x2[k]!) / ls[k]!) ** 2;
  const r = Math.sqrt(r2);
  if (kind === 'rbf') return s * Math.exp(-r2 / 2);
  if (kind === 'matern52') return s * (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
  return s * (1 + Math.sqrt(3) * r) * Math.exp(-Math.sqrt(3) * r);
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const lengthscale = fc.double({ min: 0.1, max: 3, noNaN: true });
const kindArb = fc.constantFrom<KernelKind>(...KERNEL_KINDS);

describe('kernel values', () => {
  it('match the textbook forms', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.array(fc.tuple(unit, unit, lengthscale), { minLength: 1, maxLength: 6 }),
        fc.double({ min: 0.1, max: 5, noNaN: true }),
        (kind, cols, s) => {
          const x1 = cols.map((c) => c[0]);
          const x2 = cols.map((c) => c[1]);
          const ls = cols.map((c) => c[2]);
          expect(kernelValue(kind, x1, x2, ls, s)).toBeCloseTo(reference(kind, x1, x2, ls, s), 12);
        },
      ),
      { numRuns: 100 },
    );
  });

  it('are 1 at r = 0 and decrease with distance', () => {
    for (const kind of KERNEL_KINDS) {
      expect(kernelProfile(kind, 0)).toBe(1);
      let previous = 1;
      for (let r2 = 0.01; r2 < 20; r2 *= 1.5) {
        const v = kernelProfile(kind, r2);
        expect(v).toBeLessThan(previous);
        previous = v;
      }
    }
  });

  it('profile derivatives match central differences', () => {
    for (const kind of KERNEL_KINDS) {
      for (const r2 of [0.01, 0.3, 1, 2.5, 7]) {
        const h = 1e-6;
        const fd = (kernelProfile(kind, r2 + h) - kernelProfile(kind, r2 - h)) / (2 * h);
        expect(kernelProfileDerivative(kind, r2)).toBeCloseTo(fd, 7);
      }
    }
    expect(kernelProfileDerivative('rbf', 0)).toBe(-0.5);
    expect(kernelProfileDerivative('matern52', 0)).toBeCloseTo(-5 / 6, 15);
    expect(kernelProfileDerivative('matern32', 0)).toBe(-1.5);
  });

  it('cross-covariance matrices are positive semi-definite and match pairwise values', () => {
    const X = [
      [0.1, 0.2],
      [0.5, 0.9],
      [0.3, 0.3],
      [0.95, 0.05],
      [0.6, 0.61],
    ];
    const ls = [0.3, 0.7];
    for (const kind of KERNEL_KINDS) {
      const K = crossCovariance(
        kind,
        Float64Array.from(X.flat()),
        5,
        Float64Array.from(X.flat()),
        5,
        2,
        ls,
        1.7,
      );
      for (let i = 0; i < 5; i++) {
        for (let j = 0; j < 5; j++)
          expect(K[i * 5 + j]).toBeCloseTo(reference(kind, X[i]!, X[j]!, ls, 1.7), 12);
      }
      const rows = Array.from({ length: 5 }, (_, i) => Array.from(K.subarray(i * 5, i * 5 + 5)));
      const eig = new EigenvalueDecomposition(new MlMatrix(rows));
      for (const v of eig.realEigenvalues) expect(v).toBeGreaterThan(-1e-12);
      // One array as both arguments (K(X, X), whose upper triangle is mirrored): the same values as
      // two copies, bit for bit.
      const same = Float64Array.from(X.flat());
      const Ks = crossCovariance(kind, same, 5, same, 5, 2, ls, 1.7);
      for (let p = 0; p < 25; p++) expect(Object.is(Ks[p], K[p])).toBe(true);
    }
  });
});

describe('kernel derivatives', () => {
  it('with respect to log-lengthscales and log-outputscale match central differences', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.array(fc.tuple(unit, unit, lengthscale), { minLength: 1, maxLength: 5 }),
        fc.double({ min: 0.2, max: 3, noNaN: true }),
        (kind, cols, s) => {
          const x1 = cols.map((c) => c[0]);
          const x2 = cols.map((c) => c[1]);
          const ls = cols.map((c) => c[2]);
          const d = ls.length;
          const g = new Float64Array(d + 1);
          const v = kernelHyperparameterGradient(kind, x1, x2, ls, s, g);
          expect(v).toBeCloseTo(reference(kind, x1, x2, ls, s), 12);
          const h = 1e-5;
          for (let k = 0; k < d; k++) {
            const up = ls.slice();
            const down = ls.slice();
            up[k] = ls[k]! * Math.exp(h);
            down[k] = ls[k]! * Math.exp(-h);
            const fd = (reference(kind, x1, x2, up, s) - reference(kind, x1, x2, down, s)) / (2 * h);
            expect(Math.abs(g[k]! - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
          }
          const fdS =
            (reference(kind, x1, x2, ls, s * Math.exp(h)) - reference(kind, x1, x2, ls, s * Math.exp(-h))) /
            (2 * h);
          expect(Math.abs(g[d]! - fdS)).toBeLessThan(1e-6 * (1 + Math.abs(fdS)));
        },
      ),
      { numRuns: 100 },
    );
  });

  it('with respect to the inputs match central differences', () => {
    fc.assert(
      fc.property(
        kindArb,
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 5 }),
        fc.array(unit, { minLength: 40, maxLength: 40 }),
        (kind, d, n, pool) => {
          const ls = Array.from({ length: d }, (_, k) => 0.2 + pool[k]!);
          const x = Array.from({ length: d }, (_, k) => pool[5 + k]!);
          const X = Float64Array.from({ length: n * d }, (_, i) => pool[10 + i]!);
          const s = 1.3;
          const grad = new Float64Array(n * d);
          const values = new Float64Array(n);
          crossCovarianceInputGradient(kind, x, X, n, d, ls, s, grad, values);
          const h = 1e-6;
          for (let j = 0; j < n; j++) {
            const xj = Array.from(X.subarray(j * d, (j + 1) * d));
            expect(values[j]).toBeCloseTo(reference(kind, x, xj, ls, s), 12);
            for (let k = 0; k < d; k++) {
              const up = x.slice();
              const down = x.slice();
              up[k] = x[k]! + h;
              down[k] = x[k]! - h;
              const fd = (reference(kind, up, xj, ls, s) - reference(kind, down, xj, ls, s)) / (2 * h);
              expect(Math.abs(grad[j * d + k]! - fd)).toBeLessThan(1e-5 * (1 + Math.abs(fd)));
            }
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('PairwiseDifferences', () => {
  it('all three modes agree with brute force', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 9 }),
        fc.integer({ min: 1, max: 4 }),
        fc.array(unit, { minLength: 60, maxLength: 60 }),
        (n, d, pool) => {
          const X = Float64Array.from({ length: n * d }, (_, i) => pool[i]!);
          const w = Float64Array.from({ length: d }, (_, k) => 0.5 + pool[50 + k]! * 4);
          const weights = Float64Array.from({ length: (n * (n - 1)) / 2 }, (_, p) => Math.sin(p + 1));
          const modes = (['stored', 'gram', 'direct'] as const).map(
            (mode) => new PairwiseDifferences(X, n, d, mode),
          );
          expect(modes[0]!.squared).not.toBeNull();
          expect(modes[1]!.squared).toBeNull();
          const distances = modes.map((m) => {
            const out = new Float64Array(m.pairs);
            m.scaledSquaredDistances(w, out);
            return out;
          });
          const sums = modes.map((m) => {
            const out = new Float64Array(d);
            m.weightedSquaredDifferences(weights, out);
            return out;
          });
          const brute = new Float64Array(d);
          let p = 0;
          for (let i = 1; i < n; i++) {
            for (let j = 0; j < i; j++, p++) {
              let r2 = 0;
              for (let k = 0; k < d; k++) {
                const t = (X[i * d + k]! - X[j * d + k]!) ** 2;
                r2 += t * w[k]!;
                brute[k] = brute[k]! + weights[p]! * t;
              }
              for (const r of distances) expect(r[p]).toBeCloseTo(r2, 11);
            }
          }
          for (let k = 0; k < d; k++) {
            for (const s of sums) expect(s[k]).toBeCloseTo(brute[k]!, 11);
          }
        },
      ),
      { numRuns: 80 },
    );
  });
});
