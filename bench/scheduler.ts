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
 * 3. The same for the 'mobo' strategy (Sobol 14, then GP + qLogNEHVI with MoboGenerator's defaults) in
 *    the pool run of part 1: as the scheduler runs it by default (generation in a worker thread,
 *    `askAhead` = maxParallel candidates kept ready, each ask with a time budget that keeps pace with
 *    the slots: `paceGeneration`), the same without the pace (`paceGeneration: false`: every ask runs
 *    the full acquisition search, which on 1 s trials cannot keep 8 slots busy), and the way it ran
 *    before (asks on the scheduler's thread, no ask-ahead: `offThreadGeneration: false`), so that
 *    slots that free during an ask wait for it. The hypervolume column shows what the pace costs. A third mobo row is NOT the default strategy: MoboGenerator options `mcSamples: 64,
 *    restarts: 5` (half the Monte Carlo samples and restarts), to show what a cheaper acquisition
 *    optimization buys. Each row says the options it set. Per mobo row also: the generation throughput
 *    (candidates per second of ask time) and ask latency as the experiment grows.
 *
 * Strategy: Sobol for 14 trials, then NSGA-II, except where 'mobo' is named; the experiment is journaled
 * (fsync per event) as `mobo run` does.
 *
 * 4. With a Redis server (`MOBO_REDIS_URL` or `--redis=URL`), the same pool-row setup on the queue
 *    runner: trials go through a BullMQ queue to a `QueueWorker` in this process (concurrency 8), which
 *    runs each in a node process of its own (so, like the subprocess runner, every trial pays a process
 *    start, with tsx from sources): the 'queue, asynchronous' row.
 *
 * Flags: `--quick` (40 trials, 300 in part 2), `--mobo-only` (part 3 alone, for iterating on it; writes
 * no results file), `--queue-only` (the queue row alone; writes bench/results/scheduler-queue.json),
 * `--ask-ahead=N` and `--max-ask-size=N` (those scheduler options in the default mobo row).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { OptimizerConfig } from '../src/experiment/config.js';
import { readJournal } from '../src/experiment/journal.js';
import { Optimizer } from '../src/experiment/optimizer.js';
import { median } from '../src/report/statistics.js';
import {
  type BuiltinProblemSpec,
  builtinExperiment,
  builtinProblem,
  builtinTask,
  writeBuiltinTaskModule,
} from '../src/runners/builtin.js';
import { InProcessRunner } from '../src/runners/in-process.js';
import { PoolRunner } from '../src/runners/pool.js';
import { QueueRunner } from '../src/runners/queue.js';
import { QueueWorker } from '../src/runners/queue-worker.js';
import { Scheduler, type SchedulerOptions, type SchedulerResult } from '../src/runners/scheduler.js';
import type { Runner, Task } from '../src/runners/types.js';

const quick = process.argv.includes('--quick');
const moboOnly = process.argv.includes('--mobo-only');
const queueOnly = process.argv.includes('--queue-only');
const redisFlag = process.argv.find((a) => a.startsWith('--redis='));
const redisUrl =
  redisFlag === undefined ? process.env.MOBO_REDIS_URL || undefined : redisFlag.slice('--redis='.length);
const askAheadFlag = process.argv.find((a) => a.startsWith('--ask-ahead='));
const askAheadOverride = askAheadFlag === undefined ? undefined : Number(askAheadFlag.split('=')[1]);
const askSizeFlag = process.argv.find((a) => a.startsWith('--max-ask-size='));
const askSizeOverride = askSizeFlag === undefined ? undefined : Number(askSizeFlag.split('=')[1]);
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
  scheduling: SchedulerOptions = { trials },
): Promise<{ result: SchedulerResult; hypervolume: number; phases: GenerationPhases }> {
  const output = join(root, name);
  mkdirSync(output, { recursive: true });
  const task = writeBuiltinTaskModule(output, spec);
  const opt = await Optimizer.create(
    { journal: join(output, 'journal.jsonl'), ...builtinExperiment(builtinProblem(spec)), strategy, seed: 1 },
    { logger: { warn: () => {} } },
  );
  const runner = make(task, output);
  const result = await new Scheduler(opt, runner, {
    ...scheduling,
    trials,
    maxParallel,
    batchSynchronous,
  }).run();
  await runner.close();
  const hypervolume = opt.hypervolume();
  await opt.close();
  return { result, hypervolume, phases: generationPhases(join(output, 'journal.jsonl')) };
}

/** Where the model-based generations' time went, summed over the asks (from the journaled metadata). */
interface GenerationPhases {
  /** Asks (or parts of chained asks) that ran the GP model. */
  modelAsks: number;
  candidates: number;
  fitMs: number;
  decompositionMs: number;
  optimizationMs: number;
  totalMs: number;
}

function generationPhases(journal: string): GenerationPhases {
  const out: GenerationPhases = {
    modelAsks: 0,
    candidates: 0,
    fitMs: 0,
    decompositionMs: 0,
    optimizationMs: 0,
    totalMs: 0,
  };
  for (const { event } of readJournal(journal).events) {
    if (event.type !== 'ask') continue;
    const top = event.generator.metadata as { parts?: { count: number; metadata: unknown }[] } | undefined;
    const parts = top?.parts ?? [{ count: event.trials.length, metadata: top }];
    for (const part of parts) {
      const m = part.metadata as Record<string, unknown> | undefined;
      if (typeof m?.fitMs !== 'number' || typeof m.optimizationMs !== 'number') continue;
      out.modelAsks++;
      out.candidates += part.count;
      out.fitMs += m.fitMs;
      out.decompositionMs += typeof m.decompositionMs === 'number' ? m.decompositionMs : 0;
      out.optimizationMs += m.optimizationMs;
      out.totalMs += typeof m.totalMs === 'number' ? m.totalMs : 0;
    }
  }
  return out;
}

const pad = (s: string, n: number) => s.padStart(n);

/** What the figures mean; written into the results file. */
const DEFINITIONS = {
  busyFraction:
    "sum over attempts of launch-to-outcome time / (maxParallel x wall time). It counts a slot busy until the scheduler sees the outcome, so when asks run on the scheduler's thread (the in-thread row) a trial that ends during an ask still counts as busy until the ask ends: that row's busy fraction overstates; compare taskFraction and wall time.",
  taskFraction:
    "completed trials x 1 s / (maxParallel x wall time): slot-time spent in the tasks' own sleeps (excludes worker-thread start-up, which tsx makes slow from sources).",
  candidatesPerAskSecond:
    'candidates asked / total ask time; asks never overlap, so this is the generation rate. 8 slots of 1 s tasks need about 8 per second.',
  generationPhases:
    "from the asks' journaled metadata: the GP fits, the box decompositions and the acquisition optimization, summed over the model-based asks.",
};

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
  const moboDefault: Partial<SchedulerOptions> = {
    ...(askAheadOverride === undefined ? {} : { askAhead: askAheadOverride }),
    ...(askSizeOverride === undefined ? {} : { maxAskSize: askSizeOverride }),
  };
  const allCases: {
    mode: string;
    batch: boolean;
    pool: boolean;
    queue?: boolean;
    strategy: OptimizerConfig['strategy'];
    options: Partial<SchedulerOptions>;
  }[] = [
    { mode: 'pool, asynchronous', batch: false, pool: true, strategy: nsga2, options: {} },
    { mode: 'pool, batch-sync', batch: true, pool: true, strategy: nsga2, options: {} },
    ...(redisUrl === undefined
      ? []
      : [
          {
            mode: 'queue, asynchronous',
            batch: false,
            pool: false,
            queue: true,
            strategy: nsga2,
            options: {},
          },
        ]),
    { mode: 'in-process, async', batch: false, pool: false, strategy: nsga2, options: {} },
    { mode: 'pool, async, mobo', batch: false, pool: true, strategy: 'mobo', options: moboDefault },
    {
      mode: 'pool, async, mobo, unpaced',
      batch: false,
      pool: true,
      strategy: 'mobo',
      options: { ...moboDefault, paceGeneration: false },
    },
    {
      mode: 'pool, async, mobo, lighter',
      batch: false,
      pool: true,
      // Not the default: MoboGenerator options that halve the acquisition work (see the header).
      strategy: [{ strategy: 'mobo', options: { mcSamples: 64, restarts: 5 } }],
      options: moboDefault,
    },
    {
      mode: 'pool, mobo, in-thread',
      batch: false,
      pool: true,
      strategy: 'mobo',
      options: { offThreadGeneration: false },
    },
  ];
  const isMobo = (strategy: OptimizerConfig['strategy']) =>
    strategy === 'mobo' || (Array.isArray(strategy) && strategy[0]?.strategy === 'mobo');
  if (queueOnly && redisUrl === undefined) {
    throw new Error('--queue-only needs a Redis server: set MOBO_REDIS_URL or pass --redis=URL');
  }
  if (redisUrl === undefined) console.log('(no queue runner row: set MOBO_REDIS_URL or pass --redis=URL)');
  const cases = allCases.filter((c) => (!moboOnly || isMobo(c.strategy)) && (!queueOnly || c.queue === true));
  const moboRuns: { mode: string; asks: SchedulerResult['stats']['asks'] }[] = [];
  for (const { mode, batch, pool, queue, strategy, options } of cases) {
    const queueName = `mobo-bench-scheduler-${process.pid}`;
    const worker =
      queue === true
        ? await QueueWorker.start({
            queue: queueName,
            redis: redisUrl!,
            concurrency: maxParallel,
            workdir: join(root, 'queue-worker'),
          })
        : undefined;
    const { result, hypervolume, phases } = await experiment(
      `slow-${mode.replace(/[^a-z]+/g, '-')}`,
      slow,
      trials,
      maxParallel,
      batch,
      (task, output) =>
        queue === true
          ? new QueueRunner({ queue: queueName, redis: redisUrl!, task })
          : pool
            ? new PoolRunner(task, { maxThreads: maxParallel, directory: output })
            : new InProcessRunner(builtinTask(slow), { directory: output }),
      strategy,
      { trials, ...options },
    );
    await worker?.close('release');
    const s = result.stats;
    if (isMobo(strategy)) moboRuns.push({ mode, asks: s.asks });
    const askMs = s.asks.reduce((a, k) => a + k.ms, 0);
    const asked = s.asks.reduce((a, k) => a + k.count, 0);
    const row = {
      mode,
      strategy:
        strategy === 'mobo'
          ? 'mobo (Sobol 14, then GP + qLogNEHVI, MoboGenerator defaults)'
          : isMobo(strategy)
            ? `mobo (Sobol 14, then GP + qLogNEHVI) with MoboGenerator options ${JSON.stringify(Array.isArray(strategy) ? strategy[0] : strategy)}`
            : 'sobol (14), nsga2',
      schedulerOptions: options,
      offThreadGeneration: s.offThread,
      askAhead: s.askAhead,
      maxAskSize: s.maxAskSize,
      paceGeneration: s.paceGeneration,
      medianAskBudgetMs: median(s.asks.flatMap((a) => (a.budgetMs === undefined ? [] : [a.budgetMs]))),
      wallSeconds: s.wallMs / 1000,
      idealSeconds: ideal,
      busyFraction: s.busyFraction,
      // Slot-time spent in the task's own 1 s sleeps: what is left once thread start-up is counted out.
      taskFraction: (result.progress.completed * 1000) / (maxParallel * s.wallMs),
      asks: s.asks.length,
      medianAskMs: median(s.asks.map((a) => a.ms)),
      maxAskMs: Math.max(...s.asks.map((a) => a.ms)),
      // Candidates per second of ask time (asks do not overlap, so this is the generation rate).
      candidatesPerAskSecond: (1000 * asked) / askMs,
      hypervolume,
      ...(isMobo(strategy) ? { generationPhases: phases } : {}),
    };
    slots.push(row);
    console.log(
      `${mode.padEnd(20)}${pad(row.wallSeconds.toFixed(2), 8)}${pad(String(ideal), 9)}${pad((100 * row.busyFraction).toFixed(1), 8)}` +
        `${pad((100 * row.taskFraction).toFixed(1), 8)}` +
        `${pad(String(row.asks), 6)}${pad(row.medianAskMs.toFixed(2), 15)}${pad(hypervolume.toFixed(4), 10)}` +
        `  (off-thread ${row.offThreadGeneration}, askAhead ${row.askAhead}, maxAskSize ${row.maxAskSize}, paced ${row.paceGeneration}${row.paceGeneration ? ` (median budget ${row.medianAskBudgetMs.toFixed(0)} ms)` : ''}, ${row.candidatesPerAskSecond.toFixed(1)} candidates/s of ask time)`,
    );
    if (isMobo(strategy)) {
      const per = (ms: number) => (ms / Math.max(1, phases.candidates)).toFixed(0);
      console.log(
        `${''.padEnd(20)}model generations: ${phases.modelAsks} asks, ${phases.candidates} candidates; per candidate ` +
          `fit ${per(phases.fitMs)} ms, decomposition ${per(phases.decompositionMs)} ms, ` +
          `acquisition optimization ${per(phases.optimizationMs)} ms (total ${per(phases.totalMs)} ms)`,
      );
    }
  }
  const moboLatency: Record<string, unknown>[] = [];
  for (const run of moboRuns) {
    console.log(`\nask latency of the mobo strategy as the experiment grows (${run.mode})`);
    console.log(
      `${'trials so far'.padEnd(16)}${pad('asks', 6)}${pad('trials', 8)}${pad('median ms', 11)}${pad('max ms', 9)}`,
    );
    const moboBlock = trials / 5;
    for (let lo = 0; lo < trials; lo += moboBlock) {
      const asks = run.asks.filter((a) => a.size >= lo && a.size < lo + moboBlock);
      const ms = asks.map((a) => a.ms);
      const row = {
        mode: run.mode,
        from: lo,
        to: lo + moboBlock - 1,
        asks: ms.length,
        trials: asks.reduce((a, k) => a + k.count, 0),
        medianMs: median(ms),
        maxMs: Math.max(...ms),
      };
      moboLatency.push(row);
      console.log(
        `${`${lo}-${lo + moboBlock - 1}`.padEnd(16)}${pad(String(row.asks), 6)}${pad(String(row.trials), 8)}${pad(row.medianMs.toFixed(1), 11)}${pad(row.maxMs.toFixed(1), 9)}`,
      );
    }
  }
  if (moboOnly) {
    rmSync(root, { recursive: true, force: true });
    return;
  }
  if (queueOnly) {
    const out = join(here, 'results');
    mkdirSync(out, { recursive: true });
    writeFileSync(
      join(out, 'scheduler-queue.json'),
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          node: process.version,
          quick,
          machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), shared with other work: figures are noisy`,
          definitions: DEFINITIONS,
          slowTask: { trials, maxParallel, taskSeconds: 1, rows: slots },
        },
        null,
        2,
      )}\n`,
    );
    rmSync(root, { recursive: true, force: true });
    return;
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

  const out = join(here, 'results');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'scheduler.json'),
    `${JSON.stringify(
      {
        date: new Date().toISOString(),
        node: process.version,
        quick,
        machine: `${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), shared with other work: figures are noisy`,
        definitions: DEFINITIONS,
        slowTask: { trials, maxParallel, taskSeconds: 1, rows: slots, moboAskLatency: moboLatency },
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
