/**
 * High-dimensional benchmark: the strategies where our users work (100 parameters, 2 to 5
 * objectives, thousands of trials), through the Optimizer (ask / tell). Each run: 200 Sobol points,
 * then batches of q = 50 from the strategy up to 2000 evaluations ('mobo' is the global model,
 * `model: 'global'`; the default 'mobo' strategy runs MORBO at these dimensions). After every
 * batch it records the hypervolume (the problem's reference point), the wall time and process CPU
 * time of the ask, and the process's memory (rss, heap used) after it.
 *
 *   npx tsx bench/highdim.ts [--quick] [--problems dtlz2-m2,dtlz2-m5,dtlz7-m4,rover]
 *                            [--strategies morbo,mobo,nsga2,sobol] [--seeds 1,2,3 | --seeds 3 | --seed 2]
 *                            [--budget 2000] [--initial 200] [--batch 50] [--cap-minutes 60]
 *                            [--out highdim.json]
 *   npx tsx bench/highdim.ts --g-check [--seeds 1,2,3] [--batches 3] [--q 10]
 *
 * Problems (reference points): dtlz2-m2 = DTLZ2 m = 2, d = 100 (1.1, 1.1; MORBO's own case);
 * dtlz2-m5 = DTLZ2 m = 5, d = 100 (1.1 each; the papers' case); dtlz7-m4 = DTLZ7 m = 4, d = 100
 * (1.1, 1.1, 1.1, 8.8: 1.1 times the front's box); rover = the 60-D rover trajectory of Wang et al.
 * 2018 made bi-objective, problems/rover.ts (20, 8). DTLZ panels also report log10(max HV - HV).
 * DTLZ2 runs also record, after each batch, the two things its hypervolume is made of: how close
 * the front is (`frontMedianG`, the median of g over the Pareto-optimal points inside the reference
 * box) and how widely it covers the true front (`coverageHypervolume`, the hypervolume of those
 * points projected onto it, f / ||f||: what the same front would be worth at g = 0).
 *
 * `--cap-minutes` caps each run's wall clock (default 60; quick 2): a run that reaches it stops
 * after its current batch and records where (`stoppedAt`, `stopReason`). After every batch a
 * progress line goes to stderr and the JSON is rewritten with the run so far (`stopReason`
 * 'running'), so a run killed early keeps its batches. `--quick`: dtlz2-m2 only,
 * budget 400, batch 50, seeds 1, cap 2 minutes. Writes bench/results/<out> (default highdim.json,
 * replaced); the benchmark page reads every bench/results/highdim*.json, so seeds and strategies
 * run as separate processes (`--out highdim-morbo-s1.json`) all appear. A strategy the engine does
 * not know is reported and skipped.
 *
 * `--g-check` (figure (c) of issue 12): DTLZ2 m = 5, d = 100, 200 Sobol points, then `--batches`
 * batches of `--q` points from the global `mobo` strategy; prints, per seed and batch, the mean of
 * DTLZ2's distance term g over the batch against the mean over the 200 Sobol points, and writes
 * bench/results/highdim-g.json.
 */

import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { dtlz2, dtlz7, type Problem } from '../problems/index.js';
import { rover } from '../problems/rover.js';
import { Optimizer } from '../src/experiment/optimizer.js';
import { paretoFilter } from '../src/pareto/dominance.js';
import { hypervolume } from '../src/pareto/hypervolume.js';
import { median } from '../src/report/statistics.js';
import type { StrategyConfig } from '../src/strategy/strategies.js';
import { writeBenchmarkPage } from './report.js';

function argument(name: string): string | undefined {
  const k = process.argv.indexOf(name);
  return k >= 0 ? process.argv[k + 1] : undefined;
}

const quick = process.argv.includes('--quick');
const gCheck = process.argv.includes('--g-check');
// --seed N: that one seed; --seeds 1,2,3: those; --seeds 3: seeds 1 to 3.
const seedsArg = argument('--seed') ?? argument('--seeds') ?? (quick ? '1' : '1,2,3');
const seeds =
  seedsArg.includes(',') || argument('--seed') !== undefined
    ? seedsArg.split(',').map(Number)
    : Array.from({ length: Number(seedsArg) }, (_, i) => i + 1);
const budget = Number(argument('--budget') ?? (quick ? 400 : 2000));
const initial = Number(argument('--initial') ?? 200);
const batch = Number(argument('--batch') ?? 50);
const capMinutes = Number(argument('--cap-minutes') ?? (quick ? 2 : 60));
const strategies = (argument('--strategies') ?? 'morbo,mobo,nsga2,sobol').split(',');
const problemKeys = (
  argument('--problems') ?? (quick ? 'dtlz2-m2' : 'dtlz2-m2,dtlz2-m5,dtlz7-m4,rover')
).split(',');
const outName = argument('--out') ?? (gCheck ? 'highdim-g.json' : 'highdim.json');
for (const [name, v] of [
  ['--budget', budget],
  ['--initial', initial],
  ['--batch', batch],
  ['--cap-minutes', capMinutes],
] as const) {
  if (!(v > 0)) throw new RangeError(`bench/highdim: ${name} is ${v}, expected a number > 0`);
}
if (seeds.some((s) => !Number.isInteger(s))) {
  throw new RangeError(`bench/highdim: --seeds is ${seedsArg}, expected a count or a list such as 1,2,3`);
}

const PROBLEMS: Record<string, () => Problem> = {
  'dtlz2-m2': () => dtlz2({ objectives: 2, dimensions: 100 }),
  'dtlz2-m5': () => dtlz2({ objectives: 5, dimensions: 100 }),
  'dtlz7-m4': () => dtlz7({ objectives: 4, dimensions: 100 }),
  rover: () => rover(),
};
for (const key of problemKeys) {
  if (!Object.hasOwn(PROBLEMS, key)) {
    throw new RangeError(
      `bench/highdim: unknown problem '${key}', expected some of ${Object.keys(PROBLEMS).join(', ')}`,
    );
  }
}

/** DTLZ2's distance term: the sum of (x_i - 0.5)^2 over the last d - m + 1 coordinates. */
function dtlzG(x: Float64Array, m: number): number {
  let g = 0;
  for (let i = m - 1; i < x.length; i++) g += (x[i]! - 0.5) ** 2;
  return g;
}

function unitPoint(problem: Problem, params: Readonly<Record<string, unknown>>): Float64Array {
  const d = problem.dimensions;
  const u = new Float64Array(d);
  for (let i = 0; i < d; i++) {
    const lo = problem.lower[i]!;
    u[i] = ((params[`x${i + 1}`] as number) - lo) / (problem.upper[i]! - lo);
  }
  return u;
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

async function createOptimizer(problem: Problem, strategy: StrategyConfig, seed: number): Promise<Optimizer> {
  const d = problem.dimensions;
  return Optimizer.create(
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
}

/**
 * DTLZ2's hypervolume in its two parts: the median g of the Pareto-optimal points among `inside`
 * (rows of m objectives, all inside the reference box; g per row in `g`), and the hypervolume of
 * those points projected onto the true front (the unit sphere: f / ||f||).
 */
function frontComposition(
  inside: readonly number[],
  g: readonly number[],
  m: number,
  reference: ArrayLike<number>,
): { medianG: number | null; coverage: number } {
  if (g.length === 0) return { medianG: null, coverage: 0 };
  const rows = paretoFilter({ rows: g.length, cols: m, data: Float64Array.from(inside) });
  const gs = Array.from(rows, (i) => g[i]!);
  const projected = new Float64Array(rows.length * m);
  rows.forEach((i, a) => {
    let norm = 0;
    for (let j = 0; j < m; j++) norm += inside[i * m + j]! ** 2;
    norm = Math.sqrt(norm);
    for (let j = 0; j < m; j++) projected[a * m + j] = inside[i * m + j]! / norm;
  });
  return {
    medianG: median(gs),
    coverage: hypervolume({ rows: rows.length, cols: m, data: projected }, reference),
  };
}

/** The strategy: `initial` Sobol points, then the named one (NSGA-II with population = batch). */
function strategyOf(name: string): StrategyConfig {
  const head = { strategy: 'sobol' as const, trials: initial };
  if (name === 'sobol') return 'sobol';
  if (name === 'nsga2') return [head, { strategy: 'nsga2', options: { populationSize: batch } }];
  // The global model (the 'mobo' strategy picks MORBO above d = 20 by default).
  if (name === 'mobo') return [head, { strategy: 'mobo', options: { model: 'global' } }];
  // Other names (mobo, morbo, ...) as the engine registers them, after the same Sobol points.
  return [head, { strategy: name } as unknown as StrategyConfig & object] as unknown as StrategyConfig;
}

interface RunResult {
  problem: string;
  method: string;
  seed: number;
  evaluations: number[];
  hypervolume: number[];
  logHvDifference: (number | null)[];
  /** Completed trials each ask saw. */
  askN: number[];
  askMs: number[];
  askCpuMs: number[];
  rssMb: number[];
  heapUsedMb: number[];
  peakRssMb: number;
  /** Per batch, the mean of DTLZ2's g over the batch's points (DTLZ2 only). */
  batchMeanG?: number[];
  /** Per batch, the median g of the Pareto-optimal points inside the box; null while none (DTLZ2 only). */
  frontMedianG?: (number | null)[];
  /** Per batch, the hypervolume of those points projected onto the true front, f / ||f|| (DTLZ2 only). */
  coverageHypervolume?: number[];
  cpuMs: number;
  wallMs: number;
  stoppedAt: number;
  /** 'running' only in the partial files written while the run goes on. */
  stopReason: 'budget' | 'cap' | 'error' | 'running';
  error?: string;
}

/** Called after every batch with the run so far (progress line, partial JSON). */
type Progress = (partial: RunResult) => void;

async function run(
  key: string,
  problem: Problem,
  method: string,
  seed: number,
  progress: Progress = () => {},
): Promise<RunResult> {
  const isDtlz2 = problem.name === 'dtlz2';
  const result: RunResult = {
    problem: key,
    method,
    seed,
    evaluations: [],
    hypervolume: [],
    logHvDifference: [],
    askN: [],
    askMs: [],
    askCpuMs: [],
    rssMb: [],
    heapUsedMb: [],
    peakRssMb: 0,
    ...(isDtlz2 ? { batchMeanG: [], frontMedianG: [], coverageHypervolume: [] } : {}),
    cpuMs: 0,
    wallMs: 0,
    stoppedAt: 0,
    stopReason: 'budget',
  };
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  const cap = capMinutes * 60_000;
  const max = problem.maxHypervolume;
  let opt: Optimizer | undefined;
  // DTLZ2: every observed point inside the reference box, with its g.
  const m = problem.objectives;
  const inside: number[] = [];
  const insideG: number[] = [];
  try {
    opt = await createOptimizer(problem, strategyOf(method), seed);
    let count = initial;
    while (opt.trials().length < budget) {
      result.askN.push(opt.trials().length);
      const t = performance.now();
      const c = process.cpuUsage();
      const trials = await opt.ask(Math.min(count, budget - opt.trials().length));
      result.askMs.push(performance.now() - t);
      const used = process.cpuUsage(c);
      result.askCpuMs.push((used.user + used.system) / 1000);
      const memory = process.memoryUsage();
      result.rssMb.push(memory.rss / 2 ** 20);
      result.heapUsedMb.push(memory.heapUsed / 2 ** 20);
      result.peakRssMb = Math.max(result.peakRssMb, memory.rss / 2 ** 20);
      let gSum = 0;
      for (const trial of trials) {
        const values = evaluate(problem, trial.params);
        await opt.tell(trial.id, values);
        if (!isDtlz2) continue;
        const g = dtlzG(unitPoint(problem, trial.params), m);
        gSum += g;
        const f = Array.from({ length: m }, (_, j) => values[`f${j + 1}`]!);
        if (f.every((v, j) => v < problem.referencePoint[j]!)) {
          inside.push(...f);
          insideG.push(g);
        }
      }
      if (isDtlz2) {
        result.batchMeanG!.push(gSum / Math.max(trials.length, 1));
        const { medianG, coverage } = frontComposition(inside, insideG, m, problem.referencePoint);
        result.frontMedianG!.push(medianG);
        result.coverageHypervolume!.push(coverage);
      }
      const hv = opt.hypervolume();
      result.evaluations.push(opt.trials().length);
      result.hypervolume.push(hv);
      result.logHvDifference.push(max === undefined ? null : Math.log10(Math.max(max - hv, 1e-12)));
      count = batch;
      result.stoppedAt = opt.trials().length;
      const total = process.cpuUsage(cpu0);
      result.cpuMs = (total.user + total.system) / 1000;
      result.wallMs = performance.now() - wall0;
      progress({ ...result, stopReason: 'running' });
      if (trials.length === 0) break;
      if (performance.now() - wall0 > cap && opt.trials().length < budget) {
        result.stopReason = 'cap';
        break;
      }
    }
  } catch (e) {
    result.stopReason = 'error';
    result.error = (e as Error).message;
  } finally {
    await opt?.close();
  }
  result.stoppedAt = result.evaluations.at(-1) ?? 0;
  const used = process.cpuUsage(cpu0);
  result.cpuMs = (used.user + used.system) / 1000;
  result.wallMs = performance.now() - wall0;
  return result;
}

const resultsDir = join(dirname(fileURLToPath(import.meta.url)), 'results');

function write(name: string, body: unknown): string {
  const out = join(resultsDir, name);
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(body, null, 2)}\n`);
  return out;
}

function mean(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0) / values.length;
}

async function gCheckMode(): Promise<void> {
  const batches = Number(argument('--batches') ?? 3);
  const q = Number(argument('--q') ?? 10);
  const problem = dtlz2({ objectives: 5, dimensions: 100 });
  const rows: {
    seed: number;
    sobolMeanG: number;
    sobolMinG: number;
    batchMeanG: number[];
    batchMinG: number[];
    askMs: number[];
  }[] = [];
  console.log(`DTLZ2 m=5 d=100: ${initial} Sobol points, then ${batches} batches of q=${q} from 'mobo'`);
  console.log(
    ['seed', 'sobol mean g', 'sobol min g', 'batch', 'mean g', 'min g', 'ask s']
      .map((s) => s.padStart(13))
      .join(''),
  );
  for (const seed of seeds) {
    const opt = await createOptimizer(
      problem,
      [
        { strategy: 'sobol', trials: initial },
        { strategy: 'mobo', options: { model: 'global' } },
      ],
      seed,
    );
    const first = await opt.ask(initial);
    const gs: number[] = [];
    for (const trial of first) {
      await opt.tell(trial.id, evaluate(problem, trial.params));
      gs.push(dtlzG(unitPoint(problem, trial.params), 5));
    }
    const row = {
      seed,
      sobolMeanG: mean(gs),
      sobolMinG: Math.min(...gs),
      batchMeanG: [] as number[],
      batchMinG: [] as number[],
      askMs: [] as number[],
    };
    for (let b = 0; b < batches; b++) {
      const t = performance.now();
      const trials = await opt.ask(q);
      row.askMs.push(performance.now() - t);
      const g: number[] = [];
      for (const trial of trials) {
        await opt.tell(trial.id, evaluate(problem, trial.params));
        g.push(dtlzG(unitPoint(problem, trial.params), 5));
      }
      row.batchMeanG.push(mean(g));
      row.batchMinG.push(Math.min(...g));
      console.log(
        [
          seed,
          row.sobolMeanG.toFixed(2),
          row.sobolMinG.toFixed(2),
          b + 1,
          mean(g).toFixed(2),
          Math.min(...g).toFixed(2),
          (row.askMs.at(-1)! / 1000).toFixed(1),
        ]
          .map((s) => String(s).padStart(13))
          .join(''),
      );
    }
    await opt.close();
    rows.push(row);
  }
  const worst = Math.max(...rows.flatMap((r) => r.batchMeanG.map((g) => g - r.sobolMeanG)));
  console.log(
    `\nlargest (batch mean g - Sobol mean g) over seeds and batches: ${worst.toFixed(2)} (${worst <= 0 ? 'no batch worse than the Sobol points' : 'some batch worse than the Sobol points'})`,
  );
  console.log(
    `wrote ${write(outName, { bench: 'highdim-g', initial, batches, q, node: process.version, date: new Date().toISOString(), rows })}`,
  );
}

async function main(): Promise<void> {
  if (gCheck) return gCheckMode();
  const runs: RunResult[] = [];
  const save = (extra: RunResult[]) =>
    write(outName, {
      bench: 'highdim',
      quick,
      initial,
      batch,
      budget,
      capMinutes,
      node: process.version,
      date: new Date().toISOString(),
      runs: [...runs, ...extra],
    });
  for (const key of problemKeys) {
    const problem = PROBLEMS[key]!();
    for (const seed of seeds) {
      for (const method of strategies) {
        const r = await run(key, problem, method, seed, (partial) => {
          // A progress line and the JSON so far, so that a long run stopped early keeps its batches.
          const k = partial.hypervolume.length - 1;
          process.stderr.write(
            `  ${key} seed ${seed} ${method}: n = ${partial.evaluations[k]}, HV ${partial.hypervolume[k]!.toFixed(4)}, ask cpu ${(partial.askCpuMs[k]! / 1000).toFixed(1)} s, rss ${partial.rssMb[k]!.toFixed(0)} MB\n`,
          );
          save([partial]);
        });
        runs.push(r);
        const last = r.hypervolume.length - 1;
        process.stderr.write(
          `${key} seed ${seed} ${method}: ${r.stopReason === 'error' ? `error: ${r.error}` : `HV ${r.hypervolume[last]?.toFixed(4)} at ${r.stoppedAt}`}` +
            ` (${r.stopReason}; cpu ${(r.cpuMs / 1000).toFixed(0)} s, peak rss ${r.peakRssMb.toFixed(0)} MB)\n`,
        );
      }
    }
    // Table: mean hypervolume over seeds after each batch, per method.
    const mine = runs.filter((r) => r.problem === key && r.stopReason !== 'error');
    const methods = [...new Set(mine.map((r) => r.method))];
    const counts = [...new Set(mine.flatMap((r) => r.evaluations))].sort((a, b) => a - b);
    console.log(
      `\n${key} (d = ${problem.dimensions}, m = ${problem.objectives}): mean hypervolume over seeds ${seeds.join(',')}` +
        (problem.maxHypervolume === undefined ? '' : ` (max ${problem.maxHypervolume.toFixed(4)})`),
    );
    console.log(['evals', ...methods].map((s) => s.padStart(10)).join(''));
    for (const e of counts) {
      const cells = methods.map((method) => {
        const values = mine
          .filter((r) => r.method === method)
          .map((r) => r.hypervolume[r.evaluations.indexOf(e)])
          .filter((v): v is number => v !== undefined);
        return (values.length === 0 ? '' : mean(values).toFixed(4)).padStart(10);
      });
      console.log(`${String(e).padStart(10)}${cells.join('')}`);
    }
    console.log('\nask time (process CPU s at n completed trials, mean over seeds) and peak rss (MB)');
    const ns = [...new Set(mine.flatMap((r) => r.askN))].sort((a, b) => a - b);
    for (const method of methods) {
      const rs = mine.filter((r) => r.method === method);
      const cells = ns
        .filter((n) => n === initial || n % 250 === 0 || n === ns.at(-1))
        .map((n) => {
          const v = rs.map((r) => r.askCpuMs[r.askN.indexOf(n)]).filter((x): x is number => x !== undefined);
          return v.length === 0 ? '' : `n=${n}: ${(mean(v) / 1000).toFixed(1)}`;
        })
        .filter((c) => c !== '');
      console.log(
        `  ${method.padEnd(6)} ${cells.join('  ')}  peak rss ${Math.max(...rs.map((r) => r.peakRssMb)).toFixed(0)}; stopped at ${rs.map((r) => `${r.stoppedAt} (${r.stopReason})`).join(', ')}`,
      );
    }
    if (problem.name === 'dtlz2') {
      console.log(
        '\nthe front inside the box: median g / hypervolume projected onto the true front (mean over seeds)',
      );
      for (const method of methods) {
        const rs = mine.filter((r) => r.method === method);
        const cells = counts
          .filter((e) => e % 250 === 0)
          .map((e) => {
            const at = rs.map((r) => ({ r, k: r.evaluations.indexOf(e) }));
            const g = at
              .map(({ k, r }) => r.frontMedianG?.[k])
              .filter((v): v is number => typeof v === 'number');
            const c = at
              .map(({ k, r }) => r.coverageHypervolume?.[k])
              .filter((v): v is number => v !== undefined);
            return c.length === 0
              ? ''
              : `n=${e}: ${g.length === 0 ? '-' : mean(g).toFixed(3)} / ${mean(c).toFixed(3)}`;
          })
          .filter((cell) => cell !== '');
        console.log(`  ${method.padEnd(6)} ${cells.join('  ')}`);
      }
    }
  }
  const out = save([]);
  console.log(`\nwrote ${out}`);
  console.log(`wrote ${writeBenchmarkPage()}`);
}

await main();
