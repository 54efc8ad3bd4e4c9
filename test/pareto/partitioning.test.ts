import fc from 'fast-check';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { toRows } from '../../src/linalg/matrix.js';
import {
  type BoxSet,
  DominatedPartitioning,
  NondominatedPartitioning,
  totalVolume,
} from '../../src/pareto/partitioning.js';

// ---------- independent references, written for the tests ----------

/** Brute force: does some point weakly dominate z? */
function dominated(points: number[][], z: ArrayLike<number>): boolean {
  return points.some((p) => p.every((v, j) => v <= z[j]!));
}

/** Hypervolume by inclusion-exclusion over all non-empty subsets (n <= 12). */
function hvInclusionExclusion(points: number[][], r: number[]): number {
  const n = points.length;
  const m = r.length;
  let hv = 0;
  for (let mask = 1; mask < 1 << n; mask++) {
    let vol = 1;
    let bits = 0;
    for (let j = 0; j < m && vol > 0; j++) {
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) if (mask & (1 << i)) hi = Math.max(hi, points[i]![j]!);
      vol *= Math.max(0, r[j]! - hi);
    }
    for (let i = 0; i < n; i++) if (mask & (1 << i)) bits++;
    hv += bits % 2 === 1 ? vol : -vol;
  }
  return hv;
}

/** Hypervolume on the integer grid {0..g-1}^m with r = (g, .., g): count the dominated unit cells. */
function hvCellCount(points: number[][], g: number, m: number): number {
  let count = 0;
  const c = new Array<number>(m).fill(0);
  const cells = g ** m;
  for (let idx = 0; idx < cells; idx++) {
    let t = idx;
    for (let j = 0; j < m; j++) {
      c[j] = t % g;
      t = Math.floor(t / g);
    }
    if (dominated(points, c)) count++;
  }
  return count;
}

function boxVolume(b: BoxSet, i: number): number {
  let v = 1;
  for (let j = 0; j < b.m; j++) v *= b.upper[i * b.m + j]! - b.lower[i * b.m + j]!;
  return v;
}

/** Plain (uncompensated) sum of the box volumes, to check the library's compensated one. */
function sumVolumes(b: BoxSet): number {
  let s = 0;
  for (let i = 0; i < b.count; i++) s += boxVolume(b, i);
  return s;
}

function boxes(b: BoxSet): { lo: number[]; hi: number[] }[] {
  const out = [];
  for (let i = 0; i < b.count; i++) {
    out.push({
      lo: Array.from(b.lower.subarray(i * b.m, (i + 1) * b.m)),
      hi: Array.from(b.upper.subarray(i * b.m, (i + 1) * b.m)),
    });
  }
  return out;
}

/** Largest volume of the intersection of two boxes among all pairs (0 when disjoint). */
function maxOverlap(list: { lo: number[]; hi: number[] }[]): number {
  let worst = 0;
  for (let a = 0; a < list.length; a++) {
    for (let b = a + 1; b < list.length; b++) {
      let v = 1;
      for (let j = 0; j < list[a]!.lo.length && v > 0; j++) {
        const lo = Math.max(list[a]!.lo[j]!, list[b]!.lo[j]!);
        const hi = Math.min(list[a]!.hi[j]!, list[b]!.hi[j]!);
        v *= Math.max(0, hi - lo);
      }
      worst = Math.max(worst, v);
    }
  }
  return worst;
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

/** The Pareto front of the rows strictly inside r, by brute force, as sorted strings. */
function bruteFront(points: number[][], r: number[]): string[] {
  const inside = points.filter((p) => p.every((v, j) => v < r[j]!));
  const keep = inside.filter(
    (p) => !inside.some((q) => q !== p && q.every((v, j) => v <= p[j]!) && q.some((v, j) => v < p[j]!)),
  );
  return [...new Set(keep.map((p) => p.join(',')))].sort();
}

function rowsKey(rows: number[][]): string[] {
  return rows.map((p) => p.join(',')).sort();
}

/** Random fronts: m in [2, 5], n in [0, 10]; integer grid (ties) or continuous values. */
const frontArb = fc.integer({ min: 2, max: 5 }).chain((m) =>
  fc.record({
    m: fc.constant(m),
    grid: fc.constantFrom(0, 3, 5),
    raw: fc.array(fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: m, maxLength: m }), {
      maxLength: 10,
    }),
    seed: fc.integer({ min: 0, max: 1 << 30 }),
  }),
);

function materialize(c: { m: number; grid: number; raw: number[][] }): { points: number[][]; r: number[] } {
  const g = c.grid;
  const points = c.raw.map((p) => p.map((v) => (g > 0 ? Math.min(g - 1, Math.floor(v * g)) : v)));
  const r = new Array<number>(c.m).fill(g > 0 ? g : 1);
  return { points, r };
}

// ---------- tests ----------

describe('hypervolume from the dominated boxes', () => {
  it('matches inclusion-exclusion on random continuous fronts, m = 2..6', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 6 }).chain((m) =>
          fc.array(fc.array(fc.double({ min: 0, max: 1.2, noNaN: true }), { minLength: m, maxLength: m }), {
            minLength: 1,
            maxLength: 10,
          }),
        ),
        (points) => {
          const m = points[0]!.length;
          const r = new Array<number>(m).fill(1);
          const expected = hvInclusionExclusion(points, r);
          const dp = new DominatedPartitioning(r, points);
          expect(dp.hypervolume()).toBeCloseTo(expected, 10);
          expect(sumVolumes(dp.boxes())).toBeCloseTo(expected, 10);
          expect(new NondominatedPartitioning(r, points).hypervolume()).toBeCloseTo(expected, 10);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('matches exact cell counting on integer grids (heavy ties), m = 2..6', () => {
    const rng = seedrandom('grid-hv');
    for (let m = 2; m <= 6; m++) {
      const g = m <= 4 ? 6 : 4;
      for (let trial = 0; trial < 12; trial++) {
        const n = 1 + Math.floor(rng() * 40);
        const points = Array.from({ length: n }, () =>
          Array.from({ length: m }, () => Math.floor(rng() * g)),
        );
        const r = new Array<number>(m).fill(g);
        const expected = hvCellCount(points, g, m);
        const dp = new DominatedPartitioning(r, points);
        expect(sumVolumes(dp.boxes())).toBeCloseTo(expected, 9);
        expect(dp.hypervolume()).toBeCloseTo(expected, 9);
        expect(new NondominatedPartitioning(r, points).hypervolume()).toBeCloseTo(expected, 9);
      }
    }
  });

  it('is zero for an empty front or points outside the reference box', () => {
    for (const m of [2, 3, 5]) {
      const r = new Array<number>(m).fill(1);
      const outside = [new Array<number>(m).fill(1), [...new Array<number>(m - 1).fill(0), 2]];
      for (const pts of [[], outside]) {
        const dp = new DominatedPartitioning(r, pts);
        expect(dp.hypervolume()).toBe(0);
        expect(dp.boxes().count).toBe(0);
        const np = new NondominatedPartitioning(r, pts);
        expect(np.front().rows).toBe(0);
        const b = np.boxes();
        expect(b.count).toBe(1);
        expect(Array.from(b.lower)).toEqual(new Array<number>(m).fill(Number.NEGATIVE_INFINITY));
        expect(Array.from(b.upper)).toEqual(r);
      }
    }
  });
});

describe('dominated and non-dominated boxes tile the reference box', () => {
  it('volumes add up, boxes are disjoint, and membership matches brute force', () => {
    fc.assert(
      fc.property(frontArb, (c) => {
        const { points, r } = materialize(c);
        const m = c.m;
        const corner = new Array<number>(m).fill(-0.5);
        const dp = new DominatedPartitioning(r, points);
        const np = new NondominatedPartitioning(r, points);
        const D = dp.boxes();
        const N = np.boxesWithin(corner);
        const all = [...boxes(D), ...boxes(N)];
        for (const b of all) for (let j = 0; j < m; j++) expect(b.hi[j]!).toBeGreaterThan(b.lo[j]!);
        const boxVol = r.reduce((a, v, j) => a * (v - corner[j]!), 1);
        expect(sumVolumes(D) + sumVolumes(N)).toBeCloseTo(boxVol, 9);
        expect(totalVolume(D) + totalVolume(N)).toBeCloseTo(boxVol, 9);
        expect(maxOverlap(all)).toBe(0);
        const rng = seedrandom(String(c.seed));
        for (let s = 0; s < 200; s++) {
          const z = r.map((v, j) => corner[j]! + rng() * (v - corner[j]!));
          const inD = countContaining(D, z);
          const inN = countContaining(N, z);
          expect(inD + inN).toBe(1);
          expect(inD === 1).toBe(dominated(points, z));
        }
      }),
      { numRuns: 120 },
    );
  });

  it('unclipped non-dominated boxes reach -Infinity only where nothing bounds them', () => {
    const r = [1, 1, 1];
    const points = [
      [0.2, 0.5, 0.7],
      [0.6, 0.1, 0.4],
      [0.5, 0.6, 0.1],
    ];
    const b = new NondominatedPartitioning(r, points).boxes();
    // every box has an infinite lower bound in some coordinate (N is a union of lower orthants)
    for (let i = 0; i < b.count; i++) {
      expect(Array.from(b.lower.subarray(i * 3, i * 3 + 3)).some((v) => v === Number.NEGATIVE_INFINITY)).toBe(
        true,
      );
    }
    // a point far below everything is in exactly one box
    expect(countContaining(b, [-1e9, -1e9, -1e9])).toBe(1);
  });

  it('m = 2 uses the staircase: n + 1 non-dominated and n dominated boxes', () => {
    const r = [4, 4];
    const points = [
      [1, 3],
      [2, 1],
      [3, 3.5],
    ];
    const np = new NondominatedPartitioning(r, points);
    expect(np.boxes().count).toBe(3);
    expect(toRows(np.front())).toEqual([
      [1, 3],
      [2, 1],
    ]);
    expect(toRows(np.localUpperBounds())).toEqual([
      [1, 4],
      [2, 3],
      [4, 1],
    ]);
    const dp = new DominatedPartitioning(r, points);
    expect(dp.boxes().count).toBe(2);
    expect(dp.hypervolume()).toBe(7);
  });
});

describe('local upper bounds', () => {
  it('has 2n + 1 bounds for m = 3 in general position, none above a front point', () => {
    const rng = seedrandom('lub3');
    for (let trial = 0; trial < 20; trial++) {
      // points on the plane x + y + z = 1 are mutually non-dominated
      const n = 1 + Math.floor(rng() * 30);
      const points = Array.from({ length: n }, () => {
        const a = rng();
        const b = rng() * (1 - a);
        return [a, b, 1 - a - b];
      });
      const np = new NondominatedPartitioning([1.5, 1.5, 1.5], points);
      const U = toRows(np.localUpperBounds());
      expect(U.length).toBe(2 * n + 1);
      for (const u of U) expect(points.some((p) => p.every((v, j) => v < u[j]!))).toBe(false);
    }
  });
});

describe('incremental updates', () => {
  it('give the same regions in any order and chunking, with junk points mixed in', () => {
    fc.assert(
      fc.property(
        frontArb,
        fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 1, maxLength: 12 }),
        (c, chunks) => {
          const { points, r } = materialize(c);
          const m = c.m;
          const rng = seedrandom(`inc${c.seed}`);
          // junk: duplicates, dominated copies, points outside the box
          const junk: number[][] = [];
          for (const p of points.slice(0, 3)) {
            junk.push([...p]);
            junk.push(p.map((v) => v + 0.25));
            junk.push(p.map((v, j) => (j === 0 ? r[0]! + 1 : v)));
            junk.push(p.map((v, j) => (j === m - 1 ? Number.POSITIVE_INFINITY : v)));
          }
          const all = [...points, ...junk];
          for (let i = all.length - 1; i > 0; i--) {
            const k = Math.floor(rng() * (i + 1));
            [all[i], all[k]] = [all[k]!, all[i]!];
          }
          const oneShotN = new NondominatedPartitioning(r, points);
          const oneShotD = new DominatedPartitioning(r, points);
          const incN = new NondominatedPartitioning(r);
          const incD = new DominatedPartitioning(r);
          let at = 0;
          let ci = 0;
          while (at < all.length) {
            const size = chunks[ci++ % chunks.length]!;
            const chunk = all.slice(at, at + size);
            incN.update(chunk);
            incD.update(chunk);
            at += size;
          }
          incN.update([]);
          expect(rowsKey(toRows(incN.front()))).toEqual(bruteFront(points, r));
          expect(rowsKey(toRows(incD.front()))).toEqual(bruteFront(points, r));
          expect(incD.hypervolume()).toBeCloseTo(oneShotD.hypervolume(), 10);
          expect(incN.hypervolume()).toBeCloseTo(oneShotN.hypervolume(), 10);
          const corner = new Array<number>(m).fill(-1);
          const a = incN.boxesWithin(corner);
          const b = oneShotN.boxesWithin(corner);
          expect(totalVolume(a)).toBeCloseTo(totalVolume(b), 9);
          expect(maxOverlap(boxes(a))).toBe(0);
          for (let s = 0; s < 100; s++) {
            const z = r.map((v, j) => corner[j]! + rng() * (v - corner[j]!));
            expect(countContaining(a, z)).toBe(countContaining(b, z));
            expect(countContaining(incD.boxes(), z)).toBe(countContaining(oneShotD.boxes(), z));
          }
        },
      ),
      { numRuns: 100 },
    );
  });

  it('large batches with ties and duplicates (pre-filtered), into empty and non-empty fronts', () => {
    const rng = seedrandom('large-batches');
    for (const m of [3, 4]) {
      const g = 5;
      const r = new Array<number>(m).fill(g);
      const grid = () => Array.from({ length: m }, () => Math.floor(rng() * g));
      const first = Array.from({ length: 150 }, grid);
      const second = Array.from({ length: 150 }, grid);
      const np = new NondominatedPartitioning(r, first);
      const dp = new DominatedPartitioning(r, first);
      expect(rowsKey(toRows(np.front()))).toEqual(bruteFront(first, r));
      expect(dp.hypervolume()).toBeCloseTo(hvCellCount(first, g, m), 9);
      np.update(second);
      dp.update(second);
      const all = [...first, ...second];
      expect(rowsKey(toRows(np.front()))).toEqual(bruteFront(all, r));
      expect(rowsKey(toRows(dp.front()))).toEqual(bruteFront(all, r));
      const expected = hvCellCount(all, g, m);
      expect(dp.hypervolume()).toBeCloseTo(expected, 9);
      expect(np.hypervolume()).toBeCloseTo(expected, 9);
      const corner = new Array<number>(m).fill(-1);
      expect(totalVolume(np.boxesWithin(corner)) + expected).toBeCloseTo((g + 1) ** m, 9);
    }
  });

  it('a point that dominates the whole front replaces it', () => {
    const r = [1, 1, 1, 1];
    const np = new NondominatedPartitioning(r, [
      [0.5, 0.2, 0.3, 0.4],
      [0.3, 0.5, 0.2, 0.4],
    ]);
    np.boxes();
    np.update([[0.1, 0.1, 0.1, 0.1]]);
    expect(toRows(np.front())).toEqual([[0.1, 0.1, 0.1, 0.1]]);
    expect(np.hypervolume()).toBeCloseTo(0.9 ** 4, 12);
    expect(np.localUpperBounds().rows).toBe(4);
  });
});

describe('approximate partitioning (alpha > 0)', () => {
  for (const alpha of [1e-3, 1e-2]) {
    it(`alpha = ${alpha}: disjoint, inside N, missed volume within approximationError()`, () => {
      const rng = seedrandom(`approx${alpha}`);
      for (const m of [3, 4, 5]) {
        for (let trial = 0; trial < 6; trial++) {
          const n = 2 + Math.floor(rng() * 25);
          const grid = trial % 2 === 0 ? 0 : 5;
          const points = Array.from({ length: n }, () =>
            Array.from({ length: m }, () => (grid ? Math.floor(rng() * grid) / grid : rng())),
          );
          const r = new Array<number>(m).fill(1);
          const approx = new NondominatedPartitioning(r, points, { alpha });
          const exact = new NondominatedPartitioning(r, points);
          // the approximate hypervolume is still exact
          expect(approx.hypervolume()).toBeCloseTo(exact.hypervolume(), 12);
          const corner = new Array<number>(m).fill(-1);
          const A = approx.boxesWithin(corner);
          const E = exact.boxesWithin(corner);
          expect(maxOverlap(boxes(A))).toBe(0);
          for (let s = 0; s < 300; s++) {
            const z = r.map(() => -1 + rng() * 2);
            const inA = countContaining(A, z);
            expect(inA).toBeLessThanOrEqual(1);
            if (inA === 1) expect(dominated(points, z)).toBe(false);
          }
          // every missed point lies in [ideal, r]: outside it, the approximation is exact
          const ideal = r.map((_, j) => Math.min(...points.map((p) => p[j]!)));
          const missed = sumVolumes(E) - sumVolumes(A);
          const err = approx.approximationError();
          expect(missed).toBeGreaterThanOrEqual(-1e-12);
          expect(missed).toBeLessThanOrEqual(err + 1e-12);
          const scale = ideal.reduce((a, v, j) => a * (r[j]! - v), 1);
          expect(err).toBeLessThanOrEqual(scale);
          const outsideA = approx.boxesWithin(corner);
          let outsideMissed = 0;
          for (let s = 0; s < 200; s++) {
            const z = r.map((_, j) => -1 + rng() * (ideal[j]! + 1));
            if (countContaining(outsideA, z) !== 1) outsideMissed++;
          }
          expect(outsideMissed).toBe(0);
        }
      }
    });
  }

  it('tightens as alpha shrinks and is exact for m = 2', () => {
    const rng = seedrandom('tight');
    const points = Array.from({ length: 30 }, () => {
      const v = [rng(), rng(), rng(), rng()];
      const s = Math.hypot(...v);
      return v.map((x) => x / s);
    });
    const r = [1.1, 1.1, 1.1, 1.1];
    const coarse = new NondominatedPartitioning(r, points, { alpha: 1e-1 });
    const fine = new NondominatedPartitioning(r, points, { alpha: 1e-4 });
    expect(fine.approximationError()).toBeLessThan(coarse.approximationError());
    expect(fine.boxes().count).toBeGreaterThan(coarse.boxes().count);
    const two = new NondominatedPartitioning([1, 1], [[0.5, 0.5]], { alpha: 0.1 });
    expect(two.approximationError()).toBe(0);
    expect(two.boxes().count).toBe(2);
  });
});

describe('input validation', () => {
  it('names the function and the bad value', () => {
    expect(() => new NondominatedPartitioning([1])).toThrow(/reference has length 1, expected at least 2/);
    expect(() => new DominatedPartitioning([1, Number.NaN])).toThrow(/reference\[1\] is NaN/);
    expect(() => new NondominatedPartitioning([1, 1], [[0, 0, 0]])).toThrow(/3 columns, expected m = 2/);
    expect(() => new NondominatedPartitioning([1, 1], [[0, Number.NaN]])).toThrow(/points\[0\]\[1\] is NaN/);
    expect(() => new DominatedPartitioning([1, 1], [[Number.NEGATIVE_INFINITY, 0]])).toThrow(/-Infinity/);
    expect(() => new NondominatedPartitioning([1, 1, 1], [], { alpha: 1 })).toThrow(/alpha is 1/);
    expect(() => new NondominatedPartitioning([1, 1, 1]).boxesWithin([0, 0])).toThrow(
      /lowerCorner has length 2, expected 3/,
    );
  });
});
