import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crowdingDistance } from '../../src/pareto/crowding.js';

/**
 * Independent reference, written from Deb et al. 2002 with pymoo's conventions: for each unique point
 * and objective, find its neighbours by scanning (not sorting) with ties broken by listed position.
 */
function reference(points: number[][]): number[] {
  const s = points.length;
  if (s <= 2) return new Array(s).fill(Number.POSITIVE_INFINITY);
  const m = points[0]!.length;
  const same = (a: number[], b: number[]) => a.every((v, j) => v === b[j]);
  const unique = points.map((p, t) => !points.slice(0, t).some((q) => same(p, q)));
  const ids = points.map((_, t) => t).filter((t) => unique[t]);
  const out = new Array(s).fill(0);
  for (let j = 0; j < m; j++) {
    const vals = ids.map((t) => points[t]![j]!);
    const range = Math.max(...vals) - Math.min(...vals);
    if (range === 0) continue;
    // key (value, position): total order matching a stable sort.
    const before = (a: number, b: number) =>
      points[a]![j]! < points[b]![j]! || (points[a]![j] === points[b]![j] && a < b);
    for (const t of ids) {
      let prev = -1;
      let next = -1;
      for (const u of ids) {
        if (before(u, t) && (prev < 0 || before(prev, u))) prev = u;
        if (before(t, u) && (next < 0 || before(u, next))) next = u;
      }
      if (prev < 0 || next < 0) out[t] = Number.POSITIVE_INFINITY;
      else out[t] += (points[next]![j]! - points[prev]![j]!) / range;
    }
  }
  return out.map((v, t) => (unique[t] ? v / m : 0));
}

function expectClose(actual: number[], expected: number[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((v, t) => {
    if (Number.isFinite(expected[t]!)) expect(v).toBeCloseTo(expected[t]!, 12);
    else expect(v).toBe(expected[t]);
  });
}

describe('crowdingDistance', () => {
  it('matches pymoo on its duplicate example and a hand-computed front', () => {
    const F = [
      [1, 1],
      [1, 1],
      [0.5, 1.5],
      [0, 2],
    ];
    expect(Array.from(crowdingDistance(F))).toEqual([
      Number.POSITIVE_INFINITY,
      0,
      1,
      Number.POSITIVE_INFINITY,
    ]);
    // Front (0,4), (1,2), (3,1), (4,0): ranges 4 and 4.
    const G = [
      [0, 4],
      [1, 2],
      [3, 1],
      [4, 0],
    ];
    const cd = crowdingDistance(G);
    expect(cd[0]).toBe(Number.POSITIVE_INFINITY);
    expect(cd[1]).toBeCloseTo(((3 - 0) / 4 + (4 - 1) / 4) / 2, 15);
    expect(cd[2]).toBeCloseTo(((4 - 1) / 4 + (2 - 0) / 4) / 2, 15);
    expect(crowdingDistance(G, [3, 1])).toEqual(new Float64Array([Infinity, Infinity]));
  });

  it('matches the scanning reference on random sets with ties, for listed subsets too', () => {
    const sets = fc
      .integer({ min: 1, max: 4 })
      .chain((m) =>
        fc.array(fc.array(fc.integer({ min: 0, max: 4 }), { minLength: m, maxLength: m }), { maxLength: 25 }),
      );
    fc.assert(
      fc.property(sets, fc.integer({ min: 0, max: 1000 }), (pts, seed) => {
        expectClose(Array.from(crowdingDistance(pts)), reference(pts));
        // A subset listed in a shuffled order is the same as that subset's own matrix.
        const subset = pts.map((_, i) => i).filter((i) => (i * 7919 + seed) % 3 !== 0);
        const sub = subset.map((i) => pts[i]!);
        expectClose(Array.from(crowdingDistance(pts, subset)), reference(sub));
      }),
      { numRuns: 200 },
    );
  });

  it('matches the reference on larger sets (the radix-sort path)', () => {
    let seed = 7;
    const rnd = () => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 4294967296;
    };
    for (const m of [2, 3, 5]) {
      const pts = Array.from({ length: 300 }, () =>
        Array.from({ length: m }, () => (rnd() < 0.5 ? Math.floor(rnd() * 20) - 10 : rnd() * 4 - 2)),
      );
      expectClose(Array.from(crowdingDistance(pts)), reference(pts));
    }
  });

  it('validates indices and NaN', () => {
    expect(() => crowdingDistance([[1, 2]], [1])).toThrow(/indices\[0\] is 1/);
    expect(() => crowdingDistance([[Number.NaN, 2]])).toThrow(/NaN/);
  });
});
