import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toMatrix } from '../../src/linalg/matrix.js';
import {
  constraintViolation,
  randomizedDescendingOrder,
  rankAndCrowdingSurvival,
} from '../../src/moga/survival.js';
import { createRng } from '../../src/random/rng.js';

/** Fronts by repeated peeling of the non-dominated set: O(n^3), obviously right. */
function bruteFronts(F: number[][]): number[][] {
  const dominates = (a: number[], b: number[]) =>
    a.every((v, j) => v <= b[j]!) && a.some((v, j) => v < b[j]!);
  let left = F.map((_, i) => i);
  const fronts: number[][] = [];
  while (left.length > 0) {
    const front = left.filter((i) => !left.some((k) => dominates(F[k]!, F[i]!)));
    fronts.push(front);
    left = left.filter((i) => !front.includes(i));
  }
  return fronts;
}

/** Textbook crowding distance of distinct points (Deb et al. 2002), divided by m like pymoo. */
function bruteCrowding(F: number[][], front: number[]): Map<number, number> {
  const m = F[0]!.length;
  const out = new Map<number, number>(front.map((i) => [i, 0]));
  if (front.length <= 2) {
    for (const i of front) out.set(i, Number.POSITIVE_INFINITY);
    return out;
  }
  for (let j = 0; j < m; j++) {
    const s = [...front].sort((a, b) => F[a]![j]! - F[b]![j]!);
    const range = F[s[s.length - 1]!]![j]! - F[s[0]!]![j]!;
    out.set(s[0]!, Number.POSITIVE_INFINITY);
    out.set(s[s.length - 1]!, Number.POSITIVE_INFINITY);
    for (let r = 1; r < s.length - 1; r++) {
      out.set(s[r]!, out.get(s[r]!)! + (F[s[r + 1]!]![j]! - F[s[r - 1]!]![j]!) / range);
    }
  }
  for (const i of front) out.set(i, out.get(i)! / m);
  return out;
}

describe('constraintViolation', () => {
  it('sums the positive parts of each row', () => {
    const cv = constraintViolation(
      toMatrix([
        [-1, 2, 0.5],
        [0, -3, -1],
        [1, 1, 1],
      ]),
    );
    expect(Array.from(cv!)).toEqual([2.5, 0, 3]);
    expect(constraintViolation({ rows: 3, cols: 0, data: new Float64Array(0) })).toBeUndefined();
  });
});

describe('rankAndCrowdingSurvival', () => {
  it('keeps whole fronts first and cuts the last one by crowding (hand-worked)', () => {
    // Front 0: the five points below; crowding (mean over 2 objectives, ranges 10 and 10):
    // [1,6]: (0.3 + 0.5) / 2 = 0.4, [3,5]: (0.5 + 0.4) / 2 = 0.45, [6,2]: (0.7 + 0.5) / 2 = 0.6.
    const F = toMatrix([
      [0, 10],
      [1, 6],
      [3, 5],
      [6, 2],
      [10, 0],
      [7, 7],
    ]);
    const rng = createRng(1);
    const three = rankAndCrowdingSurvival(F, undefined, 3, rng);
    expect(Array.from(three.indices).sort()).toEqual([0, 3, 4]);
    const four = rankAndCrowdingSurvival(F, undefined, 4, rng);
    expect(Array.from(four.indices).sort()).toEqual([0, 2, 3, 4]);
    const all = rankAndCrowdingSurvival(F, undefined, 6, rng);
    const byIndex = new Map(Array.from(all.indices, (i, k) => [i, k]));
    expect(all.rank[byIndex.get(5)!]).toBe(1);
    expect(all.crowding[byIndex.get(1)!]).toBeCloseTo(0.4, 12);
    expect(all.crowding[byIndex.get(2)!]).toBeCloseTo(0.45, 12);
    expect(all.crowding[byIndex.get(3)!]).toBeCloseTo(0.6, 12);
    expect(all.crowding[byIndex.get(0)!]).toBe(Number.POSITIVE_INFINITY);
  });

  it('breaks ties of crowding at random', () => {
    // Two points of the second front, both boundary (Infinity): either may survive.
    const F = toMatrix([
      [1, 4],
      [2, 3],
      [3, 2],
      [4, 1],
      [2, 5],
      [5, 2],
    ]);
    const counts = [0, 0];
    for (let seed = 0; seed < 200; seed++) {
      const s = rankAndCrowdingSurvival(F, undefined, 5, createRng(seed));
      expect(Array.from(s.indices.subarray(0, 4)).sort()).toEqual([0, 1, 2, 3]);
      counts[s.indices[4]! - 4]!++;
      expect(s.rank[4]).toBe(1);
    }
    expect(counts[0]).toBeGreaterThan(60);
    expect(counts[1]).toBeGreaterThan(60);
  });

  it('applies constrained domination: feasible first, then by total violation', () => {
    const F = toMatrix([
      [0, 0],
      [9, 9],
      [1, 1],
      [0.5, 0.5],
      [8, 8],
    ]);
    const cv = Float64Array.of(3, 0, 1, 2, 0);
    const s = rankAndCrowdingSurvival(F, cv, 4, createRng(2));
    // Feasible: [9,9] dominates nothing but [8,8] dominates it: ranks 0 ([8,8]) and 1 ([9,9]).
    expect(Array.from(s.indices)).toEqual([4, 1, 2, 3]);
    expect(Array.from(s.rank)).toEqual([0, 1, 2, 3]);
    expect(s.crowding[2]).toBe(0);
    const none = rankAndCrowdingSurvival(F, Float64Array.of(3, 5, 1, 2, 4), 2, createRng(2));
    expect(Array.from(none.indices)).toEqual([2, 3]);
  });

  it('matches brute-force fronts and crowding on random points', () => {
    const point = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 });
    fc.assert(
      fc.property(
        fc.array(point, { minLength: 2, maxLength: 40 }),
        fc.nat(),
        fc.integer({ min: 2, max: 3 }),
        (rows, seed, m) => {
          const F = rows.map((r) => r.slice(0, m));
          const distinct = new Set(F.map((r) => r.join(','))).size === F.length;
          fc.pre(distinct);
          const count = 1 + (seed % F.length);
          const s = rankAndCrowdingSurvival(toMatrix(F), undefined, count, createRng(seed));
          const kept = new Set(s.indices);
          expect(kept.size).toBe(count);
          let before = 0;
          for (const [k, front] of bruteFronts(F).entries()) {
            if (before >= count) {
              for (const i of front) expect(kept.has(i)).toBe(false);
              continue;
            }
            const cd = bruteCrowding(F, front);
            for (const [t, i] of Array.from(s.indices).entries()) {
              if (front.includes(i)) {
                expect(s.rank[t]).toBe(k);
                const want = cd.get(i)!;
                if (want === Number.POSITIVE_INFINITY) expect(s.crowding[t]).toBe(want);
                else expect(s.crowding[t]).toBeCloseTo(want, 10);
              }
            }
            if (before + front.length <= count) {
              for (const i of front) expect(kept.has(i)).toBe(true);
            } else {
              const keptCd = front.filter((i) => kept.has(i)).map((i) => cd.get(i)!);
              const droppedCd = front.filter((i) => !kept.has(i)).map((i) => cd.get(i)!);
              expect(keptCd.length).toBe(count - before);
              expect(Math.min(...keptCd)).toBeGreaterThanOrEqual(Math.max(...droppedCd) - 1e-12);
            }
            before += front.length;
          }
        },
      ),
      { numRuns: 150 },
    );
  });

  it('rejects a count out of range', () => {
    expect(() => rankAndCrowdingSurvival(toMatrix([[1, 2]]), undefined, 2, createRng(0))).toThrow(
      /count must be an integer in \[0, 1\], got 2/,
    );
  });
});

describe('randomizedDescendingOrder', () => {
  it('sorts descending and puts ties in every order', () => {
    const values = Float64Array.of(1, 3, 3, 2);
    const orders = new Set<string>();
    for (let seed = 0; seed < 50; seed++) {
      const order = Array.from(randomizedDescendingOrder(values, createRng(seed)));
      expect(order.slice(2)).toEqual([3, 0]);
      orders.add(order.join());
    }
    expect(orders).toEqual(new Set(['1,2,3,0', '2,1,3,0']));
  });
});
