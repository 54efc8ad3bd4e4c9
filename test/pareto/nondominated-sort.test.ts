import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lexicographicOrder, nondominatedSort } from '../../src/pareto/nondominated-sort.js';

/** Independent reference: ranks by repeatedly peeling the points no remaining point dominates, O(m n^3). */
function naiveRanks(points: number[][]): number[] {
  const n = points.length;
  const dom = (a: number[], b: number[]): boolean => {
    let strict = false;
    for (let j = 0; j < a.length; j++) {
      if (a[j]! > b[j]!) return false;
      if (a[j]! < b[j]!) strict = true;
    }
    return strict;
  };
  const ranks = new Array<number>(n).fill(-1);
  let left = n;
  for (let r = 0; left > 0; r++) {
    const current: number[] = [];
    for (let i = 0; i < n; i++) {
      if (ranks[i] !== -1) continue;
      let dominated = false;
      for (let k = 0; k < n && !dominated; k++) {
        if (k !== i && ranks[k] === -1 && dom(points[k]!, points[i]!)) dominated = true;
      }
      if (!dominated) current.push(i);
    }
    for (const i of current) ranks[i] = r;
    left -= current.length;
  }
  return ranks;
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

const pointSets = (maxM: number, maxN: number) =>
  fc.integer({ min: 1, max: maxM }).chain((m) =>
    fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: m, maxLength: m }), {
      minLength: 0,
      maxLength: maxN,
    }),
  );

describe('lexicographicOrder', () => {
  it('matches a comparator sort with ties by index, over negatives, zeros of both signs and infinities', () => {
    const value = fc.oneof(
      fc.integer({ min: -3, max: 3 }),
      fc.constantFrom(-0, 0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-310, -1e-310, 2 ** 60),
      fc.double({ noNaN: true }),
    );
    const sets = fc
      .integer({ min: 1, max: 4 })
      .chain((m) =>
        fc.tuple(
          fc.constant(m),
          fc.array(fc.array(value, { minLength: m, maxLength: m }), { maxLength: 300 }),
        ),
      );
    fc.assert(
      fc.property(sets, ([m, rows]) => {
        const x = Float64Array.from(rows.flat());
        const expected = rows
          .map((_, i) => i)
          .sort((a, b) => {
            for (let j = 0; j < m; j++) {
              if (rows[a]![j]! < rows[b]![j]!) return -1;
              if (rows[a]![j]! > rows[b]![j]!) return 1;
            }
            return a - b;
          });
        expect(Array.from(lexicographicOrder(x, rows.length, m))).toEqual(expected);
      }),
      { numRuns: 200 },
    );
  });
});

describe('nondominatedSort', () => {
  it('matches peeling on small sets with many ties and duplicates', () => {
    fc.assert(
      fc.property(pointSets(6, 40), (pts) => {
        const { ranks } = nondominatedSort(pts);
        expect(Array.from(ranks)).toEqual(naiveRanks(pts));
      }),
      { numRuns: 300 },
    );
  });

  it('matches peeling on larger sets that exercise the divide-and-conquer (m = 3..6)', () => {
    for (const m of [3, 4, 5, 6]) {
      for (const levels of [3, 10, 0]) {
        const rnd = lcg(17 * m + levels);
        const pts: number[][] = [];
        for (let i = 0; i < 400; i++) {
          const p: number[] = [];
          for (let j = 0; j < m; j++) p.push(levels ? Math.floor(rnd() * levels) : rnd());
          pts.push(p);
        }
        // Points near a front too: few fronts, large ones.
        for (let i = 0; i < 200; i++) {
          const p: number[] = [];
          let s = 0;
          for (let j = 0; j < m; j++) {
            p.push(rnd());
            s += p[j]!;
          }
          pts.push(p.map((v) => (levels ? Math.round((levels * v) / s) : v / s + 0.01 * rnd())));
        }
        const { ranks } = nondominatedSort(pts);
        expect(Array.from(ranks)).toEqual(naiveRanks(pts));
      }
    }
  });

  it('matches peeling with infinities and signed zeros in the divide-and-conquer', () => {
    const special = [Number.NEGATIVE_INFINITY, -0, 0, 1, Number.POSITIVE_INFINITY];
    for (const m of [3, 4]) {
      const rnd = lcg(99 + m);
      const pts = Array.from({ length: 500 }, () =>
        Array.from({ length: m }, () =>
          rnd() < 0.3 ? special[Math.floor(rnd() * 5)]! : Math.floor(rnd() * 8),
        ),
      );
      expect(Array.from(nondominatedSort(pts).ranks)).toEqual(naiveRanks(pts));
    }
  });

  it('matches peeling for m = 2 chains and antichains', () => {
    const chain = Array.from({ length: 50 }, (_, i) => [i, i]);
    expect(Array.from(nondominatedSort(chain).ranks)).toEqual(naiveRanks(chain));
    const anti = Array.from({ length: 50 }, (_, i) => [i, 50 - i]);
    expect(Array.from(nondominatedSort(anti).ranks)).toEqual(new Array(50).fill(0));
  });

  it('lists fronts ascending and consistent with ranks; equal points share a rank', () => {
    const pts = [
      [1, 2],
      [0, 3],
      [1, 2],
      [2, 2],
      [5, 5],
      [0, 3],
    ];
    const { ranks, fronts } = nondominatedSort(pts);
    expect(Array.from(ranks)).toEqual([0, 0, 0, 1, 2, 0]);
    expect(fronts.map((f) => Array.from(f))).toEqual([[0, 1, 2, 5], [3], [4]]);
  });

  it('handles infinities, one objective and empty input', () => {
    const pts = [
      [Number.POSITIVE_INFINITY, 0, 1],
      [Number.NEGATIVE_INFINITY, 0, 1],
      [0, Number.POSITIVE_INFINITY, 2],
      [0, 0, 0],
    ];
    expect(Array.from(nondominatedSort(pts).ranks)).toEqual(naiveRanks(pts));
    expect(Array.from(nondominatedSort([[3], [1], [2], [1]]).ranks)).toEqual([2, 0, 1, 0]);
    expect(nondominatedSort([]).fronts).toEqual([]);
  });

  it('stopAfter keeps the first fronts covering that many points and marks the rest -1', () => {
    const pts = Array.from({ length: 10 }, (_, i) => [i % 5, i % 5]);
    const { ranks, fronts } = nondominatedSort(pts, { stopAfter: 3 });
    expect(fronts.length).toBe(2);
    expect(Array.from(ranks)).toEqual([0, 1, -1, -1, -1, 0, 1, -1, -1, -1]);
    expect(nondominatedSort(pts, { stopAfter: 0 }).fronts).toEqual([]);
  });

  it('rejects NaN with the position named', () => {
    expect(() =>
      nondominatedSort([
        [0, 1],
        [Number.NaN, 2],
      ]),
    ).toThrow(/points\[1\]\[0\] is NaN/);
    expect(() => nondominatedSort([[0, 1]], { stopAfter: -1 })).toThrow(RangeError);
  });
});
