import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import {
  ChebyshevScalarization,
  QNParEgo,
  qLogNeiValueAndGradient,
  qNeiValueAndGradient,
  sampleSimplex,
} from '../../src/acquisition/parego.js';
import { createGpModel } from '../../src/gp/model.js';
import { createRng } from '../../src/random/rng.js';

function problem(seed: string, n: number) {
  const rng = seedrandom(seed);
  const X = Array.from({ length: n }, () => [rng(), rng()]);
  const Y = X.map((x) => [(x[0]! - 0.2) ** 2 + (x[1]! - 0.3) ** 2, (x[0]! - 0.8) ** 2 + (x[1]! - 0.6) ** 2]);
  const gp = (col: number) =>
    createGpModel(
      X,
      Y.map((y) => y[col]!),
      { kernel: 'rbf', lengthscales: [0.4, 0.4], outputscale: 1, noise: 1e-4, mean: 0 },
    );
  const constraint = createGpModel(
    X,
    X.map((x) => x[0]! + x[1]! - 1.2),
    { kernel: 'rbf', lengthscales: [0.5, 0.5], outputscale: 1, noise: 1e-4, mean: 0 },
  );
  return { X, Y, objectives: [gp(0), gp(1)], constraint };
}

describe('scalarization', () => {
  it('simplex weights are non-negative, sum to 1 and follow the seed', () => {
    const a = sampleSimplex(createRng(3), 4);
    const b = sampleSimplex(createRng(3), 4);
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(a.reduce((s, v) => s + v, 0)).toBeCloseTo(1, 14);
    expect(a.every((v) => v >= 0)).toBe(true);
  });

  it('is the augmented Chebyshev function of the normalized objectives', () => {
    const observed = [
      [1, 10],
      [3, 20],
      [2, 30],
    ];
    const s = new ChebyshevScalarization([0.25, 0.75], observed);
    const y = Float64Array.of(2.5, 15);
    // Normalized: (0.75, 0.25); weighted: (0.1875, 0.1875).
    const expected = Math.max(0.25 * 0.75, 0.75 * 0.25) + 0.05 * (0.25 * 0.75 + 0.75 * 0.25);
    expect(s.value(y, 0, 1)).toBeCloseTo(expected, 14);
  });
});

describe('qNEI kernels', () => {
  it('qNEI equals a direct average of the best weighted improvement', () => {
    const rng = seedrandom('nei');
    const N = 5;
    const q = 3;
    const G = Float64Array.from({ length: N * q }, () => rng());
    const best = Float64Array.from({ length: N }, () => rng());
    const logW = Float64Array.from({ length: N * q }, () => -rng());
    let direct = 0;
    for (let s = 0; s < N; s++) {
      const imps = [0, 1, 2].map((a) => Math.max(0, best[s]! - G[s * q + a]!) * Math.exp(logW[s * q + a]!));
      direct += Math.max(...imps) / N;
    }
    expect(qNeiValueAndGradient(G, N, q, best, logW, null, null)).toBeCloseTo(direct, 14);
  });

  it('exp(qLogNEI) is close to qNEI for a clear improvement', () => {
    const N = 4;
    const q = 2;
    const G = Float64Array.of(0.1, 0.5, 0.2, 0.3, 0.05, 0.6, 0.3, 0.25);
    const best = Float64Array.of(0.8, 0.9, 0.7, 1);
    const exact = qNeiValueAndGradient(G, N, q, best, null, null, null);
    const log = qLogNeiValueAndGradient(G, N, q, best, null, null, null);
    expect(Math.abs(Math.exp(log) - exact) / exact).toBeLessThan(0.03);
  });

  it('gradients of both kernels match central differences', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 << 20 }), fc.integer({ min: 1, max: 4 }), (seed, q) => {
        const rng = seedrandom(`k${seed}`);
        const N = 4;
        const G = Float64Array.from({ length: N * q }, () => rng());
        const best = Float64Array.from({ length: N }, () => rng());
        const logW = Float64Array.from({ length: N * q }, () => -rng());
        for (const log of [false, true]) {
          const f = (g: Float64Array, lw: Float64Array) =>
            log
              ? qLogNeiValueAndGradient(g, N, q, best, lw, null, null, 0.05, 0.05)
              : qNeiValueAndGradient(g, N, q, best, lw, null, null);
          const gG = new Float64Array(N * q);
          const gW = new Float64Array(N * q);
          if (log) qLogNeiValueAndGradient(G, N, q, best, logW, gG, gW, 0.05, 0.05);
          else qNeiValueAndGradient(G, N, q, best, logW, gG, gW);
          const h = 1e-7;
          for (let p = 0; p < N * q; p++) {
            const up = Float64Array.from(G);
            const dn = Float64Array.from(G);
            up[p] = up[p]! + h;
            dn[p] = dn[p]! - h;
            expect(gG[p]!).toBeCloseTo((f(up, logW) - f(dn, logW)) / (2 * h), 5);
            const wu = Float64Array.from(logW);
            const wd = Float64Array.from(logW);
            wu[p] = wu[p]! + h;
            wd[p] = wd[p]! - h;
            expect(gW[p]!).toBeCloseTo((f(G, wu) - f(G, wd)) / (2 * h), 5);
          }
        }
      }),
      { numRuns: 25 },
    );
  });
});

describe('QNParEgo', () => {
  it('gradient with respect to X matches central differences (constraints, pending, both forms)', () => {
    const { X, Y, objectives, constraint } = problem('parego-grad', 10);
    fc.assert(
      fc.property(
        fc.record({
          q: fc.integer({ min: 1, max: 3 }),
          seed: fc.integer({ min: 0, max: 1 << 20 }),
          log: fc.boolean(),
        }),
        ({ q, seed, log }) => {
          const acq = new QNParEgo({
            objectives,
            constraints: [constraint],
            eta: 0.05,
            baseline: X,
            observed: Y,
            samples: 16,
            seed,
            log,
            tauRelu: 0.01,
            tauMax: 0.01,
            pending: [[0.3, 0.3]],
          });
          const rng = seedrandom(`p${seed}`);
          const Xq = Float64Array.from({ length: q * 2 }, () => rng());
          const g = new Float64Array(q * 2);
          acq.valueAndGradient(Xq, q, g);
          const h = 1e-6;
          for (let p = 0; p < Xq.length; p++) {
            const up = Float64Array.from(Xq);
            const dn = Float64Array.from(Xq);
            up[p] = up[p]! + h;
            dn[p] = dn[p]! - h;
            const fd = (acq.evaluate(up, q) - acq.evaluate(dn, q)) / (2 * h);
            expect(Math.abs(g[p]! - fd)).toBeLessThan(1e-4 * Math.max(1, Math.abs(fd)));
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it('with all weight on one objective it prefers points good for that objective', () => {
    const { X, Y, objectives } = problem('parego-w', 12);
    const first = new QNParEgo({
      objectives,
      baseline: X,
      observed: Y,
      weights: [1, 0],
      samples: 64,
      log: false,
    });
    const second = new QNParEgo({
      objectives,
      baseline: X,
      observed: Y,
      weights: [0, 1],
      samples: 64,
      log: false,
    });
    const nearFirst = Float64Array.of(0.2, 0.3);
    const nearSecond = Float64Array.of(0.8, 0.6);
    expect(first.evaluate(nearFirst, 1)).toBeGreaterThan(first.evaluate(nearSecond, 1));
    expect(second.evaluate(nearSecond, 1)).toBeGreaterThan(second.evaluate(nearFirst, 1));
  });

  it('the same seed gives the same weights and values', () => {
    const { X, Y, objectives } = problem('parego-seed', 8);
    const a = new QNParEgo({ objectives, baseline: X, observed: Y, seed: 11, samples: 32 });
    const b = new QNParEgo({ objectives, baseline: X, observed: Y, seed: 11, samples: 32 });
    const x = Float64Array.of(0.4, 0.4);
    expect(Array.from(a.scalarization.weights)).toEqual(Array.from(b.scalarization.weights));
    expect(a.evaluate(x, 1)).toBe(b.evaluate(x, 1));
  });
});
