import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  additiveEpsilon,
  generationalDistance,
  invertedGenerationalDistance,
  invertedGenerationalDistancePlus,
  log10HypervolumeDifference,
} from '../../src/pareto/indicators.js';

// Independent references written from the definitions, with plain arrays and no early exits.
const dist = (a: number[], b: number[]) => Math.hypot(...a.map((v, j) => v - b[j]!));
const distPlus = (r: number[], a: number[]) => Math.hypot(...a.map((v, j) => Math.max(v - r[j]!, 0)));
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;
const gd = (A: number[][], R: number[][]) => mean(A.map((a) => Math.min(...R.map((r) => dist(a, r)))));
const igd = (A: number[][], R: number[][]) => gd(R, A);
const igdPlus = (A: number[][], R: number[][]) =>
  mean(R.map((r) => Math.min(...A.map((a) => distPlus(r, a)))));
/** Bisection on eps of "every r is weakly dominated by some a - eps", a different route to the value. */
function epsByBisection(A: number[][], R: number[][]): number {
  const ok = (eps: number) => R.every((r) => A.some((a) => a.every((v, j) => v - eps <= r[j]!)));
  let lo = -100;
  let hi = 100;
  for (let it = 0; it < 200; it++) {
    const mid = (lo + hi) / 2;
    if (ok(mid)) hi = mid;
    else lo = mid;
  }
  return hi;
}

const sets = fc.integer({ min: 1, max: 5 }).chain((m) => {
  const pt = fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: m, maxLength: m });
  return fc.tuple(
    fc.array(pt, { minLength: 1, maxLength: 12 }),
    fc.array(pt, { minLength: 1, maxLength: 12 }),
  );
});

describe('indicators', () => {
  it('match brute force on random sets', () => {
    fc.assert(
      fc.property(sets, ([A, R]) => {
        expect(generationalDistance(A, R)).toBeCloseTo(gd(A, R), 10);
        expect(invertedGenerationalDistance(A, R)).toBeCloseTo(igd(A, R), 10);
        expect(invertedGenerationalDistancePlus(A, R)).toBeCloseTo(igdPlus(A, R), 10);
        expect(additiveEpsilon(A, R)).toBeCloseTo(epsByBisection(A, R), 9);
      }),
      { numRuns: 200 },
    );
  });

  it('give hand-computed values', () => {
    const R = [
      [0, 1],
      [1, 0],
    ];
    const A = [
      [0.5, 1],
      [2, 2],
    ];
    // GD: a1 nearest r1 at 0.5; a2 nearest either at sqrt(1 + 4) = sqrt(5).
    expect(generationalDistance(A, R)).toBeCloseTo((0.5 + Math.sqrt(5)) / 2, 15);
    // IGD: r1 -> a1 0.5; r2 -> a1 sqrt(0.25 + 1).
    expect(invertedGenerationalDistance(A, R)).toBeCloseTo((0.5 + Math.sqrt(1.25)) / 2, 15);
    // IGD+: r1 -> a1 gives max(0.5,0), max(0,0) = 0.5; r2 -> a1 gives (0, 1) = 1.
    expect(invertedGenerationalDistancePlus(A, R)).toBeCloseTo((0.5 + 1) / 2, 15);
    // eps: r1 needs 0.5 from a1; r2 needs max(-0.5, 1) = 1 from a1, max(1, 2) from a2: 1.
    expect(additiveEpsilon(A, R)).toBe(1);
    // A front that dominates R everywhere has a negative epsilon and zero IGD+.
    expect(additiveEpsilon([[-1, -1]], R)).toBe(-1);
    expect(invertedGenerationalDistancePlus([[-1, -1]], R)).toBe(0);
    expect(generationalDistance(R, R)).toBe(0);
  });

  it('reject mismatched or empty sets', () => {
    expect(() => generationalDistance([[1, 2]], [[1, 2, 3]])).toThrow(/A has 2 objectives and R has 3/);
    expect(() => invertedGenerationalDistance([], [[1]])).toThrow(/A has no points/);
    expect(() => additiveEpsilon([[1]], [[Number.NaN]])).toThrow(/NaN/);
  });

  it('log10HypervolumeDifference is log10 of the gap, clamped at float resolution', () => {
    expect(log10HypervolumeDifference(0.9, 1)).toBeCloseTo(-1, 14);
    expect(log10HypervolumeDifference(1, 1)).toBeCloseTo(Math.log10(Number.EPSILON), 12);
    expect(log10HypervolumeDifference(2 + 1e-15, 2)).toBeCloseTo(Math.log10(2 * Number.EPSILON), 12);
    expect(() => log10HypervolumeDifference(0.5, 0)).toThrow(/maxHv is 0/);
    expect(() => log10HypervolumeDifference(Number.NaN, 1)).toThrow(/hv is NaN/);
  });
});
