import { describe, expect, it } from 'vitest';
import { type Matrix, toMatrix, toRows } from '../../src/linalg/matrix.js';
import { Nsga2, resolveNsga2Options, runNsga2 } from '../../src/moga/nsga2-algorithm.js';
import { createRng } from '../../src/random/rng.js';

/** ZDT1 (Zitzler, Deb, Thiele 2000), written here from its definition. */
function zdt1(d: number) {
  return {
    dimensions: d,
    objectives: 2,
    lower: new Float64Array(d),
    upper: new Float64Array(d).fill(1),
    evaluate(X: Matrix): Matrix {
      const out = new Float64Array(X.rows * 2);
      for (let i = 0; i < X.rows; i++) {
        const x = X.data.subarray(i * d, (i + 1) * d);
        let s = 0;
        for (let j = 1; j < d; j++) s += x[j]!;
        const g = 1 + (9 * s) / (d - 1);
        out[2 * i] = x[0]!;
        out[2 * i + 1] = g * (1 - Math.sqrt(x[0]! / g));
      }
      return { rows: X.rows, cols: 2, data: out };
    },
  };
}

/** Two-objective hypervolume by sorting and sweeping, for an independent check. */
function hypervolume2d(points: number[][], ref: [number, number]): number {
  const inside = points
    .filter((p) => p[0]! < ref[0] && p[1]! < ref[1])
    .sort((a, b) => a[0]! - b[0]! || a[1]! - b[1]!);
  let hv = 0;
  let best = ref[1];
  for (const p of inside) {
    if (p[1]! < best) {
      hv += (ref[0] - p[0]!) * (best - p[1]!);
      best = p[1]!;
    }
  }
  return hv;
}

// The largest hypervolume of ZDT1 with reference (1.1, 1.1): the integral of 1.1 - (1 - sqrt(f)) over
// [0, 1] plus the strip 0.1 x 1.1 right of the front: 0.1 + 2/3 + 0.11.
const ZDT1_MAX_HV = 0.1 + 2 / 3 + 0.11;

describe('runNsga2', () => {
  it('converges on ZDT1 (d = 30, population 40, 60 generations) to half the largest hypervolume', () => {
    const result = runNsga2(zdt1(30), { populationSize: 40, generations: 60, seed: 1 });
    expect(result.evaluations).toBe(2400);
    const F = toRows(result.population.F);
    const front = F.filter((_, i) => result.population.rank[i] === 0);
    const hv = hypervolume2d(front, [1.1, 1.1]);
    // 2400 evaluations give about 0.50 to 0.53 (58 to 60% of the largest); pymoo needs 20,000 for 99%.
    expect(hv).toBeGreaterThan(0.5 * ZDT1_MAX_HV);
    const early = runNsga2(zdt1(30), { populationSize: 40, generations: 15, seed: 1 });
    const earlyFront = toRows(early.population.F).filter((_, i) => early.population.rank[i] === 0);
    expect(hypervolume2d(earlyFront, [1.1, 1.1])).toBeLessThan(hv);
    // The population stays in the box.
    for (const v of result.population.X.data) expect(v >= 0 && v <= 1).toBe(true);
  });

  it('is reproducible from its seed and differs across seeds', () => {
    const a = runNsga2(zdt1(5), { populationSize: 12, generations: 5, seed: 'x' });
    const b = runNsga2(zdt1(5), { populationSize: 12, generations: 5, seed: 'x' });
    const c = runNsga2(zdt1(5), { populationSize: 12, generations: 5, seed: 'y' });
    expect(Array.from(a.population.X.data)).toEqual(Array.from(b.population.X.data));
    expect(Array.from(a.population.X.data)).not.toEqual(Array.from(c.population.X.data));
  });

  it('maps the unit cube onto the problem box', () => {
    const seenX: number[][] = [];
    const problem = {
      dimensions: 2,
      objectives: 2,
      lower: Float64Array.of(-5, 10),
      upper: Float64Array.of(5, 12),
      evaluate(X: Matrix): Matrix {
        seenX.push(...toRows(X));
        return toMatrix(toRows(X).map((x) => [x[0]! ** 2, (x[0]! - 2) ** 2 + (x[1]! - 11) ** 2]));
      },
    };
    const r = runNsga2(problem, { populationSize: 20, generations: 30, seed: 3 });
    for (const x of seenX) {
      expect(x[0]! >= -5 && x[0]! <= 5 && x[1]! >= 10 && x[1]! <= 12).toBe(true);
    }
    // The Pareto set is x0 in [0, 2], x1 = 11.
    for (const x of toRows(r.population.X)) {
      expect(x[0]!).toBeGreaterThan(-0.3);
      expect(x[0]!).toBeLessThan(2.3);
      expect(Math.abs(x[1]! - 11)).toBeLessThan(0.3);
    }
  });
});

describe('Nsga2 ask/tell', () => {
  it('drives a constrained population to feasibility (constrained domination)', () => {
    // Minimize (x0, x1) subject to x0 + x1 >= 0.6: the front is the segment x0 + x1 = 0.6.
    const algorithm = new Nsga2(2, { populationSize: 24 });
    const rng = createRng(11);
    for (let g = 0; g < 40; g++) {
      const X = algorithm.ask(rng);
      const F = toMatrix(toRows(X).map((x) => [x[0]!, x[1]!]));
      const cv = Float64Array.from(toRows(X), (x) => Math.max(0, 0.6 - x[0]! - x[1]!));
      algorithm.tell(X, F, rng, cv);
    }
    const pop = algorithm.population!;
    expect(pop.X.rows).toBe(24);
    for (let i = 0; i < pop.X.rows; i++) {
      expect(pop.cv![i]).toBe(0);
      const s = pop.X.data[2 * i]! + pop.X.data[2 * i + 1]!;
      expect(s).toBeGreaterThanOrEqual(0.6);
      expect(s).toBeLessThan(0.7);
    }
  });

  it('keeps mu individuals when told one point at a time (steady state)', () => {
    const algorithm = new Nsga2(3, { populationSize: 8 });
    const rng = createRng(12);
    const problem = zdt1(3);
    for (let t = 0; t < 40; t++) {
      const X = algorithm.ask(rng, 1);
      algorithm.tell(X, problem.evaluate(X), rng);
      expect(algorithm.population!.X.rows).toBe(Math.min(8, t + 1));
    }
  });

  it('validates its options and inputs with clear messages', () => {
    expect(() => resolveNsga2Options({ populationSize: 0 })).toThrow(
      /populationSize must be a positive integer, got 0/,
    );
    expect(() => resolveNsga2Options({ tournament: 'x' as 'rank' })).toThrow(/tournament must be/);
    const algorithm = new Nsga2(2);
    expect(() => algorithm.tell(toMatrix([[0, 0, 0]]), toMatrix([[1, 1]]), createRng(0))).toThrow(
      /X has 3 columns, expected d = 2/,
    );
  });
});
