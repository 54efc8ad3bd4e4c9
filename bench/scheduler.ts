/**
 * Scheduler overhead. `npx tsx bench/scheduler.ts [--quick]`; prints tables and writes
 * bench/results/scheduler.json.
 *
 * 1. DTLZ2 (m = 2, d = 6) with a task that sleeps 1 s, maxParallel 8, 100 trials on the worker pool
 *    (asynchronous and batch-synchronous) and, for the scheduler's own overhead, in-process: the fraction of slot-time busy (sum of attempt durations over
 *    maxParallel x wall time; it includes worker-thread start-up, which tsx makes slow from sources),
 *    the fraction spent in the task's own sleeps, and the wall time against the ideal ceil(100 / 8) s.
 * 2. Ask latency as the experiment grows: the same problem with an instant in-process task, 1000 trials,
 *    maxParallel 8: the median and largest ask time per block of experiment sizes.
 *
 * 3. The same for the 'mobo' strategy (GP + qLogNEHVI) in the pool run of part 1: its asks run on the
 *    scheduler's thread, so slots that free during an ask wait for it.
 *
 * Strategy: Sobol for 14 trials, then NSGA-II, except where 'mobo' is named; the experiment is journaled
 * (fsync per event) as `mobo run` does.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptimizerConfig } from '../src/experiment/config.js';
import { Optimizer } from '../src/experiment/optimizer.js';
import {
  type BuiltinProblemSpec,
  builtinExperiment,
  builtinProblem,
  builtinTask,
  writeBuiltinTaskModule,
} from '../src/runners/builtin.js';
import { InProcessRunner } from '../src/runners/in-process.js';
import { PoolRunner } from '../src/runners/pool.js';
import { Scheduler, type SchedulerResult } from '../src/runners/scheduler.js';
import type { Runner, Task } from '../src/runners/types.js';

const quick = process.argv.includes('--quick');
const here = dirname(fileURLToPath(import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'mobo-bench-scheduler-'));

const nsga2: OptimizerConfig['strategy'] = [
  { strategy: 'sobol', trials: 14 },
  { strategy: 'nsga2', options: { populationSize: 14, mode: 'steady-state' } },
];

async function experiment(
  name: string,
  spec: BuiltinProblemSpec,
  trials: number,
  maxParallel: number,
  batchSynchronous: boolean,
  make: (task: Task, output: string) => Runner,
  strategy: OptimizerConfig['strategy'] = nsga2,
): Promise<{ result: SchedulerResult; hypervolume: number }> {
  const output = join(root, name);
  mkdirSync(output, { recursive: true });
  const task = writeBuiltinTaskModule(output, spec);
  const opt = await Optimizer.create(
    { journal: join(output, 'journal.jsonl'), ...builtinExperiment(builtinProblem(spec)), strategy, seed: 1 },
    { logger: { warn: () => {} } },
  );
  const runner = make(task, output);
  const result = await new Scheduler(opt, runner, {
    trials,
    maxParallel,
    batchSynchronous,
    ledger: join(output, 'runner.jsonl'),
  }).run();
  await runner.close();
  const hypervolume = opt.hypervolume();
  await opt.close();
  return { result, hypervolume };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? Number.NaN : (s[(s.length - 1) >> 1]! + s[s.length >> 1]!) / 2;
}

const pad = (s: string, n: number) => s.padStart(n);

async function main(): Promise<void> {
  const trials = quick ? 40 : 100;
  const maxParallel = 8;
  const slow: BuiltinProblemSpec = { name: 'dtlz2', objectives: 2, dimensions: 6, delaySeconds: 1 };
  const ideal = Math.ceil(trials / maxParallel);
  const slots: Record<string, unknown>[] = [];
  console.log(`DTLZ2 (m = 2, d = 6), task sleeping 1 s, ${trials} trials, maxParallel ${maxParallel}`);
  console.log(
    `${'runner, mode'.padEnd(20)}${pad('wall s', 8)}${pad('ideal s', 9)}${pad('busy %', 8)}${pad('task %', 8)}${pad('asks', 6)}${pad('median ask ms', 15)}${pad('HV', 10)}`,
  );
  const cases = [
    { mode: 'pool, asynchronous', batch: false, pool: true, strategy: nsga2 },
    { mode: 'pool, batch-sync', batch: true, pool: true, strategy: nsga2 },
    { mode: 'in-process, async', batch: false, pool: false, strategy: nsga2 },
    { mode: 'pool, async, mobo', batch: false, pool: true, strategy: 'mobo' as const },
  ];
  let moboAsks: SchedulerResult['stats']['asks'] = [];
  for (const { mode, batch, pool, strategy } of cases) {
    const { result, hypervolume } = await experiment(
      `slow-${mode.replace(/[^a-z]+/g, '-')}`,
      slow,
      trials,
      maxParallel,
      batch,
      (task, output) =>
        pool
          ? new PoolRunner(task, { maxThreads: maxParallel, directory: output })
          : new InProcessRunner(builtinTask(slow), { directory: output }),
      strategy,
    );
    const s = result.stats;
    if (strategy === 'mobo') moboAsks = s.asks;
    const row = {
      mode,
      strategy: strategy === 'mobo' ? 'mobo' : 'sobol (14), nsga2',
      wallSeconds: s.wallMs / 1000,
      idealSeconds: ideal,
      busyFraction: s.busyFraction,
      // Slot-time spent in the task's own 1 s sleeps: what is left once thread start-up is counted out.
      taskFraction: (result.progress.completed * 1000) / (maxParallel * s.wallMs),
      asks: s.asks.length,
      medianAskMs: median(s.asks.map((a) => a.ms)),
      hypervolume,
    };
    slots.push(row);
    console.log(
      `${mode.padEnd(20)}${pad(row.wallSeconds.toFixed(2), 8)}${pad(String(ideal), 9)}${pad((100 * row.busyFraction).toFixed(1), 8)}` +
        `${pad((100 * row.taskFraction).toFixed(1), 8)}` +
        `${pad(String(row.asks), 6)}${pad(row.medianAskMs.toFixed(2), 15)}${pad(hypervolume.toFixed(4), 10)}`,
    );
  }

  const many = quick ? 300 : 1000;
  const block = many / 5;
  const instant: BuiltinProblemSpec = { name: 'dtlz2', objectives: 2, dimensions: 6 };
  const { result } = await experiment(
    'instant',
    instant,
    many,
    maxParallel,
    false,
    (_, output) => new InProcessRunner(builtinTask(instant), { directory: output }),
  );
  console.log(
    `\nask latency as the experiment grows (instant in-process task, ${many} trials, maxParallel 8)`,
  );
  console.log(`${'trials so far'.padEnd(16)}${pad('asks', 6)}${pad('median ms', 11)}${pad('max ms', 9)}`);
  const latency: Record<string, unknown>[] = [];
  for (let lo = 0; lo < many; lo += block) {
    const asks = result.stats.asks.filter((a) => a.size >= lo && a.size < lo + block);
    const ms = asks.map((a) => a.ms);
    const row = {
      from: lo,
      to: lo + block - 1,
      asks: asks.length,
      medianMs: median(ms),
      maxMs: Math.max(...ms),
    };
    latency.push(row);
    console.log(
      `${`${lo}-${lo + block - 1}`.padEnd(16)}${pad(String(row.asks), 6)}${pad(row.medianMs.toFixed(2), 11)}${pad(row.maxMs.toFixed(2), 9)}`,
    );
  }
  console.log(
    `instant run: ${many} trials in ${(result.stats.wallMs / 1000).toFixed(2)} s ` +
      `(${((1000 * many) / result.stats.wallMs).toFixed(0)} trials/s, journal fsynced per event)`,
  );

  console.log(`\nask latency of the mobo strategy as the experiment grows (the pool run above)`);
  console.log(`${'trials so far'.padEnd(16)}${pad('asks', 6)}${pad('median ms', 11)}${pad('max ms', 9)}`);
  const moboLatency: Record<string, unknown>[] = [];
  const moboBlock = trials / 5;
  for (let lo = 0; lo < trials; lo += moboBlock) {
    const ms = moboAsks.filter((a) => a.size >= lo && a.size < lo + moboBlock).map((a) => a.ms);
    const row = {
      from: lo,
      to: lo + moboBlock - 1,
      asks: ms.length,
      medianMs: median(ms),
      maxMs: Math.max(...ms),
    };
    moboLatency.push(row);
    console.log(
      `${`${lo}-${lo + moboBlock - 1}`.padEnd(16)}${pad(String(row.asks), 6)}${pad(row.medianMs.toFixed(1), 11)}${pad(row.maxMs.toFixed(1), 9)}`,
    );
  }

  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'scheduler.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        quick,
        slowTask: { trials, maxParallel, taskSeconds: 1, rows: slots },
        askLatency: {
          trials: many,
          maxParallel,
          runner: 'in-process',
          rows: latency,
          wallMs: result.stats.wallMs,
        },
      },
      null,
      2,
    )}\n`,
  );
  rmSync(root, { recursive: true, force: true });
}

await main();
