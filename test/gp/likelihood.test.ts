import fc from 'fast-check';
import { determinant, inverse, Matrix as MlMatrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { PairwiseDifferences, type PairwiseMode } from '../../src/gp/distances.js';
import { KERNEL_KINDS, type KernelKind } from '../../src/gp/kernels.js';
import { LogPosterior, parameterLayout } from '../../src/gp/likelihood.js';
import { dimensionScaledPriors, type GpPriors, gammaPriors, priorLogDensity } from '../../src/gp/priors.js';

function reference(
  kind: KernelKind,
  x1: ArrayLike<number>,
  x2: ArrayLike<number>,
  ls: number[],
  s: number,
): number {
  let r2 = 0;
  for (let k = 0; k < ls.length; k++) r2 += ((x1[k]! - x2[k]!) / ls[k]!) ** 2;
  const r = Math.sqrt(r2);
  if (kind === 'rbf') return s * Math.exp(-r2 / 2);
  if (kind === 'matern52') return s * (1 + Math.sqrt(5) * r + (5 / 3) * r * r) * Math.exp(-Math.sqrt(5) * r);
  return s * (1 + Math.sqrt(3) * r) * Math.exp(-Math.sqrt(3) * r);
}

interface Case {
  kind: KernelKind;
  priors: GpPriors;
  n: number;
  d: number;
  X: Float64Array;
  y: Float64Array;
  eta: Float64Array;
  fixed: Float64Array | null;
  mode: PairwiseMode;
}

/** log N(y | c, K) + log priors written directly from the formulas with ml-matrix's LU inverse. */
function directLogPosterior(c: Case, eta: ArrayLike<number>): number {
  const { n, d, X, y, kind, priors, fixed } = c;
  const layout = parameterLayout(d, priors.outputscale !== null, fixed === null);
  const ls = Array.from({ length: d }, (_, k) => Math.exp(eta[k]!));
  const s = layout.outputscale >= 0 ? Math.exp(eta[layout.outputscale]!) : 1;
  const noise = layout.noise >= 0 ? Math.exp(eta[layout.noise]!) : 0;
  const mean = eta[layout.mean]!;
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < n; j++) {
      let v = reference(kind, X.subarray(i * d, i * d + d), X.subarray(j * d, j * d + d), ls, s);
      if (i === j) v += fixed ? fixed[i]! : noise;
      row.push(v);
    }
    rows.push(row);
  }
  const K = new MlMatrix(rows);
  const r = MlMatrix.columnVector(Array.from(y, (v) => v - mean));
  const quad = r.transpose().mmul(inverse(K)).mmul(r).get(0, 0);
  let value = -0.5 * quad - 0.5 * Math.log(determinant(K)) - 0.5 * n * Math.log(2 * Math.PI);
  for (const l of ls) value += priorLogDensity(priors.lengthscale, l);
  if (priors.outputscale) value += priorLogDensity(priors.outputscale, s);
  if (layout.noise >= 0) value += priorLogDensity(priors.noise, noise);
  return value;
}

const caseArb = fc
  .record({
    kind: fc.constantFrom<KernelKind>(...KERNEL_KINDS),
    gamma: fc.boolean(),
    fixedNoise: fc.boolean(),
    mode: fc.constantFrom<PairwiseMode>('stored', 'gram', 'direct'),
    n: fc.integer({ min: 2, max: 9 }),
    d: fc.integer({ min: 1, max: 4 }),
    pool: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 80, maxLength: 80 }),
    etaPool: fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 8, maxLength: 8 }),
  })
  .map(({ kind, gamma, fixedNoise, mode, n, d, pool, etaPool }): Case => {
    const priors = gamma ? gammaPriors() : dimensionScaledPriors(d);
    const X = Float64Array.from({ length: n * d }, (_, i) => pool[i]!);
    const y = Float64Array.from({ length: n }, (_, i) => 2 * pool[40 + i]! - 1 + Math.sin(3 * X[i * d]!));
    const fixed = fixedNoise ? Float64Array.from({ length: n }, (_, i) => 0.01 + 0.1 * pool[60 + i]!) : null;
    const layout = parameterLayout(d, priors.outputscale !== null, fixed === null);
    const eta = new Float64Array(layout.size);
    for (let k = 0; k < d; k++) eta[k] = Math.log(0.4) + etaPool[k]!;
    if (layout.outputscale >= 0) eta[layout.outputscale] = 0.5 * etaPool[5]!;
    if (layout.noise >= 0) eta[layout.noise] = Math.log(0.05) + etaPool[6]!;
    eta[layout.mean] = 0.5 * etaPool[7]!;
    return { kind, priors, n, d, X, y, eta, fixed, mode };
  });

function target(c: Case): LogPosterior {
  const layout = parameterLayout(c.d, c.priors.outputscale !== null, c.fixed === null);
  const pairs = new PairwiseDifferences(c.X, c.n, c.d, c.mode);
  return new LogPosterior(pairs, c.y, { kernel: c.kind, priors: c.priors, layout, fixedNoise: c.fixed });
}

describe('LogPosterior', () => {
  it('equals the Gaussian log density plus log priors computed with an explicit inverse', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const t = target(c);
        const value = t.evaluate(c.eta, new Float64Array(c.eta.length));
        const direct = directLogPosterior(c, c.eta);
        expect(Math.abs(value - direct)).toBeLessThan(1e-8 * (1 + Math.abs(direct)));
        expect(Math.abs(t.evaluate(c.eta, null) - direct)).toBeLessThan(1e-8 * (1 + Math.abs(direct)));
      }),
      { numRuns: 60 },
    );
  });

  it('has a gradient that matches central differences in every log-hyperparameter', () => {
    fc.assert(
      fc.property(caseArb, (c) => {
        const t = target(c);
        const g = new Float64Array(c.eta.length);
        t.evaluate(c.eta, g);
        const h = 1e-5;
        for (let i = 0; i < c.eta.length; i++) {
          const up = Float64Array.from(c.eta);
          const down = Float64Array.from(c.eta);
          up[i] = up[i]! + h;
          down[i] = down[i]! - h;
          const fd = (t.evaluate(up, null) - t.evaluate(down, null)) / (2 * h);
          expect(Math.abs(g[i]! - fd)).toBeLessThan(2e-5 * (1 + Math.abs(fd)));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('reports −Infinity, not an exception, when K has non-finite entries', () => {
    const X = Float64Array.from([0, 0.5, 1]);
    const layout = parameterLayout(1, false, true);
    const t = new LogPosterior(new PairwiseDifferences(X, 3, 1), Float64Array.from([0, 1, 0]), {
      kernel: 'rbf',
      priors: dimensionScaledPriors(1),
      layout,
      fixedNoise: null,
    });
    const g = new Float64Array(layout.size);
    expect(t.evaluate([Number.NaN, Math.log(0.01), 0], g)).toBe(Number.NEGATIVE_INFINITY);
    expect(Array.from(g)).toEqual([0, 0, 0]);
  });
});
