import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { hypervolume } from '../../src/pareto/hypervolume.js';
import {
  DominatedPartitioning,
  NondominatedPartitioning,
  totalVolume,
} from '../../src/pareto/partitioning.js';

// A second opinion on larger fronts than the brute force can handle: the hypervolume module's
// algorithms (sweeps, WFG) share no code with the local upper bounds.
describe('partitioning hypervolume against hypervolume()', () => {
  it('agrees on sphere fronts with m = 2..6 and random clouds', () => {
    const rng = seedrandom('hv-cross');
    for (const m of [2, 3, 4, 5, 6]) {
      for (const n of [30, 120]) {
        const points = Array.from({ length: n }, () => {
          const v = Array.from({ length: m }, () =>
            Math.abs(Math.sqrt(-2 * Math.log(1 - rng())) * Math.cos(2 * Math.PI * rng())),
          );
          const s = Math.hypot(...v);
          return rng() < 0.7 ? v.map((x) => x / s) : v.map((x) => (1.2 * x) / s);
        });
        const r = new Array<number>(m).fill(1.1);
        const expected = hypervolume(points, r);
        const dp = new DominatedPartitioning(r, points);
        expect(dp.hypervolume()).toBeCloseTo(expected, 10);
        expect(totalVolume(dp.boxes())).toBeCloseTo(expected, 10);
        // N and D tile the box [ideal - 1, r]
        const corner = new Array<number>(m).fill(-1);
        const nd = totalVolume(new NondominatedPartitioning(r, points).boxesWithin(corner));
        expect(nd + expected).toBeCloseTo(2.1 ** m, 9);
      }
    }
  });
});
