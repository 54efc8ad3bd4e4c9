import { describe, expect, it } from 'vitest';
import {
  dasDennis,
  dasDennisDivisions,
  dtlz1,
  dtlz2,
  dtlz5,
  dtlz7,
  gammaHalfInteger,
  getProblem,
  problemNames,
  unitBallOrthantVolume,
  zdt3,
  zdt6,
} from '../../problems/index.js';
import { curvePieces } from '../../problems/math.js';
import { toRows } from '../../src/linalg/matrix.js';

function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

/** Exact two-objective hypervolume of a point list by a staircase sweep. */
function hypervolume2(points: number[][], r: ArrayLike<number>): number {
  const pts = points
    .filter((p) => p[0]! < r[0]! && p[1]! < r[1]!)
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let volume = 0;
  let level = r[1]!;
  for (let i = 0; i < pts.length; i++) {
    const next = i + 1 < pts.length ? pts[i + 1]![0]! : r[0]!;
    level = Math.min(level, pts[i]![1]!);
    volume += (next - pts[i]![0]!) * (r[1]! - level);
  }
  return volume;
}

/** Monte Carlo volume of {y in [0, r] : dominated(y)} with its standard error. */
function monteCarlo(r: Float64Array, dominated: (y: number[]) => boolean, samples: number): [number, number] {
  const rnd = lcg(12345);
  let box = 1;
  for (const v of r) box *= v;
  let hits = 0;
  for (let s = 0; s < samples; s++) if (dominated(Array.from(r, (v) => rnd() * v))) hits++;
  const p = hits / samples;
  return [box * p, box * Math.sqrt((p * (1 - p)) / samples)];
}

describe('problem math', () => {
  it('gammaHalfInteger matches known values and the recurrence', () => {
    expect(gammaHalfInteger(0.5)).toBeCloseTo(Math.sqrt(Math.PI), 14);
    expect(gammaHalfInteger(2.5)).toBeCloseTo((3 / 4) * Math.sqrt(Math.PI), 14);
    expect(gammaHalfInteger(5)).toBe(24);
    for (let x = 0.5; x < 10; x += 0.5)
      expect(gammaHalfInteger(x + 1) / gammaHalfInteger(x)).toBeCloseTo(x, 12);
    expect(() => gammaHalfInteger(0.3)).toThrow(/half-integer/);
    // Orthant of the unit ball: 1, pi/4, pi/6, pi^2/32.
    expect(unitBallOrthantVolume(1)).toBeCloseTo(1, 14);
    expect(unitBallOrthantVolume(2)).toBeCloseTo(Math.PI / 4, 14);
    expect(unitBallOrthantVolume(3)).toBeCloseTo(Math.PI / 6, 14);
    expect(unitBallOrthantVolume(4)).toBeCloseTo(Math.PI ** 2 / 32, 14);
  });

  it('dasDennis enumerates every lattice point once and dasDennisDivisions is maximal', () => {
    for (const [m, h] of [
      [2, 5],
      [3, 4],
      [4, 3],
      [5, 2],
    ] as const) {
      const L = toRows(dasDennis(m, h));
      // Count by brute force: all m-tuples of 0..h summing to h.
      let count = 0;
      const walk = (j: number, left: number): void => {
        if (j === m - 1) count++;
        else for (let v = 0; v <= left; v++) walk(j + 1, left - v);
      };
      walk(0, h);
      expect(L.length).toBe(count);
      expect(new Set(L.map((r) => r.join(','))).size).toBe(count);
      for (const r of L) {
        expect(r.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 14);
        for (const v of r) expect(Math.abs(v * h - Math.round(v * h))).toBeLessThan(1e-12);
      }
    }
    expect(dasDennisDivisions(3, 91)).toBe(12);
    expect(dasDennisDivisions(3, 90)).toBe(11);
    expect(dasDennisDivisions(3, 1)).toBe(1);
  });

  it('finds the ZDT3 front pieces known from pymoo', () => {
    const phi = (t: number) => 1 - Math.sqrt(t) - t * Math.sin(10 * Math.PI * t);
    const { starts, ends } = curvePieces(phi, 0, 1);
    const known = [
      [0, 0.0830015349],
      [0.18222878, 0.2577623634],
      [0.4093136748, 0.4538821041],
      [0.6183967944, 0.6525117038],
      [0.8233317983, 0.8518328654],
    ];
    expect(starts.length).toBe(5);
    known.forEach(([s, e], i) => {
      // pymoo's starts are rounded a little into the piece; ours sit on the level of the previous end.
      expect(starts[i]).toBeCloseTo(s!, 6);
      expect(ends[i]).toBeCloseTo(e!, 8);
      if (i > 0) expect(phi(starts[i]!)).toBeCloseTo(phi(ends[i - 1]!), 12);
      if (i > 0) expect(phi(starts[i]!)).toBeLessThan(phi(ends[i - 1]!));
    });
  });

  it('has 2-objective maxHypervolume equal to the staircase volume of a dense curve', () => {
    const dense = (f: (t: number) => number, a: number, n: number) =>
      Array.from({ length: n + 1 }, (_, i) => [a + ((1 - a) * i) / n, f(a + ((1 - a) * i) / n)]);
    const z3 = zdt3();
    const hv3 = hypervolume2(
      dense((t) => 1 - Math.sqrt(t) - t * Math.sin(10 * Math.PI * t), 0, 400000),
      z3.referencePoint,
    );
    expect(z3.maxHypervolume!).toBeGreaterThan(hv3);
    expect(z3.maxHypervolume! - hv3).toBeLessThan(2e-5);
    const d7 = dtlz7({ objectives: 2 });
    const hv7 = hypervolume2(
      dense((t) => 4 - t * (1 + Math.sin(3 * Math.PI * t)), 0, 400000),
      d7.referencePoint,
    );
    expect(d7.maxHypervolume! - hv7).toBeGreaterThan(0);
    expect(d7.maxHypervolume! - hv7).toBeLessThan(2e-5);
    // ZDT6: the least f1 by a dense grid, then the front 1 - f1^2 above it.
    let least = 1;
    for (let i = 0; i <= 2000000; i++) {
      const x = (0.2 * i) / 2000000;
      least = Math.min(least, 1 - Math.exp(-4 * x) * Math.sin(6 * Math.PI * x) ** 6);
    }
    expect(least).toBeCloseTo(0.2807753191, 9);
    const z6 = zdt6();
    expect(z6.maxHypervolume!).toBeCloseTo(
      hypervolume2(
        dense((t) => 1 - t * t, least, 400000),
        z6.referencePoint,
      ),
      5,
    );
  });

  it('has m = 3 maxHypervolume within Monte Carlo error of the dominated volume', () => {
    const samples = 200000;
    const check = (max: number, [estimate, se]: [number, number]) => {
      expect(Math.abs(max - estimate)).toBeLessThan(4 * se + 1e-12);
    };
    const p1 = dtlz1({ objectives: 3 });
    check(
      p1.maxHypervolume!,
      monteCarlo(p1.referencePoint, (y) => y[0]! + y[1]! + y[2]! >= 0.5, samples),
    );
    const p2 = dtlz2({ objectives: 3 });
    check(
      p2.maxHypervolume!,
      monteCarlo(p2.referencePoint, (y) => Math.hypot(...y) >= 1, samples),
    );
    // DTLZ5 curve (cos a v, sin a), v = (1/sqrt 2, 1/sqrt 2): y is dominated when the least a with
    // cos(a) v <= (y1, y2) has sin(a) <= y3.
    const p5 = dtlz5({ objectives: 3 });
    check(
      p5.maxHypervolume!,
      monteCarlo(
        p5.referencePoint,
        (y) => {
          const q = Math.min(1, y[0]! / Math.SQRT1_2, y[1]! / Math.SQRT1_2);
          return Math.sqrt(1 - q * q) <= y[2]!;
        },
        samples,
      ),
    );
    // DTLZ7: y is dominated when y3 >= 2 (3 - P(y1) - P(y2)), P the running maximum of psi, tabulated.
    const grid = 100000;
    const runningMax = new Float64Array(grid + 1);
    let best = 0;
    for (let i = 0; i <= grid; i++) {
      const t = i / grid;
      best = Math.max(best, (t / 2) * (1 + Math.sin(3 * Math.PI * t)));
      runningMax[i] = best;
    }
    const P = (t: number) => runningMax[Math.min(grid, Math.floor(t * grid))]!;
    const p7 = dtlz7({ objectives: 3 });
    check(
      p7.maxHypervolume!,
      monteCarlo(p7.referencePoint, (y) => y[2]! >= 2 * (3 - P(y[0]!) - P(y[1]!)), samples),
    );
  });

  it('uses the documented reference points and formulas for custom ones', () => {
    expect(Array.from(dtlz2({ objectives: 4 }).referencePoint)).toEqual([1.1, 1.1, 1.1, 1.1]);
    expect(dtlz2({ objectives: 3 }).maxHypervolume).toBeCloseTo(1.1 ** 3 - Math.PI / 6, 14);
    expect(dtlz1({ objectives: 3 }).maxHypervolume).toBeCloseTo(0.55 ** 3 - 0.125 / 6, 14);
    expect(dtlz2({ objectives: 2, referencePoint: [2, 3] }).maxHypervolume).toBeCloseTo(6 - Math.PI / 4, 14);
    expect(dtlz2({ objectives: 2, referencePoint: [0.9, 3] }).maxHypervolume).toBeUndefined();
    expect(dtlz5({ objectives: 2 }).maxHypervolume).toBeCloseTo(1.21 - Math.PI / 4, 14);
    expect(dtlz5({ objectives: 4 }).maxHypervolume).toBeUndefined();
    expect(Array.from(dtlz7({ objectives: 3 }).referencePoint)).toEqual([1.1, 1.1, 6.6000000000000005]);
    expect(() => dtlz2({ objectives: 3, referencePoint: [1, 1] })).toThrow(/length 2, expected m = 3/);
    expect(() => dtlz2({ objectives: 1 })).toThrow(/objectives is 1/);
    expect(() => dtlz2({ objectives: 3, dimensions: 2 })).toThrow(/dimensions is 2/);
    expect(() => dtlz2().paretoFront(0)).toThrow(/n is 0/);
  });
});

describe('getProblem', () => {
  it('builds every listed problem, ignoring case and separators', () => {
    expect(problemNames).toContain('dtlz7');
    for (const name of problemNames) expect(getProblem(name).name).toBe(name);
    expect(getProblem('DTLZ2', { objectives: 5 }).objectives).toBe(5);
    expect(getProblem('Branin-Currin').name).toBe('branincurrin');
    expect(dtlz2().dimensions).toBe(12);
    expect(dtlz1({ objectives: 2 }).dimensions).toBe(6);
    expect(dtlz7({ objectives: 3 }).dimensions).toBe(22);
    expect(getProblem('zdt4').dimensions).toBe(10);
  });

  it('names the known problems when given an unknown one', () => {
    expect(() => getProblem('dtlz8')).toThrow(
      /unknown problem 'dtlz8', expected one of dtlz1, .*zdt6, branincurrin/,
    );
    expect(() => getProblem('toString')).toThrow(/unknown problem/);
    expect(() => getProblem('zdt1', { objectives: 3 })).toThrow(/zdt1 has 2 objectives/);
  });
});
