import { describe, expect, it } from 'vitest';
import { MoreThuenteSearch } from '../../src/optim/line-search.js';

type Phi = (t: number) => [number, number];

/** Runs the search to the end; returns the final step with phi, phi' there and the evaluation count. */
function run(phi: Phi, stp0: number, ftol: number, gtol: number, stpmax = 1e10) {
  // A tiny xtol, as in the paper's experiments: the search may only stop when Wolfe holds.
  const search = new MoreThuenteSearch(ftol, gtol, 1e-10);
  const [f0, g0] = phi(0);
  search.start(stp0, f0, g0, 0, stpmax);
  for (let evaluations = 1; evaluations <= 60; evaluations++) {
    const [f, g] = phi(search.stp);
    const status = search.next(f, g);
    if (status !== 'evaluate') return { status, stp: search.stp, f, g, f0, g0, evaluations };
  }
  throw new Error('no termination');
}

// The test functions of Moré & Thuente (1994), section 6 (first three).
const functions: Array<[string, Phi, number, number]> = [
  ['-a/(a^2+2)', (a) => [-a / (a * a + 2), (a * a - 2) / (a * a + 2) ** 2], 0.001, 0.1],
  [
    '(a+0.004)^5 - 2(a+0.004)^4',
    (a) => [(a + 0.004) ** 5 - 2 * (a + 0.004) ** 4, 5 * (a + 0.004) ** 4 - 8 * (a + 0.004) ** 3],
    0.1,
    0.1,
  ],
  [
    'phi_0 + wiggle',
    (a) => {
      const l = 39;
      const beta = 0.01;
      const phi0 = a <= 1 - beta ? 1 - a : a >= 1 + beta ? a - 1 : (a - 1) ** 2 / (2 * beta) + beta / 2;
      const dphi0 = a <= 1 - beta ? -1 : a >= 1 + beta ? 1 : (a - 1) / beta;
      const f = phi0 + ((2 * (1 - beta)) / (l * Math.PI)) * Math.sin((l * Math.PI * a) / 2);
      const g = dphi0 + (1 - beta) * Math.cos((l * Math.PI * a) / 2);
      return [f, g];
    },
    0.1,
    0.1,
  ],
];

describe('MoreThuenteSearch', () => {
  for (const [name, phi, ftol, gtol] of functions) {
    for (const stp0 of [1e-3, 1e-1, 1e1, 1e3]) {
      it(`satisfies the strong Wolfe conditions on ${name} from stp0 = ${stp0}`, () => {
        const r = run(phi, stp0, ftol, gtol);
        expect(r.status).toBe('converged');
        expect(r.f).toBeLessThanOrEqual(r.f0 + ftol * r.stp * r.g0);
        expect(Math.abs(r.g)).toBeLessThanOrEqual(gtol * Math.abs(r.g0));
        expect(r.evaluations).toBeLessThan(25);
      });
    }
  }

  it('stops at stpmax with a warning when the function keeps decreasing', () => {
    const r = run((a) => [-a, -1], 0.5, 1e-3, 0.9, 2);
    expect(r.status).toBe('warning');
    expect(r.stp).toBe(2);
  });

  it('rejects an ascent direction', () => {
    const search = new MoreThuenteSearch();
    expect(() => search.start(1, 0, 1, 0, 10)).toThrow(/must be negative/);
  });
});
