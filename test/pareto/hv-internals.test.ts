import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { limitSetContributions } from '../../src/pareto/hv/contributions.js';
import { dimensionSweep, SweepWorkspace } from '../../src/pareto/hv/dimension-sweep.js';
import { GatheredColumns } from '../../src/pareto/hv/gather.js';
import { hv2dContributions } from '../../src/pareto/hv/hv2d.js';
import { Hv3dWorkspace, hv3d } from '../../src/pareto/hv/hv3d.js';
import { Hv4dWorkspace, hv4d } from '../../src/pareto/hv/hv4d.js';
import { Hv5dWorkspace, hv5d } from '../../src/pareto/hv/hv5d.js';
import { Hvc3dWorkspace, hv3dContributions } from '../../src/pareto/hv/hvc3d.js';
import { argsortLex } from '../../src/pareto/hv/index-sort.js';
import { limitSet, limitSet4, MaskBuckets } from '../../src/pareto/hv/limit-set.js';
import { RankSet } from '../../src/pareto/hv/rank-set.js';
import { WfgWorkspace, wfg } from '../../src/pareto/hv/wfg.js';
import { slicing } from './hv-reference.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 48271) >>> 0) % 2147483647;
    return s / 2147483647;
  };
}

/** n x m rows translated so the reference is 0: sphere fronts, uniform clouds or grids with ties. */
function translatedSet(
  rand: () => number,
  n: number,
  m: number,
  kind: 'sphere' | 'cloud' | 'grid',
): Float64Array {
  const rows = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: m }, () => Math.abs(Math.log(rand() + 1e-12)) + 1e-6);
    const norm = Math.hypot(...v);
    for (let j = 0; j < m; j++) {
      const x = kind === 'sphere' ? v[j]! / norm : kind === 'cloud' ? rand() : Math.floor(rand() * 6) / 6;
      rows[i * m + j] = x - 1.1;
    }
  }
  return rows;
}

function column(rows: Float64Array, n: number, m: number, j: number): Float64Array {
  const c = new Float64Array(n);
  for (let i = 0; i < n; i++) c[i] = rows[i * m + j]!;
  return c;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('argsortLex', () => {
  it('sorts lexicographically like Array#sort, with many ties', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 0, max: 9 })), {
          maxLength: 300,
        }),
        (pairs) => {
          const n = pairs.length;
          const a = Float64Array.from(pairs.map((p) => p[0]));
          const b = Float64Array.from(pairs.map((p) => p[1]));
          const idx = new Int32Array(n);
          argsortLex(a, b, n, idx);
          expect([...idx].sort((x, y) => x - y)).toEqual(Array.from({ length: n }, (_, i) => i));
          const got = Array.from(idx, (i) => pairs[i]);
          const want = [...pairs].sort((x, y) => x[0] - y[0] || x[1] - y[1]);
          expect(got).toEqual(want);
        },
      ),
      { numRuns: 100 },
    );
  });
});

describe('GatheredColumns (the gathering passes, WebAssembly)', () => {
  const gathered = new GatheredColumns();

  /** What the gathering pass keeps, written plainly: rows (with their translated values) in order. */
  function gatherPlainly(rows: number[][], ref: number[], drop: boolean, distinct: boolean) {
    const kept: number[] = [];
    const points: number[][] = [];
    let best = Number.POSITIVE_INFINITY;
    let pivot = -1;
    let q: number[] | null = null;
    for (let i = 0; i < rows.length; i++) {
      const x = rows[i]!.map((v, j) => v - ref[j]!);
      const sum = x.reduce((a, b) => a + b);
      if (x.every((v) => v < 0) && sum > Number.NEGATIVE_INFINITY) {
        if (q?.every((v, j) => v <= x[j]!)) continue;
        if (sum < best) {
          best = sum;
          pivot = points.length;
          if (drop) q = x;
        }
      } else if (!rows[i]!.every((v, j) => v < ref[j]!)) {
        continue;
      }
      if (distinct && points.some((p) => p.every((v, j) => v === x[j]))) continue;
      kept.push(i);
      points.push(x);
    }
    return { kept, points, pivot };
  }

  const load = (rows: number[][], m: number) => {
    gathered.cover(rows.length);
    rows.forEach((r, i) => {
      for (let j = 0; j < m; j++) gathered.input[i * m + j] = r[j]!;
    });
  };
  /** The first n points the passes left, as the columns hold them after toColumns. */
  const columnsOf = (n: number, m: number) => {
    gathered.toColumns(n, m);
    return Array.from({ length: n }, (_, i) => Array.from({ length: m }, (_, j) => gathered.columns[j]![i]!));
  };
  /** The first n points the passes left, as rows (translated, over the input's first rows). */
  const rowsOf = (n: number, m: number) =>
    Array.from({ length: n }, (_, i) => Array.from(gathered.input.subarray(i * m, (i + 1) * m)));

  const arb = fc.integer({ min: 2, max: 5 }).chain((m) =>
    fc.record({
      m: fc.constant(m),
      // A small pool drawn with repetition: repeats, ties, points on and beyond the reference (3).
      pool: fc.array(fc.array(fc.integer({ min: -2, max: 4 }), { minLength: m, maxLength: m }), {
        minLength: 1,
        maxLength: 12,
      }),
      picks: fc.array(fc.nat(), { maxLength: 700 }),
      drop: fc.boolean(),
      distinct: fc.boolean(),
    }),
  );

  it('keeps what a plain filter keeps: inside the box, translated, in order, without dominated or repeated points', () => {
    fc.assert(
      fc.property(arb, ({ m, pool, picks, drop, distinct }) => {
        const rows = picks.map((k) => pool[k % pool.length]!.map((v) => v / 2));
        const ref = new Array<number>(m).fill(1.5);
        load(rows, m);
        const n = gathered.gather(rows.length, m, ref, drop, distinct);
        const want = gatherPlainly(rows, ref, drop, distinct);
        expect(n).toBe(want.kept.length);
        expect(Array.from(gathered.kept.subarray(0, n))).toEqual(want.kept);
        expect(rowsOf(n, m)).toEqual(want.points);
        expect(columnsOf(n, m)).toEqual(want.points);
        expect(gathered.pivot).toBe(want.pivot);
        expect(gathered.dropped).toBe(
          rows.filter((r) => r.every((v, j) => v < ref[j]!)).length - want.kept.length,
        );
        // The sample's count of repeats among the first rows.
        const k = Math.min(rows.length, 40);
        load(rows, m);
        const seen = new Set<string>();
        let repeats = 0;
        for (const r of rows.slice(0, k)) {
          const key = r.join(',');
          if (seen.has(key)) repeats++;
          seen.add(key);
        }
        expect(gathered.countRepeats(k, m)).toBe(repeats);
      }),
      { numRuns: 200 },
    );
  });

  it('pivot rounds keep every non-dominated point and drop only dominated ones (or repeats)', () => {
    fc.assert(
      fc.property(arb, ({ m, pool, picks }) => {
        const rows = picks.map((k) => pool[k % pool.length]!.map((v) => v / 2));
        const ref = new Array<number>(m).fill(1.5);
        load(rows, m);
        const n = gathered.gather(rows.length, m, ref, false, false);
        if (n < 2) return;
        const before = rowsOf(n, m);
        const left = gathered.dropDominated(n, m, gathered.pivot, 0);
        const after = rowsOf(left, m);
        expect(columnsOf(left, m)).toEqual(after);
        const weakly = (p: number[], q: number[]) => p.every((v, j) => v <= q[j]!);
        const strictly = (p: number[], q: number[]) => weakly(p, q) && p.some((v, j) => v < q[j]!);
        for (const p of before) {
          if (!before.some((q) => strictly(q, p))) expect(after).toContainEqual(p);
          expect(after.some((q) => weakly(q, p))).toBe(true);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('stops at the first NaN or -Infinity and names its row, across memory growth', () => {
    for (const [total, bad] of [
      [5, 3],
      [3000, 2999],
      [40, 0],
    ] as const) {
      for (const m of [2, 3, 4, 5]) {
        const rows = Array.from({ length: total }, (_, i) =>
          Array.from({ length: m }, (_, j) => ((i + j) % 7) / 8),
        );
        rows[bad]![m - 1] = bad % 2 === 0 ? Number.NaN : Number.NEGATIVE_INFINITY;
        if (bad + 1 < total) rows[bad + 1]![0] = Number.NaN;
        load(rows, m);
        expect(gathered.gather(total, m, new Array(m).fill(1), true, total > 100)).toBe(-1);
        expect(gathered.badRow).toBe(bad);
      }
    }
  });
});

describe('argsortLex on long inputs (bucket path)', () => {
  it('matches Array#sort for mixed signs, zeros, denormals, huge spans, close values and exact ties', () => {
    const rand = lcg(321);
    for (const n of [256, 300, 1024, 1500, 5000]) {
      for (const kind of ['spread', 'close', 'ties', 'extreme', 'grid']) {
        const a = new Float64Array(n);
        const b = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const u = rand();
          a[i] =
            kind === 'spread'
              ? (u - 0.5) * 10 ** Math.floor(rand() * 8 - 4)
              : kind === 'close'
                ? 1 + Math.floor(u * 50) * Number.EPSILON
                : kind === 'ties'
                  ? [0, -0, 1, -1, 0.5][Math.floor(u * 5)]!
                  : kind === 'extreme'
                    ? [1e300, -1e300, 5e-324, -5e-324, 0, -0, 2.2e-308, -1.5, 3][Math.floor(u * 9)]!
                    : Math.floor(u * 16) / 16 - 1.1;
          b[i] = Math.floor(rand() * 4);
        }
        // With a second key, and with the first key alone (the kernels' single-key sorts).
        for (const second of [b, a]) {
          const idx = new Int32Array(n);
          argsortLex(a, second, n, idx);
          for (let k = 1; k < n; k++) {
            const i = idx[k - 1]!;
            const j = idx[k]!;
            expect(a[i]! < a[j]! || (a[i] === a[j] && second[i]! <= second[j]!)).toBe(true);
          }
          expect(new Set(idx).size).toBe(n);
        }
      }
    }
  });
});

describe('RankSet', () => {
  it('agrees with a sorted-array model for insert, remove, pred and succ', () => {
    for (const capacity of [1, 31, 32, 33, 1000, 40000]) {
      const rand = lcg(capacity);
      const set = new RankSet(capacity);
      const model = new Set<number>();
      for (let step = 0; step < 3000; step++) {
        const r = Math.floor(rand() * capacity);
        if (rand() < 0.55) {
          set.insert(r);
          model.add(r);
        } else {
          set.remove(r);
          model.delete(r);
        }
        const q = Math.floor(rand() * capacity);
        const sorted = [...model].sort((x, y) => x - y);
        const below = sorted.filter((x) => x < q);
        const above = sorted.filter((x) => x > q);
        expect(set.pred(q)).toBe(below.length > 0 ? below[below.length - 1] : -1);
        expect(set.succ(q)).toBe(above.length > 0 ? above[0] : -1);
      }
    }
  });
});

describe('the algorithms agree with each other and with slicing', () => {
  it('hv3d and hv4d match WFG reduced to 2-D and the slicing recursion', () => {
    const rand = lcg(42);
    for (const kind of ['sphere', 'cloud', 'grid'] as const) {
      for (const [m, n] of [
        [3, 300],
        [4, 120],
      ] as const) {
        const rows = translatedSet(rand, n, m, kind);
        const cols = Array.from({ length: m }, (_, j) => column(rows, n, m, j));
        const direct =
          m === 3
            ? hv3d(cols[0]!, cols[1]!, cols[2]!, n, new Hv3dWorkspace())
            : hv4d(cols[0]!, cols[1]!, cols[2]!, cols[3]!, n, new Hv4dWorkspace());
        const viaWfg = wfg(rows, n, m, m, new WfgWorkspace(n, m), 2);
        const ref = slicing(rows, n, m);
        expect(rel(direct, ref)).toBeLessThanOrEqual(1e-12);
        expect(rel(viaWfg, ref)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('hv4d (linked list, z ranges) matches cell counting on grids with ties, duplicates and extreme z spans', () => {
    // Integer points in [-g, -1]^4 with z times a power of 2: the exact volume is the number of unit
    // cells some point dominates times that power. Scales 2^1000 and 2^-1000 stretch the z ranges;
    // at 2^-1022 their map overflows and every node shares one range.
    const cells = (pts: number[][], g: number): number => {
      let count = 0;
      const c = [0, 0, 0, 0];
      const total = g ** 4;
      for (let k = 0; k < total; k++) {
        let r = k;
        for (let j = 0; j < 4; j++) {
          c[j] = -g + (r % g);
          r = Math.floor(r / g);
        }
        if (pts.some((p) => p.every((v, j) => v <= c[j]!))) count++;
      }
      return count;
    };
    const point = (g: number) => fc.array(fc.integer({ min: -g, max: -1 }), { minLength: 4, maxLength: 4 });
    fc.assert(
      fc.property(
        fc
          .integer({ min: 2, max: 8 })
          .chain((g) =>
            fc.tuple(fc.constant(g), fc.array(point(g), { minLength: 1, maxLength: 120, size: 'max' })),
          ),
        fc.constantFrom(1, 2 ** 1000, 2 ** -1000, 2 ** -1022),
        fc.boolean(),
        ([g, pts], scale, twice) => {
          // Doubled sets put every point next to a duplicate somewhere in the order.
          const all = twice ? [...pts, ...pts.slice().reverse()] : pts;
          const n = all.length;
          const cols = [0, 1, 2, 3].map((j) =>
            Float64Array.from(all, (p) => (j === 2 ? p[j]! * scale : p[j]!)),
          );
          const v = hv4d(cols[0]!, cols[1]!, cols[2]!, cols[3]!, n, new Hv4dWorkspace());
          expect(v).toBe(cells(pts, g) * scale);
        },
      ),
      { numRuns: 1500, seed: 4 },
    );
  });

  it('hv3d on a large front matches WFG reduced to 2-D', () => {
    const rand = lcg(8);
    const n = 3000;
    const rows = translatedSet(rand, n, 3, 'sphere');
    const cols = [0, 1, 2].map((j) => column(rows, n, 3, j));
    const a = hv3d(cols[0]!, cols[1]!, cols[2]!, n, new Hv3dWorkspace());
    const b = wfg(rows, n, 3, 3, new WfgWorkspace(n, 3), 2);
    expect(rel(a, b)).toBeLessThanOrEqual(1e-12);
  });

  it('WFG with base cases 2, 3 and 4 and the dimension sweep agree for m = 5..7', () => {
    const rand = lcg(77);
    for (const [m, n] of [
      [5, 60],
      [6, 30],
      [7, 16],
    ] as const) {
      for (const kind of ['sphere', 'grid'] as const) {
        const rows = translatedSet(rand, n, m, kind);
        const ref = slicing(rows, n, m);
        for (const base of [2, 3, 4]) {
          expect(rel(wfg(rows, n, m, m, new WfgWorkspace(n, m), base), ref)).toBeLessThanOrEqual(1e-12);
        }
        expect(rel(dimensionSweep(rows, n, m, m, new SweepWorkspace(n, m)), ref)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('WFG matches the dimension sweep on larger 5-D and 6-D fronts', () => {
    const rand = lcg(55);
    for (const [m, n] of [
      [5, 400],
      [6, 120],
    ] as const) {
      for (const kind of ['sphere', 'grid', 'cloud'] as const) {
        const rows = translatedSet(rand, n, m, kind);
        const a = wfg(rows, n, m, m, new WfgWorkspace(n, m));
        const b = dimensionSweep(rows, n, m, m, new SweepWorkspace(n, m));
        expect(rel(a, b)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('hv4d and hv5d give the same volumes after their modules are rebuilt for larger sets', () => {
    // Their code has the memory regions' addresses as constants (kernel-module.ts): a set beyond the
    // capacity rebuilds the module, with a new memory.
    const rand = lcg(91);
    const volume = (rows: Float64Array, n: number, m: number) => {
      const c = [0, 1, 2, 3, 4].map((j) => (j < m ? column(rows, n, m, j) : new Float64Array(0)));
      return m === 4
        ? hv4d(c[0]!, c[1]!, c[2]!, c[3]!, n, new Hv4dWorkspace())
        : hv5d(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, n, new Hv5dWorkspace());
    };
    for (const [m, large] of [
      [4, 2500],
      [5, 1200],
    ] as const) {
      const small = translatedSet(rand, 40, m, 'sphere');
      const before = volume(small, 40, m);
      expect(rel(before, slicing(small, 40, m))).toBeLessThanOrEqual(1e-12);
      const rows = translatedSet(rand, large, m, 'sphere');
      const big = volume(rows, large, m);
      expect(rel(big, wfg(rows, large, m, m, new WfgWorkspace(large, m), 3))).toBeLessThanOrEqual(1e-12);
      expect(volume(small, 40, m)).toBe(before);
    }
  });

  it('2-D and 3-D contributions match the limit-set contributions', () => {
    const rand = lcg(5);
    for (const kind of ['sphere', 'cloud', 'grid'] as const) {
      for (const m of [2, 3]) {
        const n = 400;
        const rows = translatedSet(rand, n, m, kind);
        const cols = Array.from({ length: m }, (_, j) => column(rows, n, m, j));
        const fast = new Float64Array(n);
        if (m === 2) hv2dContributions(cols[0]!, cols[1]!, n, new Int32Array(n), fast);
        else hv3dContributions(cols[0]!, cols[1]!, cols[2]!, n, new Hvc3dWorkspace(), fast);
        const slow = new Float64Array(n);
        limitSetContributions(rows, n, m, slow);
        const total = slicing(rows, n, m);
        for (let i = 0; i < n; i++) expect(Math.abs(fast[i]! - slow[i]!)).toBeLessThanOrEqual(1e-13 * total);
      }
    }
  });

  it('limitSet4 matches limitSet, and both match a brute-force non-dominated filter', () => {
    const rand = lcg(9);
    for (let trial = 0; trial < 30; trial++) {
      const n = 80;
      const stride = 5;
      const rows = translatedSet(rand, n, stride, trial % 2 === 0 ? 'grid' : 'sphere');
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const p = Math.floor(rand() * n);
      const out1 = new Float64Array((n + 1) * stride);
      const out2 = new Float64Array((n + 1) * stride);
      const c1 = limitSet(rows, p * stride, order, 0, n, p, stride, 4, out1, new Int32Array(n + 1));
      const c2 = limitSet4(
        rows,
        p * stride,
        order,
        0,
        n,
        p,
        stride,
        out2,
        new Int32Array(n + 1),
        new MaskBuckets(2),
      );
      const rowsOf = (out: Float64Array, c: number) =>
        Array.from({ length: Math.max(c, 0) }, (_, i) => Array.from(out.subarray(i * stride, i * stride + 4)))
          .map((r) => r.join(','))
          .sort();
      // Brute force: clip, then keep the points no other clipped point weakly dominates (first copy wins).
      const clipped: number[][] = [];
      let covers = false;
      for (let i = 0; i < n; i++) {
        if (i === p) continue;
        const q = Array.from({ length: 4 }, (_, j) => Math.max(rows[i * stride + j]!, rows[p * stride + j]!));
        if (q.every((v, j) => v === rows[p * stride + j])) covers = true;
        clipped.push(q);
      }
      const le = (a: number[], b: number[]) => a.every((v, j) => v <= b[j]!);
      const nd = clipped.filter(
        (q, i) => !clipped.some((r, k) => k !== i && le(r, q) && (!le(q, r) || k < i)),
      );
      expect(c1).toBe(covers ? -1 : nd.length);
      expect(c2).toBe(c1);
      if (!covers) {
        expect(rowsOf(out1, c1)).toEqual(nd.map((r) => r.join(',')).sort());
        expect(rowsOf(out2, c2)).toEqual(rowsOf(out1, c1));
      }
    }
  });
});
