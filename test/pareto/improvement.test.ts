import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HypervolumeImprovement, hypervolume } from '../../src/pareto/hypervolume.js';

describe('HypervolumeImprovement', () => {
  it('equals HV(set + y) - HV(set) by the hypervolume sweeps, for m = 1..6, as the set grows', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: 6, maxLength: 6 }), {
          minLength: 0,
          maxLength: 40,
        }),
        fc.array(fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: 6, maxLength: 6 }), {
          minLength: 1,
          maxLength: 5,
        }),
        (m, set, probes) => {
          const ref = new Array(m).fill(1);
          const points = set.map((r) => r.slice(0, m));
          const hvi = new HypervolumeImprovement(ref, Float64Array.from(points.flat()));
          const current = [...points];
          for (const probe of probes) {
            const y = probe.slice(0, m);
            const expected = hypervolume([...current, y], ref) - hypervolume(current, ref);
            expect(hvi.improvement(y)).toBeCloseTo(expected, 10);
            hvi.add(y);
            current.push(y);
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('is 0 outside the box and for weakly dominated points; the box volume over an empty set', () => {
    const hvi = new HypervolumeImprovement([1, 1, 1], Float64Array.from([0.5, 0.5, 0.5]));
    expect(hvi.improvement([0.6, 0.7, 0.5])).toBe(0);
    expect(hvi.improvement([0.5, 0.5, 0.5])).toBe(0);
    expect(hvi.improvement([0.2, 0.2, 1])).toBe(0);
    expect(new HypervolumeImprovement([1, 1]).improvement([0.5, 0.75])).toBeCloseTo(0.125, 15);
    expect(() => new HypervolumeImprovement([1, Number.NaN])).toThrow(/reference\[1\]/);
  });
});
