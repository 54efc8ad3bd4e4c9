/**
 * Crash safety of `mobo run` / `mobo resume`: runs the CLI as a child process, SIGKILLs it at random
 * moments, resumes, and repeats; then resumes until the experiment finishes and checks that no trial was
 * lost, duplicated or half-written: every trial id appears once, the count matches the budget, and every
 * completed trial holds exactly the values of the deterministic task at its parameters. Scheduling is
 * batch-synchronous, so the finished experiment must also equal, trial by trial, one run without kills
 * (same seed): a resume continues exactly.
 *
 * `npx tsx bench/kill-resume.ts [cycles] [--runner inline|pool|subprocess] [--trials N]
 * [--no-compare] [--async] [--mobo]` (default 50 cycles on the worker pool, 500 trials of about 0.3 s);
 * prints the result and writes it under the runner's key (with `-async` and `-mobo` appended when
 * given) in bench/results/kill-resume.json. test/cli/run-kill.test.ts runs a few cycles of the same.
 *
 * `--async` schedules asynchronously (no comparison with an uninterrupted run: timing decides what
 * each ask sees). `--mobo` uses the 'mobo' strategy (Sobol 8, then GP + qLogNEHVI, with a small
 * acquisition optimization so that it is quick): with `--async` its generations run in a worker thread
 * and the scheduler keeps candidates asked ahead, so kills also land between an ask and the start of
 * its trials.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { readExperiment } from '../src/cli/status.js';
import { readJournal } from '../src/experiment/journal.js';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const mainScript = join(repo, 'src', 'cli', 'main.ts');

/** The deterministic task the children run (also evaluated here to check their values). */
export function taskValues(p: Record<string, unknown>): Record<string, number> {
  const x1 = Number(p.x1);
  const x2 = Number(p.x2);
  const x3 = Number(p.x3);
  return { f1: x1 + x2 * x3, f2: 1 - x1 + x3 * x3 };
}

const taskModule = (delayMs: number) => `// Written by bench/kill-resume.ts: a slow deterministic task.
export async function evaluate(p) {
  await new Promise((resolve) => setTimeout(resolve, ${delayMs} * (1 + 2 * p.x2)));
  return { f1: p.x1 + p.x2 * p.x3, f2: 1 - p.x1 + p.x3 * p.x3 };
}
`;

export interface KillResumeOptions {
  /** Kill cycles before the final resumes. */
  cycles: number;
  /** Trials in the budget. */
  trials: number;
  runner: 'inline' | 'pool' | 'subprocess';
  maxParallel: number;
  /** Kill after a delay drawn uniformly from [minMs, maxMs] after the child starts. */
  minMs: number;
  maxMs: number;
  /**
   * Count the kill delay from the moment the journal first grows in that cycle instead of from the
   * child's start, so that every kill lands in a running experiment however long the child takes
   * to start (what a test needs on a loaded machine). Default false.
   */
  afterJournalGrows?: boolean;
  /** Each trial sleeps delayMs * (1 + 2 x2) ms (x2 in [0, 1]). Default 40. */
  delayMs?: number;
  /** Batch-synchronous scheduling (default true): then the result must equal an uninterrupted run's. */
  batchSynchronous?: boolean;
  /** Also run the experiment once without kills and require the same trials (needs batchSynchronous). */
  compareWithUninterrupted?: boolean;
  /** Seed of the kill delays. */
  seed: number;
  /** 'nsga2' (default): Sobol 8, then NSGA-II; 'mobo': Sobol 8, then GP + qLogNEHVI (small optimization). */
  strategy?: 'nsga2' | 'mobo';
  /** Working directory (default: a new temporary one, removed afterwards). */
  directory?: string;
}

export interface KillResumeResult {
  cycles: number;
  /** Cycles in which the child was killed (rather than finishing first). */
  killed: number;
  /** Kills that landed while the experiment was growing (the journal changed during that cycle). */
  killedMidRun: number;
  resumesToFinish: number;
  trials: number;
  completed: number;
  /** Whether every trial equals the uninterrupted run's (when compared). */
  identical?: boolean;
  /** Empty when the experiment is whole. */
  problems: string[];
  wallMs: number;
}

/** A small deterministic generator for the kill delays (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function start(args: string[]): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', mainScript, ...args], {
    cwd: repo,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: string | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve({ code: child.exitCode, signal: child.signalCode });
      return;
    }
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

function journalSize(file: string): number {
  return existsSync(file) ? statSync(file).size : 0;
}

/** Checks a finished experiment: ids once each, count = budget, values exact, nothing in flight. */
export function verifyExperiment(output: string, budget: number): { problems: string[]; completed: number } {
  const problems: string[] = [];
  const journal = join(output, 'journal.jsonl');
  const contents = readJournal(journal);
  if (contents.tornBytes > 0) problems.push(`torn last record of ${contents.tornBytes} bytes`);
  const asked = new Map<number, number>();
  const outcomes = new Map<number, number>();
  for (const { event } of contents.events) {
    if (event.type === 'ask' || event.type === 'attach') {
      const ids = event.type === 'ask' ? event.trials.map((t) => t.id) : [event.id];
      for (const id of ids) asked.set(id, (asked.get(id) ?? 0) + 1);
    }
    if (event.type === 'complete' || event.type === 'fail')
      outcomes.set(event.id, (outcomes.get(event.id) ?? 0) + 1);
  }
  for (const [id, n] of asked) if (n !== 1) problems.push(`trial ${id} was asked ${n} times`);
  for (const [id, n] of outcomes) if (n !== 1) problems.push(`trial ${id} has ${n} outcomes`);
  if (asked.size !== budget) problems.push(`${asked.size} trials, expected the budget of ${budget}`);
  for (let id = 0; id < asked.size; id++) if (!asked.has(id)) problems.push(`trial id ${id} is missing`);
  const view = readExperiment(journal);
  let completed = 0;
  for (const t of view.trials) {
    if (t.state !== 'completed') {
      problems.push(`trial ${t.id} is ${t.state}${t.reason === undefined ? '' : ` (${t.reason})`}`);
      continue;
    }
    completed++;
    const expected = taskValues(t.params);
    if (JSON.stringify(t.values) !== JSON.stringify(expected)) {
      problems.push(
        `trial ${t.id}: values ${JSON.stringify(t.values)}, expected ${JSON.stringify(expected)}`,
      );
    }
  }
  return { problems, completed };
}

/** Runs the kill-and-resume cycles and verifies the finished experiment. */
export async function killResume(options: KillResumeOptions): Promise<KillResumeResult> {
  const t0 = Date.now();
  const own = options.directory === undefined;
  const root = options.directory ?? mkdtempSync(join(tmpdir(), 'mobo-kill-resume-'));
  mkdirSync(root, { recursive: true });
  const output = join(root, 'experiment');
  const journal = join(output, 'journal.jsonl');
  writeFileSync(join(root, 'task.mjs'), taskModule(options.delayMs ?? 40));
  const configFile = join(root, 'config.json');
  writeFileSync(
    configFile,
    JSON.stringify({
      task: { module: './task.mjs', export: 'evaluate' },
      parameters: ['x1', 'x2', 'x3'].map((name) => ({ name, type: 'float', bounds: [0, 1] })),
      objectives: [
        { name: 'f1', minimize: true, threshold: 2.2 },
        { name: 'f2', minimize: true, threshold: 2.2 },
      ],
      strategy:
        options.strategy === 'mobo'
          ? [
              {
                strategy: 'mobo',
                options: { initialTrials: 8, restarts: 2, rawSamples: 64, mcSamples: 32, maxIterations: 50 },
              },
            ]
          : [
              { strategy: 'sobol', trials: 8 },
              { strategy: 'nsga2', options: { populationSize: 8 } },
            ],
      budget: { trials: options.trials },
      runner: {
        kind: options.runner,
        maxParallel: options.maxParallel,
        retryDelaySeconds: 0.1,
        batchSynchronous: options.batchSynchronous ?? true,
      },
      seed: 17,
      output,
    }),
  );
  const random = rng(options.seed);
  let killed = 0;
  let killedMidRun = 0;
  // A kill before mobo.json exists leaves nothing to resume: the user (and this harness) runs again.
  const started = () => existsSync(join(output, 'mobo.json'));
  const args = () => (started() ? ['resume', output] : ['run', configFile]);
  for (let cycle = 0; cycle < options.cycles; cycle++) {
    const before = journalSize(journal);
    const child = start(args());
    const delay = options.minMs + random() * (options.maxMs - options.minMs);
    let timer: NodeJS.Timeout | undefined;
    let watching = true;
    const arm = () => {
      timer = setTimeout(() => child.kill('SIGKILL'), delay);
    };
    if (options.afterJournalGrows === true) {
      void (async () => {
        while (watching && journalSize(journal) === before) await new Promise((r) => setTimeout(r, 10));
        if (watching) arm();
      })();
    } else arm();
    const { signal } = await exited(child);
    watching = false;
    clearTimeout(timer);
    if (signal === 'SIGKILL') {
      killed++;
      if (journalSize(journal) !== before) killedMidRun++;
    }
  }
  let resumesToFinish = 0;
  let stderr = '';
  for (; resumesToFinish < 10; ) {
    resumesToFinish++;
    const child = start(args());
    child.stderr?.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const { code } = await exited(child);
    if (code === 0) break;
  }
  const { problems, completed } = existsSync(journal)
    ? verifyExperiment(output, options.trials)
    : { problems: ['no journal'], completed: 0 };
  let identical: boolean | undefined;
  if (options.compareWithUninterrupted === true && problems.length === 0) {
    const reference = join(root, 'reference');
    const { code } = await exited(start(['run', configFile, '--output', reference]));
    if (code !== 0) problems.push(`the uninterrupted reference run exited with code ${code}`);
    else {
      const key = (dir: string) =>
        readExperiment(join(dir, 'journal.jsonl')).trials.map((t) =>
          JSON.stringify([t.id, t.state, t.params, t.values]),
        );
      const a = key(output);
      const b = key(reference);
      identical = a.length === b.length && a.every((x, i) => x === b[i]);
      if (!identical) {
        const i = a.findIndex((x, k) => x !== b[k]);
        problems.push(`differs from the uninterrupted run at trial ${i}: ${a[i]} vs ${b[i]}`);
      }
    }
  }
  if (problems.length > 0 && stderr !== '') problems.push(`last stderr: ${stderr.slice(-500)}`);
  if (own) rmSync(root, { recursive: true, force: true });
  return {
    cycles: options.cycles,
    killed,
    killedMidRun,
    resumesToFinish,
    trials: options.trials,
    completed,
    ...(identical === undefined ? {} : { identical }),
    problems,
    wallMs: Date.now() - t0,
  };
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const cycles = Number(args.find((a) => /^\d+$/.test(a)) ?? 50);
  const runnerArg = args[args.indexOf('--runner') + 1];
  const runner = args.includes('--runner') && runnerArg !== undefined ? runnerArg : 'pool';
  if (runner !== 'inline' && runner !== 'pool' && runner !== 'subprocess') {
    throw new Error(`--runner must be inline, pool or subprocess, got ${runner}`);
  }
  const trialsArg = args.includes('--trials') ? Number(args[args.indexOf('--trials') + 1]) : 500;
  if (!Number.isInteger(trialsArg) || trialsArg < 1) throw new Error('--trials must be a positive integer');
  const asynchronous = args.includes('--async');
  const strategy = args.includes('--mobo') ? 'mobo' : 'nsga2';
  const key = `${runner}${asynchronous ? '-async' : ''}${strategy === 'mobo' ? '-mobo' : ''}`;
  const result = await killResume({
    cycles,
    trials: trialsArg,
    runner,
    maxParallel: 4,
    delayMs: 150,
    minMs: 1200,
    maxMs: 4000,
    compareWithUninterrupted: !asynchronous && !args.includes('--no-compare'),
    batchSynchronous: !asynchronous,
    strategy,
    seed: 2026,
  });
  console.log(
    `kill-and-resume of mobo run (${runner} runner, ${asynchronous ? 'asynchronous' : 'batch-synchronous'}, ` +
      `strategy ${strategy}, ${result.trials} trials, maxParallel 4)`,
  );
  console.log(
    `  cycles ${result.cycles}: killed ${result.killed} (${result.killedMidRun} while trials were running)`,
  );
  console.log(
    `  resumes to finish: ${result.resumesToFinish}; completed trials: ${result.completed}/${result.trials}`,
  );
  if (result.identical !== undefined) {
    console.log(
      `  same trials as an uninterrupted run (batch-synchronous): ${result.identical ? 'yes' : 'NO'}`,
    );
  }
  console.log(`  wall time: ${(result.wallMs / 1000).toFixed(1)} s`);
  console.log(
    result.problems.length === 0 ? '  OK: nothing lost, duplicated or half-written' : '  PROBLEMS:',
  );
  for (const p of result.problems) console.log(`    ${p}`);
  const out = join(repo, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  // One entry per runner kind, so runs with different runners keep each other's results.
  const file = join(out, 'kill-resume.json');
  let previous: Record<string, unknown> = {};
  try {
    previous = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    previous = {};
  }
  const entry = {
    date: new Date().toISOString(),
    node: process.version,
    runner,
    scheduling: asynchronous ? 'asynchronous' : 'batch-synchronous',
    strategy,
    ...result,
  };
  writeFileSync(file, `${JSON.stringify({ ...previous, [key]: entry }, null, 2)}\n`);
  if (result.problems.length > 0) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
