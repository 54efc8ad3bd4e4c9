import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  dimensionScaledPriors,
  gammaPriors,
  logGamma,
  namedPriors,
  type Prior,
  priorLogDensity,
  priorLogDensityOfLog,
  priorMode,
  priorTermAtLog,
} from '../../src/gp/priors.js';

describe('logGamma', () => {
  it('matches known values', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 13);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 13);
    expect(logGamma(1.1)).toBeCloseTo(Math.log(0.951350769866873), 13);
    expect(logGamma(3)).toBeCloseTo(Math.log(2), 14);
    // Γ(x + 1) = x Γ(x)
    for (const x of [0.3, 2.7, 11.2]) expect(logGamma(x + 1)).toBeCloseTo(Math.log(x) + logGamma(x), 12);
  });
});

describe('prior log densities', () => {
  it('match hand-computed values', () => {
    // LogNormal(0, 1) at 1: −log √(2π).
    expect(priorLogDensity({ kind: 'lognormal', loc: 0, scale: 1 }, 1)).toBeCloseTo(-0.918938533204673, 13);
    // LogNormal(−4, 1) at e^{−4}: 4 − log √(2π).
    expect(priorLogDensity({ kind: 'lognormal', loc: -4, scale: 1 }, Math.exp(-4))).toBeCloseTo(
      3.081061466795327,
      12,
    );
    // Gamma(3, 6) at 1/2: 6³ (1/2)² e^{−3} / Γ(3) = 27 e^{−3}.
    expect(priorLogDensity({ kind: 'gamma', concentration: 3, rate: 6 }, 0.5)).toBeCloseTo(
      Math.log(27) - 3,
      13,
    );
    // Gamma(2, 0.15) at 1: 0.15² e^{−0.15}.
    expect(priorLogDensity({ kind: 'gamma', concentration: 2, rate: 0.15 }, 1)).toBeCloseTo(
      2 * Math.log(0.15) - 0.15,
      13,
    );
    // LogNormal(μ, σ) at θ: −log θ − log σ − log √(2π) − (log θ − μ)²/(2σ²), here μ = 1, σ = 2, θ = 3.
    const direct = -Math.log(3) - Math.log(2) - 0.5 * Math.log(2 * Math.PI) - (Math.log(3) - 1) ** 2 / 8;
    expect(priorLogDensity({ kind: 'lognormal', loc: 1, scale: 2 }, 3)).toBeCloseTo(direct, 13);
    expect(priorLogDensity({ kind: 'gamma', concentration: 2, rate: 1 }, 0)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('have the constants of BoTorch', () => {
    const p = dimensionScaledPriors(10);
    expect(p.lengthscale).toEqual({
      kind: 'lognormal',
      loc: Math.SQRT2 + 0.5 * Math.log(10),
      scale: Math.sqrt(3),
    });
    expect(p.outputscale).toBeNull();
    expect(p.noise).toEqual({ kind: 'lognormal', loc: -4, scale: 1 });
    // Mode of the lengthscale prior at d = 100: e^{√2 + log(100)/2 − 3} = 10 e^{√2 − 3}.
    expect(priorMode(dimensionScaledPriors(100).lengthscale)).toBeCloseTo(10 * Math.exp(Math.SQRT2 - 3), 12);
    const g = gammaPriors();
    expect(g.lengthscale).toEqual({ kind: 'gamma', concentration: 3, rate: 6 });
    expect(g.outputscale).toEqual({ kind: 'gamma', concentration: 2, rate: 0.15 });
    expect(g.noise).toEqual({ kind: 'gamma', concentration: 1.1, rate: 0.05 });
    expect(priorMode(g.noise)).toBeCloseTo(2, 12);
    expect(namedPriors('gamma', 3)).toEqual(g);
    expect(() => namedPriors('bogus' as 'gamma', 3)).toThrow(/expected 'dimension-scaled' or 'gamma'/);
    expect(() => dimensionScaledPriors(0)).toThrow(/positive integer/);
  });

  const priors: Prior[] = [
    { kind: 'lognormal', loc: Math.SQRT2 + 0.5 * Math.log(6), scale: Math.sqrt(3) },
    { kind: 'lognormal', loc: -4, scale: 1 },
    { kind: 'gamma', concentration: 3, rate: 6 },
    { kind: 'gamma', concentration: 2, rate: 0.15 },
    { kind: 'gamma', concentration: 1.1, rate: 0.05 },
  ];

  it('integrate to 1 over θ (trapezoid rule in log θ, with the Jacobian)', () => {
    for (const prior of priors) {
      let sum = 0;
      const h = 0.001;
      for (let eta = -30; eta <= 15; eta += h) sum += Math.exp(priorLogDensityOfLog(prior, eta)) * h;
      expect(sum).toBeCloseTo(1, 5);
    }
  });

  it('in log space: value is log p(e^η) and the derivative matches central differences', () => {
    fc.assert(
      fc.property(fc.constantFrom(...priors), fc.double({ min: -6, max: 4, noNaN: true }), (prior, eta) => {
        const [value, derivative] = priorTermAtLog(prior, eta);
        expect(value).toBeCloseTo(priorLogDensity(prior, Math.exp(eta)), 10);
        const h = 1e-5;
        const fd = (priorTermAtLog(prior, eta + h)[0] - priorTermAtLog(prior, eta - h)[0]) / (2 * h);
        expect(Math.abs(derivative - fd)).toBeLessThan(1e-6 * (1 + Math.abs(fd)));
        // The density of η differs by exactly the Jacobian η.
        expect(priorLogDensityOfLog(prior, eta) - value).toBeCloseTo(eta, 12);
      }),
      { numRuns: 200 },
    );
  });

  it('peak at their modes in θ', () => {
    for (const prior of priors) {
      const mode = priorMode(prior);
      const at = priorLogDensity(prior, mode);
      expect(at).toBeGreaterThan(priorLogDensity(prior, mode * 1.01));
      expect(at).toBeGreaterThan(priorLogDensity(prior, mode * 0.99));
      // The derivative in η (no Jacobian) vanishes at the mode in θ.
      expect(priorTermAtLog(prior, Math.log(mode))[1]).toBeCloseTo(0, 10);
    }
  });
});
