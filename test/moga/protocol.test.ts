/**
 * The NSGA-II protocol of the issue, at full size (one seed each; bench/nsga2.ts runs five):
 * ZDT1 with d = 30, population 100, 200 generations, and DTLZ2 with m = 3, d = 12, population 100,
 * 250 generations. The final population's non-dominated points must reach at least the lowest
 * hypervolume pymoo 0.6.1 reaches over 5 seeds on the same protocol (reference point 1.1), and sit
 * close to the true front (IGD against a dense sample of it).
 */
import { describe, expect, it } from 'vitest';
import { dtlz2, type Problem, zdt1 } from '../../problems/index.js';
import { selectRows } from '../../src/linalg/matrix.js';
import { runNsga2 } from '../../src/moga/nsga2-algorithm.js';
import { hypervolume } from '../../src/pareto/hypervolume.js';
import { invertedGenerationalDistance } from '../../src/pareto/indicators.js';

function finalFront(problem: Problem, generations: number, seed: number) {
  const run = runNsga2(problem, { populationSize: 100, generations, seed });
  const { F, rank } = run.population;
  const front = selectRows(
    F,
    Array.from(rank.keys()).filter((i) => rank[i] === 0),
  );
  return { run, front };
}

describe('NSGA-II on the issue protocol', () => {
  it('ZDT1, d = 30, population 100, 200 generations', () => {
    const problem = zdt1({ dimensions: 30 });
    const { run, front } = finalFront(problem, 200, 1);
    expect(run.evaluations).toBe(20_000);
    // pymoo 0.6.1: mean 0.8678 over 5 seeds; the largest possible is 0.1 + 2/3 + 0.11 = 0.8767.
    expect(hypervolume(front, [1.1, 1.1])).toBeGreaterThan(0.865);
    expect(invertedGenerationalDistance(front, problem.paretoFront(1000))).toBeLessThan(0.01);
  });

  it('DTLZ2, m = 3, d = 12, population 100, 250 generations', () => {
    const problem = dtlz2({ objectives: 3, dimensions: 12 });
    const { run, front } = finalFront(problem, 250, 1);
    expect(run.evaluations).toBe(25_000);
    // pymoo 0.6.1: 0.693 to 0.712 over 5 seeds.
    // biome-ignore lint/suspicious/noApproximativeNumericConstant: pymoo's lowest hypervolume, not ln 2
    expect(hypervolume(front, [1.1, 1.1, 1.1])).toBeGreaterThan(0.693);
    expect(invertedGenerationalDistance(front, problem.paretoFront(1000))).toBeLessThan(0.09);
  });
});
