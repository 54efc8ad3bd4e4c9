import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { continuousLayout, type GeneLayout } from '../../src/moga/genes.js';
import { defaultSbxOptions, resolveSbxOptions, sbx } from '../../src/moga/sbx.js';
import { createRng } from '../../src/random/rng.js';

const unit = fc.double({ min: 0, max: 1, noNaN: true });

describe('sbx', () => {
  it('keeps both children in [0, 1] for any parents', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(unit, unit), { minLength: 1, maxLength: 12 }),
        fc.nat(),
        (genes, seed) => {
          const d = genes.length;
          const layout = continuousLayout(d);
          const a = Float64Array.from(genes, (g) => g[0]);
          const b = Float64Array.from(genes, (g) => g[1]);
          const c1 = new Float64Array(d);
          const c2 = new Float64Array(d);
          const rng = createRng(seed);
          for (let rep = 0; rep < 20; rep++) {
            sbx(a, b, c1, c2, layout, rng, { ...defaultSbxOptions, eta: 2 });
            for (let j = 0; j < d; j++) {
              expect(c1[j]).toBeGreaterThanOrEqual(0);
              expect(c1[j]).toBeLessThanOrEqual(1);
              expect(c2[j]).toBeGreaterThanOrEqual(0);
              expect(c2[j]).toBeLessThanOrEqual(1);
            }
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('follows the SBX spread distribution P(beta <= b) = (1/2) b^(eta+1) far from the bounds', () => {
    // Parents 0.49 and 0.51: the bounds are 25 spreads away, so bounded SBX is the textbook one
    // (Deb & Agrawal 1995), whose spread factor beta = |c2 - c1| / |p2 - p1| has the closed-form CDF
    // below for beta <= 1 and 1 - (1/2) beta^-(eta+1) above.
    const layout = continuousLayout(1);
    const rng = createRng('spread');
    const eta = 15;
    const options = { eta, probability: 1, variableProbability: 1, exchangeProbability: 0.5 };
    const a = Float64Array.of(0.49);
    const b = Float64Array.of(0.51);
    const c1 = new Float64Array(1);
    const c2 = new Float64Array(1);
    const n = 20000;
    const betas = new Float64Array(n);
    let meanSum = 0;
    for (let i = 0; i < n; i++) {
      sbx(a, b, c1, c2, layout, rng, options);
      betas[i] = Math.abs(c2[0]! - c1[0]!) / 0.02;
      meanSum += (c1[0]! + c2[0]!) / 2;
    }
    const cdf = (x: number) => (x <= 1 ? 0.5 * x ** (eta + 1) : 1 - 0.5 * x ** -(eta + 1));
    for (const x of [0.9, 0.97, 1, 1.03, 1.1]) {
      const empirical = betas.filter((v) => v <= x).length / n;
      const p = cdf(x);
      expect(Math.abs(empirical - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 1e-3);
    }
    // Children are symmetric about the parents' mean.
    expect(Math.abs(meanSum / n - 0.5)).toBeLessThan(1e-4);
  });

  it('is centred on the parents in expectation with eta large, also near a bound', () => {
    const layout = continuousLayout(1);
    const rng = createRng(7);
    const options = resolveSbxOptions({ eta: 50, probability: 1, variableProbability: 1 });
    const a = Float64Array.of(0.1);
    const b = Float64Array.of(0.3);
    const c1 = new Float64Array(1);
    const c2 = new Float64Array(1);
    let sum = 0;
    const n = 20000;
    for (let i = 0; i < n; i++) {
      sbx(a, b, c1, c2, layout, rng, options);
      sum += c1[0]! + c2[0]!;
    }
    expect(Math.abs(sum / (2 * n) - 0.2)).toBeLessThan(2e-3);
  });

  it('recombines a fraction 0.9 of matings and crosses half the genes of those', () => {
    const d = 20;
    const layout = continuousLayout(d);
    const rng = createRng('probability');
    const parentsRng = createRng('parents');
    const c1 = new Float64Array(d);
    const c2 = new Float64Array(d);
    const n = 4000;
    let recombined = 0;
    let crossedGenes = 0;
    for (let i = 0; i < n; i++) {
      const a = Float64Array.from({ length: d }, () => parentsRng.uniform());
      const b = Float64Array.from({ length: d }, () => parentsRng.uniform());
      sbx(a, b, c1, c2, layout, rng);
      let changed = 0;
      for (let j = 0; j < d; j++) if (c1[j] !== a[j] || c2[j] !== b[j]) changed++;
      if (changed > 0) recombined++;
      crossedGenes += changed;
    }
    // A crossed gene whose children land on the parents' own values (exchange off) is not seen as
    // changed only with probability 0, so the counts are Binomial(n, 0.9 (1 - 2^-20)) and
    // Binomial(recombined d, 1/2).
    const p = 0.9 * (1 - 0.5 ** d);
    expect(Math.abs(recombined / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    const q = crossedGenes / (recombined * d);
    expect(Math.abs(q - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / (recombined * d)));
  });

  it('copies parents that coincide in a gene, and leaves them alone with probability 0', () => {
    const layout = continuousLayout(3);
    const rng = createRng(3);
    const a = Float64Array.of(0.2, 0.5, 0.7);
    const b = Float64Array.of(0.2, 0.9, 0.1);
    const c1 = new Float64Array(3);
    const c2 = new Float64Array(3);
    for (let i = 0; i < 200; i++) {
      sbx(a, b, c1, c2, layout, rng, { ...defaultSbxOptions, probability: 1, variableProbability: 1 });
      expect(c1[0]).toBe(0.2);
      expect(c2[0]).toBe(0.2);
    }
    sbx(a, b, c1, c2, layout, rng, { ...defaultSbxOptions, probability: 0 });
    expect(Array.from(c1)).toEqual(Array.from(a));
    expect(Array.from(c2)).toEqual(Array.from(b));
  });

  it('exchanges one-hot blocks whole', () => {
    const layout: GeneLayout = {
      dimension: 4,
      real: Int32Array.of(0),
      blocks: [Int32Array.of(1, 2, 3)],
      geneCount: 2,
      round: undefined,
      constraints: undefined,
    };
    const a = Float64Array.of(0.3, 1, 0, 0);
    const b = Float64Array.of(0.6, 0, 0, 1);
    const c1 = new Float64Array(4);
    const c2 = new Float64Array(4);
    const rng = createRng('blocks');
    let swapped = 0;
    const n = 2000;
    for (let i = 0; i < n; i++) {
      sbx(a, b, c1, c2, layout, rng, { ...defaultSbxOptions, probability: 1 });
      const block1 = Array.from(c1.subarray(1));
      const block2 = Array.from(c2.subarray(1));
      if (block1[2] === 1) {
        swapped++;
        expect(block1).toEqual([0, 0, 1]);
        expect(block2).toEqual([1, 0, 0]);
      } else {
        expect(block1).toEqual([1, 0, 0]);
        expect(block2).toEqual([0, 0, 1]);
      }
    }
    expect(Math.abs(swapped / n - 0.5)).toBeLessThan(4 * Math.sqrt(0.25 / n));
  });

  it('rejects bad options with the value received', () => {
    expect(() => resolveSbxOptions({ eta: -1 })).toThrow(/eta must be .* got -1/);
    expect(() => resolveSbxOptions({ probability: 1.5 })).toThrow(/probability must be in \[0, 1\], got 1.5/);
  });
});
