/**
 * Closure benchmark: MOBO (qLogNEHVI) against Sobol random search and NSGA-II on DTLZ2, through the
 * Optimizer (ask / tell): 2 (d + 1) Sobol points, then batches of q = 4. Reports log10(max HV - HV) after every batch (reference 1.1 in every objective, the
 * true maximum from `problem.maxHypervolume`), mean over seeds, plus time per MOBO ask.
 *
 *   npx tsx bench/closure.ts [--quick] [--seeds 5] [--problem m2|m3|m5|all] [--budget N]
 *                            [--raw 512] [--restarts 10] [--mc 128] [--acquisition qLogNEHVI]
 *
 * Problems: m2 = DTLZ2 m = 2, d = 6 to 102 evaluations (default); m3 = m = 3, d = 10 to 100;
 * m5 = m = 5, d = 20 to 150 (long). `--quick`: 2 seeds, m2 to 46 evaluations, 128 raw samples,
 * 4 restarts, 64 MC samples. NSGA-II: population 2 (d + 1) (14 for m2, the initial design), one
 * generation per that many offspring, after the same Sobol points. Writes bench/results/closure.json
 * (merged by problem with earlier runs; the settings recorded are the last run's). `--budget N` runs
 * every problem to N evaluations instead (the CI check's 30, over more seeds, say) and writes
 * bench/results/closure-budget-N.json alone, leaving closure.json and the benchmark page as they are.
 */

import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dtlz2, type Problem } from '../problems/index.js';
import { Optimizer } from '../src/experiment/optimizer.js';
import type { StrategyConfig } from '../src/strategy/strategies.js';
import { writeBenchmarkPage } from './report.js';

function argument(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const seeds = Number(argument('--seeds') ?? (quick ? 2 : 5));
const which = argument('--problem') ?? 'm2';
const rawSamples = Number(argument('--raw') ?? (quick ? 128 : 512));
const restarts = Number(argument('--restarts') ?? (quick ? 4 : 10));
const mcSamples = Number(argument('--mc') ?? (quick ? 64 : 128));
const acquisition = argument('--acquisition') ?? 'qLogNEHVI';
const batch = 4;

interface Case {
  key: string;
  problem: Problem;
  budget: number;
}

const allCases: Case[] = [
  { key: 'm2', problem: dtlz2({ objectives: 2, dimensions: 6 }), budget: quick ? 46 : 102 },
  { key: 'm3', problem: dtlz2({ objectives: 3, dimensions: 10 }), budget: 100 },
  { key: 'm5', problem: dtlz2({ objectives: 5, dimensions: 20 }), budget: 150 },
];
const budgetOverride = argument('--budget');
const cases = allCases
  .filter((c) => which === 'all' || which.split(',').includes(c.key))
  .map((c) => (budgetOverride === undefined ? c : { ...c, budget: Number(budgetOverride) }));

interface RunResult {
  method: string;
  seed: number;
  evaluations: number[];
  hypervolume: number[];
  logHvDifference: number[];
  askMs: number[];
  cpuMs: number;
}

function evaluate(problem: Problem, params: Readonly<Record<string, unknown>>): Record<string, number> {
  const d = problem.dimensions;
  const x = new Float64Array(d);
  for (let i = 0; i < d; i++) x[i] = params[`x${i + 1}`] as number;
  const y = problem.evaluate({ rows: 1, cols: d, data: x });
  const out: Record<string, number> = {};
  for (let j = 0; j < problem.objectives; j++) out[`f${j + 1}`] = y.data[j]!;
  return out;
}

async function run(problem: Problem, method: string, strategy: StrategyConfig, seed: number, budget: number) {
  const d = problem.dimensions;
  const opt = await Optimizer.create(
    {
      parameters: Array.from({ length: d }, (_, i) => ({
        name: `x${i + 1}`,
        type: 'float' as const,
        bounds: [problem.lower[i]!, problem.upper[i]!] as [number, number],
      })),
      objectives: Array.from({ length: problem.objectives }, (_, j) => ({
        name: `f${j + 1}`,
        minimize: true,
        threshold: problem.referencePoint[j]!,
      })),
      strategy,
      seed,
    },
    { logger: { warn: () => {} } },
  );
  const initial = 2 * (d + 1);
  const max = problem.maxHypervolume!;
  const result: RunResult = {
    method,
    seed,
    evaluations: [],
    hypervolume: [],
    logHvDifference: [],
    askMs: [],
    cpuMs: 0,
  };
  const cpu = process.cpuUsage();
  let count = initial;
  while (opt.trials().length < budget) {
    const t = performance.now();
    const trials = await opt.ask(Math.min(count, budget - opt.trials().length));
    result.askMs.push(performance.now() - t);
    for (const trial of trials) await opt.tell(trial.id, evaluate(problem, trial.params));
    const hv = opt.hypervolume();
    result.evaluations.push(opt.trials().length);
    result.hypervolume.push(hv);
    result.logHvDifference.push(Math.log10(Math.max(max - hv, 1e-12)));
    count = batch;
  }
  result.cpuMs = process.cpuUsage(cpu).user / 1000;
  await opt.close();
  return result;
}

const results: { problem: string; m: number; d: number; budget: number; runs: RunResult[] }[] = [];
for (const c of cases) {
  const { problem } = c;
  const d = problem.dimensions;
  const initial = 2 * (d + 1);
  const methods: [string, StrategyConfig][] = [
    [
      'mobo',
      {
        strategy: 'mobo',
        options: { initialTrials: initial, rawSamples, restarts, mcSamples, acquisition },
      },
    ],
    ['sobol', 'sobol'],
    [
      'nsga2',
      [
        { strategy: 'sobol', trials: initial },
        { strategy: 'nsga2', options: { populationSize: initial } },
      ],
    ],
  ];
  const runs: RunResult[] = [];
  for (let seed = 1; seed <= seeds; seed++) {
    for (const [method, strategy] of methods) {
      const r = await run(problem, method, strategy, seed, c.budget);
      runs.push(r);
      const last = r.logHvDifference.length - 1;
      process.stderr.write(
        `${c.key} seed ${seed} ${method}: log10 HV diff ${r.logHvDifference[last]!.toFixed(3)} ` +
          `(cpu ${(r.cpuMs / 1000).toFixed(1)} s)\n`,
      );
    }
  }
  results.push({
    problem: `DTLZ2 m=${problem.objectives} d=${d}`,
    m: problem.objectives,
    d,
    budget: c.budget,
    runs,
  });
  // Table: mean log10 HV difference after each batch.
  const byMethod = (method: string) => runs.filter((r) => r.method === method);
  const evaluations = byMethod('mobo')[0]!.evaluations;
  console.log(`\nDTLZ2 m=${problem.objectives} d=${d}: mean log10(max HV - HV) over ${seeds} seeds`);
  console.log(['evals', 'mobo', 'sobol', 'nsga2'].map((s) => s.padStart(8)).join(''));
  evaluations.forEach((e, k) => {
    const cells = ['mobo', 'sobol', 'nsga2'].map((method) => {
      const rs = byMethod(method);
      const v = rs.reduce((s, r) => s + r.logHvDifference[k]!, 0) / rs.length;
      return v.toFixed(3).padStart(8);
    });
    console.log(`${String(e).padStart(8)}${cells.join('')}`);
  });
  const mobo = byMethod('mobo');
  const asks = mobo.flatMap((r) => r.askMs.slice(1));
  console.log(
    `mobo: mean ask ${(asks.reduce((s, v) => s + v, 0) / asks.length / 1000).toFixed(2)} s, ` +
      `mean CPU per run ${(mobo.reduce((s, r) => s + r.cpuMs, 0) / mobo.length / 1000).toFixed(1)} s`,
  );
}

const out = join(
  dirname(fileURLToPath(import.meta.url)),
  'results',
  budgetOverride === undefined ? 'closure.json' : `closure-budget-${budgetOverride}.json`,
);
mkdirSync(dirname(out), { recursive: true });
// Merged by problem with earlier runs, so that the long problems can run separately.
const earlier: typeof results = existsSync(out)
  ? ((JSON.parse(readFileSync(out, 'utf8')) as { results?: typeof results }).results ?? [])
  : [];
const merged = [...earlier.filter((e) => !results.some((r) => r.problem === e.problem)), ...results];
writeFileSync(
  out,
  `${JSON.stringify(
    {
      bench: 'closure',
      quick,
      seeds,
      batch,
      mobo: { acquisition, rawSamples, restarts, mcSamples },
      node: process.version,
      date: new Date().toISOString(),
      results: merged,
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwrote ${out}`);

if (budgetOverride === undefined) console.log(`wrote ${writeBenchmarkPage()}`);
