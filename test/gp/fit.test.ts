import { CholeskyDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fitGp, fitGps } from '../../src/gp/fit.js';
import { createGpModel } from '../../src/gp/model.js';

/** mulberry32 with Box–Muller: a generator independent of the library's. */
function generator(seed: number): { uniform: () => number; normal: () => number } {
  let a = seed >>> 0;
  const uniform = (): number => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = (): number => {
    const u = 1 - uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * uniform());
  };
  return { uniform, normal };
}

/** n points in [0, 1]^d and a draw of an RBF GP (outputscale 1) at them plus N(0, noise) noise. */
function sampleGp(
  n: number,
  lengthscales: number[],
  noise: number,
  seed: number,
): { X: number[][]; y: number[] } {
  const g = generator(seed);
  const d = lengthscales.length;
  const X = Array.from({ length: n }, () => Array.from({ length: d }, () => g.uniform()));
  const K = new MlMatrix(
    X.map((a, i) =>
      X.map((b, j) => {
        let r2 = 0;
        for (let k = 0; k < d; k++) r2 += ((a[k]! - b[k]!) / lengthscales[k]!) ** 2;
        return Math.exp(-r2 / 2) + (i === j ? 1e-8 : 0);
      }),
    ),
  );
  const L = new CholeskyDecomposition(K).lowerTriangularMatrix;
  const z = MlMatrix.columnVector(Array.from({ length: n }, () => g.normal()));
  const f = L.mmul(z);
  const y = Array.from({ length: n }, (_, i) => 5 + 2 * f.get(i, 0) + Math.sqrt(noise) * 2 * g.normal());
  return { X, y };
}

describe('fitGp', () => {
  it('recovers known lengthscales (within 2x) from a GP draw, d = 3, n = 200', () => {
    const truth = [0.2, 0.5, 2.0];
    const { X, y } = sampleGp(200, truth, 1e-4, 7);
    const model = fitGp(X, y);
    const ls = model.hyperparameters.lengthscales;
    expect(model.fit.movedFromStart).toBe(true);
    expect(model.fit.warnings).toEqual([]);
    expect(Number.isFinite(model.fit.logPosterior)).toBe(true);
    for (let k = 0; k < 2; k++) {
      expect(ls[k]!).toBeGreaterThan(truth[k]! / 2);
      expect(ls[k]!).toBeLessThan(truth[k]! * 2);
    }
    // The nearly irrelevant dimension gets a long lengthscale.
    expect(ls[2]!).toBeGreaterThan(1);
    expect(ls[2]!).toBeGreaterThan(3 * ls[1]!);
    // Noise is found small on the standardized scale.
    expect(model.hyperparameters.noise!).toBeLessThan(1e-2);
    // Predictions interpolate the data.
    const fitted = model.posterior(X.slice(0, 20));
    for (let i = 0; i < 20; i++) expect(Math.abs(fitted.mean[i]! - y[i]!)).toBeLessThan(0.1);
  });

  it('lengthscaleBounds confine the fitted lengthscales, and bad bounds are refused', () => {
    const truth = [0.2, 0.5, 2.0];
    const { X, y } = sampleGp(120, truth, 1e-4, 11);
    const free = fitGp(X, y).hyperparameters.lengthscales;
    expect(free[2]!).toBeGreaterThan(1);
    const bounded = fitGp(X, y, { lengthscaleBounds: [0.3, 0.8] }).hyperparameters.lengthscales;
    for (const l of bounded) {
      expect(l).toBeGreaterThanOrEqual(0.3 * (1 - 1e-12));
      expect(l).toBeLessThanOrEqual(0.8 * (1 + 1e-12));
    }
    // The long lengthscale sits at the upper bound; the short one at the lower.
    expect(bounded[2]!).toBeCloseTo(0.8, 6);
    expect(bounded[0]!).toBeCloseTo(0.3, 6);
    // A warm start outside the bounds is clamped into them.
    const warm = fitGp(X, y, { lengthscaleBounds: [0.3, 0.8], warmStart: fitGp(X, y).hyperparameters });
    for (const l of warm.hyperparameters.lengthscales) expect(l).toBeLessThanOrEqual(0.8 * (1 + 1e-12));
    for (const bad of [[0, 1], [1, 0.5], [0.1, Number.POSITIVE_INFINITY], [0.1]] as unknown as [
      number,
      number,
    ][])
      expect(() => fitGp(X, y, { lengthscaleBounds: bad })).toThrow(/lengthscaleBounds/);
  });

  it('fits with the gamma priors (Matérn-5/2 with outputscale) and the Matérn kernels', () => {
    const { X, y } = sampleGp(60, [0.3, 1.5], 1e-3, 3);
    const gamma = fitGp(X, y, { prior: 'gamma' });
    expect(gamma.hyperparameters.kernel).toBe('matern52');
    expect(gamma.hyperparameters.outputscale).not.toBe(1);
    expect(gamma.fit.movedFromStart).toBe(true);
    const m32 = fitGp(X, y, { kernel: 'matern32' });
    expect(m32.hyperparameters.kernel).toBe('matern32');
    expect(m32.hyperparameters.outputscale).toBe(1);
    for (const model of [gamma, m32]) {
      expect(model.hyperparameters.lengthscales[0]!).toBeLessThan(model.hyperparameters.lengthscales[1]!);
      const p = model.posterior(X.slice(0, 5));
      for (let i = 0; i < 5; i++) expect(Math.abs(p.mean[i]! - y[i]!)).toBeLessThan(0.5);
    }
  });

  it('is a local maximum of the log posterior: the reported value beats nearby hyperparameters', () => {
    const { X, y } = sampleGp(40, [0.3, 0.6], 1e-3, 11);
    const model = fitGp(X, y, { prior: 'gamma' });
    const h = model.hyperparameters;
    const logPost = model.fit.logPosterior;
    const again = fitGp(X, y, { prior: 'gamma', warmStart: h });
    expect(again.fit.logPosterior).toBeGreaterThanOrEqual(logPost - 1e-6);
    expect(again.fit.iterations).toBeLessThanOrEqual(5);
  });

  it('warm starts, restarts and seeds are deterministic', () => {
    const { X, y } = sampleGp(30, [0.4, 0.4], 1e-3, 5);
    const a = fitGp(X, y, { restarts: 2, seed: 3 });
    const b = fitGp(X, y, { restarts: 2, seed: 3 });
    expect(a.hyperparameters).toEqual(b.hyperparameters);
    expect(a.fit.starts).toBe(3);
    const single = fitGp(X, y);
    expect(a.fit.logPosterior).toBeGreaterThanOrEqual(single.fit.logPosterior - 1e-9);
  });

  it("mean 'max' fixes the constant mean at the largest standardized outcome, restarts included", () => {
    const { X, y } = sampleGp(30, [0.4, 0.4], 1e-3, 7);
    const n = y.length;
    const avg = y.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(y.reduce((s, v) => s + (v - avg) ** 2, 0) / (n - 1));
    const largest = (Math.max(...y) - avg) / sd;
    const model = fitGp(X, y, { mean: 'max', restarts: 2, seed: 1 });
    expect(model.hyperparameters.mean).toBeCloseTo(largest, 12);
    expect(model.fit.movedFromStart).toBe(true);
    // Far from the data the posterior mean reverts to the largest observation, not the average.
    const far = model.posterior([[40, -40]]).mean[0]!;
    expect(far).toBeCloseTo(Math.max(...y), 8);
    const fitted = fitGp(X, y);
    expect(fitted.hyperparameters.mean).not.toBeCloseTo(largest, 3);
    expect(fitted.fit.logPosterior).toBeGreaterThanOrEqual(model.fit.logPosterior - 1e-9);
    expect(() => fitGp(X, y, { mean: 'min' as 'max' })).toThrow(/mean is "min", expected 'fitted' or 'max'/);
  });

  it('fixed per-point noise is used and not fitted', () => {
    const { X, y } = sampleGp(30, [0.3, 0.8], 1e-3, 9);
    const noise = y.map((_, i) => 0.01 * (1 + (i % 3)));
    const model = fitGp(X, y, { noise: { fixed: noise } });
    expect(model.hyperparameters.noise).toBeNull();
    const std = model.internals.yStd;
    for (let i = 0; i < y.length; i++)
      expect(model.internals.noise[i]).toBeCloseTo(noise[i]! / (std * std), 14);
    expect(() => model.condition([[0.5, 0.5]], [1])).toThrow(/noise/);
  });

  it('maxIterations 0 keeps the start; a warm start above the subset threshold skips the subset', () => {
    const { X, y } = sampleGp(30, [0.4, 0.7], 1e-3, 19);
    const still = fitGp(X, y, { maxIterations: 0 });
    expect(still.fit.movedFromStart).toBe(false);
    expect(still.fit.evaluations).toBe(1);
    expect(still.hyperparameters.lengthscales[0]).toBeCloseTo(
      Math.exp(Math.SQRT2 + 0.5 * Math.log(2) - 3),
      12,
    );
    expect(still.hyperparameters.noise).toBeCloseTo(Math.exp(-5), 14);
    const fitted = fitGp(X, y);
    const warm = fitGp(X, y, {
      warmStart: fitted.hyperparameters,
      subsetThreshold: 10,
      largeMaxIterations: 3,
    });
    // No subset run: every evaluation belongs to the (capped) full-data run.
    expect(warm.fit.evaluations).toBeLessThanOrEqual(6);
    expect(warm.fit.logPosterior).toBeGreaterThanOrEqual(fitted.fit.logPosterior - 1e-6);
  });

  it('the subset pre-fit path for large n gives a usable fit', () => {
    const { X, y } = sampleGp(150, [0.3, 0.6, 3], 1e-4, 13);
    const model = fitGp(X, y, { subsetThreshold: 100, subsetSize: 60, largeMaxIterations: 5 });
    expect(model.fit.movedFromStart).toBe(true);
    expect(model.fit.iterations).toBeLessThanOrEqual(5);
    const full = fitGp(X, y);
    // Within a factor 3 of the full fit's lengthscales on the relevant dimensions.
    for (let k = 0; k < 2; k++) {
      const ratio = model.hyperparameters.lengthscales[k]! / full.hyperparameters.lengthscales[k]!;
      expect(ratio).toBeGreaterThan(1 / 3);
      expect(ratio).toBeLessThan(3);
    }
  });
});

describe('fitGp on degenerate data warns instead of failing', () => {
  const finite = (a: Float64Array) => Array.from(a).every(Number.isFinite);

  it('duplicate inputs', () => {
    const X = [
      [0.1, 0.2],
      [0.1, 0.2],
      [0.5, 0.5],
      [0.9, 0.1],
      [0.5, 0.5],
    ];
    const model = fitGp(X, [1, 1.1, 2, 3, 2.05]);
    expect(model.fit.warnings.some((w) => /2 duplicate rows/.test(w))).toBe(true);
    const p = model.posterior([
      [0.1, 0.2],
      [0.3, 0.3],
    ]);
    expect(finite(p.mean) && finite(p.variance)).toBe(true);
  });

  it('constant outcomes', () => {
    const model = fitGp(
      [
        [0.1, 0.2],
        [0.4, 0.8],
        [0.9, 0.3],
      ],
      [4, 4, 4],
    );
    expect(model.fit.warnings.some((w) => /all equal/.test(w))).toBe(true);
    const p = model.posterior([[0.5, 0.5]]);
    expect(p.mean[0]).toBeCloseTo(4, 12);
    expect(finite(p.variance)).toBe(true);
  });

  it('one and two points', () => {
    for (const [X, y] of [
      [[[0.3, 0.3]], [2]],
      [
        [
          [0.3, 0.3],
          [0.7, 0.1],
        ],
        [2, 5],
      ],
    ] as [number[][], number[]][]) {
      const model = fitGp(X, y);
      expect(model.fit.warnings.some((w) => /only \d point/.test(w))).toBe(true);
      const g = model.posteriorGradient([[0.5, 0.5], X[0]!]);
      expect(
        finite(g.mean) && finite(g.variance) && finite(g.meanGradient) && finite(g.varianceGradient),
      ).toBe(true);
      const c = model.posteriorFactor([
        [0.5, 0.5],
        [0.5, 0.51],
      ]);
      expect(finite(c.factor)).toBe(true);
    }
  });

  it('inputs outside the unit cube and singular K', () => {
    const outside = fitGp(
      Array.from({ length: 8 }, (_, i) => [i * 3]),
      Array.from({ length: 8 }, (_, i) => Math.sin(i)),
    );
    expect(outside.fit.warnings.some((w) => /outside \[0, 1\]/.test(w))).toBe(true);
    // Duplicates with zero known noise make K singular: jitter, a warning, finite predictions.
    const singular = fitGp([[0.1], [0.1], [0.5]], [1, 2, 3], { noise: { fixed: [0, 0, 0] } });
    expect(singular.fit.warnings.some((w) => /jitter/.test(w))).toBe(true);
    const p = singular.posterior([[0.1], [0.3]]);
    expect(finite(p.mean) && finite(p.variance)).toBe(true);
  });

  it('malformed input throws precise errors', () => {
    expect(() => fitGp([], [])).toThrow(/fitGp: X has 0 rows/);
    expect(() => fitGp([[0.1]], [1, 2])).toThrow(/fitGp: y has 2 values, expected n = 1/);
    expect(() => fitGp([[0.1]], [Number.NaN])).toThrow(/y: entry 0 is NaN/);
    expect(() => fitGp([[0.1]], [1], { kernel: 'linear' as 'rbf' })).toThrow(/kernel is "linear"/);
    expect(() => fitGp([[0.1]], [1], { restarts: -1 })).toThrow(/restarts is -1/);
    expect(() => fitGp([[0.1]], [1], { noise: { lowerBound: 0 } })).toThrow(/lowerBound is 0/);
    expect(() => fitGp([[0.1]], [1], { noise: { fixed: [1, 2] } })).toThrow(
      /noise.fixed has 2 values, expected n = 1/,
    );
  });
});

describe('fitGps', () => {
  it('equals fitGp column by column', () => {
    const a = sampleGp(40, [0.3, 0.9], 1e-3, 21);
    const b = sampleGp(40, [0.8, 0.2], 1e-3, 22);
    const X = a.X;
    // The second column is b's function evaluated at a's inputs: reuse a's X with b's values is fine for fitting.
    const Y = X.map((_, i) => [a.y[i]!, b.y[i]!]);
    const models = fitGps(X, Y);
    expect(models.length).toBe(2);
    for (let j = 0; j < 2; j++) {
      const single = fitGp(
        X,
        Y.map((r) => r[j]!),
      );
      expect(models[j]!.hyperparameters).toEqual(single.hyperparameters);
    }
    expect(models[0]!.internals.X).toBe(models[1]!.internals.X);
    const warm = fitGps(X, Y, { warmStarts: models.map((m) => m.hyperparameters) });
    for (let j = 0; j < 2; j++) {
      expect(warm[j]!.fit.logPosterior).toBeGreaterThanOrEqual(models[j]!.fit.logPosterior - 1e-6);
    }
    expect(() => fitGps(X, Y, { warmStarts: [undefined] })).toThrow(
      /warmStarts has 1 entries, expected one per objective \(2\)/,
    );
  });

  it('uses a fixed noise matrix column by column', () => {
    const { X, y } = sampleGp(20, [0.4], 1e-3, 4);
    const Y = y.map((v) => [v, -v]);
    const noise = y.map(() => [0.01, 0.02]);
    const models = fitGps(X, Y, { noise: { fixed: noise } });
    expect(models[0]!.hyperparameters.noise).toBeNull();
    const std = models[1]!.internals.yStd;
    expect(models[1]!.internals.noise[0]).toBeCloseTo(0.02 / (std * std), 14);
  });
});

describe('a fitted model and createGpModel agree', () => {
  it('rebuilding from the fitted hyperparameters gives the same posterior', () => {
    const { X, y } = sampleGp(25, [0.3, 0.5], 1e-3, 17);
    const model = fitGp(X, y);
    const rebuilt = createGpModel(X, y, model.hyperparameters);
    const probe = [
      [0.2, 0.3],
      [0.8, 0.9],
    ];
    const a = model.posterior(probe);
    const b = rebuilt.posterior(probe);
    for (let i = 0; i < 2; i++) {
      expect(a.mean[i]).toBeCloseTo(b.mean[i]!, 10);
      expect(a.variance[i]).toBeCloseTo(b.variance[i]!, 10);
    }
  });
});
