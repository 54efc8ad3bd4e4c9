import fc from 'fast-check';
import { inverse, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { KERNEL_KINDS, type KernelKind } from '../../src/gp/kernels.js';
import { createGpModel, type GpHyperparameters, standardizationOf } from '../../src/gp/model.js';

function reference(
  kind: KernelKind,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  ls: readonly number[],
  s: number,
): number {
  let r2 = 0;
  for (let k = 0; k < ls.length; k++) r2 += ((x1[k]! - x2[k]!) / ls[k]!) ** 2;
  const r = Math.sqrt(r2);
  if (kind === 'rbf') return s * Math.exp(-r2 / 2);
  if (kind === 'matern52') return s * (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
  return s * (1 + Math.sqrt(3) * r) * Math.exp(-Math.sqrt(3) * r);
}

/**
 * The GP posterior written out from Rasmussen & Williams eq. 2.23–2.24 on standardized outcomes with an
 * explicit ml-matrix inverse, then mapped back to the user's scale.
 */
function closedForm(
  X: number[][],
  y: number[],
  h: GpHyperparameters,
  noise: number[],
  Xs: number[][],
): { mean: number[]; cov: number[][] } {
  const n = X.length;
  const q = Xs.length;
  const mu = y.reduce((a, b) => a + b, 0) / n;
  const sd = Math.sqrt(y.reduce((a, b) => a + (b - mu) ** 2, 0) / (n - 1));
  const k = (a: number[], b: number[]) => reference(h.kernel, a, b, h.lengthscales, h.outputscale);
  const K = new MlMatrix(X.map((a, i) => X.map((b, j) => k(a, b) + (i === j ? noise[i]! : 0))));
  const Ks = new MlMatrix(Xs.map((a) => X.map((b) => k(a, b))));
  const Kss = new MlMatrix(Xs.map((a) => Xs.map((b) => k(a, b))));
  const Kinv = inverse(K);
  const r = MlMatrix.columnVector(y.map((v) => (v - mu) / sd - h.mean));
  const m = Ks.mmul(Kinv).mmul(r);
  const cov = Kss.sub(Ks.mmul(Kinv).mmul(Ks.transpose()));
  return {
    mean: Array.from({ length: q }, (_, a) => mu + sd * (h.mean + m.get(a, 0))),
    cov: Array.from({ length: q }, (_, a) => Array.from({ length: q }, (_, b) => sd * sd * cov.get(a, b))),
  };
}

const unit = fc.double({ min: 0, max: 1, noNaN: true });
const setupArb = fc
  .record({
    kind: fc.constantFrom<KernelKind>(...KERNEL_KINDS),
    n: fc.integer({ min: 2, max: 8 }),
    q: fc.integer({ min: 1, max: 5 }),
    d: fc.integer({ min: 1, max: 3 }),
    pool: fc.array(unit, { minLength: 80, maxLength: 80 }),
    fixedNoise: fc.boolean(),
  })
  .map(({ kind, n, q, d, pool, fixedNoise }) => {
    const X = Array.from({ length: n }, (_, i) => Array.from({ length: d }, (_, k) => pool[i * d + k]!));
    const Xs = Array.from({ length: q }, (_, i) =>
      Array.from({ length: d }, (_, k) => pool[30 + i * d + k]!),
    );
    const y = X.map((x, i) => 3 + 10 * Math.sin(4 * x[0]!) + pool[50 + i]! + 0.37 * i);
    const h: GpHyperparameters = {
      kernel: kind,
      lengthscales: Array.from({ length: d }, (_, k) => 0.2 + pool[60 + k]!),
      outputscale: 0.5 + pool[65]! * 2,
      noise: fixedNoise ? null : 1e-3 + 0.1 * pool[66]!,
      mean: pool[67]! - 0.5,
    };
    const userNoise = X.map((_, i) => 0.05 + pool[70 + (i % 10)]!);
    return { X, Xs, y, h, userNoise };
  });

describe('GpModel posterior', () => {
  it('mean, variance and covariance equal the closed form (user scale)', () => {
    fc.assert(
      fc.property(setupArb, ({ X, Xs, y, h, userNoise }) => {
        const model = createGpModel(X, y, h, h.noise === null ? { fixedNoise: userNoise } : {});
        const { std } = standardizationOf(y);
        const noise =
          h.noise === null ? userNoise.map((v) => v / (std * std)) : X.map(() => h.noise as number);
        const expected = closedForm(X, y, h, noise, Xs);
        const moments = model.posterior(Xs);
        const joint = model.posteriorCovariance(Xs);
        const scale = std * std;
        for (let a = 0; a < Xs.length; a++) {
          expect(moments.mean[a]).toBeCloseTo(expected.mean[a]!, 7);
          expect(joint.mean[a]).toBeCloseTo(expected.mean[a]!, 7);
          const v = Math.max(expected.cov[a]![a]!, 0);
          expect(Math.abs(moments.variance[a]! - v)).toBeLessThan(1e-7 * scale);
          for (let b = 0; b < Xs.length; b++) {
            expect(Math.abs(joint.covariance[a * Xs.length + b]! - expected.cov[a]![b]!)).toBeLessThan(
              1e-7 * scale,
            );
          }
        }
      }),
      { numRuns: 80 },
    );
  });

  it('the joint factor reproduces the covariance', () => {
    fc.assert(
      fc.property(setupArb, ({ X, Xs, y, h, userNoise }) => {
        const model = createGpModel(X, y, h, { fixedNoise: userNoise });
        const { covariance, factor, jitter } = model.posteriorFactor(Xs);
        const q = Xs.length;
        for (let a = 0; a < q; a++) {
          for (let b = 0; b < q; b++) {
            let s = 0;
            for (let c = 0; c < q; c++) s += factor[a * q + c]! * factor[b * q + c]!;
            const target = covariance[a * q + b]! + (a === b ? jitter : 0);
            expect(Math.abs(s - target)).toBeLessThan(1e-9 * (1 + Math.abs(covariance[a * q + a]!)));
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('mean and variance gradients with respect to the inputs match central differences (and posteriorMeanGradient the mean one)', () => {
    fc.assert(
      fc.property(setupArb, ({ X, Xs, y, h, userNoise }) => {
        const model = createGpModel(X, y, h, { fixedNoise: userNoise });
        const d = X[0]!.length;
        const g = model.posteriorGradient(Xs);
        const meanOnly = model.posteriorMeanGradient(Xs);
        const plain = model.posterior(Xs);
        const hStep = 1e-6;
        for (let a = 0; a < Xs.length; a++) {
          expect(g.mean[a]).toBeCloseTo(plain.mean[a]!, 8);
          expect(g.variance[a]).toBeCloseTo(plain.variance[a]!, 8);
          for (let k = 0; k < d; k++) {
            const up = Xs[a]!.slice();
            const down = Xs[a]!.slice();
            up[k] = up[k]! + hStep;
            down[k] = down[k]! - hStep;
            const pu = model.posterior([up]);
            const pd = model.posterior([down]);
            const fdMean = (pu.mean[0]! - pd.mean[0]!) / (2 * hStep);
            const fdVar = (pu.variance[0]! - pd.variance[0]!) / (2 * hStep);
            expect(Math.abs(g.meanGradient[a * d + k]! - fdMean)).toBeLessThan(1e-4 * (1 + Math.abs(fdMean)));
            // The mean-only gradient is the same computation, bit for bit.
            expect(Object.is(meanOnly[a * d + k], g.meanGradient[a * d + k])).toBe(true);
            if (plain.variance[a]! > 1e-6) {
              expect(Math.abs(g.varianceGradient[a * d + k]! - fdVar)).toBeLessThan(
                1e-4 * (1 + Math.abs(fdVar)),
              );
            }
          }
        }
      }),
      { numRuns: 40 },
    );
  });

  it('handles many points in blocks', () => {
    const X = [[0.1], [0.5], [0.9]];
    const model = createGpModel(X, [1, 2, 0], {
      kernel: 'rbf',
      lengthscales: [0.3],
      outputscale: 1,
      noise: 1e-3,
      mean: 0,
    });
    const q = 700;
    const Xs = Array.from({ length: q }, (_, i) => [i / (q - 1)]);
    const all = model.posterior(Xs);
    for (const a of [0, 255, 256, 511, 699]) {
      const one = model.posterior([Xs[a]!]);
      expect(all.mean[a]).toBeCloseTo(one.mean[0]!, 12);
      expect(all.variance[a]).toBeCloseTo(one.variance[0]!, 12);
    }
    expect(model.posterior([]).mean.length).toBe(0);
  });
});

describe('GpModel.condition', () => {
  it('equals a model built from scratch on all points with the same hyperparameters and standardization', () => {
    fc.assert(
      fc.property(setupArb, fc.integer({ min: 1, max: 4 }), ({ X, Xs, y, h, userNoise }, kNew) => {
        const fixed = h.noise === null;
        const n = X.length;
        const Xn = Xs.slice(0, Math.min(kNew, Xs.length));
        const yn = Xn.map((x) => 1 + 5 * Math.cos(3 * x[0]!));
        const noiseNew = Xn.map((_, i) => 0.02 + 0.01 * i);
        const base = createGpModel(X, y, h, fixed ? { fixedNoise: userNoise } : {});
        const conditioned = base.condition(Xn, yn, fixed ? noiseNew : undefined);
        const standardization = standardizationOf(y);
        const scratch = createGpModel([...X, ...Xn], [...y, ...yn], h, {
          standardization,
          ...(fixed ? { fixedNoise: [...userNoise, ...noiseNew] } : {}),
        });
        expect(conditioned.size).toBe(n + Xn.length);
        const probe = [...Xs, [0.5, 0.5, 0.5].slice(0, X[0]!.length)];
        const a = conditioned.posteriorCovariance(probe);
        const b = scratch.posteriorCovariance(probe);
        const scale = standardization.std ** 2;
        for (let i = 0; i < a.mean.length; i++) expect(a.mean[i]).toBeCloseTo(b.mean[i]!, 7);
        for (let i = 0; i < a.covariance.length; i++) {
          expect(Math.abs(a.covariance[i]! - b.covariance[i]!)).toBeLessThan(1e-7 * scale);
        }
        const ia = conditioned.internals;
        const ib = scratch.internals;
        for (let i = 0; i < ia.alpha.length; i++) expect(ia.alpha[i]).toBeCloseTo(ib.alpha[i]!, 6);
        for (let i = 0; i < ia.L.length; i++) expect(Math.abs(ia.L[i]! - ib.L[i]!)).toBeLessThan(1e-8);
      }),
      { numRuns: 60 },
    );
  });

  it('requires noise for a fixed-noise model and checks lengths', () => {
    const h: GpHyperparameters = { kernel: 'rbf', lengthscales: [0.3], outputscale: 1, noise: null, mean: 0 };
    const model = createGpModel([[0.1], [0.6]], [1, 2], h, { fixedNoise: [0.01, 0.01] });
    expect(() => model.condition([[0.3]], [1])).toThrow(/noise \(k variances\) is required/);
    expect(() => model.condition([[0.3]], [1, 2], [0.1])).toThrow(
      /y has 2 values, expected one per row of Xn \(1\)/,
    );
    expect(() => model.condition([[0.3, 0.2]], [1], [0.1])).toThrow(/Xs has 2 columns, expected d = 1/);
    expect(model.condition([], [], [])).toBe(model);
  });
});

describe('createGpModel validation', () => {
  const h: GpHyperparameters = {
    kernel: 'rbf',
    lengthscales: [0.3, 0.3],
    outputscale: 1,
    noise: 0.01,
    mean: 0,
  };
  it('rejects malformed input with precise messages', () => {
    expect(() => createGpModel([[0.1, 0.2]], [1, 2], h)).toThrow(/y has 2 values, expected n = 1/);
    expect(() => createGpModel([[0.1]], [1], h)).toThrow(/2 lengthscales, expected d = 1/);
    expect(() => createGpModel([[0.1, Number.NaN]], [1], h)).toThrow(/entry 1 is NaN/);
    expect(() => createGpModel([[0.1, 0.2]], [1], { ...h, lengthscales: [0.3, -1] })).toThrow(
      /lengthscale -1/,
    );
    expect(() => createGpModel([[0.1, 0.2]], [1], { ...h, noise: null })).toThrow(/fixedNoise needs n = 1/);
  });

  it('exposes its internals', () => {
    const model = createGpModel(
      [
        [0.1, 0.2],
        [0.7, 0.4],
      ],
      [1, 3],
      h,
    );
    const it = model.internals;
    expect(it.kernel).toBe('rbf');
    expect(it.X.rows).toBe(2);
    expect(Array.from(it.lengthscales)).toEqual([0.3, 0.3]);
    expect(it.yMean).toBe(2);
    expect(it.yStd).toBeCloseTo(Math.SQRT2, 14);
    expect(Array.from(it.noise)).toEqual([0.01, 0.01]);
    // L Lᵀ α = y − c
    const n = 2;
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < n; j++) {
        let kij = 0;
        for (let t = 0; t < n; t++) kij += it.L[i * n + t]! * it.L[j * n + t]!;
        s += kij * it.alpha[j]!;
      }
      expect(s).toBeCloseTo(it.y[i]! - it.mean, 12);
    }
  });
});
