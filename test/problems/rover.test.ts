import { describe, expect, it } from 'vitest';
import { rover } from '../../problems/rover.js';

/** 30 control points evenly spaced on the segment from a to b. */
function line(a: [number, number], b: [number, number]): Float64Array {
  const x = new Float64Array(60);
  for (let k = 0; k < 30; k++) {
    const s = k / 29;
    x[2 * k] = a[0] + s * (b[0] - a[0]);
    x[2 * k + 1] = a[1] + s * (b[1] - a[1]);
  }
  return x;
}

describe('rover (Wang et al. 2018, bi-objective)', () => {
  it('has 60 parameters in [-0.1, 1.1], 2 objectives, and an unknown front', () => {
    const p = rover();
    expect(p.dimensions).toBe(60);
    expect(p.objectives).toBe(2);
    expect(Array.from(p.lower)).toEqual(new Array(60).fill(-0.1));
    expect(Array.from(p.upper)).toEqual(new Array(60).fill(1.1));
    expect(Array.from(p.referencePoint)).toEqual([20, 8]);
    expect(p.maxHypervolume).toBeUndefined();
    expect(() => p.paretoFront(10)).toThrow(/unknown/);
  });

  it('a straight start-to-goal line in an empty field costs nothing and is sqrt(2) 0.9 long', () => {
    const p = rover({ obstacles: 0 });
    const y = p.evaluate({ rows: 1, cols: 60, data: line([0.05, 0.05], [0.95, 0.95]) });
    expect(y.data[0]).toBeCloseTo(0, 12);
    // Collinear control points: the B-spline is the segment itself.
    expect(y.data[1]).toBeCloseTo(Math.SQRT2 * 0.9, 9);
  });

  it('charges 10 per unit L1 distance of the ends from start and goal (the clamped spline ends at its end points)', () => {
    const p = rover({ obstacles: 0 });
    const y = p.evaluate({ rows: 1, cols: 60, data: line([0.15, 0.05], [0.95, 0.75]) });
    expect(y.data[0]).toBeCloseTo(10 * (0.1 + 0.2), 9);
    expect(y.data[1]).toBeCloseTo(Math.hypot(0.8, 0.7), 9);
  });

  it('charges 20 per unit length outside the unit square', () => {
    const p = rover({ obstacles: 0 });
    // The segment from (-0.1, 0.5) to (0.9, 0.5): 0.1 of it outside, ends 1.1 (L1) from start and goal.
    const y = p.evaluate({ rows: 1, cols: 60, data: line([-0.1, 0.5], [0.9, 0.5]) });
    // The trapezoidal rule blurs the crossing over one of the 999 steps (at most 20 x 0.002).
    expect(Math.abs(y.data[0]! - (20 * 0.1 + 10 * 1.1))).toBeLessThan(0.04);
    expect(y.data[1]).toBeCloseTo(1, 9);
  });

  it('an obstacle field makes the straight line collide, deterministically per seed', () => {
    const a = rover();
    const b = rover();
    const c = rover({ seed: 7 });
    const x = { rows: 1, cols: 60, data: line([0.05, 0.05], [0.95, 0.95]) };
    const ya = a.evaluate(x);
    expect(Array.from(b.evaluate(x).data)).toEqual(Array.from(ya.data));
    expect(ya.data[0]).toBeGreaterThan(0);
    // Each collision costs 20 per unit length, in steps of at most an obstacle's diagonal crossing.
    expect(ya.data[0]! / 20).toBeLessThanOrEqual(Math.SQRT2 * 0.9);
    expect(c.evaluate(x).data[0]).not.toBe(ya.data[0]);
  });

  it('rejects bad input with its location', () => {
    const p = rover();
    expect(() => p.evaluate({ rows: 1, cols: 59, data: new Float64Array(59) })).toThrow(/60/);
    expect(() => rover({ obstacles: -1 })).toThrow(/obstacles is -1/);
  });
});
