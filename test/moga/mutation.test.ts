import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { continuousLayout, type GeneLayout } from '../../src/moga/genes.js';
import {
  defaultMutationOptions,
  polynomialMutation,
  resolveMutationOptions,
} from '../../src/moga/mutation.js';
import { createRng } from '../../src/random/rng.js';

describe('polynomialMutation', () => {
  it('stays in [0, 1], also from the bounds themselves', () => {
    const value = fc.oneof(fc.constant(0), fc.constant(1), fc.double({ min: 0, max: 1, noNaN: true }));
    fc.assert(
      fc.property(fc.array(value, { minLength: 1, maxLength: 10 }), fc.nat(), (genes, seed) => {
        const layout = continuousLayout(genes.length);
        const rng = createRng(seed);
        for (let rep = 0; rep < 20; rep++) {
          const x = Float64Array.from(genes);
          polynomialMutation(x, layout, rng, { eta: 1, probability: 1, variableProbability: 1 });
          for (const v of x) {
            expect(v).toBeGreaterThanOrEqual(0);
            expect(v).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 50 },
    );
  });

  it('changes about 0.9 genes per individual with the defaults (probability 0.9, 1/d per gene)', () => {
    const d = 30;
    const layout = continuousLayout(d);
    const rng = createRng('count');
    const n = 5000;
    let changed = 0;
    let touched = 0;
    for (let i = 0; i < n; i++) {
      const x = Float64Array.from({ length: d }, (_, j) => (j + 0.5) / d);
      polynomialMutation(x, layout, rng);
      let c = 0;
      for (let j = 0; j < d; j++) if (x[j] !== (j + 0.5) / d) c++;
      changed += c;
      if (c > 0) touched++;
    }
    // Genes changed: Binomial(30, 1/30) given the individual is picked (probability 0.9).
    expect(Math.abs(changed / n - 0.9)).toBeLessThan(0.06);
    const p = 0.9 * (1 - (29 / 30) ** 30);
    expect(Math.abs(touched / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
  });

  it('follows the polynomial distribution P(step <= s) = (1/2)(1 + s)^(eta+1) for s <= 0 away from bounds', () => {
    // From x = 0.5 the bound correction is 0.5^21 ~ 5e-7, so the step has the textbook density
    // (Deb & Goyal 1996) (eta+1)/2 (1 - |s|)^eta on [-1, 1].
    const layout = continuousLayout(1);
    const rng = createRng('distribution');
    const eta = 20;
    const n = 20000;
    const steps = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const x = Float64Array.of(0.5);
      polynomialMutation(x, layout, rng, { eta, probability: 1, variableProbability: 1 });
      steps[i] = x[0]! - 0.5;
    }
    const cdf = (s: number) => (s <= 0 ? 0.5 * (1 + s) ** (eta + 1) : 1 - 0.5 * (1 - s) ** (eta + 1));
    for (const s of [-0.1, -0.03, 0, 0.02, 0.08]) {
      const empirical = steps.filter((v) => v <= s).length / n;
      const p = cdf(s);
      expect(Math.abs(empirical - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n) + 1e-3);
    }
  });

  it('moves the 1 of a one-hot block to another column', () => {
    const layout: GeneLayout = {
      dimension: 4,
      real: Int32Array.of(0),
      blocks: [Int32Array.of(1, 2, 3)],
      geneCount: 2,
      round: undefined,
      constraints: undefined,
    };
    const rng = createRng('onehot');
    const seen = [0, 0, 0];
    for (let i = 0; i < 600; i++) {
      const x = Float64Array.of(0.5, 0, 1, 0);
      polynomialMutation(x, layout, rng, {
        ...defaultMutationOptions,
        probability: 1,
        variableProbability: 1,
      });
      const block = Array.from(x.subarray(1));
      expect(block.reduce((s, v) => s + v, 0)).toBe(1);
      expect(block.every((v) => v === 0 || v === 1)).toBe(true);
      seen[block.indexOf(1)]!++;
    }
    expect(seen[1]).toBe(0);
    expect(seen[0]).toBeGreaterThan(200);
    expect(seen[2]).toBeGreaterThan(200);
  });

  it('rejects bad options with the value received', () => {
    expect(() => resolveMutationOptions({ eta: Number.NaN })).toThrow(/eta must be .* got NaN/);
    expect(() => resolveMutationOptions({ variableProbability: -0.1 })).toThrow(/got -0.1/);
  });
});
