import { describe, expect, it } from 'vitest';
import { limitSetContributions } from '../../src/pareto/hv/contributions.js';
import { Hv5dWorkspace, hv5d } from '../../src/pareto/hv/hv5d.js';
import { limitSet, limitSet5 } from '../../src/pareto/hv/limit-set.js';
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

type Kind = 'sphere' | 'simplex' | 'cloud' | 'grid' | 'ties';

/**
 * n x m rows translated so the reference is 0. 'grid' puts every coordinate on 6 levels (many exact
 * ties and duplicates); 'ties' is a sphere front whose 4th and 5th objectives take 3 values only.
 */
function translatedSet(rand: () => number, n: number, m: number, kind: Kind): Float64Array {
  const rows = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    const v = Array.from({ length: m }, () => Math.abs(Math.log(rand() + 1e-12)) + 1e-6);
    const norm2 = Math.hypot(...v);
    const norm1 = v.reduce((a, b) => a + b, 0);
    for (let j = 0; j < m; j++) {
      let x: number;
      if (kind === 'sphere') x = v[j]! / norm2;
      else if (kind === 'simplex') x = v[j]! / norm1;
      else if (kind === 'cloud') x = rand();
      else if (kind === 'grid') x = Math.floor(rand() * 6) / 6;
      else x = j >= 3 ? Math.floor((3 * v[j]!) / norm2) / 3 : v[j]! / norm2;
      rows[i * m + j] = x - 1.1;
    }
  }
  return rows;
}

function columns(rows: Float64Array, n: number, m: number): Float64Array[] {
  return Array.from({ length: m }, (_, j) => {
    const c = new Float64Array(n);
    for (let i = 0; i < n; i++) c[i] = rows[i * m + j]!;
    return c;
  });
}

function viaHv5d(rows: Float64Array, n: number, work = new Hv5dWorkspace()): number {
  const c = columns(rows, n, 5);
  return hv5d(c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, n, work);
}

/** Exact hypervolume of integer points by inclusion-exclusion over all subsets (n <= 12). */
function inclusionExclusion(points: number[][], ref: number[]): number {
  const pts = points.filter((p) => p.every((v, j) => v < ref[j]!));
  let total = 0;
  for (let set = 1; set < 1 << pts.length; set++) {
    const max = ref.map(() => Number.NEGATIVE_INFINITY);
    let bits = 0;
    for (let i = 0; i < pts.length; i++) {
      if ((set >> i) & 1) {
        bits++;
        for (let j = 0; j < ref.length; j++) max[j] = Math.max(max[j]!, pts[i]![j]!);
      }
    }
    const v = max.reduce((a, x, j) => a * (ref[j]! - x), 1);
    total += bits % 2 === 1 ? v : -v;
  }
  return total;
}

function rel(a: number, b: number): number {
  return Math.abs(a - b) / Math.max(Math.abs(b), 1e-300);
}

describe('hv5d', () => {
  it('matches the slicing recursion on small fronts, clouds and grids with ties', () => {
    const rand = lcg(11);
    for (const kind of ['sphere', 'simplex', 'cloud', 'grid', 'ties'] as const) {
      for (const n of [1, 2, 5, 17, 45]) {
        const rows = translatedSet(rand, n, 5, kind);
        expect(rel(viaHv5d(rows, n), slicing(rows, n, 5))).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('matches WFG down to 4-D on larger random fronts', () => {
    const rand = lcg(23);
    for (const kind of ['sphere', 'simplex', 'cloud', 'grid', 'ties'] as const) {
      for (const n of [150, 600]) {
        const rows = translatedSet(rand, n, 5, kind);
        const a = viaHv5d(rows, n);
        const b = wfg(rows, n, 5, 5, new WfgWorkspace(n, 5), 4);
        expect(rel(a, b)).toBeLessThanOrEqual(1e-12);
      }
    }
  });

  it('ignores duplicates and dominated points, and reuses its workspace across sizes', () => {
    const rand = lcg(5);
    const work = new Hv5dWorkspace();
    for (const n of [80, 10, 200, 3]) {
      const rows = translatedSet(rand, n, 5, 'sphere');
      const alone = viaHv5d(rows, n, work);
      // Every point twice, plus a copy of each pushed back by a random amount in one objective.
      const more = new Float64Array(3 * n * 5);
      more.set(rows);
      more.set(rows, n * 5);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < 5; j++) more[(2 * n + i) * 5 + j] = rows[i * 5 + j]!;
        const j = Math.floor(rand() * 5);
        more[(2 * n + i) * 5 + j] = Math.min(more[(2 * n + i) * 5 + j]! + 0.1 * rand(), -1e-3);
      }
      expect(rel(viaHv5d(more, 3 * n, work), alone)).toBeLessThanOrEqual(1e-12);
      expect(rel(viaHv5d(rows, n, new Hv5dWorkspace()), alone)).toBe(0);
    }
  });

  it('gives the same volumes bit for bit after its WebAssembly memory grew and its regions moved', () => {
    const rand = lcg(77);
    const sets = [6, 40, 700, 3, 1500, 40].map((n) => ({
      n,
      rows: translatedSet(rand, n, 5, n % 2 === 0 ? 'ties' : 'grid'),
    }));
    const first = new Map<number, number>();
    const order = [...sets.keys(), ...[...sets.keys()].reverse()];
    for (const k of order) {
      const { n, rows } = sets[k]!;
      const v = viaHv5d(rows, n);
      if (!first.has(k)) first.set(k, v);
      expect(v).toBe(first.get(k));
    }
    // And they are right: the small sets against the slicing recursion.
    sets.forEach(({ n, rows }, k) => {
      if (n <= 40) expect(rel(first.get(k)!, slicing(rows, n, 5))).toBeLessThanOrEqual(1e-12);
    });
  });

  it('gives the exact volume of integer sets through hypervolume(), points outside the box included', () => {
    const rand = lcg(99);
    for (let trial = 0; trial < 40; trial++) {
      const n = 1 + Math.floor(rand() * 11);
      const ref = [5, 5, 5, 5, 5];
      // Coordinates 0..6: some points lie on or beyond the reference and must be ignored.
      const pts = Array.from({ length: n }, () => Array.from({ length: 5 }, () => Math.floor(rand() * 7)));
      if (trial % 4 === 0) pts.push([...pts[0]!]);
      if (trial % 5 === 0) pts.push([0, 6, 0, 0, 0], [1, 1, 1, 1, Number.POSITIVE_INFINITY]);
      expect(hypervolume(pts, ref)).toBe(inclusionExclusion(pts, ref));
    }
  });
});

describe('WFG with the 5-D sweep as base case', () => {
  it('matches WFG down to 4-D and the slicing recursion for m = 6..8', () => {
    const rand = lcg(31);
    for (const [m, n, small] of [
      [6, 160, 24],
      [7, 70, 14],
      [8, 40, 10],
    ] as const) {
      for (const kind of ['sphere', 'simplex', 'grid', 'ties'] as const) {
        const rows = translatedSet(rand, n, m, kind);
        const a = wfg(rows, n, m, m, new WfgWorkspace(n, m), 5);
        const b = wfg(rows, n, m, m, new WfgWorkspace(n, m), 4);
        expect(rel(a, b)).toBeLessThanOrEqual(1e-12);
        const s = translatedSet(rand, small, m, kind);
        expect(
          rel(wfg(s, small, m, m, new WfgWorkspace(small, m), 5), slicing(s, small, m)),
        ).toBeLessThanOrEqual(1e-12);
      }
    }
  });
});

describe('limitSet5', () => {
  it('returns the same non-dominated clipped set as limitSet, and -1 when p is covered', () => {
    const rand = lcg(17);
    const sorted = (out: Float64Array, c: number, stride: number) =>
      Array.from({ length: Math.max(c, 0) }, (_, i) =>
        Array.from(out.subarray(i * stride, i * stride + 5)).join(','),
      )
        .sort()
        .join(';');
    let covered = 0;
    for (let trial = 0; trial < 60; trial++) {
      const stride = 6;
      const n = [5, 12, 40, 150][trial % 4]!;
      const rows = translatedSet(rand, n, stride, (['grid', 'sphere', 'ties', 'cloud'] as const)[trial % 4]!);
      const order = Int32Array.from({ length: n }, (_, i) => i);
      const p = Math.floor(rand() * n);
      // Sometimes plant a copy of p (weak dominance by equality) or a point dominating it.
      if (trial % 7 === 3) {
        const q = (p + 1) % n;
        for (let j = 0; j < stride; j++) rows[q * stride + j] = rows[p * stride + j]! - (trial % 2) * 1e-3;
      }
      const out1 = new Float64Array((n + 1) * stride);
      const out2 = new Float64Array((n + 1) * stride);
      const c1 = limitSet(rows, p * stride, order, 0, n, p, stride, 5, out1, new Int32Array(n + 1));
      const c2 = limitSet5(rows, p * stride, order, 0, n, p, stride, out2, new Int32Array(n + 1));
      expect(c2).toBe(c1);
      if (c1 < 0) covered++;
      else expect(sorted(out2, c2, stride)).toBe(sorted(out1, c1, stride));
    }
    expect(covered).toBeGreaterThan(0);
  });
});

describe('limit-set contributions through the 5-D sweep', () => {
  it('equal HV(all) - HV(all but i) by WFG down to 4-D, m = 5, 6, duplicates included', () => {
    const rand = lcg(61);
    for (const [m, n] of [
      [5, 90],
      [6, 40],
    ] as const) {
      for (const kind of ['sphere', 'grid'] as const) {
        const rows = translatedSet(rand, n, m, kind);
        // A duplicate pair: both must get exactly 0.
        rows.copyWithin(0, m, 2 * m);
        const out = new Float64Array(n);
        limitSetContributions(rows, n, m, out);
        const total = wfg(rows, n, m, m, new WfgWorkspace(n, m), 4);
        const rest = new Float64Array((n - 1) * m);
        for (let i = 0; i < n; i++) {
          rest.set(rows.subarray(0, i * m), 0);
          rest.set(rows.subarray((i + 1) * m), i * m);
          const without = wfg(rest, n - 1, m, m, new WfgWorkspace(n - 1, m), 4);
          expect(Math.abs(out[i]! - (total - without))).toBeLessThanOrEqual(1e-12 * total);
        }
        expect(out[0]).toBe(0);
        expect(out[1]).toBe(0);
      }
    }
  });
});
