import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { toRows } from '../../src/linalg/matrix.js';
import { approximatePartition } from '../../src/pareto/partitioning/approximate.js';
import { ParetoArchive } from '../../src/pareto/partitioning/archive.js';
import type { BoxSet } from '../../src/pareto/partitioning/box-set.js';
import { clipBoxesBelow, totalVolume } from '../../src/pareto/partitioning/box-set.js';
import { Staircase } from '../../src/pareto/partitioning/staircase.js';
import { LocalUpperBounds } from '../../src/pareto/partitioning/upper-bounds.js';

function dominated(points: number[][], z: ArrayLike<number>): boolean {
  return points.some((p) => p.every((v, j) => v <= z[j]!));
}

function countContaining(b: BoxSet, z: ArrayLike<number>): number {
  let count = 0;
  for (let i = 0; i < b.count; i++) {
    let inside = true;
    for (let j = 0; j < b.m && inside; j++) {
      inside = z[j]! > b.lower[i * b.m + j]! && z[j]! < b.upper[i * b.m + j]!;
    }
    if (inside) count++;
  }
  return count;
}

/** The Pareto front of `points` by brute force (weak dominance, duplicates collapsed). */
function paretoFilter(points: number[][]): number[][] {
  const unique = [...new Map(points.map((p) => [p.join(','), p])).values()];
  return unique.filter((p) => !unique.some((q) => q !== p && q.every((v, j) => v <= p[j]!)));
}

describe('approximatePartition (binary partitioning)', () => {
  it('with alpha = 0 it is an exact partition of N (an algorithm independent of the bounds)', () => {
    const rng = seedrandom('bp0');
    for (const m of [2, 3, 4]) {
      for (let trial = 0; trial < 8; trial++) {
        const n = 1 + Math.floor(rng() * 12);
        const grid = trial % 2 ? 4 : 0;
        const raw = Array.from({ length: n }, () =>
          Array.from({ length: m }, () => (grid ? Math.floor(rng() * grid) / grid : rng())),
        );
        const front = paretoFilter(raw);
        const data = Float64Array.from(front.flat());
        const r = new Array<number>(m).fill(1);
        const result = approximatePartition({ rows: front.length, cols: m, data }, r, 0);
        expect(result.discardedVolume).toBe(0);
        for (let s = 0; s < 300; s++) {
          const z = r.map(() => -0.5 + rng() * 1.5);
          expect(countContaining(result.boxes, z)).toBe(dominated(front, z) ? 0 : 1);
        }
      }
    }
  });

  it('each discarded cell is at most alpha * scale, and the total bounds the missed volume', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 5 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom(1e-3, 1e-2, 5e-2),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, alpha, seed) => {
          const rng = seedrandom(String(seed));
          const front = paretoFilter(Array.from({ length: n }, () => Array.from({ length: m }, () => rng())));
          const data = Float64Array.from(front.flat());
          const r = new Array<number>(m).fill(1);
          const result = approximatePartition({ rows: front.length, cols: m, data }, r, alpha);
          expect(result.discardedVolume).toBeLessThanOrEqual(
            result.discardedCells * alpha * result.scale + 1e-15,
          );
          // Monte Carlo over [ideal, r]: the fraction of N-points missed is within the bound
          const ideal = r.map((_, j) => Math.min(...front.map((p) => p[j]!)));
          const vol = ideal.reduce((a, v, j) => a * (r[j]! - v), 1);
          const samples = 400;
          let missed = 0;
          for (let s = 0; s < samples; s++) {
            const z = r.map((v, j) => ideal[j]! + rng() * (v - ideal[j]!));
            const inBoxes = countContaining(result.boxes, z);
            expect(inBoxes).toBeLessThanOrEqual(1);
            if (inBoxes === 1) expect(dominated(front, z)).toBe(false);
            else if (!dominated(front, z)) missed++;
          }
          // the missed fraction is a binomial estimate; allow 4 standard deviations above the bound
          const p = Math.min(1, result.discardedVolume / vol);
          expect(missed / samples).toBeLessThanOrEqual(p + 4 * Math.sqrt((p * (1 - p)) / samples) + 1e-9);
        },
      ),
      { numRuns: 60 },
    );
  });
});

/**
 * Local upper bounds by their definition (Klamroth et al. 2015, general position): u with every
 * u_j a front coordinate or r_j, no front point strictly below u, and for each j either u_j = r_j
 * or a point z with z_j = u_j and z_i < u_i for i != j. Enumerates all (n + 1)^m candidates.
 */
function bruteUpperBounds(front: number[][], r: number[]): string[] {
  const m = r.length;
  const choices = r.map((rj, j) => [...front.map((p) => p[j]!), rj]);
  const out: string[] = [];
  const u = new Array<number>(m).fill(0);
  const rec = (j: number): void => {
    if (j === m) {
      if (front.some((p) => p.every((v, i) => v < u[i]!))) return;
      for (let k = 0; k < m; k++) {
        if (u[k] === r[k]) continue;
        if (!front.some((z) => z[k] === u[k] && z.every((v, i) => i === k || v < u[i]!))) return;
      }
      out.push(u.join(','));
      return;
    }
    for (const c of choices[j]!) {
      u[j] = c;
      rec(j + 1);
    }
  };
  rec(0);
  return [...new Set(out)].sort();
}

describe('LocalUpperBounds', () => {
  it('equals the definition, in any insertion order, batched or one by one', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 1e6 }),
        (m, n, seed) => {
          const rng = seedrandom(`lub${seed}`);
          const front = paretoFilter(Array.from({ length: n }, () => Array.from({ length: m }, () => rng())));
          const r = new Array<number>(m).fill(1);
          const expected = bruteUpperBounds(front, r);
          const single = new LocalUpperBounds(r);
          for (const p of front) single.insert(p, 0);
          const batch = new LocalUpperBounds(r);
          batch.beginBatch();
          for (const p of front) batch.insert(p, 0);
          batch.endBatch();
          for (const lub of [single, batch]) {
            expect(lub.size).toBe(expected.length);
            expect(
              toRows(lub.bounds())
                .map((u) => u.join(','))
                .sort(),
            ).toEqual(expected);
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('ParetoArchive', () => {
  it('keeps exactly the brute-force front, with duplicates and ties', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 4 }).chain((m) =>
          fc.array(fc.array(fc.integer({ min: 0, max: 3 }), { minLength: m, maxLength: m }), {
            maxLength: 30,
          }),
        ),
        (points) => {
          if (points.length === 0) return;
          const m = points[0]!.length;
          const archive = new ParetoArchive(m);
          for (const p of points) archive.offer(p, 0);
          const got = toRows(archive.front())
            .map((p) => p.join(','))
            .sort();
          const expected = paretoFilter(points)
            .map((p) => p.join(','))
            .sort();
          expect(got).toEqual(expected);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('Staircase', () => {
  it('stays sorted and equals the brute-force front', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 0, max: 6 })), { maxLength: 40 }),
        (points) => {
          const s = new Staircase([7, 7]);
          for (const [x, y] of points) s.offer(x, y);
          const got = toRows(s.front());
          const expected = paretoFilter(points.map(([x, y]) => [x, y])).sort((a, b) => a[0]! - b[0]!);
          expect(got).toEqual(expected);
          for (let i = 1; i < got.length; i++) expect(got[i]![1]!).toBeLessThan(got[i - 1]![1]!);
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('box-set helpers', () => {
  it('clipBoxesBelow drops emptied boxes; totalVolume is compensated', () => {
    const boxes: BoxSet = {
      count: 3,
      m: 2,
      lower: Float64Array.from([Number.NEGATIVE_INFINITY, 0, 0, 0, 2, 2]),
      upper: Float64Array.from([1, 1, 2, 1, 3, 3]),
    };
    const clipped = clipBoxesBelow(boxes, [1.5, 0.5]);
    expect(clipped.count).toBe(2);
    expect(Array.from(clipped.lower)).toEqual([1.5, 0.5, 2, 2]);
    expect(totalVolume(clipped)).toBeCloseTo(0.25 + 1, 15);
    // 1 + 1e6 tiny boxes of 1e-16: naive summation loses them entirely
    const n = 1_000_000;
    const lower = new Float64Array(2 * (n + 1));
    const upper = new Float64Array(2 * (n + 1));
    upper[0] = 1;
    upper[1] = 1;
    for (let i = 1; i <= n; i++) {
      upper[2 * i] = 1e-8;
      upper[2 * i + 1] = 1e-8;
    }
    expect(totalVolume({ count: n + 1, m: 2, lower, upper })).toBeCloseTo(1 + 1e-10, 15);
  });
});
