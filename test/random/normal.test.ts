import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  erfc,
  iidNormalSamples,
  logNormalCdf,
  normalBaseSamples,
  normalCdf,
  normalPdf,
  normalQuantile,
} from '../../src/random/normal.js';

/** Relative difference, with an absolute floor for values near 0. */
function rel(a: number, b: number, floor = 0): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), floor);
}

// Reference values computed with mpmath at 50 digits (Phi(x) = erfc(-x / sqrt 2) / 2, quantiles by
// root finding on log Phi).
const QUANTILES: [number, number][] = [
  [1e-300, -37.0470962993612],
  [1e-100, -21.273453560965326],
  [1e-20, -9.262340089798407],
  [1e-10, -6.361340902404057],
  [1e-5, -4.264890793922825],
  [0.001, -3.0902323061678136],
  [0.02425, -1.972961051311885],
  [0.1, -1.2815515655446004],
  [0.3, -0.5244005127080408],
  [0.5, 0],
  [0.7, 0.5244005127080408],
  [0.975, 1.9599639845400543],
  [0.999, 3.0902323061678136],
  [1 - 2 ** -53, 8.209536151601387],
  [2 ** -53, -8.209536151601387],
];

const CDF: [number, number, number][] = [
  // x, Phi(x), log Phi(x)
  [-38, 2.88542835e-316, -726.5572160188201],
  [-30, 4.906713927148187e-198, -454.3212439563432],
  [-20, 2.7536241186062337e-89, -203.91715537109727],
  [-10, 7.619853024160525e-24, -53.23128515051247],
  [-5, 2.866515718791939e-7, -15.064998393988725],
  [-1.5, 0.06680720126885807, -2.7059444008238898],
  [-0.3, 0.3820885778110474, -0.9621028181688507],
  [0, 0.5, -Math.LN2],
  [0.7, 0.758036347776927, -0.27702394227713123],
  [2, 0.9772498680518208, -0.02301290932896349],
  [5, 0.9999997133484281, -2.866516129637636e-7],
  [8, 0.9999999999999993, -6.220960574271786e-16],
];

const ERFC: [number, number][] = [
  [0.1, 0.8875370839817152],
  [0.46875, 0.507386526782062],
  [1, 0.15729920705028513],
  [3, 0.00002209049699858544],
  [4, 1.541725790028002e-8],
  [6, 2.1519736712498913e-17],
  [10, 2.088487583762545e-45],
  [26, 5.663192408856143e-296],
];

/**
 * An independent erf for |x| <= 3: 2/sqrt(pi) e^{-x^2} sum 2^n x^{2n+1} / (1 3 5 ... (2n+1)), a
 * series of positive terms (no cancellation).
 */
function erfSeries(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x * x) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) < 1e-18 * Math.abs(sum)) break;
  }
  return (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
}

describe('normalQuantile', () => {
  it('matches high-precision values, centre and both tails', () => {
    for (const [p, x] of QUANTILES) {
      expect(rel(normalQuantile(p), x, 1e-300)).toBeLessThan(2e-15);
    }
    expect(normalQuantile(0.975)).toBeCloseTo(1.959963984540054, 14);
    expect(normalQuantile(1e-10)).toBeCloseTo(-6.361340902404056, 14);
    expect(normalQuantile(0.5)).toBe(0);
  });

  it('maps 0 and 1 to infinities and rejects anything outside [0, 1]', () => {
    expect(normalQuantile(0)).toBe(-Infinity);
    expect(normalQuantile(1)).toBe(Infinity);
    for (const bad of [-0.1, 1.5, Number.NaN, -Infinity, Infinity]) {
      expect(() => normalQuantile(bad)).toThrow(RangeError);
    }
    expect(() => normalQuantile(1.5)).toThrow(/normalQuantile: p must be a probability in \[0, 1\], got 1.5/);
  });

  it('round-trips with normalCdf to about 1e-14 relative', () => {
    fc.assert(
      fc.property(fc.double({ min: -37, max: 0.6, noNaN: true }), (x) => {
        // Q is well conditioned in x (relative condition 1 / x^2 in the tail).
        expect(Math.abs(normalQuantile(normalCdf(x)) - x)).toBeLessThan(1e-14 * Math.max(1, Math.abs(x)));
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(fc.double({ min: -300, max: Math.log10(0.5), noNaN: true }), (e) => {
        const p = 10 ** e;
        // Phi amplifies a relative error of x by about x^2 in the tail.
        const x = normalQuantile(p);
        expect(rel(normalCdf(x), p)).toBeLessThan(1e-14 * Math.max(4, x * x));
      }),
      { numRuns: 500 },
    );
  });

  it('is odd: Q(1 - p) = -Q(p) where 1 - p is exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 20 - 1 }), (k) => {
        const p = k / 2 ** 20;
        expect(normalQuantile(1 - p)).toBeCloseTo(-normalQuantile(p), 13);
      }),
      { numRuns: 200 },
    );
  });
});

describe('normalCdf and erfc', () => {
  it('matches high-precision values with small relative error in both tails', () => {
    for (const [x, phi] of CDF) {
      // Below -37.5 the result is subnormal and keeps fewer digits.
      const tol = x < -37.5 ? 1e-7 : 3e-15;
      expect(rel(normalCdf(x), phi)).toBeLessThan(tol);
    }
    for (const [x, value] of ERFC) {
      expect(rel(erfc(x), value)).toBeLessThan(3e-15);
      expect(rel(erfc(-x), 2 - value)).toBeLessThan(3e-16);
    }
    expect(normalCdf(-40)).toBe(0);
    expect(normalCdf(Infinity)).toBe(1);
    expect(normalCdf(-Infinity)).toBe(0);
    expect(Number.isNaN(normalCdf(Number.NaN))).toBe(true);
  });

  it('agrees with an independent series for |x| <= 3', () => {
    fc.assert(
      fc.property(fc.double({ min: -3, max: 3, noNaN: true }), (x) => {
        const expected = 1 - erfSeries(x);
        expect(Math.abs(erfc(x) - expected)).toBeLessThan(2e-15 * Math.max(1, Math.abs(expected)));
      }),
      { numRuns: 300 },
    );
  });

  it('is symmetric and its derivative is normalPdf', () => {
    fc.assert(
      fc.property(fc.double({ min: -8, max: 8, noNaN: true }), (x) => {
        expect(normalCdf(x) + normalCdf(-x)).toBeCloseTo(1, 15);
        const h = 1e-5;
        const slope = (normalCdf(x + h) - normalCdf(x - h)) / (2 * h);
        expect(Math.abs(slope - normalPdf(x))).toBeLessThan(1e-9);
      }),
      { numRuns: 200 },
    );
    expect(normalPdf(0)).toBeCloseTo(1 / Math.sqrt(2 * Math.PI), 16);
  });
});

describe('logNormalCdf', () => {
  it('matches high-precision values', () => {
    for (const [x, , logPhi] of CDF) expect(rel(logNormalCdf(x), logPhi)).toBeLessThan(3e-15);
    expect(rel(logNormalCdf(-40), -804.6084420137538)).toBeLessThan(1e-15);
    expect(rel(logNormalCdf(-1e5), -5000000012.431864)).toBeLessThan(1e-15);
    expect(rel(logNormalCdf(10), -7.619853024160525e-24)).toBeLessThan(1e-14);
    expect(logNormalCdf(-Infinity)).toBe(-Infinity);
    expect(logNormalCdf(Infinity)).toBe(0);
  });

  it('equals log(normalCdf) where the latter is accurate', () => {
    fc.assert(
      fc.property(fc.double({ min: -30, max: 3, noNaN: true }), (x) => {
        const expected = Math.log(normalCdf(x));
        expect(Math.abs(logNormalCdf(x) - expected)).toBeLessThan(4e-15 * Math.max(1, Math.abs(expected)));
      }),
      { numRuns: 300 },
    );
  });

  it('follows the asymptotic series far in the tail', () => {
    // log Phi(x) = -x^2/2 - log(-x) - log sqrt(2 pi) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8 - ...)
    for (const x of [-40, -60, -200, -1e4]) {
      const z = 1 / (x * x);
      const series = 1 - z + 3 * z * z - 15 * z ** 3 + 105 * z ** 4 - 945 * z ** 5;
      const expected = -0.5 * x * x - Math.log(-x) - 0.5 * Math.log(2 * Math.PI) + Math.log(series);
      expect(rel(logNormalCdf(x), expected)).toBeLessThan(1e-15);
    }
  });
});

describe('normal samples', () => {
  function moments(data: Float64Array): { mean: number; variance: number } {
    let s = 0;
    let s2 = 0;
    for (const v of data) {
      s += v;
      s2 += v * v;
    }
    const mean = s / data.length;
    return { mean, variance: s2 / data.length - mean * mean };
  }

  it('iidNormalSamples: shape, determinism, moments', () => {
    const a = iidNormalSamples(4000, 3, 7);
    expect(a.rows).toBe(4000);
    expect(a.cols).toBe(3);
    expect(iidNormalSamples(4000, 3, 7).data).toEqual(a.data);
    expect(iidNormalSamples(4000, 3, 8).data).not.toEqual(a.data);
    const { mean, variance } = moments(a.data);
    expect(Math.abs(mean)).toBeLessThan(0.05);
    expect(Math.abs(variance - 1)).toBeLessThan(0.05);
  });

  it('normalBaseSamples: finite, deterministic, seeded, and stratified like the Sobol points', () => {
    const n = 1024;
    const d = 6;
    const z = normalBaseSamples(n, d, 3);
    expect(z.rows).toBe(n);
    expect(z.cols).toBe(d);
    expect(normalBaseSamples(n, d, 3).data).toEqual(z.data);
    expect(normalBaseSamples(n, d, 4).data).not.toEqual(z.data);
    for (const v of z.data) expect(Number.isFinite(v)).toBe(true);
    const { mean, variance } = moments(z.data);
    // QMC: much tighter than i.i.d. would be.
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(Math.abs(variance - 1)).toBeLessThan(0.02);
    for (let k = 0; k < d; k++) {
      const counts = new Int32Array(n);
      for (let i = 0; i < n; i++) counts[Math.floor(normalCdf(z.data[i * d + k]!) * n)]!++;
      expect(counts.every((c) => c === 1)).toBe(true);
    }
  });

  it('normalBaseSamples falls back to i.i.d. normals beyond 21201 dimensions', () => {
    const z = normalBaseSamples(2, 21202, 5);
    expect(z.data).toEqual(iidNormalSamples(2, 21202, 5).data);
  });

  it('rejects bad shapes', () => {
    expect(() => normalBaseSamples(-1, 2, 0)).toThrow(/normalBaseSamples: n must be an integer >= 0, got -1/);
    expect(() => iidNormalSamples(2, 0, 0)).toThrow(
      /iidNormalSamples: dimension must be an integer >= 1, got 0/,
    );
  });
});
