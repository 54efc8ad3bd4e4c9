/**
 * `mobo run [config.json]` and `mobo resume DIR`.
 *
 * An experiment directory holds:
 * - `mobo.json`: the run's configuration, resolved (absolute output and task paths), written first
 * - `journal.jsonl`: the experiment journal (Optimizer)
 * - `runner.jsonl`: only in directories written before the journal held runner records: the old
 *   sidecar ledger of runner metadata per attempt, read on resume (see Scheduler)
 * - `task.mts` or `task.mjs`: for a built-in problem, the task module every runner loads (derived data)
 * - `trials/<id>/attempt-<n>/`: each attempt's working directory
 */
import { createHash } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, extname, isAbsolute, join, resolve } from 'node:path';
import type * as z from 'zod';
import { Optimizer } from '../experiment/optimizer.js';
import {
  builtinExperiment,
  builtinProblem,
  builtinTask,
  writeBuiltinTaskModule,
} from '../runners/builtin.js';
import { InProcessRunner } from '../runners/in-process.js';
import { PoolRunner } from '../runners/pool.js';
import { QueueRunner } from '../runners/queue.js';
import { machineCapacity, ResourceSlots, resourceProblems } from '../runners/resources.js';
import { Scheduler, type SchedulerOptions, type SchedulerResult } from '../runners/scheduler.js';
import { SlurmRunner } from '../runners/slurm.js';
import { SubprocessRunner, taskCommand } from '../runners/subprocess.js';
import { defineTask } from '../runners/task.js';
import { isCommandTask, type TaskSpec } from '../runners/task-spec.js';
import type { Runner, Task } from '../runners/types.js';
import { ConfigError, formatPath } from '../space/errors.js';
import { SearchSpace } from '../space/search-space.js';
import { createGenerator } from '../strategy/strategies.js';
import type { CommandIo } from './hv.js';
import { formatDuration, ProgressDisplay } from './progress.js';
import { reportCommand } from './report.js';
import { type MoboConfig, parseMoboConfig, runnerSchema, type ValidMoboConfig } from './run-config.js';
import { experimentSummary, readExperiment } from './status.js';

/** What run and resume need besides CommandIo: the terminal, for the progress bar. */
export interface RunIo extends CommandIo {
  /** stdout as a stream, for the progress bar when it is a TTY. */
  stream?: NodeJS.WriteStream;
  /** Milliseconds between plain progress lines when not on a TTY. Default 5000. */
  progressIntervalMs?: number;
}

export interface RunOptions {
  /** Overrides the config's output directory. */
  output?: string;
  /** Install SIGINT/SIGTERM handlers (the CLI does). Default false. */
  signals?: boolean;
  /**
   * `mobo resume` only: the trial budget to go on to, in all (trials already in the experiment
   * count), written to mobo.json so that later resumes keep it. Extends a finished run. A string
   * (from the command line) is read as a number.
   */
  trials?: number | string;
}

/** The strategy used until the model-based generator exists: Sobol, then steady-state NSGA-II. */
export const FALLBACK_STRATEGY: NonNullable<MoboConfig['strategy']> = [
  { strategy: 'sobol', trials: 14 },
  { strategy: 'nsga2', options: { populationSize: 14, mode: 'steady-state' } },
];

/** Whether this build can create the 'mobo' strategy (its model-based generator is registered or built in). */
export function moboStrategyAvailable(): boolean {
  try {
    createGenerator(
      'mobo',
      SearchSpace.create({ parameters: [{ name: 'x', type: 'float', bounds: [0, 1] }] }).encoded,
    );
    return true;
  } catch {
    return false;
  }
}

/**
 * The embedded default: DTLZ2 with m = 2, d = 6, 40 trials on the worker pool with 2 in flight, seed 1,
 * with the 'mobo' strategy (Sobol initialization, then GP + qLogNEHVI). In a build without the
 * model-based generator it falls back to FALLBACK_STRATEGY and says so.
 */
export function defaultConfig(mobo = moboStrategyAvailable()): MoboConfig {
  return {
    problem: { name: 'dtlz2', objectives: 2, dimensions: 6 },
    strategy: mobo ? 'mobo' : FALLBACK_STRATEGY,
    budget: { trials: 40 },
    runner: { kind: 'pool', maxParallel: 2 },
    seed: 1,
  };
}

const FALLBACK_NOTE =
  "note: the default 'mobo' strategy (GP + qLogNEHVI) is not in this build; this run uses Sobol (14 trials), then NSGA-II";

/** The runner options `mobo` understands (kind-specific ones included); unknown keys are errors. */
const runnerOptionsSchema = runnerSchema;

type RunnerOptions = z.output<typeof runnerOptionsSchema>;

/** What `mobo.json` in an experiment directory holds. */
interface RunRecord {
  format: 'mobo-run';
  version: 1;
  /** The validated config, with `output` and `task.module` made absolute. */
  config: ValidMoboConfig;
}

/** A config problem: one line with its JSON path, for exit code 2. */
class UsageError extends Error {}

function configLines(error: unknown, source: string): string[] {
  if (error instanceof ConfigError) {
    return error.issues.map((i) => `${source}: ${i.path === '' ? '(root)' : i.path}: ${i.message}`);
  }
  return [`${source}: ${(error as Error).message}`];
}

/** Reads and validates a config file; throws UsageError lines. */
function loadConfig(path: string, io: CommandIo): { config: ValidMoboConfig; base: string } {
  let text: string;
  try {
    text = io.readFile(path);
  } catch (e) {
    throw new UsageError(`${path}: cannot read it: ${(e as Error).message}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON: ${(e as Error).message}`);
  }
  try {
    return { config: parseMoboConfig(raw, path), base: dirname(resolve(path)) };
  } catch (e) {
    throw new UsageError(configLines(e, path).join('\n'));
  }
}

function parseRunner(config: ValidMoboConfig, source: string): RunnerOptions {
  const parsed = runnerOptionsSchema.safeParse(config.runner ?? { kind: 'pool', maxParallel: 2 });
  if (!parsed.success) {
    throw new UsageError(
      parsed.error.issues
        .map((i) => `${source}: ${formatPath(['runner', ...(i.path as PropertyKey[])])}: ${i.message}`)
        .join('\n'),
    );
  }
  return parsed.data;
}

/** A fresh directory `runs/<name>`, `runs/<name>-2`, ... when the config names none. */
function freshOutput(name: string): string {
  const base = resolve('runs', name);
  if (!existsSync(join(base, 'journal.jsonl'))) return base;
  for (let k = 2; ; k++) {
    const candidate = `${base}-${k}`;
    if (!existsSync(join(candidate, 'journal.jsonl'))) return candidate;
  }
}

function writeJsonAtomic(path: string, value: unknown): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, `${JSON.stringify(value, null, 2)}\n`);
  renameSync(temporary, path);
}

/**
 * The task of a resolved config: a built-in problem's module (written to the output), the user's
 * module, or the user's command (its cwd already absolute in a resolved config).
 */
export function resolveTask(config: ValidMoboConfig, output: string): TaskSpec {
  if (config.problem !== undefined) return writeBuiltinTaskModule(output, config.problem);
  const task = config.task!;
  if (task.command !== undefined) {
    return {
      command: task.command,
      ...(task.cwd === undefined ? {} : { cwd: task.cwd }),
      ...(task.env === undefined ? {} : { env: task.env }),
    };
  }
  return defineTask(task.module!, task.export ?? 'default');
}

/** Runner kinds that run a JavaScript function in this process or its threads: no command tasks. */
const FUNCTION_RUNNERS = new Set(['inline', 'inprocess', 'pool']);
/** Runner kinds whose trials share this machine: resources are checked against its capacity. */
const LOCAL_RUNNERS = new Set(['pool', 'subprocess']);

/**
 * What cannot work with this runner on this machine, as UsageErrors: a command task on a runner that
 * only calls functions, resources on the in-process runner, a trial that needs more cores, memory or
 * GPUs than this machine has (local runners; SLURM's cluster judges its own).
 */
function checkRunnerFits(config: ValidMoboConfig, runner: RunnerOptions, source: string): void {
  const lines: string[] = [];
  if (config.task?.command !== undefined && FUNCTION_RUNNERS.has(runner.kind)) {
    lines.push(
      `${source}: runner.kind: the ${runner.kind} runner calls JavaScript functions; a command task needs kind "subprocess", "slurm" or "queue"`,
    );
  }
  if (runner.resources !== undefined && (runner.kind === 'inprocess' || runner.kind === 'inline')) {
    lines.push(
      `${source}: runner.resources: the ${runner.kind} runner runs trials on this process's event loop and cannot give them resources; use kind "pool" or "subprocess"`,
    );
  } else if (runner.resources !== undefined && LOCAL_RUNNERS.has(runner.kind)) {
    for (const problem of resourceProblems(
      runner.resources,
      machineCapacity(runner.devices),
      'runner.resources',
    )) {
      lines.push(`${source}: ${problem}`);
    }
  }
  if (runner.devices !== undefined && !LOCAL_RUNNERS.has(runner.kind) && runner.kind !== 'queue') {
    lines.push(
      `${source}: runner.devices: only the pool and subprocess runners hand out this machine's devices; leave devices out`,
    );
  }
  if (runner.devices !== undefined && runner.kind === 'queue') {
    lines.push(
      `${source}: runner.devices: each queue worker hands out its own machine's devices (mobo worker --gpus); leave devices out`,
    );
  }
  if ((runner.redis !== undefined || runner.queue !== undefined) && runner.kind !== 'queue') {
    lines.push(`${source}: runner.${runner.redis !== undefined ? 'redis' : 'queue'}: only for kind "queue"`);
  }
  if (lines.length > 0) throw new UsageError(lines.join('\n'));
}

function buildRunner(
  options: RunnerOptions,
  task: TaskSpec,
  config: ValidMoboConfig,
  output: string,
): Runner {
  const maxParallel = options.maxParallel ?? 2;
  const resources = options.resources;
  const slots = () => new ResourceSlots(machineCapacity(options.devices));
  switch (options.kind) {
    case 'inline':
    case 'inprocess':
      // A built-in problem runs as its function here: nothing to load.
      return new InProcessRunner(
        config.problem === undefined ? (task as Task) : builtinTask(config.problem),
        { maxConcurrent: maxParallel, directory: output },
      );
    case 'pool':
      return new PoolRunner(task as Task, {
        maxThreads: maxParallel,
        directory: output,
        ...(resources === undefined ? {} : { resources, slots: slots() }),
      });
    case 'subprocess':
      return new SubprocessRunner({
        ...(isCommandTask(task)
          ? {
              command: task.command,
              ...(task.cwd === undefined ? {} : { cwd: task.cwd }),
              ...(task.env === undefined ? {} : { env: { ...task.env } }),
            }
          : { command: taskCommand(task) }),
        directory: output,
        maxConcurrent: maxParallel,
        ...(resources === undefined ? {} : { resources, slots: slots() }),
      });
    case 'slurm':
      return new SlurmRunner({
        directory: output,
        ...(isCommandTask(task)
          ? {
              command: task.command,
              ...(task.cwd === undefined ? {} : { cwd: task.cwd }),
              ...(task.env === undefined ? {} : { env: { ...task.env } }),
            }
          : { task }),
        ...(resources === undefined ? {} : { resources }),
        ...(options.sbatch === undefined ? {} : { sbatch: options.sbatch }),
        ...(options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
      });
    case 'queue':
      return new QueueRunner({
        queue: options.queue ?? 'mobo',
        ...(options.redis === undefined ? {} : { redis: options.redis }),
        task,
        ...(resources === undefined ? {} : { resources }),
        experiment: queueExperimentKey(output),
        ...(options.pollInterval === undefined ? {} : { pollInterval: options.pollInterval }),
      });
  }
}

/**
 * The queue runner's experiment key in job ids: the directory's name and a hash of its path and the
 * journal's creation time, so that it is the same on every resume and differs for a new experiment
 * written to the same directory (whose old jobs may still be in Redis).
 */
export function queueExperimentKey(output: string): string {
  let created = '';
  try {
    const fd = openSync(join(output, 'journal.jsonl'), 'r');
    try {
      const buffer = Buffer.alloc(65536);
      const n = readSync(fd, buffer, 0, buffer.length, 0);
      const first = buffer.subarray(0, n).toString('utf8').split('\n')[0] ?? '';
      created = String((JSON.parse(first) as { t?: unknown }).t ?? '');
    } finally {
      closeSync(fd);
    }
  } catch {
    // No journal header yet: the path alone.
  }
  const hash = createHash('sha256').update(`${output}\0${created}`).digest('hex').slice(0, 12);
  const name = basename(output)
    .replace(/[^A-Za-z0-9_-]/g, '_')
    .slice(0, 40);
  return `${name}-${hash}`;
}

/** Scheduler options from the config's budget and runner sections. */
export function schedulerOptions(
  config: ValidMoboConfig,
  runner: RunnerOptions,
  output: string,
): SchedulerOptions {
  const budget = config.budget ?? {};
  // On a local runner a wall-time limit per trial is the scheduler's timeout; SLURM (--time) and queue
  // workers enforce it where the trial runs, so that time spent waiting in their queues does not count.
  const limit = runner.resources?.timeLimitMinutes;
  const timeoutSeconds =
    runner.timeoutSeconds ?? (limit !== undefined && LOCAL_RUNNERS.has(runner.kind) ? 60 * limit : undefined);
  return {
    trials: budget.trials ?? (budget.seconds !== undefined ? 1_000_000 : 40),
    maxParallel: runner.maxParallel ?? 2,
    legacyLedger: join(output, 'runner.jsonl'),
    ...(budget.seconds === undefined ? {} : { seconds: budget.seconds }),
    ...(budget.maxFailures === undefined ? {} : { maxFailures: budget.maxFailures }),
    ...(runner.batchSynchronous === undefined ? {} : { batchSynchronous: runner.batchSynchronous }),
    ...(timeoutSeconds === undefined ? {} : { timeoutSeconds }),
    ...(runner.retries === undefined ? {} : { retries: runner.retries }),
    ...(runner.retryDelaySeconds === undefined ? {} : { retryDelaySeconds: runner.retryDelaySeconds }),
    ...(runner.staleAfterSeconds === undefined ? {} : { staleAfterSeconds: runner.staleAfterSeconds }),
    ...(runner.maxFailureRate === undefined ? {} : { maxFailureRate: runner.maxFailureRate }),
    ...(runner.failureWindow === undefined ? {} : { failureWindow: runner.failureWindow }),
    ...(runner.maxConsecutiveFailures === undefined
      ? {}
      : { maxConsecutiveFailures: runner.maxConsecutiveFailures }),
    ...(runner.onInterrupt === undefined ? {} : { onInterrupt: runner.onInterrupt }),
  };
}

function strategyText(strategy: ValidMoboConfig['strategy']): string {
  if (strategy === undefined) return 'mobo';
  if (typeof strategy === 'string') return strategy;
  const steps = Array.isArray(strategy) ? strategy : [strategy];
  return steps
    .map((s) => (s.trials === undefined ? s.strategy : `${s.strategy} (${s.trials} trials)`))
    .join(', then ');
}

/** Runs the scheduler with progress, then prints the summary; returns the exit code. */
async function drive(
  optimizer: Optimizer,
  config: ValidMoboConfig,
  output: string,
  options: RunOptions,
  io: RunIo,
): Promise<number> {
  const runnerOptions = parseRunner(config, join(output, 'mobo.json'));
  let runner: Runner | undefined;
  let result: SchedulerResult;
  const report = join(output, 'report.html');
  const writeReport = (): void => {
    reportCommand(output, { out: report }, io);
  };
  const display = new ProgressDisplay({
    write: io.stdout,
    report,
    reference: () => optimizer.referenceStatus(),
    ...(io.stream === undefined ? {} : { stream: io.stream }),
    ...(io.progressIntervalMs === undefined ? {} : { intervalMs: io.progressIntervalMs }),
  });
  try {
    const task = resolveTask(config, output);
    runner = buildRunner(runnerOptions, task, config, output);
    const scheduler = new Scheduler(optimizer, runner, {
      ...schedulerOptions(config, runnerOptions, output),
      handleSignals: options.signals ?? false,
      onProgress: (p) => display.update(p),
      log: (message) => io.stderr(`${message}\n`),
      logger: { warn: (message) => io.stderr(`warning: ${message}\n`) },
    });
    // On demand while it runs: `kill -USR1 <pid>` (or `mobo report DIR` from another shell).
    if (options.signals === true) process.on('SIGUSR1', writeReport);
    result = await scheduler.run();
  } finally {
    if (options.signals === true) process.off('SIGUSR1', writeReport);
    display.stop();
    await runner?.close();
    await optimizer.close();
  }
  if (runner instanceof InProcessRunner && runner.lingering > 0) {
    io.stderr(
      `note: ${runner.lingering} in-process task(s) timed out or were cancelled but ignore their stop signal (context.signal) and still run; mobo exits without waiting for them\n`,
    );
  }
  const view = readExperiment(join(output, 'journal.jsonl'));
  io.stdout(`\nstopped: ${result.message}\n`);
  io.stdout(experimentSummary(view));
  if (config.problem !== undefined) {
    const best = builtinProblem(config.problem).maxHypervolume;
    if (best !== undefined)
      io.stdout(`largest possible hypervolume of ${config.problem.name}: ${best.toPrecision(6)}\n`);
  }
  io.stdout(
    `wall time: ${formatDuration(result.stats.wallMs)} (slots busy ${(100 * result.stats.busyFraction).toFixed(0)}%)\n`,
  );
  io.stdout(`experiment: ${output}\n`);
  writeReport();
  if (result.reason === 'interrupted') {
    io.stdout(`continue with: mobo resume ${output}\n`);
    return 130;
  }
  return result.reason === 'failures' ? 1 : 0;
}

/** Whether the journal holds at least its header line (an empty or torn first write is no experiment). */
function journalStarted(journal: string): boolean {
  if (!existsSync(journal)) return false;
  const fd = openSync(journal, 'r');
  try {
    const buffer = Buffer.alloc(65536);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return buffer.subarray(0, n).includes(0x0a) || n === buffer.length;
  } finally {
    closeSync(fd);
  }
}

/** Creates the experiment's journal from a resolved config; config problems become UsageErrors. */
async function createOptimizer(
  config: ValidMoboConfig,
  output: string,
  source: string,
  io: RunIo,
): Promise<Optimizer> {
  const journal = join(output, 'journal.jsonl');
  // A journal without a complete header is what a crash inside Optimizer.create leaves: no experiment.
  if (existsSync(journal) && !journalStarted(journal)) rmSync(journal);
  const experiment =
    config.problem !== undefined
      ? builtinExperiment(builtinProblem(config.problem))
      : { parameters: config.parameters!, objectives: config.objectives! };
  let optimizer: Optimizer;
  try {
    optimizer = await Optimizer.create(
      {
        journal,
        parameters: experiment.parameters,
        objectives: experiment.objectives,
        ...(config.parameterConstraints === undefined
          ? {}
          : { parameterConstraints: config.parameterConstraints }),
        ...(config.outcomeConstraints === undefined ? {} : { outcomeConstraints: config.outcomeConstraints }),
        ...(config.strategy === undefined ? {} : { strategy: config.strategy }),
        ...(config.seed === undefined ? {} : { seed: config.seed }),
      },
      { logger: { warn: (m) => io.stderr(`warning: ${m}\n`) } },
    );
  } catch (e) {
    throw new UsageError(configLines(e, source).join('\n'));
  }
  io.stdout(`strategy: ${strategyText(config.strategy)}; seed ${optimizer.seed}; output ${output}\n`);
  return optimizer;
}

/** `mobo run [config]`: returns the exit code (2 for config errors). */
export async function runCommand(
  configPath: string | undefined,
  options: RunOptions,
  io: RunIo,
): Promise<number> {
  try {
    let config: ValidMoboConfig;
    let base: string;
    let source: string;
    const fallback = configPath === undefined && !moboStrategyAvailable();
    if (configPath === undefined) {
      config = parseMoboConfig(defaultConfig(!fallback), 'default config');
      base = process.cwd();
      source = 'default config';
      io.stdout(
        'mobo run: no config given: DTLZ2 (2 objectives, 6 parameters), 40 trials, worker pool with 2 in flight\n',
      );
    } else {
      ({ config, base } = loadConfig(configPath, io));
      source = configPath;
    }
    checkRunnerFits(config, parseRunner(config, source), source);
    // The embedded default goes to runs/default (never runs/dtlz2, which examples/dtlz2.json names).
    const name =
      configPath === undefined
        ? 'default'
        : (config.problem?.name ?? basename(configPath, extname(configPath)));
    const output =
      options.output !== undefined
        ? resolve(options.output)
        : config.output !== undefined
          ? resolve(config.output)
          : freshOutput(name);
    let resolved: ValidMoboConfig = { ...config, output };
    if (config.task?.module !== undefined) {
      const module = isAbsolute(config.task.module) ? config.task.module : resolve(base, config.task.module);
      if (!existsSync(module)) throw new UsageError(`${source}: task.module: ${module} does not exist`);
      resolved = { ...resolved, task: { ...config.task, module } };
    } else if (config.task?.command !== undefined) {
      // A command runs in the config file's folder unless it says otherwise ({dir}: the trial's own).
      const cwd = config.task.cwd;
      const absolute = cwd === undefined ? base : cwd.startsWith('{') ? cwd : resolve(base, cwd);
      if (!absolute.startsWith('{') && !existsSync(absolute)) {
        throw new UsageError(`${source}: task.cwd: ${absolute} does not exist`);
      }
      resolved = { ...resolved, task: { ...config.task, cwd: absolute } };
    }
    if (config.problem !== undefined) {
      try {
        builtinProblem(config.problem);
      } catch (e) {
        throw new UsageError(`${source}: problem: ${(e as Error).message.replace(/^getProblem: /, '')}`);
      }
    }
    const journal = join(output, 'journal.jsonl');
    if (journalStarted(journal)) {
      throw new UsageError(
        `${source}: output ${output} already holds an experiment; continue it with: mobo resume ${output}, ` +
          'or start a new one elsewhere with --output DIR',
      );
    }
    mkdirSync(output, { recursive: true });
    const record: RunRecord = { format: 'mobo-run', version: 1, config: resolved };
    writeJsonAtomic(join(output, 'mobo.json'), record);
    const optimizer = await createOptimizer(resolved, output, source, io);
    if (fallback) io.stdout(`${FALLBACK_NOTE}\n`);
    return await drive(optimizer, resolved, output, options, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mobo run: ${e.message.split('\n').join('\nmobo run: ')}\n`);
      return 2;
    }
    io.stderr(`mobo run: ${(e as Error).message}\n`);
    return 1;
  }
}

/**
 * `mobo resume DIR [--trials N]`: continues the experiment in DIR exactly where it stopped; with
 * `trials`, first raises its budget to N trials in all (mobo.json is rewritten once the journal's
 * lock is held, so a refused resume changes nothing).
 */
export async function resumeCommand(directory: string, options: RunOptions, io: RunIo): Promise<number> {
  const output = resolve(directory);
  const recordFile = join(output, 'mobo.json');
  try {
    if (!existsSync(recordFile)) {
      throw new UsageError(`${directory}: not an experiment directory of mobo run (no mobo.json)`);
    }
    let record: RunRecord;
    try {
      record = JSON.parse(readFileSync(recordFile, 'utf8')) as RunRecord;
    } catch (e) {
      throw new UsageError(`${recordFile}: not valid JSON: ${(e as Error).message}`);
    }
    if (record?.format !== 'mobo-run' || record.version !== 1) {
      throw new UsageError(`${recordFile}: not a mobo run record (format mobo-run, version 1)`);
    }
    let config: ValidMoboConfig;
    try {
      config = parseMoboConfig(record.config, `${recordFile}: config`);
    } catch (e) {
      throw new UsageError(configLines(e, recordFile).join('\n'));
    }
    checkRunnerFits(config, parseRunner(config, recordFile), recordFile);
    const wanted =
      typeof options.trials === 'string'
        ? /^\s*\d+\s*$/.test(options.trials)
          ? Number(options.trials)
          : Number.NaN
        : options.trials;
    if (wanted !== undefined && !(Number.isInteger(wanted) && wanted >= 1)) {
      throw new UsageError(
        `--trials: expected a whole number of trials >= 1, got ${JSON.stringify(options.trials)}`,
      );
    }
    const journal = join(output, 'journal.jsonl');
    /** Raises the budget to `options.trials` (checked against the trials already there) in mobo.json. */
    const extend = (existing: number): void => {
      if (wanted === undefined) return;
      const was = config.budget?.trials;
      if (wanted < existing) {
        throw new UsageError(
          `--trials ${wanted}: the experiment already holds ${existing} trials, and the budget counts them all; give at least ${existing}`,
        );
      }
      config = { ...config, budget: { ...config.budget, trials: wanted } };
      writeJsonAtomic(recordFile, { ...record, config: { ...record.config, budget: config.budget } });
      io.stdout(
        `budget: ${wanted} trials in all (was ${was === undefined ? 'unset' : was}; written to ${recordFile})\n`,
      );
    };
    if (!journalStarted(journal)) {
      extend(0);
      io.stdout(`${output}: the experiment never started (no journal header); starting it from mobo.json\n`);
      return await drive(await createOptimizer(config, output, recordFile, io), config, output, options, io);
    }
    const optimizer = await Optimizer.open(journal, {
      logger: { warn: (m) => io.stderr(`warning: ${m}\n`) },
    });
    const before = optimizer.trials();
    try {
      extend(before.length);
    } catch (e) {
      await optimizer.close();
      throw e;
    }
    io.stdout(
      `resuming ${output}: ${before.length} trial(s) so far, ${before.filter((t) => t.state === 'running' || t.state === 'stale' || t.state === 'candidate').length} to pick up; seed ${optimizer.seed}\n`,
    );
    return await drive(optimizer, config, output, options, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr(`mobo resume: ${e.message}\n`);
      return 2;
    }
    io.stderr(`mobo resume: ${(e as Error).message}\n`);
    return 1;
  }
}
