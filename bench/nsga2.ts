/**
 * NSGA-II speed and quality: `npx tsx bench/nsga2.ts [--quick] [--seeds 5]`.
 *
 * ZDT1 (d = 30, population 100, 200 generations) and DTLZ2 (m = 3, d = 12, population 100,
 * 250 generations), pymoo 0.6.1's defaults and its generation count (the initial population is
 * generation 1). Per seed: wall and CPU time of the whole run (evaluations included), hypervolume of the
 * final population's non-dominated points with reference 1.1 in every objective, and IGD against the
 * problem's true front. Prints a table and writes bench/results/nsga2.json. `--quick`: 2 seeds.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dtlz2, type Problem, zdt1 } from '../problems/index.js';
import { type Matrix, selectRows } from '../src/linalg/matrix.js';
import { runNsga2 } from '../src/moga/nsga2-algorithm.js';
import { hypervolume } from '../src/pareto/hypervolume.js';
import { invertedGenerationalDistance } from '../src/pareto/indicators.js';

interface Case {
  name: string;
  problem: Problem;
  populationSize: number;
  generations: number;
  /** pymoo 0.6.1 NSGA2 on the same setting: mean hypervolume and CPU seconds per run. */
  pymoo: { hypervolume: number; cpuSeconds: string };
}

interface Run {
  seed: number;
  wallMs: number;
  cpuMs: number;
  hypervolume: number;
  igd: number;
  frontSize: number;
  evaluations: number;
}

function argument(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const seeds = Number(argument('--seeds') ?? (quick ? 2 : 5));

const cases: Case[] = [
  {
    name: 'ZDT1 d=30',
    problem: zdt1({ dimensions: 30 }),
    populationSize: 100,
    generations: 200,
    pymoo: { hypervolume: 0.8678, cpuSeconds: '3 to 4.5' },
  },
  {
    name: 'DTLZ2 m=3 d=12',
    problem: dtlz2({ objectives: 3, dimensions: 12 }),
    populationSize: 100,
    generations: 250,
    pymoo: { hypervolume: 0.704, cpuSeconds: '3 to 4.5' },
  },
];

function nondominatedRows(F: Matrix, rank: Int32Array): Matrix {
  const rows: number[] = [];
  for (let i = 0; i < rank.length; i++) if (rank[i] === 0) rows.push(i);
  return selectRows(F, rows);
}

function mean(values: number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

// Warm-up so that the first timed run is not the one paying for compilation.
for (const c of cases)
  runNsga2(c.problem, { populationSize: c.populationSize, generations: 20, seed: 'warm-up' });

const results: { case: Case; runs: Run[] }[] = [];
for (const c of cases) {
  const reference = new Float64Array(c.problem.objectives).fill(1.1);
  const trueFront = c.problem.paretoFront(1000);
  const runs: Run[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const r = runNsga2(c.problem, { populationSize: c.populationSize, generations: c.generations, seed });
    const wallMs = performance.now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const front = nondominatedRows(r.population.F, r.population.rank);
    runs.push({
      seed,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      hypervolume: hypervolume(front, reference),
      igd: invertedGenerationalDistance(front, trueFront),
      frontSize: front.rows,
      evaluations: r.evaluations,
    });
  }
  results.push({ case: c, runs });
}

const header = ['problem', 'seed', 'wall ms', 'cpu ms', 'HV', 'IGD', 'front', 'evals'];
const lines: string[][] = [];
for (const { case: c, runs } of results) {
  for (const r of runs) {
    lines.push([
      c.name,
      String(r.seed),
      r.wallMs.toFixed(0),
      r.cpuMs.toFixed(0),
      r.hypervolume.toFixed(4),
      r.igd.toFixed(5),
      String(r.frontSize),
      String(r.evaluations),
    ]);
  }
  const hv = runs.map((r) => r.hypervolume);
  lines.push([
    `${c.name} mean`,
    '',
    mean(runs.map((r) => r.wallMs)).toFixed(0),
    mean(runs.map((r) => r.cpuMs)).toFixed(0),
    `${mean(hv).toFixed(4)} [${Math.min(...hv).toFixed(4)}, ${Math.max(...hv).toFixed(4)}]`,
    mean(runs.map((r) => r.igd)).toFixed(5),
    '',
    `pymoo HV ${c.pymoo.hypervolume}, ${c.pymoo.cpuSeconds} s CPU`,
  ]);
}
const widths = header.map((h, k) => Math.max(h.length, ...lines.map((l) => l[k]!.length)));
const format = (l: string[]) => l.map((v, k) => v.padStart(widths[k]!)).join('  ');
console.log(format(header));
for (const l of lines) console.log(format(l));

const out = join(dirname(fileURLToPath(import.meta.url)), 'results', 'nsga2.json');
mkdirSync(dirname(out), { recursive: true });
writeFileSync(
  out,
  `${JSON.stringify(
    {
      benchmark: 'nsga2',
      date: new Date().toISOString(),
      node: process.version,
      quick,
      note: 'wall and CPU per run include objective evaluations; HV of rank-0 points, reference 1.1',
      cases: results.map(({ case: c, runs }) => ({
        name: c.name,
        problem: c.problem.name,
        dimensions: c.problem.dimensions,
        objectives: c.problem.objectives,
        populationSize: c.populationSize,
        generations: c.generations,
        pymoo: c.pymoo,
        maxHypervolume: c.problem.maxHypervolume,
        meanWallMs: mean(runs.map((r) => r.wallMs)),
        meanCpuMs: mean(runs.map((r) => r.cpuMs)),
        meanHypervolume: mean(runs.map((r) => r.hypervolume)),
        meanIgd: mean(runs.map((r) => r.igd)),
        runs,
      })),
    },
    null,
    2,
  )}\n`,
);
console.log(`wrote ${out}`);
