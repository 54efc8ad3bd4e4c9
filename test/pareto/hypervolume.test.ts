import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { matrix } from '../../src/linalg/matrix.js';
import { hypervolume, hypervolumeContributions } from '../../src/pareto/hypervolume.js';

// ---------------------------------------------------------------------------------------------
// Independent references, written only for these tests.
// ---------------------------------------------------------------------------------------------

/** Exact volume by inclusion-exclusion over all non-empty subsets, in BigInt (integer points). */
function inclusionExclusionExact(points: number[][], ref: number[]): bigint {
  const pts = points.filter((p) => p.every((v, j) => v < ref[j]!));
  const n = pts.length;
  const m = ref.length;
  let total = 0n;
  for (let mask = 1; mask < 1 << n; mask++) {
    let prod = 1n;
    let bits = 0;
    for (let j = 0; j < m; j++) {
      let hi = Number.NEGATIVE_INFINITY;
      for (let i = 0; i < n; i++) {
        if (mask & (1 << i)) hi = Math.max(hi, pts[i]![j]!);
      }
      prod *= BigInt(ref[j]! - hi);
    }
    for (let i = 0; i < n; i++) if (mask & (1 << i)) bits++;
    total += bits % 2 === 1 ? prod : -prod;
  }
  return total;
}

/** Volume by counting unit cells [c, c + 1]^m of the integer grid 0..ref-1 that some point dominates. */
function cellCount(points: number[][], ref: number[]): number {
  const m = ref.length;
  const pts = points.filter((p) => p.every((v, j) => v < ref[j]!));
  const cell = new Array<number>(m).fill(0);
  let count = 0;
  for (;;) {
    for (const p of pts) {
      let dom = true;
      for (let j = 0; j < m; j++) {
        if (p[j]! > cell[j]!) {
          dom = false;
          break;
        }
      }
      if (dom) {
        count++;
        break;
      }
    }
    let j = 0;
    while (j < m && ++cell[j]! >= ref[j]!) cell[j++] = 0;
    if (j === m) return count;
  }
}

/** Volume by slicing along the last objective and recursing, down to an interval at m = 1. */
function slicing(points: number[][], ref: number[]): number {
  const m = ref.length;
  const pts = points.filter((p) => p.every((v, j) => v < ref[j]!));
  if (pts.length === 0) return 0;
  if (m === 1) return ref[0]! - Math.min(...pts.map((p) => p[0]!));
  const sorted = [...pts].sort((a, b) => a[m - 1]! - b[m - 1]!);
  let v = 0;
  for (let k = 0; k < sorted.length; k++) {
    const hi = k + 1 < sorted.length ? sorted[k + 1]![m - 1]! : ref[m - 1]!;
    const w = hi - sorted[k]![m - 1]!;
    if (w > 0)
      v +=
        w *
        slicing(
          sorted.slice(0, k + 1).map((p) => p.slice(0, m - 1)),
          ref.slice(0, m - 1),
        );
  }
  return v;
}

function relErr(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

/** Deterministic generator for the non-property tests (Park-Miller style LCG). */
function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 48271) >>> 0) % 2147483647;
    return s / 2147483647;
  };
}

function randomIntPoints(rand: () => number, n: number, m: number, hi: number): number[][] {
  return Array.from({ length: n }, () => Array.from({ length: m }, () => Math.floor(rand() * hi)));
}

/** Integer points near the positive orthant of a sphere of radius r: a front with many ties. */
function sphereGrid(rand: () => number, n: number, m: number, r: number): number[][] {
  return Array.from({ length: n }, () => {
    const v = Array.from({ length: m }, () => Math.abs(Math.log(rand() + 1e-12)) + 1e-3);
    const norm = Math.hypot(...v);
    // Concave sphere points mirrored so that the front is convex towards the ideal point.
    return v.map((x) => Math.min(r - 1, Math.floor(r - (r * x) / norm)));
  });
}

// ---------------------------------------------------------------------------------------------

describe('hypervolume against brute force', () => {
  it('matches exact inclusion-exclusion on random integer sets, m = 1..8', () => {
    const rand = lcg(11);
    for (let m = 1; m <= 8; m++) {
      for (let trial = 0; trial < 40; trial++) {
        const n = 1 + Math.floor(rand() * (m <= 4 ? 12 : 9));
        const pts = randomIntPoints(rand, n, m, 8);
        const ref = new Array<number>(m).fill(7);
        expect(hypervolume(pts, ref)).toBe(Number(inclusionExclusionExact(pts, ref)));
      }
    }
  });

  it('matches cell counting on the grid 0..6, reference 7, m = 2..6', () => {
    const rand = lcg(5);
    for (let m = 2; m <= 6; m++) {
      const trials = m <= 4 ? 30 : 6;
      for (let trial = 0; trial < trials; trial++) {
        const n = 1 + Math.floor(rand() * 30);
        const pts = trial % 2 === 0 ? randomIntPoints(rand, n, m, 7) : sphereGrid(rand, n, m, 7);
        const ref = new Array<number>(m).fill(7);
        expect(hypervolume(pts, ref)).toBe(cellCount(pts, ref));
      }
    }
  });

  it('matches cell counting on large fronts with many ties (m = 3, 4)', () => {
    const rand = lcg(99);
    for (const [m, n, r] of [
      [3, 800, 40],
      [3, 400, 25],
      [4, 300, 14],
    ] as const) {
      const pts = sphereGrid(rand, n, m, r);
      const ref = new Array<number>(m).fill(r);
      expect(hypervolume(pts, ref)).toBe(cellCount(pts, ref));
    }
  });

  it('is within 1e-12 of exact dyadic inclusion-exclusion, m = 2..8', () => {
    const rand = lcg(2024);
    for (let m = 2; m <= 8; m++) {
      for (let trial = 0; trial < 10; trial++) {
        const n = 2 + Math.floor(rand() * 9);
        // Coordinates k / 1024 on a shifted front: p_j in (0, 1), reference 1.
        const ints = sphereGrid(rand, n, m, 1024).map((p) => p.map((v) => Math.max(1, v)));
        const pts = ints.map((p) => p.map((v) => v / 1024));
        const exact = Number(inclusionExclusionExact(ints, new Array<number>(m).fill(1024))) / 1024 ** m;
        expect(relErr(hypervolume(pts, new Array<number>(m).fill(1)), exact)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('agrees with the slicing recursion on real-valued fronts, m = 2..6', () => {
    const rand = lcg(7);
    for (const [m, n] of [
      [2, 500],
      [3, 250],
      [4, 70],
      [5, 30],
      [6, 15],
    ] as const) {
      for (let trial = 0; trial < 3; trial++) {
        const pts = Array.from({ length: n }, () => {
          const v = Array.from({ length: m }, () => Math.abs(Math.log(rand() + 1e-12)));
          const norm = Math.hypot(...v);
          return v.map((x) => (trial === 2 ? rand() : x / norm));
        });
        const ref = new Array<number>(m).fill(1.1);
        expect(relErr(hypervolume(pts, ref), slicing(pts, ref))).toBeLessThanOrEqual(1e-12);
      }
    }
  });
});

describe('hypervolumeContributions against brute force', () => {
  it('equals HV(all) - HV(all but i) by exact inclusion-exclusion, m = 1..7', () => {
    const rand = lcg(3);
    for (let m = 1; m <= 7; m++) {
      for (let trial = 0; trial < 25; trial++) {
        const n = 1 + Math.floor(rand() * (m <= 4 ? 11 : 8));
        const pts = trial % 3 === 0 ? sphereGrid(rand, n, m, 8) : randomIntPoints(rand, n, m, 9);
        // Duplicate one point now and then.
        if (trial % 4 === 1) pts.push([...pts[0]!]);
        const ref = new Array<number>(m).fill(8);
        const all = inclusionExclusionExact(pts, ref);
        const c = hypervolumeContributions(pts, ref);
        expect(c.length).toBe(pts.length);
        for (let i = 0; i < pts.length; i++) {
          const rest = pts.filter((_, k) => k !== i);
          expect(c[i]).toBe(Number(all - inclusionExclusionExact(rest, ref)));
        }
      }
    }
  });

  it('equals HV(all) - HV(all but i) by slicing on real-valued fronts, m = 2..5', () => {
    const rand = lcg(17);
    for (const [m, n] of [
      [2, 60],
      [3, 40],
      [4, 25],
      [5, 12],
    ] as const) {
      const pts = Array.from({ length: n }, () => Array.from({ length: m }, () => rand()));
      const ref = new Array<number>(m).fill(1);
      const all = slicing(pts, ref);
      const c = hypervolumeContributions(pts, ref);
      for (let i = 0; i < n; i++) {
        const ex =
          all -
          slicing(
            pts.filter((_, k) => k !== i),
            ref,
          );
        expect(Math.abs(c[i]! - ex)).toBeLessThanOrEqual(1e-12 * all);
      }
    }
  });
});

describe('hypervolume on tie-heavy grid sets', () => {
  // Points drawn with repetition from a small pool on the grid 0..5: duplicates, coordinates tied in
  // every objective, and (from 256 points on) the radix path of the sort.
  const gridArb = fc.integer({ min: 2, max: 5 }).chain((m) =>
    fc.record({
      m: fc.constant(m),
      pool: fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: m, maxLength: m }), {
        minLength: 1,
        maxLength: 40,
      }),
      picks: fc.array(fc.nat(), { minLength: 0, maxLength: 400 }),
    }),
  );

  it('matches cell counting with duplicates and ties, up to 400 points, m = 2..5', () => {
    fc.assert(
      fc.property(gridArb, ({ m, pool, picks }) => {
        const pts = picks.map((k) => pool[k % pool.length]!);
        const ref = new Array<number>(m).fill(6);
        expect(hypervolume(pts, ref)).toBe(
          cellCount(
            pool.filter((_, k) => picks.some((q) => q % pool.length === k)),
            ref,
          ),
        );
      }),
      { numRuns: 60 },
    );
  });

  it('matches cell counting when most points are dominated, duplicated or on the reference boundary, m = 2..6', () => {
    // Low points (future pivots of the dominated-point filter) with their duplicates, many points
    // they dominate, and points with a coordinate on the reference (6): the filter's rounds, the
    // pivot kept once, the columns (m <= 5) and rows (m = 6) paths.
    const arb = fc.integer({ min: 2, max: 6 }).chain((m) =>
      fc.record({
        m: fc.constant(m),
        low: fc.array(fc.array(fc.integer({ min: 0, max: 2 }), { minLength: m, maxLength: m }), {
          minLength: 1,
          maxLength: 4,
        }),
        rest: fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: m, maxLength: m }), {
          maxLength: m === 6 ? 60 : 300,
        }),
        copies: fc.integer({ min: 1, max: 5 }),
        seed: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ m, low, rest, copies, seed }) => {
        const pts = [...rest];
        for (const p of low) for (let c = 0; c < copies; c++) pts.push(p);
        // A fixed shuffle: the pivot and its duplicates anywhere in the input.
        const rand = lcg(seed + 1);
        for (let i = pts.length - 1; i > 0; i--) {
          const j = Math.floor(rand() * (i + 1));
          [pts[i], pts[j]] = [pts[j]!, pts[i]!];
        }
        const ref = new Array<number>(m).fill(6);
        expect(hypervolume(pts, ref)).toBe(cellCount(pts, ref));
      }),
      { numRuns: 80 },
    );
  });

  it('drops the repeats of large sets (512 points and more) and matches cell counting, m = 2..5', () => {
    // From 512 input rows on, the gathering pass also drops repeated points if an eighth of the
    // first 128 repeat: grid fronts (coordinates summing to 10, none dominating another) drawn with
    // repetition, some points dominated or on the reference (6), optionally low points (the
    // filter's pivots, then its rounds) and a front of distinct points first (the sample sees few
    // repeats, and the rest is left to the kernels).
    const arb = fc.integer({ min: 2, max: 5 }).chain((m) =>
      fc.record({
        m: fc.constant(m),
        pool: fc.array(fc.array(fc.integer({ min: 0, max: 5 }), { minLength: m - 1, maxLength: m - 1 }), {
          minLength: 1,
          maxLength: 60,
        }),
        extra: fc.array(fc.array(fc.integer({ min: 0, max: 6 }), { minLength: m, maxLength: m }), {
          maxLength: 5,
        }),
        low: fc.boolean(),
        n: fc.integer({ min: 512, max: 3000 }),
        distinctFirst: fc.boolean(),
        seed: fc.nat(),
      }),
    );
    fc.assert(
      fc.property(arb, ({ m, pool, extra, low, n, distinctFirst, seed }) => {
        const rand = lcg(seed + 1);
        // The last coordinate makes the sum 10 where it can (0..5), else the point is dominated or
        // on the reference.
        const front = [
          ...pool.map((p) => [...p, Math.max(0, Math.min(6, 10 - p.reduce((a, b) => a + b, 0)))]),
          ...extra,
        ];
        const pts: number[][] = [];
        for (let i = 0; i < n; i++) pts.push(front[Math.floor(rand() * front.length)]!);
        if (low) {
          for (let c = 0; c < 3; c++) pts.splice(Math.floor(rand() * pts.length), 0, new Array(m).fill(1));
        }
        if (distinctFirst) {
          // 300 distinct points in front, none dominating another, inside the box but above 5 in
          // every objective: the point (5, ..., 5) dominates them, and it is added.
          for (let i = 0; i < 300; i++) {
            const p = new Array<number>(m).fill(5.5);
            p[0] = 5 + (i + 1) / 302;
            p[1] = 5 + (300 - i) / 302;
            pts.unshift(p);
          }
          pts.push(new Array<number>(m).fill(5));
        }
        const ref = new Array<number>(m).fill(6);
        const grid = pts.filter((p) => p.every((v) => Number.isInteger(v)));
        const unique = [...new Map(grid.map((p) => [p.join(','), p])).values()];
        expect(hypervolume(pts, ref)).toBe(cellCount(unique, ref));
      }),
      { numRuns: 24 },
    );
  });

  it('matches cell counting on large grid sets (m = 3, n = 1500; m = 4, n = 800) and uniform grid clouds', () => {
    const rand = lcg(31);
    for (const [m, n, r] of [
      [3, 1500, 17],
      [4, 800, 9],
      [5, 300, 6],
    ] as const) {
      // The simplex front snapped to the grid, and points uniform on the grid (mostly dominated).
      const front = Array.from({ length: n }, () => {
        const v = Array.from({ length: m }, () => -Math.log(1 - rand()));
        const sum = v.reduce((a, b) => a + b, 0);
        return v.map((x) => Math.min(r - 1, Math.round(((r - 1) * x) / sum)));
      });
      const ref = new Array<number>(m).fill(r);
      expect(hypervolume(front, ref)).toBe(cellCount(front, ref));
      const cloud = randomIntPoints(rand, n, m, r);
      expect(hypervolume(cloud, ref)).toBe(cellCount(cloud, ref));
    }
  });

  it('gives the same results whatever was computed before (the reused buffers)', () => {
    // Calls alternate sizes, objective counts and functions so that every buffer is grown, reused
    // while larger than needed, and read after a call that filled it with other points.
    const rand = lcg(77);
    const cases = [
      [3, 600],
      [2, 40],
      [4, 300],
      [3, 5],
      [6, 30],
      [5, 120],
      [4, 1000],
      [2, 2000],
      [3, 50],
      [7, 12],
    ] as const;
    const fresh = cases.map(([m, n]) => {
      const r = m <= 4 ? 9 : 5;
      const pts = sphereGrid(rand, n, m, r);
      const ref = new Array<number>(m).fill(r);
      return { pts, ref, hv: cellCount(pts, ref) };
    });
    for (let round = 0; round < 2; round++) {
      for (const { pts, ref, hv } of round === 0 ? fresh : [...fresh].reverse()) {
        expect(hypervolume(pts, ref)).toBe(hv);
        if (pts.length <= 50 && ref.length <= 5) {
          const c = hypervolumeContributions(pts, ref);
          for (let i = 0; i < pts.length; i++) {
            expect(c[i]).toBe(
              hv -
                cellCount(
                  pts.filter((_, k) => k !== i),
                  ref,
                ),
            );
          }
        }
      }
    }
  });
});

describe('hypervolume properties', () => {
  const setArb = fc.integer({ min: 2, max: 6 }).chain((m) =>
    fc.record({
      m: fc.constant(m),
      pts: fc.array(fc.array(fc.integer({ min: 0, max: 7 }), { minLength: m, maxLength: m }), {
        minLength: 0,
        maxLength: m <= 4 ? 14 : 9,
      }),
      extra: fc.array(fc.integer({ min: 0, max: 7 }), { minLength: m, maxLength: m }),
      keys: fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 20, maxLength: 20 }),
    }),
  );

  function permutation(keys: number[], n: number): number[] {
    return Array.from({ length: n }, (_, i) => i).sort(
      (a, b) => keys[a % keys.length]! - keys[b % keys.length]! || a - b,
    );
  }

  it('is invariant under reordering points and permuting objectives', () => {
    fc.assert(
      fc.property(setArb, ({ m, pts, keys }) => {
        const ref = new Array<number>(m).fill(7);
        const hv = hypervolume(pts, ref);
        const rowPerm = permutation(keys, pts.length);
        expect(
          hypervolume(
            rowPerm.map((i) => pts[i]!),
            ref,
          ),
        ).toBe(hv);
        const colPerm = permutation(keys.slice().reverse(), m);
        expect(
          hypervolume(
            pts.map((p) => colPerm.map((j) => p[j]!)),
            ref,
          ),
        ).toBe(hv);
      }),
      { numRuns: 150 },
    );
  });

  it('never decreases when a point is added, and ignores dominated additions', () => {
    fc.assert(
      fc.property(setArb, ({ m, pts, extra }) => {
        const ref = new Array<number>(m).fill(7);
        const hv = hypervolume(pts, ref);
        expect(hypervolume([...pts, extra], ref)).toBeGreaterThanOrEqual(hv);
        if (pts.length > 0) {
          const dominated = pts[0]!.map((v, j) => Math.min(7, v + (extra[j]! % 3)));
          expect(hypervolume([...pts, dominated], ref)).toBe(hv);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('contributions equal brute-force HV(all) - HV(all but one)', () => {
    fc.assert(
      fc.property(setArb, ({ m, pts }) => {
        const ref = new Array<number>(m).fill(7);
        const c = hypervolumeContributions(pts, ref);
        const all = cellCount(pts, ref);
        for (let i = 0; i < pts.length; i++) {
          expect(c[i]).toBe(
            all -
              cellCount(
                pts.filter((_, k) => k !== i),
                ref,
              ),
          );
        }
      }),
      { numRuns: 60 },
    );
  });
});

describe('hypervolume edge cases and validation', () => {
  it("is Infinity where the volume of a kept point's box exceeds the largest double, at every m", () => {
    // Independent check: a box whose log-volume, Σ_j log(ref_j − p_j), exceeds log(MAX_VALUE)
    // makes the union overflow; below that, the volume is finite.
    const logVolume = (p: number[], ref: number[]) => p.reduce((s, v, j) => s + Math.log(ref[j]! - v), 0);
    for (let m = 1; m <= 9; m++) {
      const cases = [
        { points: [Array(m).fill(-1e308), Array(m).fill(0)], ref: Array(m).fill(1e308) },
        {
          points: [
            Array(m)
              .fill(-1e200)
              .map((v, j) => v + j),
            Array(m).fill(-1e100),
          ],
          ref: Array(m).fill(0),
        },
        {
          points: [Array(m).fill(-1e308), Array(m).fill(-1e308), Array(m).fill(5)],
          ref: Array(m).fill(1e308),
        },
        { points: [Array(m).fill(-1e150), Array(m).fill(-2e150)], ref: Array(m).fill(0) },
      ];
      for (const { points, ref } of cases) {
        const overflows = points.some(
          (p) => p.every((v, j) => v < ref[j]!) && logVolume(p, ref) > Math.log(Number.MAX_VALUE),
        );
        const value = hypervolume(points, ref);
        if (overflows) expect(value, `m = ${m}`).toBe(Number.POSITIVE_INFINITY);
        else expect(Number.isFinite(value), `m = ${m}: ${value}`).toBe(true);
      }
    }
  });

  it('handles empty sets, points outside the box and single points', () => {
    expect(hypervolume([], [1, 1])).toBe(0);
    expect(hypervolume(matrix(0, 3, new Float64Array(0)), [1, 1, 1])).toBe(0);
    expect(hypervolumeContributions([], [1, 1]).length).toBe(0);
    expect(hypervolume([[2, 0]], [1, 1])).toBe(0);
    expect(hypervolume([[0.5, 0.25, 0]], [1, 1, 1])).toBe(0.5 * 0.75);
    expect(Array.from(hypervolumeContributions([[0.5, 0.25, 0, 0]], [1, 1, 1, 1]))).toEqual([0.5 * 0.75]);
  });

  it('ignores points touching the reference and +Infinity coordinates', () => {
    expect(
      hypervolume(
        [
          [0, 1],
          [1, 0],
          [0.5, 0.5],
          [0.2, Number.POSITIVE_INFINITY],
        ],
        [1, 1],
      ),
    ).toBe(0.25);
    const c = hypervolumeContributions(
      [
        [0, 1],
        [0.5, 0.5],
      ],
      [1, 1],
    );
    expect(Array.from(c)).toEqual([0, 0.25]);
  });

  it('handles m = 1', () => {
    expect(hypervolume([[3], [1], [2], [5]], [4])).toBe(3);
    expect(Array.from(hypervolumeContributions([[3], [1], [2], [5]], [4]))).toEqual([0, 1, 0, 0]);
    expect(Array.from(hypervolumeContributions([[1], [1]], [4]))).toEqual([0, 0]);
  });

  it('gives duplicates and dominated points zero contribution, for every m', () => {
    for (let m = 2; m <= 6; m++) {
      const p = Array.from({ length: m }, (_, j) => 0.1 * (j + 1));
      const q = Array.from({ length: m }, (_, j) => 0.1 * (m - j));
      const dominated = p.map((v) => v + 0.05);
      const c = hypervolumeContributions([p, q, [...p], dominated], new Array<number>(m).fill(1));
      expect(c[0]).toBe(0);
      expect(c[2]).toBe(0);
      expect(c[3]).toBe(0);
      expect(c[1]).toBeGreaterThan(0);
      expect(hypervolume([p, q, [...p], dominated], new Array<number>(m).fill(1))).toBeCloseTo(
        hypervolume([p, q], new Array<number>(m).fill(1)),
        14,
      );
    }
  });

  it('accepts a Matrix', () => {
    const a = matrix(2, 2, Float64Array.from([0, 1, 1, 0]));
    expect(hypervolume(a, [2, 2])).toBe(3);
  });

  it('rejects bad shapes and non-finite values with clear errors', () => {
    expect(() => hypervolume([[1, 2]], [3])).toThrow(/2 objectives but reference has length 1/);
    expect(() => hypervolume([[1, 2], [1]], [3, 3])).toThrow(/row 1 has 1 values, expected 2/);
    expect(() => hypervolume([[1, Number.NaN]], [3, 3])).toThrow(/point 0 objective 1 is NaN/);
    expect(() => hypervolume([[Number.NEGATIVE_INFINITY, 1]], [3, 3])).toThrow(RangeError);
    expect(() => hypervolume([[1, 1]], [3, Number.NaN])).toThrow(/reference\[1\] must be a finite number/);
    // A distance to the reference that overflows is kept: the volume is not finite, for every m.
    for (let m = 1; m <= 6; m++) {
      const row: number[] = Array.from({ length: m }, (_, j) => (j === m - 1 ? -1e308 : 0));
      const ref: number[] = Array.from({ length: m }, (_, j) => (j === m - 1 ? 1e308 : 1));
      expect(Number.isFinite(hypervolume([row.map(() => 0.5), row], ref))).toBe(false);
    }
    expect(() => hypervolume([[1, 1]], [3, Number.POSITIVE_INFINITY])).toThrow(RangeError);
    expect(() => hypervolume([], [])).toThrow(/at least 1 objective/);
    expect(() => hypervolumeContributions([[Number.NaN]], [1])).toThrow(/hypervolumeContributions/);
    expect(() => hypervolume(matrix(1, 3, new Float64Array(3)), [1, 1])).toThrow(RangeError);
    expect(() => hypervolume(null as unknown as number[][], [1])).toThrow(TypeError);
    expect(() => hypervolume([[1]], 3 as unknown as number[])).toThrow(/reference must be an array/);
  });
});
