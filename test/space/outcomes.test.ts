import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/space/errors.js';
import { Outcomes } from '../../src/space/outcomes.js';

describe('Outcomes', () => {
  const outcomes = Outcomes.create({
    objectives: [
      { name: 'separation', minimize: false, threshold: 3 },
      { name: 'cost', minimize: true, threshold: 10 },
    ],
    outcomeConstraints: [
      'acceptance >= 0.8',
      'cost + 2 * mass <= 30',
      { terms: { mass: 1 }, op: '>=', bound: 1 },
    ],
  });

  it('lists every metric a trial must report and maps thresholds to minimization form', () => {
    expect(outcomes.metrics).toEqual(['separation', 'cost', 'acceptance', 'mass']);
    expect(Array.from(outcomes.thresholdPoint!)).toEqual([-3, 10]);
    expect(outcomes.m).toBe(2);
    expect(outcomes.c).toBe(3);
    const partial = Outcomes.create({
      objectives: [
        { name: 'a', minimize: true, threshold: 1 },
        { name: 'b', minimize: true },
      ],
    });
    expect(partial.thresholdPoint).toBeUndefined();
  });

  it('property: rows are the objectives in minimization form and constraint slacks feasible when <= 0', () => {
    fc.assert(
      fc.property(
        fc.record({
          separation: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          cost: fc.double({ min: -1e6, max: 1e6, noNaN: true }),
          acceptance: fc.double({ min: 0, max: 1, noNaN: true }),
          mass: fc.double({ min: 0, max: 20, noNaN: true }),
        }),
        (v) => {
          const checked = outcomes.check(v, 'test');
          expect(checked.ok).toBe(true);
          const y = new Float64Array(2);
          outcomes.objectiveRow(v, y);
          expect(Array.from(y)).toEqual([-v.separation, v.cost]);
          expect(outcomes.fromMinimization(y)).toEqual({ separation: v.separation, cost: v.cost });
          const c = new Float64Array(3);
          outcomes.constraintRow(v, c);
          expect(c[0]).toBeCloseTo(0.8 - v.acceptance, 12);
          expect(c[1]).toBeCloseTo(v.cost + 2 * v.mass - 30, 6);
          expect(c[2]).toBeCloseTo(1 - v.mass, 12);
          const feasible = v.acceptance >= 0.8 && v.cost + 2 * v.mass <= 30 && v.mass >= 1;
          expect(outcomes.isFeasible(v)).toBe(feasible);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('turns unusable values into a failure reason and bad payloads into TypeErrors', () => {
    expect(() => outcomes.check({ separation: 1, cost: 2, acceptance: 1 }, 'tell(trial 3)')).toThrow(
      /^tell\(trial 3\): metric "mass" \(outcome constraint\) missing; every objective and outcome-constraint metric needs a value \(expected: separation, cost, acceptance, mass\); give null/,
    );
    expect(() => outcomes.check({ cost: 2, acceptance: undefined, mass: 1 }, 't')).toThrow(
      /metrics "separation" \(objective\), "acceptance" \(outcome constraint\) missing/,
    );
    expect(outcomes.check({ separation: 1, cost: 2, acceptance: null, mass: 1 }, 't')).toEqual({
      ok: false,
      reason: 'metric "acceptance" is null',
    });
    expect(outcomes.check({ separation: -Infinity, cost: 2, acceptance: 1, mass: 1 }, 't')).toEqual({
      ok: false,
      reason: 'metric "separation" is -Infinity',
    });
    expect(() => outcomes.check({ separation: 1, speed: 2 }, 'tell(trial 3)')).toThrow(
      /tell\(trial 3\): unknown metric "speed" \(expected: separation, cost, acceptance, mass\)/,
    );
    expect(() => outcomes.check({ separation: [1] }, 't')).toThrow(
      /metric "separation": expected a number, got \[1\]/,
    );
    expect(() => outcomes.check(7, 't')).toThrow(/expected an object of metric values by name, got 7/);
    expect(() => outcomes.checkSem({ cost: Number.NaN }, 't')).toThrow(
      /sem: metric "cost": expected a finite number >= 0, got NaN/,
    );
    expect(outcomes.checkSem({ cost: 0.5 }, 't')).toEqual({ cost: 0.5 });
  });

  it('rejects bad declarations by path', () => {
    expect(() => Outcomes.create({ objectives: [] })).toThrow(ConfigError);
    expect(() =>
      Outcomes.create({ objectives: [{ name: 'a', minimize: true, threshold: 'x' as never }] }),
    ).toThrow(/objectives\[0\]\.threshold: expected number, received string, got "x"/);
    expect(() =>
      Outcomes.create({ objectives: [{ name: 'a', minimize: true }], outcomeConstraints: ['a * b <= 1'] }),
    ).toThrow(
      /outcomeConstraints\[0\]: outcome constraint "a \* b <= 1": at column 5: 'a' \* 'b' is not linear/,
    );
  });
});
