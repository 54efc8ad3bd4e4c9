import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dominates, isNondominated, paretoFilter, weaklyDominates } from '../../src/pareto/dominance.js';

/** Independent reference: O(m n^2) pairwise check, first copy of identical rows unless keepDuplicates. */
function naiveFilter(points: number[][], keepDuplicates = false): number[] {
  const out: number[] = [];
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    let keep = true;
    for (let k = 0; k < points.length && keep; k++) {
      const q = points[k]!;
      let le = true;
      let lt = false;
      for (let j = 0; j < p.length; j++) {
        if (q[j]! > p[j]!) le = false;
        if (q[j]! < p[j]!) lt = true;
      }
      if (le && lt) keep = false;
      if (le && !lt && k < i && !keepDuplicates) keep = false;
    }
    if (keep) out.push(i);
  }
  return out;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

describe('dominates / weaklyDominates', () => {
  it('follow the definitions on hand cases', () => {
    expect(dominates([1, 2], [1, 3])).toBe(true);
    expect(dominates([1, 2], [1, 2])).toBe(false);
    expect(dominates([0, 3], [1, 2])).toBe(false);
    expect(weaklyDominates([1, 2], [1, 2])).toBe(true);
    expect(weaklyDominates([1, 2], [0, 3])).toBe(false);
    expect(dominates([Number.NEGATIVE_INFINITY], [0])).toBe(true);
    expect(() => dominates([1], [1, 2])).toThrow(/lengths 1 and 2/);
  });

  it('dominates is irreflexive, antisymmetric and agrees with weak dominance', () => {
    const vec = fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(vec, vec, (a, b) => {
        expect(dominates(a, a)).toBe(false);
        if (dominates(a, b)) expect(dominates(b, a)).toBe(false);
        const equal = a.every((v, j) => v === b[j]);
        expect(dominates(a, b)).toBe(weaklyDominates(a, b) && !equal);
      }),
      { numRuns: 200 },
    );
  });
});

describe('paretoFilter / isNondominated', () => {
  it('match the pairwise check on small sets with ties and duplicates, m = 1..6', () => {
    const sets = fc
      .integer({ min: 1, max: 6 })
      .chain((m) =>
        fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: m, maxLength: m }), { maxLength: 40 }),
      );
    fc.assert(
      fc.property(sets, fc.boolean(), (pts, keepDuplicates) => {
        const expected = naiveFilter(pts, keepDuplicates);
        expect(Array.from(paretoFilter(pts, { keepDuplicates }))).toEqual(expected);
        const mask = isNondominated(pts, { keepDuplicates });
        expect(Array.from(mask).flatMap((v, i) => (v ? [i] : []))).toEqual(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('matches the pairwise check on larger sets, including the sort fallback for big fronts', () => {
    for (const m of [2, 3, 4, 5]) {
      const rnd = lcg(m);
      const pts: number[][] = [];
      // Points on the simplex (all non-dominated) plus random ones and exact copies.
      for (let i = 0; i < 3400; i++) {
        const p = Array.from({ length: m }, () => rnd());
        const s = p.reduce((a, b) => a + b, 0);
        pts.push(i % 2 ? p : p.map((v) => v / s));
      }
      for (let i = 0; i < 100; i++) pts.push([...pts[i * 7]!]);
      for (const keepDuplicates of [false, true]) {
        expect(Array.from(paretoFilter(pts, { keepDuplicates }))).toEqual(naiveFilter(pts, keepDuplicates));
      }
      // Uniform points: a small front, filtered without the fallback.
      const uniform = Array.from({ length: 1500 }, () =>
        Array.from({ length: m }, () => Math.round(rnd() * 50)),
      );
      expect(Array.from(paretoFilter(uniform))).toEqual(naiveFilter(uniform));
    }
  });

  it('handles empty input, a single point, infinities, and rejects NaN', () => {
    expect(Array.from(paretoFilter([]))).toEqual([]);
    expect(Array.from(paretoFilter([[1, 2, 3, 4]]))).toEqual([0]);
    const inf = [
      [Number.POSITIVE_INFINITY, 0, 0, 0],
      [0, 0, 0, Number.NEGATIVE_INFINITY],
      [1, 1, 1, 1],
    ];
    expect(Array.from(paretoFilter(inf))).toEqual(naiveFilter(inf));
    expect(() => paretoFilter([[0, Number.NaN]])).toThrow(/paretoFilter: points\[0\]\[1\] is NaN/);
  });
});
