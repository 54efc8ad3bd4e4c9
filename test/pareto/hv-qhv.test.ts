import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { qhv } from '../../src/pareto/hv/qhv.js';
import { WfgWorkspace, wfg } from '../../src/pareto/hv/wfg.js';
import { hypervolume } from '../../src/pareto/hypervolume.js';
import { slicing } from './hv-reference.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s = (Math.imul(s, 48271) >>> 0) % 2147483647;
    return s / 2147483647;
  };
}

/** n x m rows translated so the reference is 0: sphere fronts, or the same snapped to 8 levels. */
function front(rand: () => number, n: number, m: number, grid: boolean): Float64Array {
  const rows = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: m }, () => Math.abs(Math.log(rand() + 1e-12)) + 1e-6);
    const norm = Math.hypot(...v);
    for (let j = 0; j < m; j++) {
      const x = v[j]! / norm;
      rows[i * m + j] = (grid ? Math.round(x * 8) / 8 : x) - 1.1;
    }
  }
  return rows;
}

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b);

describe('qhv (QHV-II)', () => {
  it('equals the slicing recursion exactly on integer sets with ties, duplicates and dominated points', () => {
    // Coordinates in -5..-1 (reference 0): every volume is an integer well below 2^53, so the sums
    // are exact whatever their order.
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }).chain((m) =>
          fc.tuple(
            fc.constant(m),
            fc.array(fc.array(fc.integer({ min: -5, max: -1 }), { minLength: m, maxLength: m }), {
              maxLength: m >= 7 ? 9 : 14,
            }),
          ),
        ),
        ([m, pts]) => {
          const n = pts.length;
          const rows = Float64Array.from(pts.flat());
          expect(qhv(rows, n, m)).toBe(slicing(rows, n, m));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('matches WFG down to the 2-D sweep on fronts and grids for m = 4..8', () => {
    const rand = lcg(7);
    for (const [m, n] of [
      [4, 120],
      [5, 90],
      [6, 70],
      [7, 45],
      [8, 30],
    ] as const) {
      for (const grid of [false, true]) {
        const rows = front(rand, n, m, grid);
        const want = wfg(rows, n, m, m, new WfgWorkspace(n, m), 2);
        expect(rel(qhv(rows, n, m), want)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('reuses its memory across sizes and numbers of objectives, its stack growing as needed', () => {
    const rand = lcg(11);
    for (const [m, n] of [
      [8, 5],
      [7, 60],
      [8, 40],
      [6, 3],
      [6, 120],
      [8, 12],
    ] as const) {
      const rows = front(rand, n, m, n % 2 === 0);
      const want = n <= 12 ? slicing(rows, n, m) : wfg(rows, n, m, m, new WfgWorkspace(n, m), 2);
      expect(rel(qhv(rows, n, m), want)).toBeLessThanOrEqual(1e-12);
    }
    expect(qhv(new Float64Array(0), 0, 7)).toBe(0);
  });
});

describe('hypervolume() through QHV-II (m >= 7, and m = 6 with many ties)', () => {
  it('matches the slicing recursion with points on the reference boundary, outside it and repeated', () => {
    const rand = lcg(23);
    for (const m of [6, 7, 8]) {
      for (const grid of [false, true]) {
        const n = m === 6 ? 14 : 10;
        const rows = front(rand, n, m, grid);
        const ref = new Array<number>(m).fill(1.1);
        const pts: number[][] = [];
        for (let i = 0; i < n; i++) pts.push(Array.from(rows.subarray(i * m, i * m + m), (x) => x + 1.1));
        // Extra points: a duplicate, one on the reference boundary, one outside, one dominated.
        pts.push([...pts[0]!]);
        pts.push(pts[1]!.map((x, j) => (j === 2 ? 1.1 : x)));
        pts.push(pts[2]!.map((x, j) => (j === 0 ? 2 : x)));
        pts.push(pts[3]!.map((x) => Math.min(x + 0.01, 1.05)));
        expect(rel(hypervolume(pts, ref), slicing(rows, n, m))).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('gives the exact volume of integer grids at m = 6, 7 and 8, many of them tied', () => {
    const rand = lcg(5);
    for (const m of [6, 7, 8]) {
      const n = 40;
      const pts: number[][] = [];
      for (let i = 0; i < n; i++) pts.push(Array.from({ length: m }, () => Math.floor(rand() * 4)));
      const ref = new Array<number>(m).fill(4);
      const rows = Float64Array.from(pts.flat(), (x) => x - 4);
      // Integer volumes below 4^8: exact in any order of summation.
      expect(hypervolume(pts, ref)).toBe(wfg(rows, n, m, m, new WfgWorkspace(n, m), 2));
    }
  });
});
