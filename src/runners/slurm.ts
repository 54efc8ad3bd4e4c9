import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { resourceValueProblems, sbatchResourceArgs, type TrialResources } from './resources.js';
import type { SlurmManifest } from './slurm-launcher.js';
import { entryScript, nodeExecArgv, taskModulePath } from './task.js';
import { commandTaskProblems } from './task-spec.js';
import {
  type ExitRecord,
  isStopped,
  markStopped,
  outcomeFromFiles,
  prepareTrialDirectory,
  readExit,
  trialDirectory,
  writeFileAtomic,
} from './trial-files.js';
import {
  type Runner,
  STOPPED,
  type Task,
  type TrialHandle,
  type TrialOutcome,
  type TrialRequest,
  type TrialStatus,
} from './types.js';

export interface SlurmRunnerOptions {
  /** The experiment's directory, on a file system that the compute nodes share. */
  directory: string;
  /** The task to run, called inside the job's launcher process; give this or `command`. */
  task?: Task;
  /** A command (argv array, no shell) to run for each trial, as SubprocessRunner runs it. */
  command?: readonly string[];
  /** Extra sbatch arguments, e.g. `['--partition=short', '--account=det']`. */
  sbatch?: readonly string[];
  /**
   * What each trial needs, as sbatch options per array task: `--cpus-per-task`, `--mem` (MB),
   * `--gres=gpu:N`, `--time` (minutes). SLURM sets CUDA_VISIBLE_DEVICES for the GPUs it allots.
   */
  resources?: TrialResources;
  /** Variables added to the job's environment (jobs inherit the submitter's environment). */
  env?: Record<string, string>;
  /** Working directory of each trial's command; default the trial's own directory. */
  cwd?: string;
  /**
   * Milliseconds for which one squeue answer is reused by poll(); also the pace at which the
   * scheduler should poll. Default 2000.
   */
  pollInterval?: number;
  /**
   * The job-completion log (`JobCompType=jobcomp/filetxt`), read for jobs that slurmctld has purged.
   * Default: `JobCompLoc` from `scontrol show config` when the type is filetxt; false: never read one.
   */
  jobCompLog?: string | false;
  /**
   * Milliseconds to wait for a finished job's files to appear (network file systems cache
   * attributes) before calling it failed. Default 30 000.
   */
  resultGraceMs?: number;
  /** Milliseconds stop() waits for cancelled jobs to leave the running states. Default 60 000. */
  stopTimeoutMs?: number;
  /** Limit for each sbatch, squeue, scontrol or scancel call, in ms. Default 30 000. */
  commandTimeoutMs?: number;
  /** The node binary on the compute nodes; default this process's. */
  node?: string;
}

/** One array task as squeue, scontrol or the job-completion log reports it. */
export interface SlurmTaskState {
  /** SLURM's state name: PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, ... */
  state: string;
  /** The job name, when known. */
  name?: string;
  /** `code:signal`, when known. */
  exitCode?: string;
  /** Submit time in ms since the epoch, when known. */
  submitTime?: number;
}

const QUEUED = new Set([
  'PENDING',
  'REQUEUED',
  'REQUEUE_FED',
  'REQUEUE_HOLD',
  'RESV_DEL_HOLD',
  'SPECIAL_EXIT',
]);
const ACTIVE = new Set([
  'RUNNING',
  'CONFIGURING',
  'COMPLETING',
  'SUSPENDED',
  'STOPPED',
  'RESIZING',
  'SIGNALING',
  'STAGE_OUT',
]);
/** Terminal states that say nothing against the task itself: worth a retry. */
const TRANSIENT_END = new Set(['NODE_FAIL', 'BOOT_FAIL', 'PREEMPTED', 'REVOKED', 'COMPLETED']);

/**
 * Parses `squeue -h -r -o '%F|%K|%T|%j'` output into states by `<array job id>_<array task id>`.
 * The job name comes last so that a name containing '|' cannot shift the other fields.
 */
export function parseSqueue(text: string): Map<string, SlurmTaskState> {
  const states = new Map<string, SlurmTaskState>();
  for (const line of text.split('\n')) {
    const [job, task, state, ...name] = line.trim().split('|');
    if (job === undefined || task === undefined || state === undefined || job === '') continue;
    states.set(`${job}_${task}`, { state, name: name.join('|') });
  }
  return states;
}

function field(line: string, key: string): string | undefined {
  return new RegExp(`(?:^| )${key}=(\\S*)`).exec(line)?.[1];
}

/** A SLURM local time without zone (`2026-11-22T12:59:20`), in ms since the epoch. */
function slurmTime(text: string | undefined): number | undefined {
  if (text === undefined || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/.test(text)) return undefined;
  const ms = new Date(text).getTime();
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * Parses a `jobcomp/filetxt` log (one `Key=value` line per finished job) into states by
 * `<ArrayJobId>_<ArrayTaskId>`; later lines win (a requeued task ends more than once). `sacct -c` reads
 * the same file but mislabels array tasks, hence this parser.
 */
export function parseJobCompLog(text: string): Map<string, SlurmTaskState> {
  const states = new Map<string, SlurmTaskState>();
  for (const line of text.split('\n')) {
    const arrayJob = field(line, 'ArrayJobId');
    const arrayTask = field(line, 'ArrayTaskId');
    const state = field(line, 'JobState');
    if (arrayJob === undefined || arrayTask === undefined || state === undefined || arrayJob === '0')
      continue;
    const exitCode = field(line, 'ExitCode');
    const submitTime = slurmTime(field(line, 'SubmitTime'));
    const name = field(line, 'Name');
    states.set(`${arrayJob}_${arrayTask}`, {
      state,
      ...(name === undefined ? {} : { name }),
      ...(exitCode === undefined ? {} : { exitCode }),
      ...(submitTime === undefined ? {} : { submitTime }),
    });
  }
  return states;
}

/** The sbatch options SlurmRunner sets itself. */
const RESERVED_LONG = ['--array', '--parsable', '--output', '--job-name', '--chdir', '--wrap'];
const RESERVED_SHORT = ['-a', '-o', '-J', '-D'];

function checkSbatchArgs(args: readonly string[]): void {
  for (const arg of args) {
    if (typeof arg !== 'string')
      throw new TypeError(`SlurmRunner: sbatch arguments must be strings, got ${String(arg)}`);
    const long = RESERVED_LONG.find((o) => arg === o || arg.startsWith(`${o}=`));
    const short = RESERVED_SHORT.find((o) => arg.startsWith(o) && !arg.startsWith('--'));
    if (long !== undefined || short !== undefined) {
      throw new Error(
        `SlurmRunner: sbatch argument "${arg}" is set by the runner itself (${long ?? short}); leave it out`,
      );
    }
  }
}

interface CommandResult {
  code: number;
  stdout: string;
  stderr: string;
}

const JOB_SCRIPT = `#!/bin/sh
# Written by mobo's SlurmRunner. Runs its arguments: the launcher, which reads the trial's parameters
# from files. No parameter ever passes through this shell.
exec "$@"
`;

interface Metadata {
  jobId: string;
  arrayIndex: number;
  directory: string;
  jobName?: string;
  log?: string;
  submittedAt?: number;
}

function readMetadata(raw: Record<string, unknown>): Metadata | undefined {
  const { jobId, arrayIndex, directory } = raw;
  if (typeof jobId !== 'string' || !/^\d+$/.test(jobId)) return undefined;
  if (typeof arrayIndex !== 'number' || !Number.isInteger(arrayIndex) || typeof directory !== 'string')
    return undefined;
  return {
    jobId,
    arrayIndex,
    directory,
    ...(typeof raw.jobName === 'string' ? { jobName: raw.jobName } : {}),
    ...(typeof raw.log === 'string' ? { log: raw.log } : {}),
    ...(typeof raw.submittedAt === 'number' ? { submittedAt: raw.submittedAt } : {}),
  };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs trials as SLURM jobs: each run() is one `sbatch --array` job whose task i runs trial i of the
 * batch. Files live under the experiment directory: `trials/<id>/attempt-<n>/` (params.json,
 * result.json, stdout.txt, stderr.txt, exit.json), and `slurm/` (the job script, one manifest per
 * batch, SLURM's own log per array task, named by batch and index, never by job id alone).
 *
 * Status: the trial's files first (exit.json, written by the launcher, is the final authority), then
 * `squeue -t all` (finished jobs stay there until MinJobAge passes), then the job-completion log; a
 * job in none of them and without files vanished: failed, transient. Metadata
 * `{ jobId, arrayIndex, directory, jobName, log, submittedAt }` lets a resumed run reattach to jobs
 * still queued or running. stop() runs scancel; close() leaves jobs alone. Every SLURM command runs
 * through execFile, never a shell.
 */
export class SlurmRunner implements Runner {
  readonly kind = 'slurm';
  /** How often the scheduler should poll, ms. */
  readonly pollInterval: number;
  readonly #directory: string;
  readonly #command: readonly string[] | undefined;
  readonly #task: Task | undefined;
  readonly #options: SlurmRunnerOptions;
  readonly #timeout: number;
  readonly #endSeen = new Map<string, number>();
  #squeueCache: { at: number; jobs: Set<string>; states: Map<string, SlurmTaskState> } | undefined;
  #jobCompLog: Promise<string | undefined> | undefined;

  constructor(options: SlurmRunnerOptions) {
    if (typeof options.directory !== 'string' || options.directory === '') {
      throw new TypeError(
        'SlurmRunner: directory (the experiment directory on a shared file system) is required',
      );
    }
    if ((options.task === undefined) === (options.command === undefined)) {
      throw new TypeError('SlurmRunner: give exactly one of task and command');
    }
    if (options.command !== undefined) {
      const problems = commandTaskProblems(
        { command: options.command, ...(options.env === undefined ? {} : { env: options.env }) },
        'SlurmRunner',
      );
      if (problems.length > 0) throw new TypeError(problems.join('; '));
    }
    checkSbatchArgs(options.sbatch ?? []);
    if (options.resources !== undefined) {
      const bad = resourceValueProblems(options.resources, 'SlurmRunner: resources');
      if (bad.length > 0) throw new RangeError(bad.join('; '));
      const resourceArgs = sbatchResourceArgs(options.resources).map((a) => a.slice(0, a.indexOf('=')));
      for (const arg of options.sbatch ?? []) {
        const clash = resourceArgs.find((o) => arg === o || arg.startsWith(`${o}=`));
        if (clash !== undefined) {
          throw new Error(
            `SlurmRunner: sbatch argument "${arg}" repeats what resources set (${clash}); give it in one place`,
          );
        }
      }
    }
    this.#options = options;
    this.#directory = resolve(options.directory);
    this.#command = options.command;
    if (options.task !== undefined) {
      // Fail here, not in a job, when the module cannot be named.
      taskModulePath(options.task);
      this.#task = { module: options.task.module, exportName: options.task.exportName };
    }
    this.pollInterval = options.pollInterval ?? 2000;
    this.#timeout = options.commandTimeoutMs ?? 30_000;
  }

  #exec(program: string, args: readonly string[]): Promise<CommandResult> {
    return new Promise((resolveRun) => {
      execFile(
        program,
        args,
        { timeout: this.#timeout, maxBuffer: 64 * 1024 * 1024, encoding: 'utf8' },
        (error, stdout, stderr) => {
          if (error === null) return resolveRun({ code: 0, stdout, stderr });
          const e = error as NodeJS.ErrnoException & { code?: number | string; killed?: boolean };
          const why =
            typeof e.code === 'string'
              ? `${e.code} (${e.message})`
              : e.killed === true
                ? `timed out after ${this.#timeout} ms`
                : '';
          resolveRun({
            code: typeof e.code === 'number' ? e.code : -1,
            stdout,
            stderr: `${stderr}${why}`.trim(),
          });
        },
      );
    });
  }

  #jobName(): string {
    const base = basename(this.#directory)
      .replace(/[^A-Za-z0-9_.-]/g, '_')
      .slice(0, 40);
    return `mobo-${base || 'experiment'}`;
  }

  async run(trials: readonly TrialRequest[]): Promise<Record<string, unknown>[]> {
    if (trials.length === 0) return [];
    const slurmDir = join(this.#directory, 'slurm');
    mkdirSync(slurmDir, { recursive: true });
    const script = join(slurmDir, 'job.sh');
    if (!existsSync(script) || readFileSync(script, 'utf8') !== JOB_SCRIPT) {
      writeFileAtomic(script, JOB_SCRIPT);
      chmodSync(script, 0o755);
    }
    const batch = `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
    const entries = trials.map((t) => ({
      id: t.id,
      attempt: t.attempt,
      directory: trialDirectory(this.#directory, t.id, t.attempt),
    }));
    trials.forEach((t, i) => {
      prepareTrialDirectory(entries[i]!.directory, t.params);
    });
    const manifest: SlurmManifest = {
      version: 1,
      ...(this.#task === undefined ? { command: [...this.#command!] } : { task: this.#task }),
      env: { ...this.#options.env },
      ...(this.#options.cwd === undefined ? {} : { cwd: this.#options.cwd }),
      trials: entries,
    };
    const manifestPath = join(slurmDir, `batch-${batch}.json`);
    writeFileAtomic(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
    const jobName = this.#jobName();
    const log = (index: number | string) => join(slurmDir, `batch-${batch}-${index}.log`);
    const submittedAt = Date.now();
    const args = [
      ...(this.#options.resources === undefined ? [] : sbatchResourceArgs(this.#options.resources)),
      ...(this.#options.sbatch ?? []),
      '--parsable',
      `--array=0-${trials.length - 1}`,
      `--job-name=${jobName}`,
      // sbatch expands %-patterns in the file name: keep the directory's own % signs literal.
      `--output=${log('%a').replace(/%(?!a\.log$)/g, '%%')}`,
      `--chdir=${this.#directory}`,
      script,
      this.#options.node ?? process.execPath,
      ...nodeExecArgv(this.#task),
      entryScript('slurm-launcher'),
      manifestPath,
    ];
    const result = await this.#exec('sbatch', args);
    const jobId = /^(\d+)/.exec(result.stdout.trim())?.[1];
    if (result.code !== 0 || jobId === undefined) {
      const ids = trials.map((t) => t.id).join(', ');
      throw new Error(
        `SlurmRunner: sbatch failed for trials ${ids} (exit ${result.code}): ${result.stderr.trim() || result.stdout.trim() || 'no output'}`,
      );
    }
    this.#squeueCache = undefined;
    return entries.map((entry, arrayIndex) => ({
      jobId,
      arrayIndex,
      directory: entry.directory,
      jobName,
      log: log(arrayIndex),
      submittedAt,
    }));
  }

  /** States from squeue for these job ids; undefined when squeue itself failed. */
  async #squeue(jobIds: readonly string[], fresh: boolean): Promise<Map<string, SlurmTaskState> | undefined> {
    const cache = this.#squeueCache;
    if (
      !fresh &&
      cache !== undefined &&
      Date.now() - cache.at < this.pollInterval &&
      jobIds.every((j) => cache.jobs.has(j))
    ) {
      return cache.states;
    }
    const result = await this.#exec('squeue', [
      '-h',
      '-r',
      '-t',
      'all',
      '-j',
      jobIds.join(','),
      '-o',
      '%F|%K|%T|%j',
    ]);
    let states: Map<string, SlurmTaskState>;
    if (result.code === 0) states = parseSqueue(result.stdout);
    else if (/invalid job id/i.test(result.stderr)) states = new Map();
    else return undefined;
    this.#squeueCache = { at: Date.now(), jobs: new Set(jobIds), states };
    return states;
  }

  async #jobCompStates(): Promise<Map<string, SlurmTaskState>> {
    const option = this.#options.jobCompLog;
    if (option === false) return new Map();
    this.#jobCompLog ??=
      option !== undefined
        ? Promise.resolve(option)
        : this.#exec('scontrol', ['show', 'config']).then((r) => {
            if (r.code !== 0) return undefined;
            const type = /^JobCompType\s*=\s*(\S+)/m.exec(r.stdout)?.[1];
            const loc = /^JobCompLoc\s*=\s*(\S+)/m.exec(r.stdout)?.[1];
            return type === 'jobcomp/filetxt' && loc !== undefined ? loc : undefined;
          });
    const path = await this.#jobCompLog;
    if (path === undefined) return new Map();
    try {
      return parseJobCompLog(readFileSync(path, 'utf8'));
    } catch {
      return new Map();
    }
  }

  /** `scontrol show job` details (exit code, reason) of a finished array task, for a failure's reason. */
  async #details(m: Metadata): Promise<string> {
    const r = await this.#exec('scontrol', ['-o', 'show', 'job', `${m.jobId}_${m.arrayIndex}`]);
    if (r.code !== 0) return '';
    const exit = field(r.stdout, 'ExitCode');
    const reason = field(r.stdout, 'Reason');
    return [exit && `exit code ${exit}`, reason && reason !== 'None' && `reason ${reason}`]
      .filter(Boolean)
      .join(', ');
  }

  async poll(trials: readonly TrialHandle[]): Promise<TrialStatus[]> {
    const statuses: TrialStatus[] = trials.map((t) => ({ id: t.id, state: 'unknown' }));
    const pending: { index: number; m: Metadata; exit: ExitRecord | undefined }[] = [];
    trials.forEach((handle, index) => {
      const m = readMetadata(handle.metadata);
      if (m === undefined) return;
      if (isStopped(m.directory)) {
        statuses[index] = { id: handle.id, state: 'finished', outcome: STOPPED };
        return;
      }
      const exit = readExit(m.directory);
      if (exit !== undefined && exit.signal === null) {
        statuses[index] = { id: handle.id, state: 'finished', outcome: outcomeFromFiles(m.directory, exit)! };
        return;
      }
      pending.push({ index, m, exit });
    });
    if (pending.length === 0) return statuses;

    const jobIds = [...new Set(pending.map((p) => p.m.jobId))];
    const live = await this.#squeue(jobIds, false);
    let purged: Map<string, SlurmTaskState> | undefined;
    for (const { index, m, exit } of pending) {
      const id = trials[index]!.id;
      const key = `${m.jobId}_${m.arrayIndex}`;
      let slurm = live?.get(key);
      if (slurm !== undefined && m.jobName !== undefined && slurm.name !== m.jobName) slurm = undefined;
      if (slurm === undefined && live !== undefined) {
        purged ??= await this.#jobCompStates();
        slurm = purged.get(key);
        // Job ids restart when a cluster's state is wiped: an old record for the same id is not ours.
        const old =
          slurm?.submitTime !== undefined &&
          m.submittedAt !== undefined &&
          slurm.submitTime < m.submittedAt - 120_000;
        if (old || (slurm?.name !== undefined && m.jobName !== undefined && slurm.name !== m.jobName))
          slurm = undefined;
      }
      if (slurm === undefined) {
        if (live === undefined) {
          // squeue failed: say what the files say, else that we cannot tell.
          const outcome = exit === undefined ? undefined : outcomeFromFiles(m.directory, exit);
          statuses[index] =
            outcome === undefined ? { id, state: 'unknown' } : { id, state: 'finished', outcome };
          continue;
        }
        const outcome = outcomeFromFiles(m.directory, exit) ?? {
          status: 'failed',
          reason: `SLURM job ${key} is no longer known to SLURM (not in squeue or the job-completion log) and left no result in ${m.directory}`,
          transient: true,
        };
        statuses[index] = { id, state: 'finished', outcome };
        continue;
      }
      if (QUEUED.has(slurm.state)) {
        statuses[index] = { id, state: 'queued' };
        continue;
      }
      if (ACTIVE.has(slurm.state)) {
        statuses[index] = { id, state: 'running' };
        continue;
      }
      const outcome = await this.#ended(m, slurm, exit);
      statuses[index] = outcome === undefined ? { id, state: 'running' } : { id, state: 'finished', outcome };
    }
    return statuses;
  }

  /** The outcome of an array task that SLURM reports ended; undefined while its files may still arrive. */
  async #ended(
    m: Metadata,
    slurm: SlurmTaskState,
    exit: ExitRecord | undefined,
  ): Promise<TrialOutcome | undefined> {
    const key = `${m.jobId}_${m.arrayIndex}`;
    const state = slurm.state;
    // The launcher writes its record before it exits, so once SLURM says the job ended the record is
    // there, unless it was read before the job ended: read it again rather than race the job.
    exit ??= readExit(m.directory);
    if (exit !== undefined) {
      // The command died by a signal: SLURM's state says better why (time limit, memory, node).
      if (state === 'TIMEOUT' || state === 'OUT_OF_MEMORY' || state === 'DEADLINE') {
        return { status: 'failed', reason: `SLURM job ${key} ended ${state}`, transient: false };
      }
      if (state === 'CANCELLED') {
        return {
          status: 'failed',
          reason: `SLURM job ${key} was cancelled outside this runner`,
          transient: false,
        };
      }
      if (TRANSIENT_END.has(state) && state !== 'COMPLETED') {
        return { status: 'failed', reason: `SLURM job ${key} ended ${state}`, transient: true };
      }
      return outcomeFromFiles(m.directory, exit);
    }
    const fromFiles = outcomeFromFiles(m.directory, undefined);
    if (fromFiles !== undefined && state === 'COMPLETED') return fromFiles;
    const first = this.#endSeen.get(key) ?? Date.now();
    this.#endSeen.set(key, first);
    const grace = this.#options.resultGraceMs ?? 30_000;
    // A network file system may show the files late, for a job that failed as for one that completed.
    if ((state === 'COMPLETED' || state === 'FAILED') && Date.now() - first < grace) return undefined;
    this.#endSeen.delete(key);
    const details = await this.#details(m);
    const exitCode = details || (slurm.exitCode === undefined ? '' : `exit code ${slurm.exitCode}`);
    return {
      status: 'failed',
      reason: `SLURM job ${key} ended ${state}${exitCode && ` (${exitCode})`} without the launcher's exit record; see ${m.log ?? 'its SLURM log'}`,
      transient: TRANSIENT_END.has(state),
    };
  }

  async stop(trials: readonly TrialHandle[]): Promise<void> {
    const targets: Metadata[] = [];
    for (const handle of trials) {
      const m = readMetadata(handle.metadata);
      if (m === undefined || readExit(m.directory) !== undefined) continue;
      markStopped(m.directory);
      targets.push(m);
    }
    if (targets.length === 0) return;
    const keys = targets.map((m) => `${m.jobId}_${m.arrayIndex}`);
    // Errors for tasks that already ended are expected; what still runs is checked below.
    await this.#exec('scancel', keys);
    const jobIds = [...new Set(targets.map((m) => m.jobId))];
    const deadline = Date.now() + (this.#options.stopTimeoutMs ?? 60_000);
    while (Date.now() < deadline) {
      const states = await this.#squeue(jobIds, true);
      if (
        states !== undefined &&
        keys.every((k) => !QUEUED.has(states.get(k)?.state ?? '') && !ACTIVE.has(states.get(k)?.state ?? ''))
      ) {
        return;
      }
      await sleep(250);
    }
  }

  /** Nothing to release: jobs go on, and a resumed run reattaches to them by their metadata. */
  async close(): Promise<void> {}
}
