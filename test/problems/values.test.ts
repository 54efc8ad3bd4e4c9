import { describe, expect, it } from 'vitest';
import {
  braninCurrin,
  dtlz1,
  dtlz2,
  dtlz3,
  dtlz4,
  dtlz5,
  dtlz6,
  dtlz7,
  type Problem,
  zdt1,
  zdt2,
  zdt3,
  zdt4,
  zdt6,
} from '../../problems/index.js';
import { toRows } from '../../src/linalg/matrix.js';

/**
 * Independent references written from the papers' formulas objective by objective (the problem code
 * builds all objectives in one pass from running products).
 */
function dtlzReference(variant: number, x: number[], m: number): number[] {
  const d = x.length;
  const k = d - m + 1;
  const xm = x.slice(m - 1);
  const rastrigin =
    100 * (k + xm.reduce((s, v) => s + (v - 0.5) ** 2 - Math.cos(20 * Math.PI * (v - 0.5)), 0));
  const sphere = xm.reduce((s, v) => s + (v - 0.5) ** 2, 0);
  if (variant === 1) {
    return Array.from({ length: m }, (_, i) => {
      let f = 0.5 * (1 + rastrigin);
      for (let j = 0; j < m - 1 - i; j++) f *= x[j]!;
      if (i > 0) f *= 1 - x[m - 1 - i]!;
      return f;
    });
  }
  if (variant === 7) {
    const g = 1 + (9 / k) * xm.reduce((s, v) => s + v, 0);
    const f = x.slice(0, m - 1);
    const h = m - f.reduce((s, v) => s + (v / (1 + g)) * (1 + Math.sin(3 * Math.PI * v)), 0);
    return [...f, (1 + g) * h];
  }
  let g = sphere;
  if (variant === 3) g = rastrigin;
  if (variant === 6) g = xm.reduce((s, v) => s + v ** 0.1, 0);
  const theta = x.slice(0, m - 1).map((v, j) => {
    if (variant === 4) return v ** 100;
    if ((variant === 5 || variant === 6) && j > 0) return (1 + 2 * g * v) / (2 * (1 + g));
    return v;
  });
  return Array.from({ length: m }, (_, i) => {
    let f = 1 + g;
    for (let j = 0; j < m - 1 - i; j++) f *= Math.cos((theta[j]! * Math.PI) / 2);
    if (i > 0) f *= Math.sin((theta[m - 1 - i]! * Math.PI) / 2);
    return f;
  });
}

function zdtReference(variant: number, x: number[]): number[] {
  const n = x.length;
  const rest = x.slice(1);
  if (variant === 6) {
    const f1 = 1 - Math.exp(-4 * x[0]!) * Math.sin(6 * Math.PI * x[0]!) ** 6;
    const g = 1 + 9 * (rest.reduce((s, v) => s + v, 0) / (n - 1)) ** 0.25;
    return [f1, g * (1 - (f1 / g) ** 2)];
  }
  const f1 = x[0]!;
  const g =
    variant === 4
      ? 1 + 10 * (n - 1) + rest.reduce((s, v) => s + v * v - 10 * Math.cos(4 * Math.PI * v), 0)
      : 1 + (9 / (n - 1)) * rest.reduce((s, v) => s + v, 0);
  const r = f1 / g;
  const h =
    variant === 2
      ? 1 - r * r
      : variant === 3
        ? 1 - Math.sqrt(r) - r * Math.sin(10 * Math.PI * f1)
        : 1 - Math.sqrt(r);
  return [f1, g * h];
}

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

function compare(p: Problem, reference: (x: number[]) => number[]): void {
  const rnd = lcg(p.dimensions * 31 + p.objectives);
  const X = Array.from({ length: 40 }, () =>
    Array.from({ length: p.dimensions }, (_, j) => p.lower[j]! + rnd() * (p.upper[j]! - p.lower[j]!)),
  );
  const Y = toRows(p.evaluate(X));
  X.forEach((x, i) => {
    const expected = reference(x);
    expect(Y[i]!.length).toBe(expected.length);
    for (let j = 0; j < expected.length; j++) {
      const v = expected[j]!;
      expect(Y[i]![j]).toBeCloseTo(v, 9 - Math.max(0, Math.ceil(Math.log10(Math.abs(v) + 1))));
    }
  });
}

describe('objective values away from the front', () => {
  it('DTLZ1-7 match the per-objective formulas', () => {
    const makers = [dtlz1, dtlz2, dtlz3, dtlz4, dtlz5, dtlz6, dtlz7];
    makers.forEach((make, v) => {
      for (const m of [2, 3, 5]) {
        for (const d of [m, m + 4])
          compare(make({ objectives: m, dimensions: d }), (x) => dtlzReference(v + 1, x, m));
      }
    });
  });

  it('ZDT1-4, 6 match the per-objective formulas', () => {
    const makers: Array<[number, typeof zdt1]> = [
      [1, zdt1],
      [2, zdt2],
      [3, zdt3],
      [4, zdt4],
      [6, zdt6],
    ];
    for (const [v, make] of makers) {
      compare(make(), (x) => zdtReference(v, x));
      compare(make({ dimensions: 2 }), (x) => zdtReference(v, x));
    }
  });

  it('Branin-Currin has its known values', () => {
    const p = braninCurrin();
    // Branin's three global minimizers, rescaled to the unit square: 0.397887...
    const Y = toRows(
      p.evaluate([
        [(-Math.PI + 5) / 15, 12.275 / 15],
        [(Math.PI + 5) / 15, 2.275 / 15],
        [(3 * Math.PI + 5) / 15, 2.475 / 15],
        [0, 0],
        [1, 1],
      ]),
    );
    for (let i = 0; i < 3; i++) expect(Y[i]![0]).toBeCloseTo(0.397887357729738, 12);
    // Currin at (0, 0) is the limit 60 / 20; at (1, 1) (1 - e^-1/2) 6352 / 624.
    expect(Y[3]![1]).toBeCloseTo(3, 14);
    expect(Y[4]![1]).toBeCloseTo((1 - Math.exp(-0.5)) * (6352 / 624), 12);
    // Branin at (0, 0) = (-5, 0): (0 - 5.1*25/(4 pi^2) - 25/pi - 6)^2 + 10 (1 - 1/(8 pi)) cos(-5) + 10.
    const t = -(5.1 * 25) / (4 * Math.PI ** 2) - 25 / Math.PI - 6;
    expect(Y[3]![0]).toBeCloseTo(t * t + 10 * (1 - 1 / (8 * Math.PI)) * Math.cos(-5) + 10, 10);
  });
});
